"""How datanuri runs under uvicorn: one place for the server settings the CLI and tests share.

uvicorn's HTTP parser (h11) refuses a request line holding raw non-ASCII bytes before the app
sees it, and answers a bare English text. `UrlAwareH11Protocol` answers that case as the app
does for every other undecodable URL (`web/urls.py`): a 400 in JSON saying how to encode it.
"""

from __future__ import annotations

from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors import Multiprocess

from datanuri.web.guard import security_headers
from datanuri.web.urls import bad_url_bytes

MAX_HEAD_SEEN = 16 * 1024  # enough for any request line the server accepts


class UrlAwareH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, with a JSON 400 for request lines that are not ASCII."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head = b""

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and b"\n" not in self._head:
            self._head = (self._head + data)[:MAX_HEAD_SEEN]
        super().data_received(data)

    def on_response_complete(self) -> None:
        self._head = b""
        super().on_response_complete()

    def send_400_response(self, msg: str) -> None:
        line = self._head.split(b"\n", 1)[0]
        if line.isascii():
            super().send_400_response(msg)
            return
        parts = line.split(b" ")
        target = parts[1] if len(parts) > 1 else b""
        body = bad_url_bytes(target.decode("ascii", "replace"))
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            *security_headers(""),
        ]
        self.transport.write(
            self.conn.send(h11.Response(status_code=400, headers=headers, reason=b"Bad Request"))
        )
        self.transport.write(self.conn.send(h11.Data(data=body)))
        self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()


def server_config(app: Any, *, host: str, port: int, log_level: str = "info") -> uvicorn.Config:
    """The uvicorn settings of `datanuri serve`, `datanuri demo` and the tests' live servers.

    X-Forwarded-For is read only from `Config.trusted_proxies` (web/clients.py), never by uvicorn."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        proxy_headers=False,
        http=UrlAwareH11Protocol,
    )


def serve(app: Any, *, host: str, port: int, log_level: str = "info") -> None:
    """Run `app` until interrupted."""
    uvicorn.Server(server_config(app, host=host, port=port, log_level=log_level)).run()


WORKER_APP = "datanuri.web.factory:make_app"


def serve_workers(*, host: str, port: int, workers: int, log_level: str = "info") -> None:
    """Run `workers` processes of the app on one listening socket until SIGINT or SIGTERM.

    uvicorn's supervisor starts each process (which builds its own Platform from the
    environment, `web/factory.py`), restarts one that dies, and on a signal asks every process
    to finish the requests it is answering before it exits."""
    config = uvicorn.Config(
        WORKER_APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        proxy_headers=False,
        http=UrlAwareH11Protocol,
        timeout_graceful_shutdown=30,
        timeout_worker_healthcheck=60,  # a worker building its Platform on a busy machine
    )
    sock = config.bind_socket()
    try:
        Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
