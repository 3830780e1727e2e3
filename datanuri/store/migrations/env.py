"""Alembic environment: runs on the connection handed over by `datanuri.store.db.migrate`.

The revisions under `versions/` create their tables by name, so nothing here imports the
capabilities' ORM modules (a foundation imports no capability); `datanuri.models` gathers them
when a whole `Base.metadata` is wanted (tests comparing it with the migrated schema).
"""

from alembic import context

from datanuri.store.db import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise SystemExit("Run migrations through `datanuri init`, not the alembic command line.")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
