"""The app of one API worker process (`datanuri serve --workers N`).

uvicorn starts each worker as a fresh process and calls `make_app` there, so every process builds
its own `Platform` from the same configuration (the environment `datanuri serve` passed on:
`DATANURI_DATA_DIR`, `DATANURI_DATABASE_URL`, ...). Nothing is shared in memory: what must be
shared lives in the database (docs/deployment.md lists it). The parent process has already
migrated the database and made the keys, so workers starting together find them made.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from datanuri.config import Config
from datanuri.platform import Platform
from datanuri.web.app import create_app


def make_app() -> FastAPI:
    """A web app over a Platform of this process, closed when the worker shuts down."""
    platform = Platform(Config.load())
    platform.jobs.start()  # this process's job workers (Config.job_workers; 0: none)
    app = create_app(platform)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[None]:
        try:
            async with inner(a):
                yield
        finally:
            platform.close()  # waits for this process's running jobs

    app.router.lifespan_context = lifespan
    return app
