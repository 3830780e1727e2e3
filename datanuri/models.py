"""Imports every ORM module so that `Base.metadata` knows all tables (for Alembic and tests)."""

import datanuri.accounts.models  # noqa: F401
import datanuri.catalog.models  # noqa: F401
import datanuri.harvest.models  # noqa: F401
import datanuri.jobs.models  # noqa: F401
import datanuri.ledger.models  # noqa: F401
import datanuri.privacy.db  # noqa: F401
