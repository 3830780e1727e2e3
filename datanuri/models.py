"""Imports every capability's ORM module so that `Base.metadata` knows all tables.

Wiring level, next to `platform.py`: it aggregates capabilities, so no foundation may import it.
"""

import datanuri.accounts.models  # noqa: F401
import datanuri.accounts.request_tables  # noqa: F401
import datanuri.audit.model_tables  # noqa: F401
import datanuri.audit.tables  # noqa: F401
import datanuri.catalog.models  # noqa: F401
import datanuri.decisions.tables  # noqa: F401
import datanuri.desk.firm_tables  # noqa: F401
import datanuri.desk.tables  # noqa: F401
import datanuri.harvest.models  # noqa: F401
import datanuri.jobs.models  # noqa: F401
import datanuri.ledger.models  # noqa: F401
import datanuri.linkage.zone_tables  # noqa: F401
import datanuri.market.book_tables  # noqa: F401
import datanuri.market.delivery_tables  # noqa: F401
import datanuri.market.listing_tables  # noqa: F401
import datanuri.market.order_tables  # noqa: F401
import datanuri.market.pricing_tables  # noqa: F401
import datanuri.mydata.tables  # noqa: F401
import datanuri.notify.models  # noqa: F401
import datanuri.oauth.tables  # noqa: F401
import datanuri.privacy.db  # noqa: F401
import datanuri.search.models  # noqa: F401
import datanuri.store.ratebuckets  # noqa: F401
import datanuri.synth.tables  # noqa: F401
