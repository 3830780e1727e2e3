from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import datanuri.models  # noqa: F401
from datanuri.store.db import Base


def test_migrations_create_exactly_the_models(db):
    """Every table and column declared on the ORM exists after `migrate()`, and nothing else."""
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_migrate_twice_is_harmless(db):
    db.migrate()
    with db.engine.connect() as conn:
        assert len(MigrationContext.configure(conn).get_current_heads()) >= 2
