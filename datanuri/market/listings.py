"""Market listings ("데이터 상품"): the holder of a restricted dataset offers it (every version, or
one) for sale with a description, a sample, a price and a licence written as an ODRL offer.

Only the dataset's editors and owners manage its listings. Only restricted datasets are offered:
personal data only through a de-identified release dataset (itself restricted). The sample is
never raw restricted rows: it is the first rows of a released de-identified version (a privacy
release of this dataset) or a synthetic file the holder gives, which identifier detection must
clear and which may share no row with the dataset's versions.

Publishing, taking off sale and changing a published listing's licence are recorded in the
ledger in the same transaction, with the licence's SHA-256. After each commit the listeners
(the search index) are told the dataset changed.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from datanuri import canonical, errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.policy import DatasetAccess
from datanuri.accounts.principal import Principal
from datanuri.catalog.models import Dataset, Version
from datanuri.catalog.service import CatalogService
from datanuri.events import EventSink
from datanuri.market import licence as L
from datanuri.market import listing_messages as M
from datanuri.market import listing_rules as rules
from datanuri.market.listing_events import (
    ListingLicenceChanged,
    ListingPublished,
    ListingUnpublished,
)
from datanuri.market.listing_tables import Listing
from datanuri.privacy.db import PrivacyRelease
from datanuri.privacy.guard import DetectionGuard, flagged
from datanuri.store.db import Database, utcnow
from datanuri.tables.ingest import ingest

log = logging.getLogger("datanuri.market")


@dataclass(frozen=True)
class SampleFromRelease:
    """The first rows of version `version` of the listed dataset, a privacy release."""

    version: int


@dataclass(frozen=True)
class SyntheticSample:
    """A synthetic sample file (CSV, XLSX, JSON, Parquet) made by the holder."""

    path: Path
    filename: str | None = None


Sample = SampleFromRelease | SyntheticSample


@dataclass(frozen=True)
class ListingInfo:
    """One listing as its holder and (once published) everyone who may see its dataset see it."""

    id: int
    dataset: str
    dataset_title: str
    organization: str
    organization_title: str
    version: int | None  # None: every version
    title: str
    description: str
    status: str
    price: rules.Price
    terms: L.Terms
    licence_sha256: str
    licence_url: str
    sample_source: str | None
    sample_columns: tuple[str, ...]
    sample_rows: tuple[tuple[Any, ...], ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    published_at: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dataset": self.dataset,
            "dataset_title": self.dataset_title,
            "organization": self.organization,
            "organization_title": self.organization_title,
            "version": self.version,
            "title": self.title,
            "description": self.description,
            "status": self.status,
            "price": rules.price_to_dict(self.price),
            "licence": self.terms.to_dict(),
            "licence_sha256": self.licence_sha256,
            "licence_url": self.licence_url,
            "sample": {
                "source": self.sample_source,
                "columns": list(self.sample_columns),
                "rows": [list(r) for r in self.sample_rows],
            },
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "published_at": self.published_at.isoformat() if self.published_at else None,
        }


@dataclass(frozen=True)
class ListingSummary:
    """What the search record, CKAN and DCAT say of a published listing."""

    id: int
    title: str
    price: dict[str, Any]
    licence_path: str  # under the server's base URL
    licence_sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "price": dict(self.price),
            "licence_path": self.licence_path,
            "licence_sha256": self.licence_sha256,
        }


def licence_path(listing_id: int) -> str:
    return f"/market/listings/{listing_id}/licence.jsonld"


def licence_url(base: str, listing_id: int) -> str:
    return f"{base}{licence_path(listing_id)}"


def licence_document(
    base: str, listing_id: int, ds: DatasetAccess, terms: L.Terms
) -> dict[str, Any]:
    """The licence of a listing as ODRL JSON-LD: an Offer by the holder on the dataset."""
    offer = L.offer_of(
        terms,
        uid=licence_url(base, listing_id),
        target=f"{base}/dataset/{ds.name}",
        assigner=f"{base}/organizations/{ds.organization}",
    )
    return L.to_jsonld(offer)


def published_summaries(s: Session, dataset_ids: Iterable[int]) -> dict[int, list[ListingSummary]]:
    """The published listings of some datasets (by dataset id), oldest first: for search and the
    catalogue exports."""
    ids = list(dataset_ids)
    out: dict[int, list[ListingSummary]] = {}
    if not ids:
        return out
    rows = s.scalars(
        select(Listing)
        .where(Listing.dataset_id.in_(ids), Listing.status == "published")
        .order_by(Listing.id)
    )
    for r in rows:
        price = rules.price_to_dict(rules.price_of(r.price_kind, r.price_krw, r.price_period))
        out.setdefault(r.dataset_id, []).append(
            ListingSummary(r.id, r.title, price, licence_path(r.id), r.licence_sha256)
        )
    return out


def _json_value(v: Any) -> Any:
    """A sample cell as JSON: numbers and text as they are, NaN and infinities as null, anything
    else (decimals, dates, times, bytes) as its text."""
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    return str(v)


def _rows(table: pa.Table) -> tuple[tuple[str, ...], list[list[Any]]]:
    cols = tuple(table.column_names)
    return cols, [[_json_value(r[c]) for c in cols] for r in table.to_pylist()]


def _cell_text(v: Any) -> str:
    """A cell as the real-row check compares it (a sample's and a version's alike)."""
    return str(_json_value(v))


def _could_match(col: pa.Array, texts: set[str]) -> pa.Array | None:
    """A mask of the cells of a text or integer column whose `_cell_text` may be one of `texts`
    (exact for these types: a text is itself, an integer its canonical digits, a null "None");
    None for other types, which are not narrowed."""
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        values = pa.array(sorted(texts), col.type)
    elif pa.types.is_integer(col.type):
        numbers = []
        for text in texts:
            try:
                number = int(text)
                pa.scalar(number, col.type)  # in the column's range
            except (ValueError, OverflowError, pa.ArrowInvalid):
                continue  # not an integer's text, or out of the column's range: matches none
            if str(number) == text:
                numbers.append(number)
        values = pa.array(numbers, col.type)
    else:
        return None
    mask = pc.is_in(col, value_set=values)
    return pc.or_(mask, pc.is_null(col)) if "None" in texts else mask


def rows_among(
    batch: pa.RecordBatch, columns: tuple[str, ...], wanted: set[tuple[str, ...]]
) -> set[tuple[str, ...]]:
    """The rows of `batch` (on `columns`, as cell texts) that are in `wanted`. Arrow first drops
    the rows a text or integer column rules out, so keys are built in Python only for the few
    left; the answer is the same as comparing every row."""
    for i, name in enumerate(columns):
        mask = _could_match(batch.column(name), {key[i] for key in wanted})
        if mask is not None:
            batch = batch.filter(mask)
    cells = [[_cell_text(v) for v in batch.column(name).to_pylist()] for name in columns]
    return wanted.intersection(zip(*cells, strict=True))


class Listings:
    """The market's listings service."""

    def __init__(
        self,
        db: Database,
        events: EventSink,
        access: AccessControl,
        catalog: CatalogService,
        *,
        base_url: str,
        guard: DetectionGuard | None = None,
    ) -> None:
        self.db = db
        self.events = events
        self.access = access
        self.catalog = catalog
        self.base = base_url.rstrip("/")
        self.guard = guard or DetectionGuard()
        # Told the dataset's name after a listing change commits (the search index).
        self.listeners: list[Callable[[str], None]] = []

    # ----- the holder --------------------------------------------------------------------------
    def create(
        self,
        dataset: str,
        *,
        title: str,
        price: rules.Price,
        terms: L.Terms,
        description: str = "",
        version: int | None = None,
        sample: Sample | None = None,
        principal: Principal,
    ) -> ListingInfo:
        """A draft listing of restricted `dataset` (every version, or `version`)."""
        title = rules.clean_title(title)
        description = rules.clean_description(description)
        L.validate(terms)
        self._check_price(price, terms)
        with self.db.session() as s:  # checks before the (slow) sample is read
            ds = self._holder_dataset(s, dataset, principal)
            if version is not None:
                self._check_version(s, ds, version)
        columns, rows, source, release_id = self._sample(ds, sample, principal)
        with self.db.write_session() as s:
            ds = self._holder_dataset(s, dataset, principal)
            kind, krw, period = rules.price_columns(price)
            row = Listing(
                dataset_id=ds.id,
                version=version,
                title=title,
                description=description,
                status="draft",
                price_kind=kind,
                price_krw=krw,
                price_period=period,
                licence_terms=terms.to_dict(),
                licence_sha256="0" * 64,
                sample_source=source,
                sample_release_id=release_id,
                sample_columns=list(columns),
                sample_rows=rows,
                sample_sha256=canonical.sha256({"columns": list(columns), "rows": rows})
                if source
                else None,
                created_by=principal.ref,
            )
            s.add(row)
            s.flush()
            row.licence_sha256 = canonical.sha256(licence_document(self.base, row.id, ds, terms))
            return self._info(s, row, ds)

    def update(
        self,
        listing_id: int,
        *,
        title: str | None = None,
        description: str | None = None,
        price: rules.Price | None = None,
        terms: L.Terms | None = None,
        sample: Sample | None = None,
        principal: Principal,
    ) -> ListingInfo:
        """Change a listing (not archived); a new licence of a published listing is recorded in
        the ledger."""
        new_title = rules.clean_title(title) if title is not None else None
        new_description = rules.clean_description(description) if description is not None else None
        if terms is not None:
            L.validate(terms)
        with self.db.session() as s:
            row, ds = self._load(s, listing_id, principal, holder=True)
            rules.check_change(row.status, "changed")
        got = self._sample(ds, sample, principal) if sample is not None else None
        with self.db.write_session() as s:
            row, ds = self._load(s, listing_id, principal, holder=True, lock=True)
            rules.check_change(row.status, "changed")
            now_terms = terms or L.Terms.from_dict(row.licence_terms)
            self._check_price(
                price or rules.price_of(row.price_kind, row.price_krw, row.price_period), now_terms
            )
            if new_title is not None:
                row.title = new_title
            if new_description is not None:
                row.description = new_description
            if price is not None:
                row.price_kind, row.price_krw, row.price_period = rules.price_columns(price)
            if got is not None:
                columns, rows, source, release_id = got
                row.sample_source, row.sample_release_id = source, release_id
                row.sample_columns, row.sample_rows = list(columns), rows
                row.sample_sha256 = canonical.sha256({"columns": list(columns), "rows": rows})
            if terms is not None:
                digest = canonical.sha256(licence_document(self.base, row.id, ds, terms))
                if digest != row.licence_sha256 and row.status == "published":
                    self.events.record(
                        s,
                        ListingLicenceChanged(
                            actor=principal.ref,
                            time=utcnow(),
                            dataset=ds.name,
                            listing_id=row.id,
                            licence_sha256=digest,
                            previous_sha256=row.licence_sha256,
                        ),
                    )
                row.licence_terms, row.licence_sha256 = terms.to_dict(), digest
            row.updated_at = utcnow()
            info = self._info(s, row, ds)
        self._changed(ds.name)
        return info

    def publish(self, listing_id: int, *, principal: Principal) -> ListingInfo:
        """Put a listing on sale (it needs a sample, and its dataset must still be restricted)."""
        with self.db.write_session() as s:
            row, ds = self._load(s, listing_id, principal, holder=True, lock=True)
            rules.check_change(row.status, "published")
            if ds.access_level != "restricted":
                raise errors.Conflict(
                    M.MSG_NOT_RESTRICTED.format(name=ds.name, level=ds.access_level)
                )
            if not row.sample_source or not row.sample_rows:
                raise errors.Conflict(M.MSG_NO_SAMPLE)
            self.events.record(
                s,
                ListingPublished(
                    actor=principal.ref,
                    time=utcnow(),
                    dataset=ds.name,
                    listing_id=row.id,
                    licence_sha256=row.licence_sha256,
                    price=rules.price_to_dict(
                        rules.price_of(row.price_kind, row.price_krw, row.price_period)
                    ),
                    version=row.version,
                    sample_sha256=row.sample_sha256,
                ),
            )
            row.status = "published"
            row.published_at = row.updated_at = utcnow()
            info = self._info(s, row, ds)
        self._changed(ds.name)
        return info

    def unpublish(self, listing_id: int, *, principal: Principal) -> ListingInfo:
        """Take a published listing off sale (it can be published again)."""
        return self._off(listing_id, "unpublished", principal)

    def archive(self, listing_id: int, *, principal: Principal) -> ListingInfo:
        """Retire a listing for good (taking it off sale first if it is on sale)."""
        return self._off(listing_id, "archived", principal)

    def _off(self, listing_id: int, status: str, principal: Principal) -> ListingInfo:
        with self.db.write_session() as s:
            row, ds = self._load(s, listing_id, principal, holder=True, lock=True)
            rules.check_change(row.status, status)
            if row.status == "published":
                self.events.record(
                    s,
                    ListingUnpublished(
                        actor=principal.ref,
                        time=utcnow(),
                        dataset=ds.name,
                        listing_id=row.id,
                        licence_sha256=row.licence_sha256,
                        archived=status == "archived",
                    ),
                )
            row.status = status
            row.updated_at = utcnow()
            info = self._info(s, row, ds)
        self._changed(ds.name)
        return info

    # ----- reading -----------------------------------------------------------------------------
    def get(self, listing_id: int, *, principal: Principal) -> ListingInfo:
        """A published listing for whoever may see its dataset; any listing for its holders."""
        with self.db.session() as s:
            row, ds = self._load(s, listing_id, principal, holder=False)
            return self._info(s, row, ds)

    def licence(self, listing_id: int, *, principal: Principal) -> dict[str, Any]:
        """The listing's licence as ODRL JSON-LD (its SHA-256 is the listing's `licence_sha256`)."""
        with self.db.session() as s:
            row, ds = self._load(s, listing_id, principal, holder=False)
            return licence_document(self.base, row.id, ds, L.Terms.from_dict(row.licence_terms))

    def search(
        self,
        *,
        principal: Principal,
        dataset: str | None = None,
        mine: bool = False,
        status: str | None = None,
    ) -> list[ListingInfo]:
        """Listings the caller may see, newest first: published ones (of datasets they may see),
        and with `mine` those of the organisations they edit, in any status."""
        with self.db.session() as s:
            q = select(Listing).order_by(Listing.id.desc())
            if dataset is not None:
                ds = self.access.dataset(s, dataset)
                self.access.require(s, principal, "read_metadata", dataset=ds)
                q = q.where(Listing.dataset_id == ds.id)
            if status is not None:
                if status not in rules.STATUSES:
                    raise errors.InvalidInput(
                        M.MSG_BAD_STATUS.format(known=", ".join(rules.STATUSES))
                    )
                q = q.where(Listing.status == status)
            out = []
            # Many listings share a dataset: look each dataset and the caller's rights up once.
            seen: dict[int, tuple[DatasetAccess, bool, bool]] = {}
            for row in s.scalars(q):
                if row.dataset_id not in seen:
                    ds = self.access.dataset(s, row.dataset_id)
                    seen[row.dataset_id] = (
                        ds,
                        self._is_holder(s, principal, ds),
                        self.access.can(s, principal, "read_metadata", dataset=ds),
                    )
                ds, holder, visible = seen[row.dataset_id]
                if mine and not holder:
                    continue
                if row.status != "published" and not holder:
                    continue
                if not visible:
                    continue
                out.append(self._info(s, row, ds))
            return out

    # ----- helpers -----------------------------------------------------------------------------
    def _changed(self, name: str) -> None:
        for listener in self.listeners:
            try:
                listener(name)
            except Exception:  # the change is committed; listeners repair themselves
                log.exception("a listener failed after a change of %s's listings", name)

    def _is_holder(self, s: Session, p: Principal, ds: DatasetAccess) -> bool:
        return self.access.can(s, p, "publish", dataset=ds)

    def _holder_dataset(self, s: Session, name: str, p: Principal) -> DatasetAccess:
        ds = self.access.dataset(s, name)
        self.access.require(s, p, "read_metadata", dataset=ds)
        if not self._is_holder(s, p, ds):
            if p.kind == "anonymous":
                self.access.require(s, p, "publish", dataset=ds)
            raise errors.PermissionDenied(M.MSG_NOT_HOLDER.format(org=ds.organization))
        if ds.access_level != "restricted":
            raise errors.InvalidInput(
                M.MSG_NOT_RESTRICTED.format(name=ds.name, level=ds.access_level)
            )
        return ds

    def _load(
        self, s: Session, listing_id: int, p: Principal, *, holder: bool, lock: bool = False
    ) -> tuple[Listing, DatasetAccess]:
        """The listing and its dataset; "not found" unless published (and its dataset visible)
        or the caller holds it, so ids reveal nothing. `holder`: the caller must hold it."""
        q = select(Listing).where(Listing.id == listing_id)
        row = s.scalar(q.with_for_update() if lock else q)
        if row is None:
            raise errors.NotFound(M.MSG_NO_LISTING.format(id=listing_id))
        ds = self.access.dataset(s, row.dataset_id)
        if holder and p.kind == "anonymous":  # a change needs a login first, as elsewhere
            self.access.require(s, p, "publish", dataset=ds)
        visible = self.access.can(s, p, "read_metadata", dataset=ds)
        is_holder = visible and self._is_holder(s, p, ds)
        if not visible or (row.status != "published" and not is_holder):
            raise errors.NotFound(M.MSG_NO_LISTING.format(id=listing_id))
        if holder and not is_holder:
            raise errors.PermissionDenied(M.MSG_NOT_HOLDER.format(org=ds.organization))
        return row, ds

    @staticmethod
    def _check_price(price: rules.Price, terms: L.Terms) -> None:
        if isinstance(price, rules.FreeForResearch) and not L.research_only(terms):
            raise errors.InvalidInput(M.MSG_FREE_NEEDS_RESEARCH)

    @staticmethod
    def _check_version(s: Session, ds: DatasetAccess, version: int) -> Version:
        v = s.scalar(select(Version).where(Version.dataset_id == ds.id, Version.number == version))
        if v is None or v.withdrawal is not None:
            raise errors.NotFound(M.MSG_VERSION.format(name=ds.name, version=version))
        return v

    def _sample(
        self, ds: DatasetAccess, sample: Sample | None, principal: Principal
    ) -> tuple[tuple[str, ...], list[list[Any]], str | None, int | None]:
        """(columns, rows, source, privacy release id) of a sample, checked."""
        if sample is None:
            return (), [], None, None
        if isinstance(sample, SampleFromRelease):
            with self.db.session() as s:
                self._check_version(s, ds, sample.version)
                release = s.scalar(
                    select(PrivacyRelease).where(
                        PrivacyRelease.target_dataset == ds.name,
                        PrivacyRelease.target_version == sample.version,
                    )
                )
            if release is None:
                raise errors.InvalidInput(
                    M.MSG_SAMPLE_RELEASE.format(name=ds.name, version=sample.version)
                )
            path = self.catalog.parquet_path(
                ds.name, sample.version, principal=principal, purpose="market-sample"
            )
            pf = pq.ParquetFile(path)
            head = next(pf.iter_batches(batch_size=rules.SAMPLE_MAX_ROWS), None)
            table = (
                pa.Table.from_batches([head]) if head is not None else pf.schema_arrow.empty_table()
            )
            columns, rows = _rows(table)
            if not rows:
                raise errors.InvalidInput(M.MSG_SAMPLE_EMPTY)
            return columns, rows, "release", release.id
        return self._synthetic(ds, sample, principal)

    def _synthetic(
        self, ds: DatasetAccess, sample: SyntheticSample, principal: Principal
    ) -> tuple[tuple[str, ...], list[list[Any]], str | None, int | None]:
        with tempfile.TemporaryDirectory(prefix="datanuri-sample-") as tmp:
            out = Path(tmp) / "sample.parquet"
            ingest(sample.path, out, filename=sample.filename or Path(sample.path).name)
            table = pq.read_table(out)
            if table.num_rows == 0:
                raise errors.InvalidInput(M.MSG_SAMPLE_EMPTY)
            if table.num_rows > rules.SAMPLE_MAX_ROWS:
                raise errors.InvalidInput(
                    M.MSG_SAMPLE_TOO_BIG.format(max=rules.SAMPLE_MAX_ROWS, rows=table.num_rows)
                )
            found = flagged(self.guard.detect(out))
            if found:
                raise errors.InvalidInput(
                    M.MSG_SAMPLE_IDENTIFIERS.format(columns=", ".join(c.column for c in found))
                )
        columns, rows = _rows(table)
        real = self._real_rows(ds, columns, rows, principal)
        if real:
            raise errors.InvalidInput(M.MSG_SAMPLE_REAL_ROWS.format(count=real))
        return columns, rows, "synthetic", None

    def _real_rows(
        self,
        ds: DatasetAccess,
        columns: tuple[str, ...],
        rows: list[list[Any]],
        principal: Principal,
    ) -> int:
        """How many sample rows equal a row of one of the dataset's versions (on the sample's
        columns, when the version has them all), read batch by batch."""
        wanted = {tuple(_cell_text(v) for v in r) for r in rows}
        with self.db.session() as s:
            numbers = list(
                s.scalars(select(Version.number).join(Dataset).where(Dataset.id == ds.id))
            )
        hits: set[tuple[str, ...]] = set()
        for number in numbers:
            try:
                path = self.catalog.parquet_path(
                    ds.name, number, principal=principal, purpose="market-sample-check"
                )
            except errors.Gone:
                continue
            pf = pq.ParquetFile(path)
            if not set(columns) <= set(pf.schema_arrow.names):
                continue
            for batch in pf.iter_batches(columns=list(columns), batch_size=65_536):
                hits |= rows_among(batch, columns, wanted)
        return len(hits)

    def _info(self, s: Session, row: Listing, ds: DatasetAccess) -> ListingInfo:
        d = s.get(Dataset, ds.id)
        assert d is not None
        return ListingInfo(
            id=row.id,
            dataset=ds.name,
            dataset_title=d.title,
            organization=ds.organization,
            organization_title=d.organization.title,
            version=row.version,
            title=row.title,
            description=row.description,
            status=row.status,
            price=rules.price_of(row.price_kind, row.price_krw, row.price_period),
            terms=L.Terms.from_dict(row.licence_terms),
            licence_sha256=row.licence_sha256,
            licence_url=licence_url(self.base, row.id),
            sample_source=row.sample_source,
            sample_columns=tuple(row.sample_columns or ()),
            sample_rows=tuple(tuple(r) for r in row.sample_rows or ()),
            created_at=row.created_at,
            updated_at=row.updated_at,
            published_at=row.published_at,
        )
