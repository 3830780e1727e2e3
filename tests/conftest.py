"""Shared fixtures. Every database-backed test runs on SQLite, and again on PostgreSQL when
DATANURI_TEST_DATABASE_URL is set (CI sets it), through the `db_url` fixture parameter."""

from __future__ import annotations

import importlib.util
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("DATANURI_TEST_DATABASE_URL")
TESTDATA = Path(__file__).resolve().parent / "data"


REFERENCES = ("pycanon", "pyld", "ckanapi", "playwright")


def pytest_sessionstart(session: pytest.Session) -> None:
    """The independent references are part of the suite: a missing one fails the run, never skips."""
    missing = [name for name in REFERENCES if importlib.util.find_spec(name) is None]
    if missing:
        raise pytest.UsageError(
            f"The tests' independent references are not installed: {', '.join(missing)}. "
            "Run `make test` (or `pip install -c constraints.txt -e '.[dev]' && "
            "pip install --no-deps -r tests/references.txt`)."
        )


# The interface layers (web API and pages, browser, CLI) run on SQLite only: what they do on
# PostgreSQL is what the services and the store below them do, and those tests run on both. An
# interface test whose outcome depends on the database itself (driver limits, NUL bytes in text)
# opts in with `@pytest.mark.both_databases`.
SQLITE_ONLY = (
    "tests/web/",
    "tests/ui/",
    "tests/test_cli.py",
    "tests/test_cli_access.py",
    "tests/desk/test_api.py",
    "tests/desk/test_cli.py",
    "tests/test_cli_decisions.py",
    "tests/desk/test_firms_api.py",
    "tests/market/test_cli_listings.py",
    "tests/market/test_trace_cli.py",
    "tests/market/test_cli_orders.py",
    "tests/web/test_market_orders.py",
    "tests/audit/test_cli_audit.py",
    "tests/linkage/test_zone_cli.py",
    "tests/decisions/test_cli_models.py",
    "tests/oauth/test_flow.py",
    "tests/oauth/test_demo_client.py",
    "tests/mydata/test_receipts_cli.py",
    "tests/mydata/test_web.py",
    "tests/synth/test_cli.py",
)
ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the PostgreSQL variants of interface tests (see `SQLITE_ONLY`)."""
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        where = item.path.resolve().relative_to(ROOT).as_posix()
        if (
            params.get("db_url") == "pg"
            and where.startswith(SQLITE_ONLY)
            and item.get_closest_marker("both_databases") is None
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _backends() -> list:
    return [
        pytest.param("sqlite", id="sqlite"),
        pytest.param(
            "pg",
            id="pg",
            marks=[
                pytest.mark.pg,
                pytest.mark.skipif(not PG_URL, reason="DATANURI_TEST_DATABASE_URL not set"),
            ],
        ),
    ]


@pytest.fixture(params=_backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file, or a private PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    assert PG_URL
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        # A test's commits need not reach the disk (nothing outlives the test): without the
        # wait for each commit's flush the PostgreSQL runs take a fraction of the time.
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# The migrated schema, made by Alembic once per worker and backend: a SQLite file to copy, and
# the statements PostgreSQL ran (replayed in one transaction in each new schema). Migrating an
# empty database is deterministic, so each test still starts from exactly Alembic's schema, at
# a fraction of the cost (~0.4 s SQLite, ~2 s PostgreSQL a test); tests/store/test_migrations.py
# runs the migrations themselves in every test.
_SCHEMA: dict[str, Any] = {}


def _migrate_fast(url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Bring the empty database at `url` to every migration head, as `Database.migrate` does."""
    from datanuri.store.db import Database

    if url.startswith("sqlite:///"):
        if "sqlite" not in _SCHEMA:
            template = tmp_path_factory.mktemp("schema") / "migrated.db"
            made = Database(f"sqlite:///{template}")
            made.migrate()
            made.dispose()  # the last connection's close folds the WAL into the file
            _SCHEMA["sqlite"] = template
        shutil.copyfile(_SCHEMA["sqlite"], url.removeprefix("sqlite:///"))
        return
    database = Database(url)
    try:
        if "pg" not in _SCHEMA:
            ran: list[tuple[str, Any, bool]] = []

            def record(_conn, _cursor, statement, parameters, _context, executemany) -> None:  # type: ignore[no-untyped-def]
                ran.append((statement, parameters, executemany))

            sa.event.listen(database.engine, "after_cursor_execute", record)
            database.migrate()
            sa.event.remove(database.engine, "after_cursor_execute", record)
            _SCHEMA["pg"] = ran
            return
        with database.engine.begin() as conn:
            cursor = conn.connection.cursor()
            for statement, parameters, executemany in _SCHEMA["pg"]:
                if executemany:
                    cursor.executemany(statement, parameters)
                else:
                    cursor.execute(statement, parameters)
            cursor.close()
    finally:
        database.dispose()


@pytest.fixture
def migrated_url(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """`db_url` with the schema at every migration head (see `_migrate_fast`)."""
    _migrate_fast(db_url, tmp_path_factory)
    return db_url


@pytest.fixture
def db(migrated_url: str) -> Iterator[object]:
    """A migrated `datanuri.store.db.Database` on each backend."""
    from datanuri.store.db import Database

    database = Database(migrated_url)
    database.migrate()  # a no-op: the schema is current
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def config(tmp_path: Path, migrated_url: str) -> object:
    from datanuri.config import Config

    # Rate limits are tested on their own (tests/web/test_auth.py), and the second-factor policy
    # in tests/accounts/test_mfa*.py; here they stay out of the way.
    return Config(
        data_dir=tmp_path / "data",
        database_url=migrated_url,
        rate_limit_per_minute=1_000_000,
        rate_limit_burst=1_000_000,
        second_factor_policy="off",
    )


@pytest.fixture
def platform(config: object) -> Iterator[object]:
    """A fresh Platform on each database backend."""
    from datanuri.platform import Platform

    p = Platform(config)  # type: ignore[arg-type]
    try:
        yield p
    finally:
        p.close()


@pytest.fixture
def api(platform: object) -> Iterator[object]:
    """An in-process HTTP client for the web app (FastAPI's TestClient)."""
    from fastapi.testclient import TestClient

    from datanuri.web.app import create_app

    with TestClient(create_app(platform), raise_server_exceptions=False) as client:  # type: ignore[arg-type]
        yield client


@pytest.fixture
def live_server(platform: object) -> Iterator[str]:
    """A real uvicorn server on a free loopback port; yields its base URL."""
    from datanuri.web.app import create_app
    from tests.helpers import serve_app

    with serve_app(create_app(platform)) as url:  # type: ignore[arg-type]
        yield url
