"""Imports every capability's ORM module so that `Base.metadata` knows all tables.

Wiring level, next to `platform.py`: it aggregates capabilities, so no foundation may import it.
"""

import datanuri.accounts.models  # noqa: F401
import datanuri.accounts.request_tables  # noqa: F401
import datanuri.catalog.models  # noqa: F401
import datanuri.decisions.tables  # noqa: F401
import datanuri.harvest.models  # noqa: F401
import datanuri.jobs.models  # noqa: F401
import datanuri.ledger.models  # noqa: F401
import datanuri.privacy.db  # noqa: F401
import datanuri.search.models  # noqa: F401
import datanuri.store.ratebuckets  # noqa: F401
