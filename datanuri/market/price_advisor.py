"""Price suggestions for listings from the market's comparables, and the backtest of the model
(`pricing.py` is the model; this is its I/O).

Comparables are every other priced listing (its dataset's newest version for rows, columns and
freshness; the catalog's download count; request-desk demand; sales) and the recorded price
history (`PriceObservation`: what was paid, with what the offering was then). Demand and sales
come through two seams handed over by `platform.py`, since the desk imports search, which
imports the market (a cycle otherwise), and orders are the market's own later work:

* `DemandCounter(s, names) -> {name: requests}`: request-desk requests naming each dataset;
* `SalesCounter(s, listing_ids) -> {listing_id: copies sold}`.

Only the listing's holder (its dataset's editors) asks for a suggestion; the backtest is an
aggregate of the history, open to any signed-in principal; only admins record history.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datanuri import errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.principal import Principal
from datanuri.catalog.models import Dataset, DatasetCounts, Version
from datanuri.market import listing_messages as LM
from datanuri.market import pricing
from datanuri.market import pricing_messages as M
from datanuri.market.listing_tables import Listing
from datanuri.market.pricing_tables import PriceObservation
from datanuri.store.db import Database, utcnow

DemandCounter = Callable[[Session, Sequence[str]], dict[str, int]]
SalesCounter = Callable[[Session, Sequence[int]], dict[int, int]]


def _no_sales(_s: Session, _ids: Sequence[int]) -> dict[int, int]:
    return {}


def _no_demand(_s: Session, _names: Sequence[str]) -> dict[str, int]:
    return {}


@dataclass(frozen=True)
class ListingSuggestion:
    """A suggestion for one listing, in its own price kind."""

    listing_id: int
    dataset: str
    price_kind: pricing.PriceKind
    current_krw: int | None
    suggested_krw: int  # in the listing's price kind
    suggestion: pricing.Suggestion
    features: pricing.Features

    def to_dict(self) -> dict[str, Any]:
        """As JSON (the API's body and the CLI's --json)."""
        s = self.suggestion
        return {
            "listing": self.listing_id,
            "dataset": self.dataset,
            "price_kind": self.price_kind,
            "current_krw": self.current_krw,
            "suggested_krw": self.suggested_krw,
            "annual_krw": s.annual_krw,
            "low_krw": s.low_krw,
            "high_krw": s.high_krw,
            "comparables": s.comparables,
            "nearest": [{"label": label, "annual_krw": krw} for label, krw in s.nearest],
            "reasons": [{"code": r.code, "en": r.en, "ko": r.ko} for r in s.reasons],
            "features": dataclasses.asdict(self.features),
        }


@dataclass(frozen=True)
class Observation:
    """A price paid, to record in the history (admins; the demo's synthetic history)."""

    label: str
    features: pricing.Features
    annual_krw: int
    at: dt.datetime
    source: str = "sale"
    listing_id: int | None = None


def kind_of(row: Listing) -> pricing.PriceKind | None:
    """The listing's price kind for the model; None when it is free for research."""
    if row.price_kind == "one-off":
        return "one-off"
    if row.price_kind == "subscription":
        return "subscription-month" if row.price_period == "month" else "subscription-year"
    return None


class PriceAdvisor:
    """Suggests listing prices and backtests the model on the recorded history."""

    def __init__(
        self,
        db: Database,
        access: AccessControl,
        *,
        demand: DemandCounter = _no_demand,
        sales: SalesCounter = _no_sales,
    ) -> None:
        self.db = db
        self.access = access
        self.demand = demand
        self.sales = sales

    def suggest_price(self, listing_id: int, *, principal: Principal) -> ListingSuggestion:
        """Suggest a price for listing `listing_id` (its holder), with the reasons."""
        with self.db.session() as s:
            row = s.get(Listing, listing_id)
            if row is None:
                raise errors.NotFound(LM.MSG_NO_LISTING.format(id=listing_id))
            ds = self.access.dataset(s, row.dataset_id)
            if principal.kind == "anonymous":
                self.access.require(s, principal, "publish", dataset=ds)
            if not self.access.can(s, principal, "publish", dataset=ds):
                # as `Listings`: a draft, or a dataset one may not see, is not found
                seen = self.access.can(s, principal, "read_metadata", dataset=ds)
                if row.status != "published" or not seen:
                    raise errors.NotFound(LM.MSG_NO_LISTING.format(id=listing_id))
                raise errors.PermissionDenied(LM.MSG_NOT_HOLDER.format(org=ds.organization))
            kind = kind_of(row)
            if kind is None:
                raise errors.InvalidInput(M.MSG_FREE.format(id=listing_id))
            live = self._live(s, exclude=listing_id)
            mine = self._features(s, [row])[row.id]
            comps = self._history(s) + live
        found = pricing.suggest(mine, comps)
        return ListingSuggestion(
            listing_id, ds.name, kind, row.price_krw, found.for_kind(kind), found, mine
        )

    def backtest(self, *, principal: Principal, min_train: int = 30) -> pricing.BacktestResult:
        """Walk-forward backtest of the model on the recorded price history."""
        if principal.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_BACKTEST_LOGIN)
        with self.db.session() as s:
            history = self._history(s)
        return pricing.backtest(history, min_train=min_train)

    def record_history(self, observations: Sequence[Observation], *, principal: Principal) -> int:
        """Add prices paid to the history (admins); how many were added."""
        if not principal.is_admin:
            raise errors.PermissionDenied(M.MSG_HISTORY_ADMIN)
        with self.db.session() as s:
            for o in observations:
                f = o.features
                s.add(
                    PriceObservation(
                        label=o.label[:200],
                        source=o.source,
                        listing_id=o.listing_id,
                        rows=f.rows,
                        columns=f.columns,
                        age_days=f.age_days,
                        update_frequency=f.update_frequency,
                        theme=f.theme,
                        downloads=f.downloads,
                        requests=f.requests,
                        sales=f.sales,
                        annual_krw=o.annual_krw,
                        observed_at=o.at,
                    )
                )
        return len(observations)

    def history_size(self, source: str | None = None) -> int:
        """How many observations the history holds (of `source`, if given)."""
        with self.db.session() as s:
            q = select(func.count(PriceObservation.id))
            if source:
                q = q.where(PriceObservation.source == source)
            return int(s.scalar(q) or 0)

    # ----- comparables -----------------------------------------------------------------------
    def _history(self, s: Session) -> list[pricing.Comparable]:
        rows = s.scalars(select(PriceObservation).order_by(PriceObservation.observed_at))
        return [
            pricing.Comparable(
                r.label,
                pricing.Features(
                    rows=r.rows,
                    columns=r.columns,
                    age_days=r.age_days,
                    update_frequency=r.update_frequency,
                    theme=r.theme,
                    downloads=r.downloads,
                    requests=r.requests,
                    sales=r.sales,
                ),
                r.annual_krw,
                r.observed_at,
            )
            for r in rows
        ]

    def _live(self, s: Session, *, exclude: int) -> list[pricing.Comparable]:
        """Every other priced, not archived listing as a comparable."""
        rows = list(
            s.scalars(
                select(Listing).where(
                    Listing.id != exclude,
                    Listing.price_krw.is_not(None),
                    Listing.status != "archived",
                )
            )
        )
        feats = self._features(s, rows)
        out = []
        for r in rows:
            kind = kind_of(r)
            if kind is None or not r.price_krw:
                continue
            at = r.published_at or r.created_at
            out.append(
                pricing.Comparable(r.title, feats[r.id], pricing.annual(kind, r.price_krw), at)
            )
        return out

    def _features(self, s: Session, rows: Sequence[Listing]) -> dict[int, pricing.Features]:
        """Each listing's features, in a fixed number of queries (no query per listing)."""
        if not rows:
            return {}
        ds_ids = list({r.dataset_id for r in rows})
        datasets = {
            d.id: d
            for d in s.execute(
                select(Dataset.id, Dataset.name, Dataset.theme, Dataset.update_frequency).where(
                    Dataset.id.in_(ds_ids)
                )
            )
        }
        newest = (
            select(Version.dataset_id, func.max(Version.number).label("n"))
            .where(Version.dataset_id.in_(ds_ids))
            .group_by(Version.dataset_id)
            .subquery()
        )
        versions = {
            v.dataset_id: v
            for v in s.execute(
                select(
                    Version.dataset_id, Version.row_count, Version.schema, Version.created_at
                ).join(
                    newest,
                    (Version.dataset_id == newest.c.dataset_id) & (Version.number == newest.c.n),
                )
            )
        }
        counted = s.execute(
            select(DatasetCounts.dataset_id, DatasetCounts.downloads).where(
                DatasetCounts.dataset_id.in_(ds_ids)
            )
        )
        downloads = {dataset_id: n for dataset_id, n in counted}
        demand = self.demand(s, [d.name for d in datasets.values()])
        sales = self.sales(s, [r.id for r in rows])
        now = utcnow()
        out = {}
        for r in rows:
            d, v = datasets[r.dataset_id], versions.get(r.dataset_id)
            out[r.id] = pricing.Features(
                rows=int(v.row_count) if v else 0,
                columns=len((v.schema or {}).get("fields", [])) if v else 0,
                age_days=max(0.0, (now - v.created_at).total_seconds() / 86400) if v else 365.0,
                update_frequency=d.update_frequency,
                theme=d.theme,
                downloads=int(downloads.get(r.dataset_id, 0)),
                requests=int(demand.get(d.name, 0)),
                sales=int(sales.get(r.id, 0)),
            )
        return out
