import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import datanuri.models  # noqa: F401
from datanuri.search.pg_index import TABLES as SEARCH_TABLES
from datanuri.store.db import Base


def _search_index_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave out the PostgreSQL search index's own tables (kept by raw SQL, not the ORM)."""
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table not in SEARCH_TABLES


@pytest.fixture
def db(db_url):
    """A database migrated here by Alembic itself (not the shared fixture's copy of a schema
    migrated once per worker, tests/conftest.py)."""
    from datanuri.store.db import Database

    database = Database(db_url)
    database.migrate()
    try:
        yield database
    finally:
        database.dispose()


def test_migrations_create_exactly_the_models(db):
    """Every table and column declared on the ORM exists after `migrate()`, and nothing else."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _search_index_object})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_migrate_twice_is_harmless(db):
    db.migrate()
    with db.engine.connect() as conn:
        assert len(MigrationContext.configure(conn).get_current_heads()) >= 2


def test_heads_read_from_the_files_are_alembics(db):
    """The fast 'already current' check reads the same heads Alembic does, and stands aside
    when the database is behind."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from datanuri.store.db import MIGRATIONS_DIR, is_current, script_heads

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert script_heads() == set(ScriptDirectory.from_config(cfg).get_heads())
    assert is_current(db.engine)
    with db.engine.begin() as conn:  # pretend one branch is behind
        gone = conn.execute(
            text("DELETE FROM alembic_version WHERE version_num = :v"), {"v": max(script_heads())}
        )
        assert gone.rowcount == 1
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0001_catalog')"))
    assert not is_current(db.engine)
