"""Ledger event kinds of the data request desk: every status change of a request (and each
"me too") is an entry whose subject is `data-request:<id>`. Purposes, notes and reasons may be
personal: only their SHA-256 is recorded. Imported by `platform.py` so the kinds are registered
(and listed by `datanuri ledger events`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from datanuri.events import EventKind, register


def _hashes(**named: str | None) -> dict[str, str]:
    return {k: f"sha256:{v}" for k, v in named.items() if v}


@dataclass(frozen=True, kw_only=True)
class _DeskEvent(EventKind):
    """What every desk entry records (not a kind itself)."""

    request_id: int

    @property
    def subject(self) -> str:
        return f"data-request:{self.request_id}"

    @property
    def data(self) -> Mapping[str, Any]:
        return {"request": self.request_id}


@register
@dataclass(frozen=True, kw_only=True)
class DeskFiled(_DeskEvent):
    """A user filed a request for data not yet open: its title and description (public) and
    purpose (private) are recorded as SHA-256; the theme and a holder chosen at filing as is."""

    name: ClassVar[str] = "desk.request.filed"
    user_id: int
    text_sha256: str  # title + "\n" + description
    purpose_sha256: str
    theme: str | None
    organization: str | None

    @property
    def hashes(self) -> Mapping[str, str]:
        return _hashes(text=self.text_sha256, purpose=self.purpose_sha256)

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            **super().data,
            "user": f"user:{self.user_id}",
            "theme": self.theme,
            "organization": self.organization,
        }


@register
@dataclass(frozen=True, kw_only=True)
class DeskSupported(_DeskEvent):
    """A user joined a request ("me too") or left it (`joined` false)."""

    name: ClassVar[str] = "desk.request.supported"
    user_id: int
    joined: bool
    supporters: int  # the count after the change

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            **super().data,
            "user": f"user:{self.user_id}",
            "joined": self.joined,
            "supporters": self.supporters,
        }


@register
@dataclass(frozen=True, kw_only=True)
class DeskRouted(_DeskEvent):
    """A request was sent to a holder organisation (at filing, by an admin, by a transfer or
    reopened by a dispute) and its deadline set."""

    name: ClassVar[str] = "desk.request.routed"
    organization: str
    due_on: dt.date
    previous: str | None  # the organisation it came from (a transfer), if any
    note_sha256: str | None = None

    @property
    def hashes(self) -> Mapping[str, str]:
        return _hashes(note=self.note_sha256)

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            **super().data,
            "organization": self.organization,
            "due_on": self.due_on.isoformat(),
            "previous": self.previous,
        }


@register
@dataclass(frozen=True, kw_only=True)
class DeskAnswered(_DeskEvent):
    """The holder answered: provide (a dataset and version), provide after processing (a method),
    or refuse (a legal reason code); its note only as SHA-256. `delivered` marks the dataset
    that finally provides a request answered "process"."""

    name: ClassVar[str] = "desk.request.answered"
    organization: str
    kind: str  # provide | process | refuse | deliver
    dataset: str | None = None
    version: int | None = None
    method: str | None = None
    reason: str | None = None
    note_sha256: str | None = None

    @property
    def hashes(self) -> Mapping[str, str]:
        return _hashes(note=self.note_sha256)

    @property
    def data(self) -> Mapping[str, Any]:
        out: dict[str, Any] = {
            **super().data,
            "organization": self.organization,
            "kind": self.kind,
        }
        for k in ("dataset", "version", "method", "reason"):
            if getattr(self, k) is not None:
                out[k] = getattr(self, k)
        return out


@register
@dataclass(frozen=True, kw_only=True)
class DeskExtended(_DeskEvent):
    """The holder extended the deadline (once), giving a reason (as SHA-256)."""

    name: ClassVar[str] = "desk.request.extended"
    organization: str
    due_on: dt.date
    reason_sha256: str

    @property
    def hashes(self) -> Mapping[str, str]:
        return _hashes(reason=self.reason_sha256)

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            **super().data,
            "organization": self.organization,
            "due_on": self.due_on.isoformat(),
        }


@register
@dataclass(frozen=True, kw_only=True)
class DeskWithdrawn(_DeskEvent):
    """The requester withdrew the request."""

    name: ClassVar[str] = "desk.request.withdrawn"
    status: str  # the status it had


@register
@dataclass(frozen=True, kw_only=True)
class DeskEscalated(_DeskEvent):
    """The request passed its deadline unanswered: flagged and escalated to the holder's owners
    and the desk's admins (once per request)."""

    name: ClassVar[str] = "desk.request.escalated"
    organization: str
    due_on: dt.date

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            **super().data,
            "organization": self.organization,
            "due_on": self.due_on.isoformat(),
        }


@register
@dataclass(frozen=True, kw_only=True)
class DeskDisputeOpened(_DeskEvent):
    """The requester disputed the answer (or the silence) for mediation; reasons as SHA-256."""

    name: ClassVar[str] = "desk.dispute.opened"
    dispute_id: int
    reasons_sha256: str

    @property
    def hashes(self) -> Mapping[str, str]:
        return _hashes(reasons=self.reasons_sha256)

    @property
    def data(self) -> Mapping[str, Any]:
        return {**super().data, "dispute": self.dispute_id}


@register
@dataclass(frozen=True, kw_only=True)
class DeskDisputeDecided(_DeskEvent):
    """An admin recorded the mediation's outcome (upheld reopens the request with its holder)."""

    name: ClassVar[str] = "desk.dispute.decided"
    dispute_id: int
    outcome: str
    note_sha256: str | None

    @property
    def hashes(self) -> Mapping[str, str]:
        return _hashes(note=self.note_sha256)

    @property
    def data(self) -> Mapping[str, Any]:
        return {**super().data, "dispute": self.dispute_id, "outcome": self.outcome}
