"""Ledger kinds of the firm desk: a firm profile changed, a processing project posted, an offer
sent or withdrawn, and each step of a project (awarded, delivered, completed, cancelled).

Free texts (descriptions, notes, reasons) may name people or quote private data: the ledger
keeps only their SHA-256, as it does for access requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from datanuri.events import EventKind, register


def _h(key: str, hexdigest: str | None) -> dict[str, str]:
    return {} if not hexdigest else {key: f"sha256:{hexdigest}"}


def project_subject(project_id: int) -> str:
    return f"desk-project:{project_id}"


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
        return {"profile": f"sha256:{self.profile_sha256}"}

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "skills": list(self.skills),
            "sectors": list(self.sectors),
            "certifications": list(self.certifications),
        }


@register
@dataclass(frozen=True, kw_only=True)
class ProjectPosted(EventKind):
    """A user posted a processing project (its text only as a SHA-256)."""

    name: ClassVar[str] = "desk.project.posted"
    project_id: int
    organization: str | None
    desk_request_id: int | None
    skills: tuple[str, ...]
    sensitivity: str
    certifications: tuple[str, ...]
    budget_min: int
    budget_max: int
    text_sha256: str

    @property
    def subject(self) -> str:
        return project_subject(self.project_id)

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"text": f"sha256:{self.text_sha256}"}

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
class OfferSent(EventKind):
    """A firm sent an offer on a project: price in won, days, note as a SHA-256."""

    name: ClassVar[str] = "desk.project.offer.sent"
    project_id: int
    offer_id: int
    firm: str
    price: int
    days: int
    note_sha256: str | None

    @property
    def subject(self) -> str:
        return project_subject(self.project_id)

    @property
    def hashes(self) -> Mapping[str, str]:
        return _h("note", self.note_sha256)

    @property
    def data(self) -> Mapping[str, Any]:
        return {"offer": self.offer_id, "firm": self.firm, "price": self.price, "days": self.days}


@register
@dataclass(frozen=True, kw_only=True)
class OfferWithdrawn(EventKind):
    """A firm withdrew its waiting offer."""

    name: ClassVar[str] = "desk.project.offer.withdrawn"
    project_id: int
    offer_id: int
    firm: str

    @property
    def subject(self) -> str:
        return project_subject(self.project_id)

    @property
    def data(self) -> Mapping[str, Any]:
        return {"offer": self.offer_id, "firm": self.firm}


@register
@dataclass(frozen=True, kw_only=True)
class ProjectAwarded(EventKind):
    """The poster accepted one offer; the project's other waiting offers were closed."""

    name: ClassVar[str] = "desk.project.awarded"
    project_id: int
    offer_id: int
    firm: str
    price: int
    closed_offers: tuple[int, ...]

    @property
    def subject(self) -> str:
        return project_subject(self.project_id)

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
class ProjectDelivered(EventKind):
    """The awarded firm delivered a published dataset version (itself in the ledger)."""

    name: ClassVar[str] = "desk.project.delivered"
    project_id: int
    firm: str
    dataset: str
    version: int
    content_sha256: str  # the delivered version's Parquet digest
    note_sha256: str | None

    @property
    def subject(self) -> str:
        return project_subject(self.project_id)

    @property
    def hashes(self) -> Mapping[str, str]:
        out = {"content": f"sha256:{self.content_sha256}"}
        if self.note_sha256:
            out["note"] = f"sha256:{self.note_sha256}"
        return out

    @property
    def data(self) -> Mapping[str, Any]:
        return {"firm": self.firm, "dataset": self.dataset, "version": self.version}


@register
@dataclass(frozen=True, kw_only=True)
class ProjectCompleted(EventKind):
    """The poster accepted the delivery and rated the firm's work from 1 to 5."""

    name: ClassVar[str] = "desk.project.completed"
    project_id: int
    firm: str
    rating: int
    note_sha256: str | None

    @property
    def subject(self) -> str:
        return project_subject(self.project_id)

    @property
    def hashes(self) -> Mapping[str, str]:
        return _h("note", self.note_sha256)

    @property
    def data(self) -> Mapping[str, Any]:
        return {"firm": self.firm, "rating": self.rating}


@register
@dataclass(frozen=True, kw_only=True)
class ProjectCancelled(EventKind):
    """The poster (or an admin) cancelled a project before it was delivered; waiting offers were
    closed."""

    name: ClassVar[str] = "desk.project.cancelled"
    project_id: int
    previous: str  # the status it had
    reason_sha256: str | None

    @property
    def subject(self) -> str:
        return project_subject(self.project_id)

    @property
    def hashes(self) -> Mapping[str, str]:
        return _h("reason", self.reason_sha256)

    @property
    def data(self) -> Mapping[str, Any]:
        return {"previous": self.previous}
