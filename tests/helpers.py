"""Small file makers shared by tests (files are generated, never committed)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
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
