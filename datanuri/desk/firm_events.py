"""Ledger kinds of the firm desk: a firm profile changed, a processing project posted, an offer
sent or withdrawn, and each step of a project (awarded, delivered, completed, cancelled).

Free texts (descriptions, notes, reasons) may name people or quote private data: the ledger
keeps only their SHA-256, as it does for access requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from datanuri.desk.events import _hashes
from datanuri.events import EventKind, register


def project_subject(project_id: int) -> str:
    return f"desk-project:{project_id}"


@dataclass(frozen=True, kw_only=True)
class _ProjectEvent(EventKind):
    """What every project entry records (not a kind itself): its subject is the project."""

    project_id: int

    @property
    def subject(self) -> str:
        return project_subject(self.project_id)


@register
@dataclass(frozen=True, kw_only=True)
class FirmProfileSaved(EventKind):
    """An organisation's analysis-firm profile was created or changed (skills, sectors and
    certifications as codes; the whole profile as its SHA-256)."""

    name: ClassVar[str] = "desk.firm.profile.saved"
    organization: str
    skills: tuple[str, ...]
    sectors: tuple[str, ...]
    certifications: tuple[str, ...]
    profile_sha256: str

    @property
    def subject(self) -> str:
        return f"org:{self.organization}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return _hashes(profile=self.profile_sha256)

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "skills": list(self.skills),
            "sectors": list(self.sectors),
            "certifications": list(self.certifications),
        }


@register
@dataclass(frozen=True, kw_only=True)
class ProjectPosted(_ProjectEvent):
    """A user posted a processing project (its text only as a SHA-256)."""

    name: ClassVar[str] = "desk.project.posted"
    organization: str | None
    desk_request_id: int | None
    skills: tuple[str, ...]
    sensitivity: str
    certifications: tuple[str, ...]
    budget_min: int
    budget_max: int
    text_sha256: str

    @property
    def hashes(self) -> Mapping[str, str]:
        return _hashes(text=self.text_sha256)

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "organization": self.organization,
            "desk_request": self.desk_request_id,
            "skills": list(self.skills),
            "sensitivity": self.sensitivity,
            "certifications": list(self.certifications),
            "budget": [self.budget_min, self.budget_max],
        }


@register
@dataclass(frozen=True, kw_only=True)
class OfferSent(_ProjectEvent):
    """A firm sent an offer on a project: price in won, days, note as a SHA-256."""

    name: ClassVar[str] = "desk.project.offer.sent"
    offer_id: int
    firm: str
    price: int
    days: int
    note_sha256: str | None

    @property
    def hashes(self) -> Mapping[str, str]:
        return _hashes(note=self.note_sha256)

    @property
    def data(self) -> Mapping[str, Any]:
        return {"offer": self.offer_id, "firm": self.firm, "price": self.price, "days": self.days}


@register
@dataclass(frozen=True, kw_only=True)
class OfferWithdrawn(_ProjectEvent):
    """A firm withdrew its waiting offer."""

    name: ClassVar[str] = "desk.project.offer.withdrawn"
    offer_id: int
    firm: str

    @property
    def data(self) -> Mapping[str, Any]:
        return {"offer": self.offer_id, "firm": self.firm}


@register
@dataclass(frozen=True, kw_only=True)
class ProjectAwarded(_ProjectEvent):
    """The poster accepted one offer; the project's other waiting offers were closed."""

    name: ClassVar[str] = "desk.project.awarded"
    offer_id: int
    firm: str
    price: int
    closed_offers: tuple[int, ...]

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "offer": self.offer_id,
            "firm": self.firm,
            "price": self.price,
            "closed": list(self.closed_offers),
        }


@register
@dataclass(frozen=True, kw_only=True)
class ProjectDelivered(_ProjectEvent):
    """The awarded firm delivered a published dataset version (itself in the ledger)."""

    name: ClassVar[str] = "desk.project.delivered"
    firm: str
    dataset: str
    version: int
    content_sha256: str  # the delivered version's Parquet digest
    note_sha256: str | None

    @property
    def hashes(self) -> Mapping[str, str]:
        return _hashes(content=self.content_sha256, note=self.note_sha256)

    @property
    def data(self) -> Mapping[str, Any]:
        return {"firm": self.firm, "dataset": self.dataset, "version": self.version}


@register
@dataclass(frozen=True, kw_only=True)
class ProjectCompleted(_ProjectEvent):
    """The poster accepted the delivery and rated the firm's work from 1 to 5."""

    name: ClassVar[str] = "desk.project.completed"
    firm: str
    rating: int
    note_sha256: str | None

    @property
    def hashes(self) -> Mapping[str, str]:
        return _hashes(note=self.note_sha256)

    @property
    def data(self) -> Mapping[str, Any]:
        return {"firm": self.firm, "rating": self.rating}


@register
@dataclass(frozen=True, kw_only=True)
class ProjectCancelled(_ProjectEvent):
    """The poster (or an admin) cancelled a project before it was delivered; waiting offers were
    closed."""

    name: ClassVar[str] = "desk.project.cancelled"
    previous: str  # the status it had
    reason_sha256: str | None

    @property
    def hashes(self) -> Mapping[str, str]:
        return _hashes(reason=self.reason_sha256)

    @property
    def data(self) -> Mapping[str, Any]:
        return {"previous": self.previous}
