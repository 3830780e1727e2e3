"""A minimal web app serving only the ledger routes, and a loopback server for it."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, Iterator

import uvicorn
from fastapi import FastAPI

from datanuri.web import errors, routes_ledger


def ledger_app(ledger: Any) -> FastAPI:
    app = FastAPI()
    app.state.platform = SimpleNamespace(ledger=ledger)
    errors.install(app)
    app.include_router(routes_ledger.router, prefix="/api/v1")
    app.include_router(routes_ledger.wellknown_router)
    return app


@contextmanager
def serve(ledger: Any) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(ledger_app(ledger), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("ledger test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
