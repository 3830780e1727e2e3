"""Ledger event kinds of MyData. A consent's subject is `mydata-consent:<id>`; people appear only
as `user:<id>` and purposes only as SHA-256. Imported by the service so the kinds are registered."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from datanuri.events import EventKind, register


@register
@dataclass(frozen=True, kw_only=True)
class PersonLinked(EventKind):
    """An administrator attached a verified RRN to a person account (only its CI is kept; the
    entry records the CI's SHA-256, so the log cannot be joined with holders' data)."""

    name: ClassVar[str] = "mydata.person.linked"
    user_id: int
    ci_sha256: str

    @property
    def subject(self) -> str:
        return f"user:{self.user_id}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"ci": f"sha256:{self.ci_sha256}"}


@register
@dataclass(frozen=True, kw_only=True)
class OfferDeclared(EventKind):
    """A holder declared (or changed) the MyData offer of a personal dataset."""

    name: ClassVar[str] = "mydata.offer.declared"
    organization: str
    dataset: str
    subject_column: str
    items: tuple[str, ...]

    @property
    def subject(self) -> str:
        return f"dataset:{self.dataset}"

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "organization": self.organization,
            "subject_column": self.subject_column,
            "items": list(self.items),
        }


@dataclass(frozen=True, kw_only=True)
class _ConsentEvent(EventKind):
    """What every consent entry records (not a kind itself)."""

    consent_id: str

    @property
    def subject(self) -> str:
        return f"mydata-consent:{self.consent_id}"


@register
@dataclass(frozen=True, kw_only=True)
class ConsentGranted(_ConsentEvent):
    """A person consented to a transfer: holder, dataset, recipient, items, period, frequency;
    the purpose as SHA-256 and the whole record's canonical SHA-256 (what the receipt signs)."""

    name: ClassVar[str] = "mydata.consent.granted"
    user_id: int
    holder: str
    dataset: str
    recipient: str
    items: tuple[str, ...]
    period_days: int
    frequency: str
    expires: str
    purpose_sha256: str
    record_sha256: str

    @property
    def hashes(self) -> Mapping[str, str]:
        return {
            "purpose": f"sha256:{self.purpose_sha256}",
            "record": f"sha256:{self.record_sha256}",
        }

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "person": f"user:{self.user_id}",
            "holder": self.holder,
            "dataset": self.dataset,
            "recipient": self.recipient,
            "items": list(self.items),
            "period_days": self.period_days,
            "frequency": self.frequency,
            "expires": self.expires,
        }


@register
@dataclass(frozen=True, kw_only=True)
class ConsentRevoked(_ConsentEvent):
    """The person (or the recipient) revoked a consent; the recipient is asked to delete."""

    name: ClassVar[str] = "mydata.consent.revoked"
    by: str  # user:<id> or client:<id>

    @property
    def data(self) -> Mapping[str, Any]:
        return {"by": self.by}


@register
@dataclass(frozen=True, kw_only=True)
class ConsentExpired(_ConsentEvent):
    """A consent reached its end date (or its single transfer was made) and stopped."""

    name: ClassVar[str] = "mydata.consent.expired"
    reason: str  # period | once

    @property
    def data(self) -> Mapping[str, Any]:
        return {"reason": self.reason}


@register
@dataclass(frozen=True, kw_only=True)
class Transferred(_ConsentEvent):
    """Rows of one person went to the recipient: which version, items, page, how many rows and
    the SHA-256 of exactly what was sent."""

    name: ClassVar[str] = "mydata.transfer"
    recipient: str
    dataset: str
    version: int
    items: tuple[str, ...]
    page: int
    rows: int
    rows_sha256: str

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"rows": f"sha256:{self.rows_sha256}"}

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "recipient": self.recipient,
            "dataset": self.dataset,
            "version": self.version,
            "items": list(self.items),
            "page": self.page,
            "rows": self.rows,
        }


@register
@dataclass(frozen=True, kw_only=True)
class DeletionAcknowledged(_ConsentEvent):
    """The recipient confirmed it deleted what it received under a revoked consent."""

    name: ClassVar[str] = "mydata.deletion.acknowledged"
    recipient: str

    @property
    def data(self) -> Mapping[str, Any]:
        return {"recipient": self.recipient}


@register
@dataclass(frozen=True, kw_only=True)
class OwnRowsRead(EventKind):
    """A person downloaded their own rows from a holder (right of access)."""

    name: ClassVar[str] = "mydata.access"
    user_id: int
    dataset: str
    version: int
    rows: int
    rows_sha256: str

    @property
    def subject(self) -> str:
        return f"dataset:{self.dataset}@{self.version}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"rows": f"sha256:{self.rows_sha256}"}

    @property
    def data(self) -> Mapping[str, Any]:
        return {"person": f"user:{self.user_id}", "rows": self.rows}
