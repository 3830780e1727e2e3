"""View and download counts per dataset: one atomic upsert per event (`INSERT ... ON CONFLICT
DO UPDATE SET n = n + 1`, on SQLite and PostgreSQL), so parallel requests never lose a count.

What counts: a download is every download the catalog serves (any format, any door); a view is
a dataset page shown, at most once per visitor and dataset per minute (`RecentViews`, kept in
the server's memory: a reload or a crawler hammering one page counts once a minute). Bots are
not told apart otherwise; the counts are a rough signal of use, not an audit (the access log is
that)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from datanuri.accounts.access import AccessControl
from datanuri.accounts.principal import Principal
from datanuri.catalog.models import Dataset, DatasetCounts
from datanuri.store.db import Database
from datanuri.store.upsert import upsert_insert


@dataclass(frozen=True)
class Counts:
    views: int = 0
    downloads: int = 0


def bump(s: Session, dataset_id: int, *, views: int = 0, downloads: int = 0) -> None:
    """Add to a dataset's counts in one statement (the row is made by the first count)."""
    t = DatasetCounts
    stmt = upsert_insert(s.get_bind().dialect, t).values(
        dataset_id=dataset_id, views=views, downloads=downloads
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["dataset_id"],
        set_={"views": t.views + views, "downloads": t.downloads + downloads},
    )
    s.execute(stmt)


def bump_by_name(s: Session, name: str, *, views: int = 0, downloads: int = 0) -> None:
    """`bump` for a dataset named `name` (nothing when there is none)."""
    ds_id = s.scalar(select(Dataset.id).where(Dataset.name == name))
    if ds_id is not None:
        bump(s, ds_id, views=views, downloads=downloads)


class RecentViews:
    """Who saw which dataset page in the last `window` seconds (bounded, oldest forgotten
    first), so a visitor's reloads count once per window."""

    def __init__(
        self, window: float = 60.0, size: int = 50_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window, self.size, self.clock = window, size, clock
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def first(self, visitor: str, dataset: str) -> bool:
        """True if this visitor's view of `dataset` should count (not seen within the window)."""
        now, key = self.clock(), (visitor, dataset)
        with self._lock:
            last = self._seen.get(key)
            if last is not None and now - last < self.window:
                return False
            self._seen[key] = now
            self._seen.move_to_end(key)
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)
            return True


class DatasetCounter:
    """The counts of the datasets a caller may see."""

    def __init__(self, db: Database, access: AccessControl) -> None:
        self.db = db
        self.access = access
        self.recent = RecentViews()

    def record_view(self, name: str, *, visitor: str, principal: Principal) -> bool:
        """Count a view of dataset `name`'s page by `visitor` (a session or client key) if the
        caller may see the dataset and has not viewed it in the last minute."""
        with self.db.session() as s:
            ds = s.scalar(select(Dataset).where(Dataset.name == name))
            if ds is None or not self.access.can(
                s, principal, "read_metadata", dataset=ds.as_access()
            ):
                return False
            if not self.recent.first(visitor, name):
                return False
            bump(s, ds.id, views=1)
        return True

    def get(self, name: str, *, principal: Principal) -> Counts:
        """A dataset's counts (zeros before the first), if the caller may see the dataset."""
        return self.for_names([name], principal=principal).get(name, Counts())

    def for_names(self, names: Iterable[str], *, principal: Principal) -> dict[str, Counts]:
        """The counts of the named datasets the caller may see (for lists and cards)."""
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return {}
        with self.db.session() as s:
            rows = s.execute(
                select(Dataset, DatasetCounts.views, DatasetCounts.downloads)
                .outerjoin(DatasetCounts, DatasetCounts.dataset_id == Dataset.id)
                .where(Dataset.name.in_(wanted))
            ).all()
            return {
                ds.name: Counts(int(v or 0), int(d or 0))
                for ds, v, d in rows
                if self.access.can(s, principal, "read_metadata", dataset=ds.as_access())
            }
