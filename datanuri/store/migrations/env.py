"""Alembic environment: runs on the connection handed over by `datanuri.store.db.migrate`."""

from alembic import context

import datanuri.models  # noqa: F401  (registers every table on Base.metadata)
from datanuri.store.db import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise SystemExit("Run migrations through `datanuri init`, not the alembic command line.")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
