"""`MyData` (`platform.mydata`): link people to their rows by CI, holders' offers, consent
records, transfers of one person's consented columns, revocation with a deletion request to the
recipient, signed consent receipts and the person's dashboard.

The OAuth server (`datanuri/oauth/`) builds on `TransferDetails`, `check_details`, `grant`,
`active_consent`, `transfer` and `revoke`: add fields and methods, never rename or remove one.
Every consent change and transfer is a ledger entry recorded in the same transaction, before it
takes effect; free text enters the ledger only as SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, cast

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from datanuri import canonical, errors
from datanuri.accounts.models import Organization, User
from datanuri.accounts.notifications import Event, Notice, Notifier
from datanuri.accounts.policy import EDITORS
from datanuri.accounts.principal import Principal
from datanuri.catalog.models import Dataset, Version, Withdrawal
from datanuri.errors import ConsentNotActive
from datanuri.events import AnyEvent, EventSink
from datanuri.ledger.note import Ed25519Signer
from datanuri.mydata import messages as M
from datanuri.mydata import rules
from datanuri.mydata.events import (
    ConsentExpired,
    ConsentGranted,
    ConsentRevoked,
    DeletionAcknowledged,
    OfferDeclared,
    OwnRowsRead,
    PersonLinked,
    Transferred,
)
from datanuri.mydata.receipts import grant_record, sign_receipt
from datanuri.mydata.rules import CI_COLUMN, Item
from datanuri.mydata.tables import (
    MyDataConsent,
    MyDataIndex,
    MyDataOffer,
    MyDataPerson,
    MyDataTransfer,
)
from datanuri.privacy.keys import KeyStore
from datanuri.store.blobs import BlobStore
from datanuri.store.db import Database, utcnow

__all__ = [
    "Consent",
    "ConsentNotActive",
    "Dashboard",
    "Item",
    "MyData",
    "OfferInfo",
    "OfferView",
    "TransferDetails",
    "TransferPage",
]

Frequency = Literal["once", "periodic"]
Status = Literal["active", "revoked", "expired"]
CI_KEY_ORG = "datanuri"  # the platform's own entry in the key store
CI_KEY_NAME = "mydata-ci"
ROW_GROUP = 4096  # rows per Parquet row group of an index: a person's rows are read from few
DETAILS_TYPE = "mydata_transfer"


# ----- the OAuth server's surface --------------------------------------------------------------
@dataclass(frozen=True)
class TransferDetails:
    """One RFC 9396 authorization_details entry of type `mydata_transfer`."""

    TYPE: ClassVar[str] = DETAILS_TYPE
    holder: str  # organisation name
    dataset: str
    items: tuple[str, ...]
    purpose: str
    period_days: int  # 1..365
    frequency: Frequency

    @classmethod
    def from_authorization_details(cls, obj: Mapping[str, Any]) -> TransferDetails:
        """Parse one entry: {"type": "mydata_transfer", "holder", "dataset", "items": [...],
        "purpose", "period_days", "frequency": "once"|"periodic"}; InvalidInput says what is wrong."""
        if not isinstance(obj, Mapping) or obj.get("type") != DETAILS_TYPE:
            got = obj.get("type") if isinstance(obj, Mapping) else type(obj).__name__
            raise errors.InvalidInput(M.MSG_DETAILS_TYPE.format(got=got))

        def text(name: str, what: str) -> str:
            value = obj.get(name)
            if not isinstance(value, str) or not value.strip():
                raise errors.InvalidInput(M.MSG_DETAILS_FIELD.format(field=name, what=what))
            return value.strip()

        items = obj.get("items")
        if (
            not isinstance(items, list | tuple)
            or not items
            or not all(isinstance(i, str) and i for i in items)
        ):
            raise errors.InvalidInput(
                M.MSG_DETAILS_FIELD.format(field="items", what="a non-empty list of item names")
            )
        frequency = obj.get("frequency", "once")
        if frequency not in rules.FREQUENCIES:
            raise errors.InvalidInput(M.MSG_FREQUENCY.format(value=frequency))
        days = obj.get("period_days")
        if isinstance(days, bool) or not isinstance(days, int):
            raise errors.InvalidInput(
                M.MSG_DETAILS_FIELD.format(field="period_days", what="a whole number of days")
            )
        return cls(
            holder=text("holder", "the holder organisation's name"),
            dataset=text("dataset", "the dataset's name"),
            items=tuple(dict.fromkeys(items)),
            purpose=text("purpose", "what the data is for"),
            period_days=rules.check_period(days),
            frequency=cast(Frequency, frequency),
        )

    def to_authorization_details(self) -> dict[str, Any]:
        """The RFC 9396 entry (the inverse of `from_authorization_details`)."""
        return {
            "type": DETAILS_TYPE,
            "holder": self.holder,
            "dataset": self.dataset,
            "items": list(self.items),
            "purpose": self.purpose,
            "period_days": self.period_days,
            "frequency": self.frequency,
        }


@dataclass(frozen=True)
class ItemView:
    """An item as the consent screen shows it."""

    name: str
    label_ko: str
    label_en: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class OfferView:
    """What a consent screen shows for a checked request: holder, dataset, each item in words."""

    holder: str
    holder_title: str
    dataset: str
    dataset_title: str
    items: tuple[ItemView, ...]
    purpose: str
    period_days: int
    frequency: Frequency
    recipient_client_id: str


@dataclass(frozen=True)
class Consent:
    """A consent record (ISO/IEC TS 27560 fields)."""

    id: str
    version: int
    subject: str  # user:<id>
    user_id: int
    controller: str  # the holder organisation
    dataset: str
    recipient_client_id: str
    recipient_name: str
    purpose: str
    items: tuple[str, ...]
    period_days: int
    frequency: Frequency
    created: dt.datetime
    expires: dt.datetime
    status: Status
    revoked_at: dt.datetime | None
    revoked_by: str | None
    ledger_index: int
    ended_index: int | None = None
    deletion_acknowledged_at: dt.datetime | None = None
    last_transfer_at: dt.datetime | None = None
    recipient_org: str | None = None

    @property
    def deletion_pending(self) -> bool:
        """Revoked and the recipient has not acknowledged deleting what it received."""
        return self.status == "revoked" and self.deletion_acknowledged_at is None

    def record(self) -> dict[str, Any]:
        """The consent record as JSON (the receipt's body); the purpose in clear for the person."""
        return {
            "id": self.id,
            "version": self.version,
            "schema": "ISO/IEC TS 27560:2023",
            "subject": self.subject,
            "controller": self.controller,
            "dataset": self.dataset,
            "recipient": {"client_id": self.recipient_client_id, "name": self.recipient_name},
            "purpose": self.purpose,
            "items": list(self.items),
            "period_days": self.period_days,
            "frequency": self.frequency,
            "created": _iso(self.created),
            "expires": _iso(self.expires),
            "status": self.status,
            "revoked_at": _iso(self.revoked_at) if self.revoked_at else None,
            "legal_basis": "PIPA art. 35-2 (right to request transmission)",
        }


@dataclass(frozen=True)
class TransferPage:
    """One page of a person's consented rows, and the ledger entry that recorded sending it."""

    consent_id: str
    dataset: str
    version: int | None  # None: nothing newer than `since`
    items: tuple[str, ...]
    columns: tuple[str, ...]
    page: int
    page_size: int
    total_rows: int
    has_more: bool
    fmt: Literal["json", "parquet"]
    rows: tuple[dict[str, Any], ...] = ()  # fmt json
    parquet: bytes | None = None  # fmt parquet
    ledger_index: int | None = None


@dataclass(frozen=True)
class OfferInfo:
    """A holder's offer as listed."""

    holder: str
    dataset: str
    subject_column: str
    items: tuple[Item, ...]
    indexed_version: int | None
    people: int
    created_at: dt.datetime


@dataclass(frozen=True)
class TransferInfo:
    """One transfer as the dashboard and the holder list it."""

    consent_id: str
    at: dt.datetime
    recipient_name: str
    holder: str
    dataset: str
    version: int
    items: tuple[str, ...]
    rows: int
    ledger_index: int


@dataclass(frozen=True)
class HolderInfo:
    """A holder with rows about the person (from its offers' indexes)."""

    holder: str
    holder_title: str
    dataset: str
    dataset_title: str
    rows: int


@dataclass(frozen=True)
class Dashboard:
    """Everything the person's MyData page shows."""

    linked: bool
    holders: tuple[HolderInfo, ...] = ()
    active: tuple[Consent, ...] = ()
    past: tuple[Consent, ...] = ()
    transfers: tuple[TransferInfo, ...] = ()
    pending_deletions: tuple[Consent, ...] = field(default=())


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


class MyData:
    """The MyData service; person- and holder-facing methods check the caller's rights, the
    transfer methods act under a consent (the OAuth server checks the token that names it)."""

    def __init__(
        self,
        db: Database,
        events: EventSink,
        blobs: BlobStore,
        keys: KeyStore,
        notifier: Notifier,
        signer: Callable[[], Ed25519Signer],
        *,
        ledger_receipt: Callable[[int], Mapping[str, Any]] | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.db = db
        self.ledger_receipt = ledger_receipt  # an entry's inclusion receipt (Ledger.receipt)
        self.events = events
        self.blobs = blobs
        self.keys = keys
        self.notifier = notifier
        self.signer = signer
        self.clock = clock
        self._ci_key: bytes | None = None

    # ----- linking identifiers ---------------------------------------------------------------
    def ci_key(self) -> bytes:
        """The platform's CI key from the key store, created on first use."""
        if self._ci_key is None:
            try:
                self._ci_key = self.keys.get(CI_KEY_ORG, CI_KEY_NAME)
            except errors.InvalidInput:
                try:
                    self.keys.create(CI_KEY_ORG, CI_KEY_NAME, created_by="system")
                except errors.Conflict:
                    pass  # another process made it first
                self._ci_key = self.keys.get(CI_KEY_ORG, CI_KEY_NAME)
        return self._ci_key

    def ci_of(self, rrn: str) -> str:
        """The linking identifier of a resident registration number."""
        return rules.ci_of(self.ci_key(), rrn)

    def ci_for_user(self, user_id: int) -> str | None:
        """The linking identifier a person account is linked to (None: not linked)."""
        with self.db.session() as s:
            return self._person_ci(s, user_id)

    def link_person(self, email: str, rrn: str, *, principal: Principal) -> None:
        """Attach a verified RRN to a user account (admins only); only its CI is stored."""
        self._admin(principal)
        ci = self.ci_of(rrn)
        with self.db.write_session() as s:
            user = s.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None:
                raise errors.NotFound(M.MSG_NO_USER.format(email=email))
            other = s.scalar(select(MyDataPerson).where(MyDataPerson.ci == ci))
            if other is not None and other.user_id != user.id:
                raise errors.Conflict(M.MSG_ALREADY_LINKED)
            row = s.scalar(select(MyDataPerson).where(MyDataPerson.user_id == user.id))
            index = self.events.record(
                s,
                PersonLinked(
                    actor=principal.ref,
                    time=self.clock(),
                    user_id=user.id,
                    ci_sha256=canonical.sha256_text(ci),
                ),
            )
            if row is None:
                row = MyDataPerson(user_id=user.id, ci=ci, linked_by=principal.ref)
                s.add(row)
            row.ci, row.linked_at, row.ledger_index = ci, self.clock(), index

    def is_person(self, principal: Principal) -> bool:
        """Whether the caller's account is linked to a person."""
        if principal.user_id is None:
            return False
        with self.db.session() as s:
            return self._person_ci(s, principal.user_id) is not None

    # ----- offers -----------------------------------------------------------------------------
    def declare_offer(
        self,
        dataset: str,
        *,
        subject_column: str,
        items: Sequence[Item],
        principal: Principal,
    ) -> OfferInfo:
        """Declare (or replace) the MyData offer of a personal dataset and index its latest version."""
        with self.db.write_session() as s:
            ds = self._dataset(s, dataset)
            org = s.get(Organization, ds.organization_id)
            assert org is not None
            self._holder(principal, org.name)
            if ds.access_level != "personal":
                raise errors.InvalidInput(
                    M.MSG_NOT_PERSONAL.format(name=dataset, level=ds.access_level)
                )
            version = self._latest(s, ds)
            columns = [f["name"] for f in (version.schema or {}).get("fields", [])]
            checked = rules.check_items(
                items, dataset=dataset, columns=columns, subject_column=subject_column
            )
            now = self.clock()
            index = self.events.record(
                s,
                OfferDeclared(
                    actor=principal.ref,
                    time=now,
                    organization=org.name,
                    dataset=dataset,
                    subject_column=subject_column,
                    items=tuple(i.name for i in checked),
                ),
            )
            offer = s.scalar(select(MyDataOffer).where(MyDataOffer.dataset_id == ds.id))
            if offer is None:
                offer = MyDataOffer(
                    dataset_id=ds.id,
                    organization_id=org.id,
                    created_by=principal.ref,
                    created_at=now,
                )
                s.add(offer)
            elif offer.subject_column != subject_column:
                for old in s.scalars(select(MyDataIndex).where(MyDataIndex.offer_id == offer.id)):
                    s.delete(old)  # made from another column
            offer.subject_column = subject_column
            offer.items = [i.to_dict() for i in checked]
            offer.updated_at, offer.ledger_index = now, index
        self.index_latest(dataset)
        return self.offer(dataset)

    def offer(self, dataset: str) -> OfferInfo:
        """The offer on a dataset (public facts: holders declare them for people to see)."""
        with self.db.session() as s:
            found = s.execute(
                select(Dataset, Organization, MyDataOffer)
                .join(Organization, Organization.id == Dataset.organization_id)
                .join(MyDataOffer, MyDataOffer.dataset_id == Dataset.id)
                .where(Dataset.name == dataset)
            ).first()
            if found is None:  # the same answer whether or not a (hidden) dataset exists
                raise errors.NotFound(M.MSG_NO_OFFER_ON.format(dataset=dataset))
            ds, org, offer = found
            idx = _served_index(s, offer.id)
            return OfferInfo(
                holder=org.name,
                dataset=ds.name,
                subject_column=offer.subject_column,
                items=tuple(Item.from_dict(i) for i in offer.items),
                indexed_version=idx.version if idx else None,
                people=idx.people if idx else 0,
                created_at=offer.created_at,
            )

    def offers(self, *, organization: str | None = None) -> list[OfferInfo]:
        """All offers (of one holder if named)."""
        with self.db.session() as s:
            q = select(Dataset.name).join(MyDataOffer, MyDataOffer.dataset_id == Dataset.id)
            if organization is not None:
                q = q.join(Organization, Organization.id == MyDataOffer.organization_id).where(
                    Organization.name == organization
                )
            names = list(s.scalars(q.order_by(Dataset.name)))
        return [self.offer(n) for n in names]

    def index_latest(self, dataset: str) -> int | None:
        """Index the latest version of an offered dataset (CI per row, sorted) if not yet done;
        returns the version number, or None if the dataset has no offer."""
        with self.db.session() as s:
            ds = s.scalar(select(Dataset).where(Dataset.name == dataset))
            if ds is None:
                return None
            offer = s.scalar(select(MyDataOffer).where(MyDataOffer.dataset_id == ds.id))
            if offer is None:
                return None
            if not ds.current_versions:
                return None
            v = ds.current_versions[-1]
            number, digest, offer_id, subject = (
                v.number,
                v.content_hash,
                offer.id,
                offer.subject_column,
            )
            done = s.scalar(
                select(MyDataIndex.id).where(
                    MyDataIndex.offer_id == offer_id, MyDataIndex.version == number
                )
            )
        if done is not None:
            return number
        with self.blobs.open_input(digest) as f:
            table = pq.ParquetFile(f).read()
        if subject not in table.column_names:
            return None  # the new version lost the subject column: the holder must re-declare
        indexed = rules.index_table(self.ci_key(), table, subject)
        sink = io.BytesIO()
        pq.write_table(indexed, sink, row_group_size=ROW_GROUP, write_statistics=[CI_COLUMN])
        blob = self.blobs.put_bytes(sink.getvalue())
        people = len(pa.compute.unique(indexed.column(CI_COLUMN)))
        with self.db.write_session() as s:
            if (
                s.scalar(
                    select(MyDataIndex.id).where(
                        MyDataIndex.offer_id == offer_id, MyDataIndex.version == number
                    )
                )
                is None
            ):
                s.add(
                    MyDataIndex(
                        offer_id=offer_id,
                        version=number,
                        digest=blob,
                        rows=indexed.num_rows,
                        people=people,
                    )
                )
        return number

    def on_change(self, name: str) -> None:
        """Catalog listener: index a new version of an offered dataset (never fails the caller)."""
        try:
            self.index_latest(name)
        except Exception:  # the publish is committed; the next transfer indexes it
            import logging

            logging.getLogger(__name__).exception("mydata: indexing %s failed", name)

    # ----- consents ---------------------------------------------------------------------------
    def check_details(self, details: TransferDetails, *, recipient_client_id: str) -> OfferView:
        """Check a request against the holder's offer; what the consent screen shows."""
        rules.check_period(details.period_days)
        with self.db.session() as s:
            ds, org, offer = self._offer_for(s, details.holder, details.dataset)
            offered = [Item.from_dict(i) for i in offer.items]
            self._check_items(details.items, offered, details.holder, details.dataset)
            by_name = {i.name: i for i in offered}
            return OfferView(
                holder=org.name,
                holder_title=org.title,
                dataset=ds.name,
                dataset_title=ds.title,
                items=tuple(
                    ItemView(i, by_name[i].label_ko, by_name[i].label_en, by_name[i].columns)
                    for i in details.items
                ),
                purpose=details.purpose,
                period_days=details.period_days,
                frequency=details.frequency,
                recipient_client_id=recipient_client_id,
            )

    def grant(
        self,
        person: Principal,
        *,
        recipient_client_id: str,
        recipient_name: str,
        details: TransferDetails,
        recipient_org: str | None = None,
    ) -> Consent:
        """Record a person's consent (ledger entry first) and return it."""
        self.check_details(details, recipient_client_id=recipient_client_id)
        user_id = self._user(person)
        with self.db.write_session() as s:
            if self._person_ci(s, user_id) is None:
                raise errors.PermissionDenied(M.MSG_NOT_PERSON)
            ds, org, offer = self._offer_for(s, details.holder, details.dataset)
            now = self.clock()
            row = MyDataConsent(
                id="cns_" + secrets.token_urlsafe(18),
                record_version=1,
                user_id=user_id,
                offer_id=offer.id,
                organization_id=org.id,
                dataset_id=ds.id,
                recipient_client_id=recipient_client_id,
                recipient_name=recipient_name,
                recipient_org=recipient_org,
                purpose=details.purpose,
                items=list(details.items),
                period_days=details.period_days,
                frequency=details.frequency,
                created_at=now,
                expires_at=now + dt.timedelta(days=details.period_days),
                status="active",
                ledger_index=-1,
            )
            consent = self._consent(row, org.name, ds.name)
            row.ledger_index = self._entry(
                s,
                ConsentGranted(
                    actor=person.ref,
                    time=now,
                    consent_id=row.id,
                    user_id=user_id,
                    holder=org.name,
                    dataset=ds.name,
                    recipient=recipient_client_id,
                    items=tuple(details.items),
                    period_days=details.period_days,
                    frequency=details.frequency,
                    expires=_iso(row.expires_at),
                    purpose_sha256=canonical.sha256_text(details.purpose),
                    record_sha256=canonical.sha256(grant_record(consent.record())),
                ),
            )
            s.add(row)
            s.flush()
            return self._consent(row, org.name, ds.name)

    def consent(self, consent_id: str, *, principal: Principal) -> Consent:
        """A consent as its person (or an admin, or the holder) may see it."""
        with self.db.session() as s:
            row = self._load(s, consent_id)
            c = self._to_consent(s, row)
            if not (
                principal.is_admin
                or principal.user_id == row.user_id
                or principal.role_in(c.controller) in EDITORS
            ):
                raise errors.NotFound(M.MSG_NO_CONSENT.format(id=consent_id))
            return c

    def active_consent(self, consent_id: str) -> Consent:
        """The consent if it is active now (read from the database on every call); an expired
        one is recorded as expired first. Raises ConsentNotActive."""
        with self.db.session() as s:
            row = self._load(s, consent_id)
            c = self._to_consent(s, row)
        if c.status == "active" and self.clock() >= c.expires:
            self._expire(consent_id, "period")
            c = self.consent(consent_id, principal=_SYSTEM)
        if c.status != "active":
            raise ConsentNotActive(M.MSG_CONSENT_NOT_ACTIVE.format(id=c.id, status=c.status))
        return c

    def revoke(
        self,
        consent_id: str,
        *,
        by: Principal | None = None,
        by_recipient: str | None = None,
    ) -> Consent:
        """Revoke a consent (its person, an admin or its recipient): the ledger entry first, then
        the recipient is asked (signed webhook) to delete what it received."""
        if (by is None) == (by_recipient is None):
            raise errors.InvalidInput(M.MSG_WHO_REVOKES)
        if by is not None and by.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_LOGIN)
        with self.db.write_session() as s:
            row = self._load(s, consent_id, lock=True)
            if by is not None:
                if by.kind == "anonymous":
                    raise errors.NotAuthenticated(M.MSG_LOGIN)
                if not (by.is_admin or by.user_id == row.user_id):
                    raise errors.PermissionDenied(M.MSG_NOT_YOURS.format(id=consent_id))
                who = by.ref
            else:
                if by_recipient != row.recipient_client_id:
                    raise errors.PermissionDenied(M.MSG_NOT_YOURS.format(id=consent_id))
                who = f"client:{by_recipient}"
            if row.status != "active":
                raise ConsentNotActive(
                    M.MSG_CONSENT_NOT_ACTIVE.format(id=row.id, status=row.status)
                )
            now = self.clock()
            row.ended_index = self.events.record(
                s, ConsentRevoked(actor=who, time=now, consent_id=row.id, by=who)
            )
            row.status, row.revoked_at, row.revoked_by = "revoked", now, who
            row.record_version += 1
            self._notify_revoked(s, row)
            s.flush()
            return self._to_consent(s, row)

    def acknowledge_deletion(self, consent_id: str, recipient_client_id: str) -> Consent:
        """Record that the recipient deleted what it received under a revoked consent."""
        with self.db.write_session() as s:
            row = self._load(s, consent_id, lock=True)
            if row.recipient_client_id != recipient_client_id:
                raise errors.PermissionDenied(M.MSG_NOT_YOURS.format(id=consent_id))
            if row.status == "active":
                raise errors.Conflict(M.MSG_ACK_UNKNOWN.format(id=consent_id))
            if row.deletion_acknowledged_at is None:
                now = self.clock()
                self.events.record(
                    s,
                    DeletionAcknowledged(
                        actor=f"client:{recipient_client_id}",
                        time=now,
                        consent_id=row.id,
                        recipient=recipient_client_id,
                    ),
                )
                row.deletion_acknowledged_at = now
            s.flush()
            return self._to_consent(s, row)

    def expire_due(self) -> list[str]:
        """Record every active consent past its end as expired (the sweep); returns their ids."""
        with self.db.session() as s:
            due = list(
                s.scalars(
                    select(MyDataConsent.id).where(
                        MyDataConsent.status == "active", MyDataConsent.expires_at <= self.clock()
                    )
                )
            )
        return [cid for cid in due if self._expire(cid, "period")]

    # ----- transfers --------------------------------------------------------------------------
    def transfer(
        self,
        consent_id: str,
        *,
        dataset: str,
        items: tuple[str, ...] | None,
        since: int | None,
        page: int,
        page_size: int,
        fmt: Literal["json", "parquet"],
    ) -> TransferPage:
        """One page of the consent's person's rows, only the consented items' columns, newer
        than version `since`; the ledger entry commits before the rows are returned, and a
        revocation that commits first makes it fail."""
        rules.check_page(page, page_size)
        c = self.active_consent(consent_id)
        if dataset != c.dataset:
            raise errors.PermissionDenied(
                M.MSG_OUTSIDE_DATASET.format(id=c.id, allowed=c.dataset, asked=dataset)
            )
        asked = tuple(dict.fromkeys(items)) if items else c.items
        outside = [i for i in asked if i not in c.items]
        if outside:
            raise errors.PermissionDenied(
                M.MSG_OUTSIDE_ITEMS.format(
                    id=c.id, items=", ".join(outside), allowed=", ".join(c.items)
                )
            )
        self.index_latest(c.dataset)
        with self.db.session() as s:
            row = self._load(s, consent_id)
            ci = self._person_ci(s, row.user_id)
            offer = s.get(MyDataOffer, row.offer_id)
            assert offer is not None
            offered = [Item.from_dict(i) for i in offer.items]
            idx = _served_index(s, offer.id)
            version, digest = (idx.version, idx.digest) if idx else (None, None)
        columns = rules.columns_of(asked, offered)
        if since is not None and version is not None and version <= since:
            version = None  # nothing newer than what the recipient has
        if ci is None or digest is None or version is None:
            mine = pa.table({name: pa.array([], pa.string()) for name in columns})
        else:
            mine = self._rows(digest, ci, columns)
        total = mine.num_rows
        start = (page - 1) * page_size
        chunk = mine.slice(start, page_size) if start < total else mine.slice(0, 0)
        has_more = start + page_size < total
        rows_hash = _table_sha256(chunk)
        with self.db.write_session() as s:
            row = self._load(s, consent_id, lock=True)  # a racing revocation waits or wins
            if row.status != "active" or self.clock() >= _aware(row.expires_at):
                raise ConsentNotActive(
                    M.MSG_CONSENT_NOT_ACTIVE.format(
                        id=row.id, status=row.status if row.status != "active" else "expired"
                    )
                )
            now = self.clock()
            index = self._entry(
                s,
                Transferred(
                    actor=f"client:{row.recipient_client_id}",
                    time=now,
                    consent_id=row.id,
                    recipient=row.recipient_client_id,
                    dataset=c.dataset,
                    version=version or 0,
                    items=asked,
                    page=page,
                    rows=chunk.num_rows,
                    rows_sha256=rows_hash,
                ),
            )
            s.add(
                MyDataTransfer(
                    consent_id=row.id,
                    at=now,
                    version=version or 0,
                    items=list(asked),
                    rows=chunk.num_rows,
                    page=page,
                    rows_sha256=rows_hash,
                    ledger_index=index,
                )
            )
            row.last_transfer_at = now
            if row.frequency == "once" and not has_more and version is not None:
                row.ended_index = self.events.record(
                    s, ConsentExpired(actor="system", time=now, consent_id=row.id, reason="once")
                )
                row.status = "expired"
                row.record_version += 1
        return TransferPage(
            consent_id=c.id,
            dataset=c.dataset,
            version=version,
            items=asked,
            columns=tuple(columns),
            page=page,
            page_size=page_size,
            total_rows=total,
            has_more=has_more,
            fmt=fmt,
            rows=tuple(chunk.to_pylist()) if fmt == "json" else (),
            parquet=_parquet_bytes(chunk) if fmt == "parquet" else None,
            ledger_index=index,
        )

    # ----- the person's side ------------------------------------------------------------------
    def receipt(self, consent_id: str, *, principal: Principal) -> dict[str, Any]:
        """The consent's receipt signed with the platform's ledger key (its person or an admin),
        checkable offline with `datanuri verify RECEIPT`."""
        c = self.consent(consent_id, principal=principal)
        if not (principal.is_admin or principal.user_id == c.user_id):
            raise errors.NotFound(M.MSG_NO_CONSENT.format(id=consent_id))
        inclusion = self.ledger_receipt(c.ledger_index) if self.ledger_receipt else None
        return sign_receipt(c.record(), c.ledger_index, self.signer(), inclusion)

    def dashboard(self, *, principal: Principal) -> Dashboard:
        """The person's MyData page: holders with rows about them, consents, transfers."""
        user_id = self._user(principal)
        with self.db.session() as s:
            ci = self._person_ci(s, user_id)
            if ci is None:
                return Dashboard(linked=False)
            consents = self._consents(s, MyDataConsent.user_id == user_id)
            transfers = self._transfers(s, MyDataConsent.user_id == user_id)
            latest = _latest_served()
            found = s.execute(
                select(MyDataIndex, Dataset, Organization)
                .join(
                    latest,
                    (latest.c.offer_id == MyDataIndex.offer_id)
                    & (latest.c.v == MyDataIndex.version),
                )
                .join(MyDataOffer, MyDataOffer.id == MyDataIndex.offer_id)
                .join(Dataset, Dataset.id == MyDataOffer.dataset_id)
                .join(Organization, Organization.id == MyDataOffer.organization_id)
                .order_by(Organization.name, Dataset.name)
            ).all()
        holders = []
        for idx, ds, org in found:
            n = self._rows(idx.digest, ci, []).num_rows
            if n:
                holders.append(HolderInfo(org.name, org.title, ds.name, ds.title, n))
        return Dashboard(
            linked=True,
            holders=tuple(holders),
            active=tuple(c for c in consents if c.status == "active"),
            past=tuple(c for c in consents if c.status != "active"),
            transfers=tuple(transfers),
            pending_deletions=tuple(c for c in consents if c.deletion_pending),
        )

    def my_rows(
        self, dataset: str, *, principal: Principal, fmt: Literal["json", "parquet"] = "json"
    ) -> TransferPage:
        """The caller's own rows at a holder, every offered column (right of access); recorded
        in the ledger before they are returned."""
        user_id = self._user(principal)
        version = self.index_latest(dataset)
        with self.db.session() as s:
            ci = self._person_ci(s, user_id)
            if ci is None:
                raise errors.PermissionDenied(M.MSG_NOT_PERSON)
            offer = s.scalar(select(MyDataOffer).join(Dataset).where(Dataset.name == dataset))
            if offer is None:
                raise errors.NotFound(M.MSG_NO_OFFER_ON.format(dataset=dataset))
            offered = [Item.from_dict(i) for i in offer.items]
            idx = s.scalar(
                select(MyDataIndex).where(
                    MyDataIndex.offer_id == offer.id, MyDataIndex.version == version
                )
            )
            if idx is None or version is None:
                raise errors.NotFound(errors.MSG_NO_VERSIONS.format(name=dataset))
            digest = idx.digest
        columns = rules.columns_of([i.name for i in offered], offered)
        mine = self._rows(digest, ci, columns)
        digest_rows = _table_sha256(mine)
        with self.db.write_session() as s:
            index = self.events.record(
                s,
                OwnRowsRead(
                    actor=principal.ref,
                    time=self.clock(),
                    user_id=user_id,
                    dataset=dataset,
                    version=version,
                    rows=mine.num_rows,
                    rows_sha256=digest_rows,
                ),
            )
        return TransferPage(
            consent_id="",
            dataset=dataset,
            version=version,
            items=tuple(i.name for i in offered),
            columns=tuple(columns),
            page=1,
            page_size=max(1, mine.num_rows),
            total_rows=mine.num_rows,
            has_more=False,
            fmt=fmt,
            rows=tuple(mine.to_pylist()) if fmt == "json" else (),
            parquet=_parquet_bytes(mine) if fmt == "parquet" else None,
            ledger_index=index,
        )

    # ----- the holder's side ------------------------------------------------------------------
    def holder_consents(self, organization: str, *, principal: Principal) -> list[Consent]:
        """Consents on a holder's data, newest first (its owners and editors)."""
        self._holder(principal, organization)
        with self.db.session() as s:
            return self._consents(s, Organization.name == organization)

    def holder_transfers(self, organization: str, *, principal: Principal) -> list[TransferInfo]:
        """Transfers of a holder's data, newest first (its owners and editors)."""
        self._holder(principal, organization)
        with self.db.session() as s:
            return self._transfers(s, Organization.name == organization)

    def _consents(self, s: Session, where: Any) -> list[Consent]:
        rows = s.execute(
            select(MyDataConsent, Organization.name, Dataset.name)
            .join(Organization, Organization.id == MyDataConsent.organization_id)
            .join(Dataset, Dataset.id == MyDataConsent.dataset_id)
            .where(where)
            .order_by(MyDataConsent.created_at.desc(), MyDataConsent.id)
        ).all()
        return [self._consent(r, org, ds) for r, org, ds in rows]

    def _transfers(self, s: Session, where: Any) -> list[TransferInfo]:
        rows = s.execute(
            select(MyDataTransfer, MyDataConsent, Organization.name, Dataset.name)
            .join(MyDataConsent, MyDataConsent.id == MyDataTransfer.consent_id)
            .join(Organization, Organization.id == MyDataConsent.organization_id)
            .join(Dataset, Dataset.id == MyDataConsent.dataset_id)
            .where(where)
            .order_by(MyDataTransfer.at.desc(), MyDataTransfer.id.desc())
        ).all()
        return [
            TransferInfo(
                consent_id=t.consent_id,
                at=_aware(t.at),
                recipient_name=c.recipient_name,
                holder=org,
                dataset=ds,
                version=t.version,
                items=tuple(t.items),
                rows=t.rows,
                ledger_index=t.ledger_index,
            )
            for t, c, org, ds in rows
        ]

    # ----- helpers ----------------------------------------------------------------------------
    def _rows(self, digest: str, ci: str, columns: Sequence[str]) -> pa.Table:
        """A person's rows from an index blob (only the row groups that can hold them)."""
        with self.blobs.open_input(digest, verified=False) as f:
            return rules.read_person(f, ci, columns)

    def _expire(self, consent_id: str, reason: str) -> bool:
        with self.db.write_session() as s:
            row = self._load(s, consent_id, lock=True)
            if row.status != "active" or self.clock() < _aware(row.expires_at):
                return False
            now = self.clock()
            row.ended_index = self.events.record(
                s, ConsentExpired(actor="system", time=now, consent_id=row.id, reason=reason)
            )
            row.status = "expired"
            row.record_version += 1
            return True

    def _notify_revoked(self, s: Session, row: MyDataConsent) -> None:
        text_en = M.MSG_REVOKED_NOTICE_PERSON.format(id=row.id, recipient=row.recipient_name)
        from datanuri.i18n import translate

        event = Event(
            "mydata.consent.revoked",
            {
                "consent_id": row.id,
                "recipient": row.recipient_client_id,
                "action": "delete",
                "message": M.MSG_REVOKED_NOTICE.format(id=row.id),
                "acknowledge": f"/api/v1/mydata/consents/{row.id}/deletion",
            },
            org=row.recipient_org,
        )
        self.notifier.notify(
            s,
            Notice(
                row.user_id,
                "mydata.consent.revoked",
                (translate(text_en, "ko"), text_en),
                "/me/mydata",
                event,
            ),
        )

    def _entry(self, s: Session, event: AnyEvent) -> int:
        """Record `event` in the transaction of `s`; its ledger index (-1 for a sink without)."""
        index = self.events.record(s, event)
        return -1 if index is None else index

    def _load(self, s: Session, consent_id: str, *, lock: bool = False) -> MyDataConsent:
        row = s.get(MyDataConsent, consent_id, with_for_update=lock or None)
        if row is None:
            raise errors.NotFound(M.MSG_NO_CONSENT.format(id=consent_id))
        return row

    def _to_consent(self, s: Session, row: MyDataConsent) -> Consent:
        org = s.get(Organization, row.organization_id)
        ds = s.get(Dataset, row.dataset_id)
        assert org is not None and ds is not None
        return self._consent(row, org.name, ds.name)

    @staticmethod
    def _consent(row: MyDataConsent, holder: str, dataset: str) -> Consent:
        return Consent(
            id=row.id,
            version=row.record_version,
            subject=f"user:{row.user_id}",
            user_id=row.user_id,
            controller=holder,
            dataset=dataset,
            recipient_client_id=row.recipient_client_id,
            recipient_name=row.recipient_name,
            purpose=row.purpose,
            items=tuple(row.items),
            period_days=row.period_days,
            frequency=cast(Frequency, row.frequency),
            created=_aware(row.created_at),
            expires=_aware(row.expires_at),
            status=cast(Status, row.status),
            revoked_at=_aware(row.revoked_at) if row.revoked_at else None,
            revoked_by=row.revoked_by,
            ledger_index=row.ledger_index,
            ended_index=row.ended_index,
            deletion_acknowledged_at=_aware(row.deletion_acknowledged_at)
            if row.deletion_acknowledged_at
            else None,
            last_transfer_at=_aware(row.last_transfer_at) if row.last_transfer_at else None,
            recipient_org=row.recipient_org,
        )

    @staticmethod
    def _person_ci(s: Session, user_id: int) -> str | None:
        return s.scalar(select(MyDataPerson.ci).where(MyDataPerson.user_id == user_id))

    @staticmethod
    def _dataset(s: Session, name: str) -> Dataset:
        ds = s.scalar(select(Dataset).where(Dataset.name == name))
        if ds is None:
            raise errors.NotFound(errors.MSG_DATASET_NOT_FOUND.format(name=name))
        return ds

    @staticmethod
    def _latest(s: Session, ds: Dataset) -> Version:
        if not ds.current_versions:
            raise errors.NotFound(errors.MSG_NO_VERSIONS.format(name=ds.name))
        return ds.current_versions[-1]

    def _offer_for(
        self, s: Session, holder: str, dataset: str
    ) -> tuple[Dataset, Organization, MyDataOffer]:
        row = s.execute(
            select(Dataset, Organization, MyDataOffer)
            .join(Organization, Organization.id == Dataset.organization_id)
            .join(MyDataOffer, MyDataOffer.dataset_id == Dataset.id)
            .where(Dataset.name == dataset, Organization.name == holder)
        ).first()
        if row is None:
            raise errors.NotFound(M.MSG_NO_OFFER.format(holder=holder, dataset=dataset))
        return row[0], row[1], row[2]

    @staticmethod
    def _check_items(
        asked: Sequence[str], offered: Sequence[Item], holder: str, dataset: str
    ) -> None:
        if not asked:
            raise errors.InvalidInput(M.MSG_NO_ITEMS)
        unknown = rules.unknown_items(asked, [i.name for i in offered])
        if unknown:
            raise errors.InvalidInput(
                M.MSG_UNKNOWN_ITEMS.format(
                    holder=holder,
                    dataset=dataset,
                    items=", ".join(unknown),
                    offered=", ".join(i.name for i in offered),
                )
            )

    @staticmethod
    def _user(p: Principal) -> int:
        if p.kind != "user" or p.user_id is None:
            raise errors.NotAuthenticated(M.MSG_LOGIN)
        return p.user_id

    @staticmethod
    def _admin(p: Principal) -> None:
        if p.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_LOGIN)
        if not p.is_admin:
            raise errors.PermissionDenied(M.MSG_ADMIN_ONLY)

    @staticmethod
    def _holder(p: Principal, org: str) -> None:
        if p.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_LOGIN)
        if not (p.kind == "system" or p.is_admin or p.role_in(org) in EDITORS):
            raise errors.PermissionDenied(M.MSG_HOLDER_ONLY.format(org=org))


