"""Names of temporary files that say which process wrote them, and when a leftover may go.

Several processes, on one machine or on several sharing a mount, may use the same temp area.
A temp file's name starts with `<pid>@<host tag>-`; the host tag tells this machine (and pid
namespace) from others, whose process ids mean nothing here. `is_leftover` is pure: a file is
removed when it is older than the age limit, or when it is this host's and its process is gone.
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

MAX_AGE_SECONDS = 24 * 3600  # a temp file this old is left by a crash, whoever wrote it


@cache
def host_tag() -> str:
    """Ten hex digits naming this host and its pid namespace (containers sharing a mount differ)."""
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = ""
    return hashlib.sha256(f"{socket.gethostname()}:{namespace}".encode()).hexdigest()[:10]


def temp_prefix() -> str:
    """The start of every temp name this process makes: `<pid>@<host tag>-`."""
    return f"{os.getpid()}@{host_tag()}-"


@dataclass(frozen=True)
class TempOwner:
    """The process a temp name names; `host` is None for names written before host tags."""

    pid: int
    host: str | None


def owner(name: str) -> TempOwner | None:
    """The writer of temp file `name` (`<pid>@<tag>-…`, `<pid>-…`, or a hidden `.<that>…` an
    ingest writes beside its output), or None when the name says nothing."""
    head = name.lstrip(".").split("-", 1)[0]
    pid_text, _, host = head.partition("@")
    if not pid_text.isdigit():
        return None
    return TempOwner(int(pid_text), host or None)


def is_leftover(
    name: str,
    age_seconds: float,
    *,
    alive: Callable[[int], bool],
    host: str,
    max_age: float = MAX_AGE_SECONDS,
) -> bool:
    """Whether a temp file may be removed: older than `max_age`, or written on this `host` by a
    process that is no longer `alive`. Files of other hosts and unnamed files wait for the age."""
    if age_seconds >= max_age:
        return True
    who = owner(name)
    if who is None or (who.host is not None and who.host != host):
        return False
    return not alive(who.pid)
