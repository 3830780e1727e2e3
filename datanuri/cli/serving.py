"""What `datanuri serve --workers N` tells the operator about the chosen setup (pure)."""

from __future__ import annotations

from datanuri.config import Config

SQLITE_MANY = (
    "{workers} processes share the SQLite database {path}. This works on one machine for a few "
    "processes (WAL mode: reads run in parallel, each write waits for the one before), but "
    "PostgreSQL is the database for several processes: set DATANURI_DATABASE_URL="
    "postgresql+psycopg://user@host/db (docs/deployment.md)."
)


def sqlite_note(config: Config) -> str | None:
    """The warning for several processes on SQLite, or None when there is nothing to say."""
    if config.workers <= 1 or config.db_url.startswith("postgresql"):
        return None
    return SQLITE_MANY.format(workers=config.workers, path=config.db_url.removeprefix("sqlite:///"))
