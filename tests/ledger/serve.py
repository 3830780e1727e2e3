"""A minimal web app serving only the ledger routes, and a loopback server for it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from fastapi import FastAPI

from datanuri.web import errors, routes_ledger
from tests.helpers import serve_app


def ledger_app(ledger: Any) -> FastAPI:
    app = FastAPI()
    app.state.platform = SimpleNamespace(ledger=ledger)
    errors.install(app)
    app.include_router(routes_ledger.router, prefix="/api/v1")
    app.include_router(routes_ledger.wellknown_router)
    return app


@contextmanager
def serve(ledger: Any) -> Iterator[str]:
    with serve_app(ledger_app(ledger)) as url:
        yield url