_SYSTEM = Principal(kind="system", via="cli")


def _latest_served() -> Subquery:
    """(offer_id, v): each offer's newest indexed version that is not withdrawn."""
    return (
        select(MyDataIndex.offer_id, func.max(MyDataIndex.version).label("v"))
        .join(MyDataOffer, MyDataOffer.id == MyDataIndex.offer_id)
        .join(
            Version,
            (Version.dataset_id == MyDataOffer.dataset_id)
            & (Version.number == MyDataIndex.version),
        )
        .outerjoin(Withdrawal, Withdrawal.version_id == Version.id)
        .where(Withdrawal.id.is_(None))
        .group_by(MyDataIndex.offer_id)
        .subquery()
    )


def _served_index(s: Session, offer_id: int) -> MyDataIndex | None:
    """The index of an offer's newest version that is served (not withdrawn), if any."""
    latest = _latest_served()
    return s.scalar(
        select(MyDataIndex)
        .join(
            latest,
            (latest.c.offer_id == MyDataIndex.offer_id) & (latest.c.v == MyDataIndex.version),
        )
        .where(MyDataIndex.offer_id == offer_id)
    )


def _table_sha256(table: pa.Table) -> str:
    """SHA-256 of exactly what is sent: the rows as an Arrow IPC stream."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()
