"""Small file makers shared by tests (files are generated, never committed)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from datanuri.accounts.principal import SYSTEM

AIR_HEADER = "측정소명,측정일,PM10,PM2.5,비고"
AIR_ROWS = [
    '종로구,2024.01.05,"1,234",15.5,-',
    "중구,2024.01.06,45,22.1,보통",
    "용산구,2024.01.07,-,18.0,보통",
]


def air_csv(path: Path, *, encoding: str = "cp949", extra_rows: int = 0) -> Path:
    rows = list(AIR_ROWS) + [
        f"관측소{i},2024.02.{(i % 28) + 1:02d},{i},{i / 10:.1f},보통" for i in range(extra_rows)
    ]
    path.write_bytes(("\n".join([AIR_HEADER, *rows]) + "\n").encode(encoding))
    return path


PASSWORD = "correct horse battery"


def editor_token(platform, org: str, email: str = "editor@example.org") -> str:
    """Create a user who edits `org` and return an API token (read, publish) for them."""
    platform.accounts.create_user(email, display_name="편집자", password=PASSWORD, principal=SYSTEM)
    platform.accounts.add_member(org, email, role="editor", principal=SYSTEM)
    return platform.accounts.create_token(
        name="tests", scopes=["read", "publish"], for_email=email, principal=SYSTEM
    )[1]


@contextmanager
def serve_app(app: Any) -> Iterator[str]:
    """Run an ASGI app on a real uvicorn server on a free loopback port; yields its base URL."""
    import uvicorn

    from datanuri.web.server import server_config

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(server_config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def run_cli(
    args: Iterable[object], env: Mapping[str, str | None] | None = None
) -> subprocess.CompletedProcess[str]:
    """`datanuri ARGS` in this process, through the installed command's entry point (its errors
    to exit codes and messages), with `env` set for the call: what a subprocess shows, without
    a new interpreter importing everything (~3 s a call). A crash gives exit code 1 and its
    traceback on stderr, as in a subprocess."""
    from click.testing import CliRunner

    from datanuri.cli import main

    argv = ["datanuri", *(str(a) for a in args)]
    with CliRunner().isolation(env=env) as (out, err, _):
        saved, sys.argv = sys.argv, argv  # main() reads `--json` from sys.argv
        code = 0
        try:
            main()
        except SystemExit as exc:
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        except Exception:
            traceback.print_exc()
            code = 1
        finally:
            sys.argv = saved
            sys.stdout.flush()
            sys.stderr.flush()
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    return subprocess.CompletedProcess(argv, code, stdout, stderr)
