"""The dialect's INSERT construct that offers ``on_conflict_do_update`` (SQLite and PostgreSQL
spell upserts alike), its dialect imported only when a statement is built."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def upsert_insert(dialect: sa.Dialect, table: Any) -> Any:
    """``INSERT INTO table`` in ``dialect``'s own construct, for ``on_conflict_do_*``."""
    if dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)
