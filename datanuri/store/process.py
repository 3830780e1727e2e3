"""Process liveness, used to tell leftovers of crashed processes from work still in progress."""

from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    """True when a process with this id runs on this host (or is ourselves)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
