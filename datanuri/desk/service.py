"""`RequestDesk`: file, join, route, answer, extend, withdraw and dispute data requests, with the
deadline clock, overdue escalation, notifications and a ledger entry for every status change.

INTERFACE STUB: the types and signatures are fixed (others may build against them); the bodies
are written by the desk-core work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from datanuri.accounts.principal import Principal
from datanuri.desk.suggest import Suggestions

# filed: waiting to be routed; routed: with a holder, clock running; processing: the holder
# decided to provide after processing; provided / refused / withdrawn: closed.
Status = Literal["filed", "routed", "processing", "provided", "refused", "withdrawn"]
DisputeStatus = Literal["open", "upheld", "dismissed", "settled"]


@dataclass(frozen=True)
class RequestDraft:
    """What a requester files."""

    title: str
    description: str
    purpose: str  # private: the requester, the routed holder and admins see it
    theme: str | None = None  # a catalogue theme code
    formats: tuple[str, ...] = ()  # wanted formats, from rules.FORMATS
    frequency: str | None = None  # rules.FREQUENCIES: once, daily, weekly, monthly, ...
    region: str | None = None  # 시도/시군구 code (datanuri.regions)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    organization: str | None = None  # a holder the requester chose (routes at once)


@dataclass(frozen=True)
class Provide:
    """Answer: the data exists (now) as this dataset (version: a specific one, or the latest)."""

    dataset: str
    version: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Process:
    """Answer: will provide after processing through the existing engines."""

    method: Literal["deidentify", "aggregate", "linkage"]
    note: str = ""
    expected_on: dt.date | None = None


@dataclass(frozen=True)
class Refuse:
    """Answer: refused for a legal reason from the fixed list (rules.REFUSAL_REASONS)."""

    reason: str
    note: str = ""


@dataclass(frozen=True)
class Transfer:
    """Answer: another organisation holds the data; the request moves there, clock restarts."""

    organization: str
    note: str = ""


AnswerKind = Provide | Process | Refuse | Transfer


@dataclass(frozen=True)
class AnswerInfo:
    kind: Literal["provide", "process", "refuse", "transfer"]
    organization: str  # who answered
    answered_at: dt.datetime
    answered_by: str  # display name
    note: str
    dataset: str | None = None
    version: int | None = None
    method: str | None = None
    reason: str | None = None  # refusal reason code
    expected_on: dt.date | None = None


@dataclass(frozen=True)
class DisputeInfo:
    opened_at: dt.datetime
    reasons: str
    status: DisputeStatus
    outcome_note: str | None = None
    decided_at: dt.datetime | None = None
    decided_by: str | None = None


@dataclass(frozen=True)
class RequestInfo:
    """One request as `principal` may see it (purpose None when they may not)."""

    id: int
    title: str
    description: str
    theme: str | None
    formats: tuple[str, ...]
    frequency: str | None
    region: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    status: Status
    organization: str | None  # the holder it is routed to
    organization_title: str | None
    requester: str  # display name (masked for others than the requester, holder and admins)
    mine: bool
    supporters: int  # "me too" count, the requester included
    supported_by_me: bool
    filed_at: dt.datetime
    routed_at: dt.datetime | None
    due_on: dt.date | None  # the answer deadline (business days)
    extended: bool
    overdue: bool  # not answered and past due_on
    escalated: bool
    purpose: str | None
    answer: AnswerInfo | None
    dispute: DisputeInfo | None


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    action: str  # filed, supported, routed, extended, answered, transferred, escalated, ...
    actor: str  # display name, or "system"
    detail: str = ""
    ledger_index: int | None = None


@dataclass(frozen=True)
class RequestFilter:
    status: tuple[Status, ...] = ()
    organization: str | None = None  # routed to this holder
    mine: bool = False  # filed or supported by the caller
    overdue: bool | None = None
    theme: str | None = None
    q: str | None = None
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class RequestPage:
    items: tuple[RequestInfo, ...]
    total: int


@dataclass(frozen=True)
class Filed:
    request: RequestInfo
    suggestions: Suggestions


@dataclass(frozen=True)
class Count:
    key: str  # theme code or organisation name
    label: str
    requests: int
    answered: int
    provided: int
    median_days: float | None  # business days to answer


@dataclass(frozen=True)
class DeskStats:
    total: int
    open: int
    overdue: int
    answer_rate: float  # answered / routed
    on_time_rate: float  # answered by due_on / answered
    median_answer_days: float | None
    by_theme: tuple[Count, ...] = ()
    by_organization: tuple[Count, ...] = ()
    most_wanted: tuple[RequestInfo, ...] = field(default_factory=tuple)  # by supporters


class RequestDesk:
    """The desk's service; every method checks `principal`'s rights (none defaults to all)."""

    def preview(self, draft: RequestDraft, *, principal: Principal) -> Suggestions:
        """Suggestions for a draft before it is filed (datasets, holders, duplicates)."""
        raise NotImplementedError

    def file(self, draft: RequestDraft, *, principal: Principal) -> Filed:
        raise NotImplementedError

    def get(self, request_id: int, *, principal: Principal) -> RequestInfo:
        raise NotImplementedError

    def find(self, flt: RequestFilter, *, principal: Principal) -> RequestPage:
        raise NotImplementedError

    def history(self, request_id: int, *, principal: Principal) -> list[HistoryEntry]:
        raise NotImplementedError

    def support(self, request_id: int, *, principal: Principal) -> RequestInfo:
        """ "Me too": the caller joins the request (counts demand, gets its notices)."""
        raise NotImplementedError

    def unsupport(self, request_id: int, *, principal: Principal) -> RequestInfo:
        raise NotImplementedError

    def withdraw(self, request_id: int, *, principal: Principal) -> RequestInfo:
        raise NotImplementedError

    def route(self, request_id: int, organization: str, *, principal: Principal) -> RequestInfo:
        """A desk admin sends a filed request to a holder; its deadline starts."""
        raise NotImplementedError

    def answer(self, request_id: int, answer: AnswerKind, *, principal: Principal) -> RequestInfo:
        """The routed holder's editors and owners answer."""
        raise NotImplementedError

    def deliver(
        self, request_id: int, dataset: str, version: int | None, *, principal: Principal
    ) -> RequestInfo:
        """A request answered "process" is provided by a published dataset (version)."""
        raise NotImplementedError

    def extend(self, request_id: int, reason: str, *, principal: Principal) -> RequestInfo:
        """Once per request: the deadline moves 10 more business days."""
        raise NotImplementedError

    def open_dispute(self, request_id: int, reasons: str, *, principal: Principal) -> RequestInfo:
        """The requester contests a refusal (or an overdue request) for mediation."""
        raise NotImplementedError

    def decide_dispute(
        self, request_id: int, outcome: DisputeStatus, note: str, *, principal: Principal
    ) -> RequestInfo:
        """An admin records the mediation's outcome ("upheld" reopens it with the holder)."""
        raise NotImplementedError

    def sweep_overdue(self, *, now: dt.datetime | None = None) -> list[int]:
        """Flag and escalate requests past their deadline (idempotent); the ids escalated now."""
        raise NotImplementedError

    def stats(self) -> DeskStats:
        """Public statistics (no private fields)."""
        raise NotImplementedError
