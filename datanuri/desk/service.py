"""`RequestDesk`: file, join, route, answer, extend, withdraw and dispute data requests, with the
deadline clock, overdue escalation, notifications and a ledger entry for every status change.

The types and method signatures are shared with the pages and console (others build against
them): add fields and methods, never rename or remove one. The rules (limits, reasons, who may
see and do what) are pure functions in `rules.py`; the tables are in `tables.py`, the ledger
kinds in `events.py`, the messages in `messages.py`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from datanuri import canonical, errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.models import Membership, Organization, User
from datanuri.accounts.notifications import Event, Notice, Notifier
from datanuri.accounts.policy import EDITORS
from datanuri.accounts.principal import Principal
from datanuri.catalog import vocab
from datanuri.catalog.models import Version
from datanuri.desk import messages as M
from datanuri.desk import rules
from datanuri.desk.calendar import Holidays, add_business_days, business_days_between
from datanuri.desk.events import (
    DeskAnswered,
    DeskDisputeDecided,
    DeskDisputeOpened,
    DeskEscalated,
    DeskExtended,
    DeskFiled,
    DeskRouted,
    DeskSupported,
    DeskWithdrawn,
)
from datanuri.desk.suggest import OpenRequest, RequestText, Suggester, Suggestions
from datanuri.desk.tables import DeskDispute, DeskEvent, DeskRequest, DeskSupporter
from datanuri.events import AnyEvent, EventSink
from datanuri.store.db import Database, lock_name, utcnow

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
    label: str  # Korean (a theme's label; an organisation's title)
    requests: int
    answered: int
    provided: int
    median_days: float | None  # business days to answer
    label_en: str = ""  # English label


@dataclass(frozen=True)
class DeskStats:
    total: int
    open: int
    overdue: int
    answer_rate: float  # answered / routed (requests withdrawn before an answer left out)
    on_time_rate: float  # answered by due_on / answered
    median_answer_days: float | None
    by_theme: tuple[Count, ...] = ()
    by_organization: tuple[Count, ...] = ()
    most_wanted: tuple[RequestInfo, ...] = field(default_factory=tuple)  # by supporters


REQUESTER_LINK = "/requests/{id}"
HOLDER_LINK = "/console/desk"
OPEN_REQUESTS_FOR_SUGGESTIONS = 2000  # the newest open requests duplicates are looked for in
MOST_WANTED = 10


class RequestDesk:
    """The desk's service; every method checks `principal`'s rights (none defaults to all)."""

    def __init__(
        self,
        db: Database,
        events: EventSink,
        access: AccessControl,
        notifier: Notifier,
        suggester: Suggester,
        holidays: Holidays,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.db = db
        self.events = events
        self.access = access
        self.notifier = notifier
        self.suggester = suggester
        self.holidays = holidays
        self.clock = clock  # tests move time; everything reads it through `_now`

    # ----- filing ------------------------------------------------------------------------------
    def preview(self, draft: RequestDraft, *, principal: Principal) -> Suggestions:
        """Suggestions for a draft before it is filed (datasets, holders, duplicates)."""
        if not rules.clean_text(draft.title) and not rules.clean_text(draft.description):
            return Suggestions()
        return self._suggest(draft, principal)

    def file(self, draft: RequestDraft, *, principal: Principal) -> Filed:
        """File a request (routed at once when it names a holder); suggestions come back with
        it, computed before it was filed (so it is not its own duplicate)."""
        if not rules.is_user(principal):
            raise errors.NotAuthenticated(M.MSG_LOGIN)
        assert principal.user_id is not None
        clean = self._clean(draft)
        suggestions = self._suggest(clean, principal)
        with self.db.write_session() as s:
            org = self._org(s, clean.organization) if clean.organization else None
            now = self._now()
            row = DeskRequest(
                title=clean.title,
                description=clean.description,
                purpose=clean.purpose,
                theme=clean.theme,
                formats=list(clean.formats),
                frequency=clean.frequency,
                region=clean.region,
                period_start=clean.period_start,
                period_end=clean.period_end,
                status="filed",
                requester_id=principal.user_id,
                supporters=1,
                filed_at=now,
                extended=False,
                escalated=False,
            )
            s.add(row)
            s.flush()
            s.add(DeskSupporter(request_id=row.id, user_id=principal.user_id, created_at=now))
            self._record(
                s,
                row,
                "filed",
                principal.user_id,
                clean.theme or "",
                DeskFiled(
                    actor=principal.ref,
                    time=now,
                    request_id=row.id,
                    user_id=principal.user_id,
                    text_sha256=canonical.sha256_text(clean.title + "\n" + clean.description),
                    purpose_sha256=canonical.sha256_text(clean.purpose),
                    theme=clean.theme,
                    organization=org.name if org else None,
                ),
            )
            if org is not None:
                self._route(s, row, org, principal, action="routed")
            return Filed(self._info(s, row, principal), suggestions)

    # ----- reading -----------------------------------------------------------------------------
    def get(self, request_id: int, *, principal: Principal) -> RequestInfo:
        with self.db.session() as s:
            return self._info(s, self._load(s, request_id), principal)

    def find(self, flt: RequestFilter, *, principal: Principal) -> RequestPage:
        """Requests matching `flt`, newest first, as `principal` may see them (the console's
        incoming list is `find(RequestFilter(organization=...))`)."""
        for st in flt.status:
            if st not in rules.STATUSES:
                raise errors.InvalidInput(
                    M.MSG_BAD_STATUS.format(value=st, allowed=", ".join(rules.STATUSES))
                )
        if flt.mine and not rules.is_user(principal):
            raise errors.NotAuthenticated(M.MSG_LOGIN)
        limit = max(1, min(flt.limit, rules.LIST_MAX))
        offset = max(0, flt.offset)
        with self.db.session() as s:
            q = self._filtered(select(DeskRequest), s, flt, principal)
            if q is None:
                return RequestPage((), 0)
            total = int(s.scalar(select(func.count()).select_from(q.subquery())) or 0)
            rows = s.scalars(q.order_by(DeskRequest.id.desc()).limit(limit).offset(offset))
            return RequestPage(tuple(self._info(s, r, principal) for r in rows), total)

    def incoming(
        self,
        organization: str,
        *,
        principal: Principal,
        status: tuple[Status, ...] = (),
        limit: int = 50,
        offset: int = 0,
    ) -> RequestPage:
        """The console's list: requests routed to `organization`, for its members (who see the
        purposes) and admins; anyone else is refused."""
        if principal.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_LOGIN)
        if not (principal.is_admin or principal.role_in(organization) is not None):
            raise errors.PermissionDenied(M.MSG_MEMBERS_ONLY)
        flt = RequestFilter(status=status, organization=organization, limit=limit, offset=offset)
        return self.find(flt, principal=principal)

    def history(self, request_id: int, *, principal: Principal) -> list[HistoryEntry]:
        """The request's steps, oldest first; people are named in full only to those who may
        see the requester's name, else masked."""
        with self.db.session() as s:
            row = self._load(s, request_id)
            private = self._private(s, row, principal)
            out = []
            for e in s.scalars(
                select(DeskEvent).where(DeskEvent.request_id == row.id).order_by(DeskEvent.id)
            ):
                out.append(
                    HistoryEntry(
                        at=e.at,
                        action=e.action,
                        actor=self._person(s, e.actor_id, private),
                        detail=e.detail,
                        ledger_index=e.ledger_index,
                    )
                )
            return out

    # ----- the requester and supporters -------------------------------------------------------
    def support(self, request_id: int, *, principal: Principal) -> RequestInfo:
        """ "Me too": the caller joins the request (counts demand, gets its notices)."""
        uid = self._user(principal)
        with self.db.write_session() as s:
            row = self._load(s, request_id, lock=True)
            self._require_open(row)
            if row.requester_id == uid:
                raise errors.Conflict(M.MSG_OWN_REQUEST)
            if self._supporter(s, row.id, uid) is not None:
                raise errors.Conflict(M.MSG_ALREADY_SUPPORTED)
            now = self._now()
            s.add(DeskSupporter(request_id=row.id, user_id=uid, created_at=now))
            row.supporters += 1
            self._record(
                s,
                row,
                "supported",
                uid,
                "",
                DeskSupported(
                    actor=principal.ref,
                    time=now,
                    request_id=row.id,
                    user_id=uid,
                    joined=True,
                    supporters=row.supporters,
                ),
            )
            return self._info(s, row, principal)

    def unsupport(self, request_id: int, *, principal: Principal) -> RequestInfo:
        uid = self._user(principal)
        with self.db.write_session() as s:
            row = self._load(s, request_id, lock=True)
            self._require_open(row)
            if row.requester_id == uid:
                raise errors.Conflict(M.MSG_OWN_REQUEST)
            mine = self._supporter(s, row.id, uid)
            if mine is None:
                raise errors.Conflict(M.MSG_NOT_SUPPORTED)
            s.delete(mine)
            row.supporters -= 1
            self._record(
                s,
                row,
                "unsupported",
                uid,
                "",
                DeskSupported(
                    actor=principal.ref,
                    time=self._now(),
                    request_id=row.id,
                    user_id=uid,
                    joined=False,
                    supporters=row.supporters,
                ),
            )
            return self._info(s, row, principal)

    def withdraw(self, request_id: int, *, principal: Principal) -> RequestInfo:
        uid = self._user(principal)
        with self.db.write_session() as s:
            row = self._load(s, request_id, lock=True)
            if row.requester_id != uid:
                raise errors.PermissionDenied(M.MSG_REQUESTER_ONLY)
            self._require_open(row)
            before = row.status
            now = self._now()
            row.status, row.closed_at = "withdrawn", now
            self._record(
                s,
                row,
                "withdrawn",
                uid,
                "",
                DeskWithdrawn(actor=principal.ref, time=now, request_id=row.id, status=before),
            )
            if row.organization_id is not None and before in ("routed", "processing"):
                text = M.notice(M.NOTE_WITHDRAWN, id=row.id, title=row.title)
                self._notify(
                    s,
                    self._members(s, row.organization_id),
                    "desk.withdrawn",
                    text,
                    HOLDER_LINK,
                    row=row,
                )
            return self._info(s, row, principal)

    def open_dispute(self, request_id: int, reasons: str, *, principal: Principal) -> RequestInfo:
        """The requester contests a refusal (or an overdue request) for mediation."""
        uid = self._user(principal)
        why = rules.clean_reasons(reasons)
        with self.db.write_session() as s:
            row = self._load(s, request_id, lock=True)
            if row.requester_id != uid:
                raise errors.PermissionDenied(M.MSG_REQUESTER_ONLY)
            if not (
                row.status == "refused" or rules.is_overdue(row.status, row.due_on, self._today())
            ):
                raise errors.Conflict(M.MSG_NO_DISPUTE_GROUND)
            if self._dispute(s, row.id, status="open") is not None:
                raise errors.Conflict(M.MSG_DISPUTE_OPEN)
            now = self._now()
            d = DeskDispute(
                request_id=row.id, opened_by=uid, opened_at=now, reasons=why, status="open"
            )
            s.add(d)
            s.flush()
            self._record(
                s,
                row,
                "dispute_opened",
                uid,
                "",
                DeskDisputeOpened(
                    actor=principal.ref,
                    time=now,
                    request_id=row.id,
                    dispute_id=d.id,
                    reasons_sha256=canonical.sha256_text(why),
                ),
            )
            text = M.notice(M.NOTE_DISPUTE_OPENED, id=row.id, title=row.title)
            org_id = row.answer_org_id or row.organization_id
            people = self._admins(s) + (self._members(s, org_id) if org_id else [])
            self._notify(s, people, "desk.dispute", text, HOLDER_LINK, row=row)
            return self._info(s, row, principal)

    # ----- admins ------------------------------------------------------------------------------
    def route(self, request_id: int, organization: str, *, principal: Principal) -> RequestInfo:
        """A desk admin sends a filed request to a holder; its deadline starts."""
        self._admin(principal)
        with self.db.write_session() as s:
            row = self._load(s, request_id, lock=True)
            if row.status != "filed":
                raise errors.Conflict(M.MSG_NOT_FILED.format(status=row.status))
            org = self._org(s, organization)
            self._route(s, row, org, principal, action="routed")
            return self._info(s, row, principal)

    def decide_dispute(
        self, request_id: int, outcome: DisputeStatus, note: str, *, principal: Principal
    ) -> RequestInfo:
        """An admin records the mediation's outcome ("upheld" reopens it with the holder)."""
        self._admin(principal)
        rules.check_outcome(outcome)
        text_note = rules.clean_note(note)
        with self.db.write_session() as s:
            row = self._load(s, request_id, lock=True)
            d = self._dispute(s, row.id, status="open")
            if d is None:
                raise errors.Conflict(M.MSG_NO_OPEN_DISPUTE)
            now = self._now()
            d.status, d.outcome_note, d.decided_at = outcome, text_note or None, now
            d.decided_by = principal.user_id
            self._record(
                s,
                row,
                "dispute_decided",
                principal.user_id,
                outcome,
                DeskDisputeDecided(
                    actor=principal.ref,
                    time=now,
                    request_id=row.id,
                    dispute_id=d.id,
                    outcome=outcome,
                    note_sha256=canonical.sha256_text(text_note) if text_note else None,
                ),
            )
            ko, en = rules.DISPUTE_STATUSES[outcome]
            text = M.notice(
                M.NOTE_DISPUTE_DECIDED, {"outcome": ko}, id=row.id, title=row.title, outcome=en
            )
            self._notify(s, self._followers(s, row), "desk.dispute", text, self._link(row), row=row)
            if outcome == "upheld":  # back to the holder that answered, with a new clock
                org_id = row.answer_org_id or row.organization_id
                org = s.get(Organization, org_id) if org_id is not None else None
                self._clear_answer(row)
                row.closed_at = None
                if org is None:
                    row.status = "filed"
                else:
                    self._route(s, row, org, principal, action="reopened")
            return self._info(s, row, principal)

    # ----- the holder --------------------------------------------------------------------------
    def answer(self, request_id: int, answer: AnswerKind, *, principal: Principal) -> RequestInfo:
        """The routed holder's editors and owners answer."""
        with self.db.write_session() as s:
            row = self._load(s, request_id, lock=True)
            org = self._holder_org(s, row, principal)
            if row.status != "routed":
                raise errors.Conflict(M.MSG_NOT_ROUTED.format(status=row.status))
            now = self._now()
            if isinstance(answer, Transfer):
                note = rules.clean_note(answer.note)
                target = self._org(s, answer.organization)
                if target.id == org.id:
                    raise errors.Conflict(M.MSG_SAME_ORG.format(organization=org.name))
                self._route(
                    s, row, target, principal, action="transferred", previous=org, note=note
                )
                return self._info(s, row, principal)
            self._clear_answer(row)
            row.answer_org_id, row.answered_at = org.id, now
            row.answered_by = principal.user_id
            event: dict[str, Any] = {}
            if isinstance(answer, Provide):
                note = rules.clean_note(answer.note)
                version = self._dataset_version(s, answer.dataset, answer.version)
                row.answer_kind, row.status, row.closed_at = "provide", "provided", now
                row.answer_dataset, row.answer_version = answer.dataset, version
                event = {"kind": "provide", "dataset": answer.dataset, "version": version}
                detail = f"provide {answer.dataset}@{version}"
                text = M.notice(M.NOTE_PROVIDED, id=row.id, title=row.title, dataset=answer.dataset)
            elif isinstance(answer, Process):
                note = rules.clean_note(answer.note)
                rules.check_method(answer.method)
                row.answer_kind, row.status = "process", "processing"
                row.answer_method, row.answer_expected_on = answer.method, answer.expected_on
                event = {"kind": "process", "method": answer.method}
                detail = f"process {answer.method}"
                ko, en = rules.PROCESS_METHODS[answer.method]
                text = M.notice(
                    M.NOTE_PROCESSING,
                    {"method": ko, "organization": org.title},
                    id=row.id,
                    title=row.title,
                    method=en,
                    organization=org.title,
                )
            elif isinstance(answer, Refuse):
                note = rules.clean_note(answer.note, required=True)
                rules.check_reason(answer.reason)
                row.answer_kind, row.status, row.closed_at = "refuse", "refused", now
                row.answer_reason = answer.reason
                event = {"kind": "refuse", "reason": answer.reason}
                detail = f"refuse {answer.reason}"
                reason = rules.REFUSAL_REASONS[answer.reason]
                text = M.notice(
                    M.NOTE_REFUSED,
                    {"reason": reason.label[0]},
                    id=row.id,
                    title=row.title,
                    organization=org.title,
                    reason=reason.label[1],
                )
            else:  # pragma: no cover - the type admits nothing else
                raise errors.InvalidInput(f"Unknown answer {answer!r}.")
            row.answer_note = note
            self._record(
                s,
                row,
                "answered",
                principal.user_id,
                detail,
                DeskAnswered(
                    actor=principal.ref,
                    time=now,
                    request_id=row.id,
                    organization=org.name,
                    note_sha256=canonical.sha256_text(note) if note else None,
                    **event,
                ),
            )
            self._notify(
                s, self._followers(s, row), "desk.answered", text, self._link(row), row=row
            )
            return self._info(s, row, principal)

    def deliver(
        self, request_id: int, dataset: str, version: int | None, *, principal: Principal
    ) -> RequestInfo:
        """A request answered "process" is provided by a published dataset (version)."""
        with self.db.write_session() as s:
            row = self._load(s, request_id, lock=True)
            org = self._holder_org(s, row, principal)
            if row.status != "processing":
                raise errors.Conflict(M.MSG_NOT_PROCESSING.format(status=row.status))
            number = self._dataset_version(s, dataset, version)
            now = self._now()
            row.status, row.closed_at = "provided", now
            row.answer_dataset, row.answer_version = dataset, number
            self._record(
                s,
                row,
                "delivered",
                principal.user_id,
                f"{dataset}@{number}",
                DeskAnswered(
                    actor=principal.ref,
                    time=now,
                    request_id=row.id,
                    organization=org.name,
                    kind="deliver",
                    dataset=dataset,
                    version=number,
                ),
            )
            text = M.notice(M.NOTE_PROVIDED, id=row.id, title=row.title, dataset=dataset)
            self._notify(
                s, self._followers(s, row), "desk.answered", text, self._link(row), row=row
            )
            return self._info(s, row, principal)

    def extend(self, request_id: int, reason: str, *, principal: Principal) -> RequestInfo:
        """Once per request: the deadline moves 10 more business days."""
        why = rules.clean_note(reason, required=True)
        with self.db.write_session() as s:
            row = self._load(s, request_id, lock=True)
            org = self._holder_org(s, row, principal)
            if row.status != "routed" or row.due_on is None:
                raise errors.Conflict(M.MSG_NOT_ROUTED.format(status=row.status))
            if row.extended:
                raise errors.Conflict(M.MSG_ALREADY_EXTENDED)
            row.due_on = add_business_days(row.due_on, rules.EXTENSION_DAYS, self.holidays)
            row.extended = True
            now = self._now()
            self._record(
                s,
                row,
                "extended",
                principal.user_id,
                row.due_on.isoformat(),
                DeskExtended(
                    actor=principal.ref,
                    time=now,
                    request_id=row.id,
                    organization=org.name,
                    due_on=row.due_on,
                    reason_sha256=canonical.sha256_text(why),
                ),
            )
            text = M.notice(
                M.NOTE_EXTENDED, id=row.id, title=row.title, due_on=row.due_on.isoformat()
            )
            self._notify(
                s, self._followers(s, row), "desk.extended", text, self._link(row), row=row
            )
            return self._info(s, row, principal)

    # ----- the clock ---------------------------------------------------------------------------
    def sweep_overdue(self, *, now: dt.datetime | None = None) -> list[int]:
        """Flag and escalate requests past their deadline (idempotent); the ids escalated now.

        Each request is flagged by one conditional UPDATE in its own transaction (under a named
        lock on PostgreSQL), so concurrent sweeps escalate (and notify) each request once."""
        at = now or self._now()
        today = rules.kst_date(at)
        late = (
            DeskRequest.status == "routed",
            DeskRequest.escalated.is_(False),
            DeskRequest.due_on < today,
        )
        with self.db.session() as s:
            ids = list(s.scalars(select(DeskRequest.id).where(*late).order_by(DeskRequest.id)))
        done: list[int] = []
        for rid in ids:
            with self.db.write_session() as s:
                lock_name(s, f"desk-sweep:{rid}")
                flagged = s.execute(
                    update(DeskRequest)
                    .where(DeskRequest.id == rid, *late)
                    .values(escalated=True, escalated_at=at)
                )
                if getattr(flagged, "rowcount", 0) != 1:
                    continue
                row = self._load(s, rid)
                s.refresh(row)
                org = s.get(Organization, row.organization_id)
                assert org is not None and row.due_on is not None
                self._record(
                    s,
                    row,
                    "escalated",
                    None,
                    row.due_on.isoformat(),
                    DeskEscalated(
                        actor="system",
                        time=at,
                        request_id=row.id,
                        organization=org.name,
                        due_on=row.due_on,
                    ),
                )
                text = M.notice(
                    M.NOTE_ESCALATED,
                    {"organization": org.title},
                    id=row.id,
                    title=row.title,
                    organization=org.title,
                    due_on=row.due_on.isoformat(),
                )
                people = self._members(s, org.id, roles=("owner",)) + self._admins(s)
                self._notify(s, people, "desk.escalated", text, HOLDER_LINK, row=row)
                done.append(rid)
        return done

    def sweep(self, *, principal: Principal) -> list[int]:
        """`sweep_overdue` now, for an admin (the API's and CLI's door to it)."""
        self._admin(principal)
        return self.sweep_overdue()

    # ----- statistics --------------------------------------------------------------------------
    def stats(self) -> DeskStats:
        """Public statistics (no private fields): counts in SQL, business-day medians from the
        routed and answered dates with the holiday calendar."""
        today = self._today()
        with self.db.session() as s:
            total = int(s.scalar(select(func.count(DeskRequest.id))) or 0)
            n_open = int(
                s.scalar(
                    select(func.count(DeskRequest.id)).where(DeskRequest.status.in_(rules.OPEN))
                )
                or 0
            )
            overdue = int(
                s.scalar(
                    select(func.count(DeskRequest.id)).where(
                        DeskRequest.status == "routed", DeskRequest.due_on < today
                    )
                )
                or 0
            )
            routed = int(
                s.scalar(
                    select(func.count(DeskRequest.id)).where(
                        DeskRequest.routed_at.is_not(None), DeskRequest.status != "withdrawn"
                    )
                )
                or 0
            )
            answers = s.execute(
                select(
                    DeskRequest.theme,
                    DeskRequest.answer_org_id,
                    DeskRequest.routed_at,
                    DeskRequest.answered_at,
                    DeskRequest.due_on,
                    DeskRequest.status,
                ).where(DeskRequest.answer_kind.is_not(None), DeskRequest.routed_at.is_not(None))
            ).all()
            days_all: list[int] = []
            on_time = 0
            by_theme_days: dict[str | None, list[int]] = {}
            by_org_days: dict[int | None, list[int]] = {}
            for theme, org_id, routed_at, answered_at, due_on, _st in answers:
                if routed_at is None or answered_at is None:  # pragma: no cover - filtered
                    continue
                n = business_days_between(
                    rules.kst_date(routed_at), rules.kst_date(answered_at), self.holidays
                )
                days_all.append(n)
                on_time += due_on is None or rules.kst_date(answered_at) <= due_on
                by_theme_days.setdefault(theme, []).append(n)
                by_org_days.setdefault(org_id, []).append(n)
            answered = len(answers)
            by_theme = self._counts(
                s,
                DeskRequest.theme,
                DeskRequest.theme.is_not(None),
                lambda key: (
                    vocab.label(vocab.THEMES, key, "ko"),
                    vocab.label(vocab.THEMES, key, "en"),
                ),
                by_theme_days,
            )
            org_key = func.coalesce(DeskRequest.answer_org_id, DeskRequest.organization_id)
            by_org = self._counts(
                s, org_key, org_key.is_not(None), lambda key: self._org_labels(s, key), by_org_days
            )
            wanted = s.scalars(
                select(DeskRequest)
                .where(DeskRequest.status.in_(rules.OPEN))
                .order_by(DeskRequest.supporters.desc(), DeskRequest.id)
                .limit(MOST_WANTED)
            )
            anonymous = Principal(kind="anonymous", scopes=frozenset({"read"}))
            most = tuple(self._info(s, r, anonymous) for r in wanted)
        return DeskStats(
            total=total,
            open=n_open,
            overdue=overdue,
            answer_rate=answered / routed if routed else 0.0,
            on_time_rate=on_time / answered if answered else 0.0,
            median_answer_days=_median(days_all),
            by_theme=by_theme,
            by_organization=by_org,
            most_wanted=most,
        )

    # ----- helpers: loading and rights ---------------------------------------------------------
    def _now(self) -> dt.datetime:
        return self.clock()

    def _today(self) -> dt.date:
        return rules.kst_date(self._now())

    @staticmethod
    def _load(s: Session, request_id: int, *, lock: bool = False) -> DeskRequest:
        row = s.get(DeskRequest, request_id, with_for_update=lock or None)
        if row is None:
            raise errors.NotFound(M.MSG_NO_REQUEST.format(id=request_id))
        return row

    @staticmethod
    def _user(p: Principal) -> int:
        if not rules.is_user(p):
            raise errors.NotAuthenticated(M.MSG_LOGIN)
        assert p.user_id is not None
        return p.user_id

    @staticmethod
    def _admin(p: Principal) -> None:
        if p.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_LOGIN)
        if not p.is_admin:
            raise errors.PermissionDenied(M.MSG_ADMIN_ONLY)

    def _holder_org(self, s: Session, row: DeskRequest, p: Principal) -> Organization:
        """The organisation the request is with, if `p` may act for it (editors, owners)."""
        if p.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_LOGIN)
        org = s.get(Organization, row.organization_id) if row.organization_id else None
        if org is None:
            if p.is_admin or p.kind == "system":
                raise errors.Conflict(M.MSG_NOT_ROUTED.format(status=row.status))
            raise errors.PermissionDenied(M.MSG_HOLDER_ONLY)
        if not rules.is_holder(p, org.name):
            raise errors.PermissionDenied(M.MSG_HOLDER_ONLY)
        return org

    @staticmethod
    def _require_open(row: DeskRequest) -> None:
        if row.status not in rules.OPEN:
            raise errors.Conflict(M.MSG_CLOSED.format(status=row.status))

    @staticmethod
    def _org(s: Session, name: str) -> Organization:
        org = s.scalar(select(Organization).where(Organization.name == name))
        if org is None:
            raise errors.NotFound(errors.MSG_ORG_NOT_FOUND.format(name=name))
        return org

    @staticmethod
    def _org_labels(s: Session, org_id: Any) -> tuple[str, str, str]:
        org = s.get(Organization, org_id)
        return (org.title, org.title, org.name) if org else ("", "", str(org_id))

    def _dataset_version(self, s: Session, dataset: str, version: int | None) -> int | None:
        """The version that answers: `version` if the dataset has it, else its latest (None for
        a metadata-only dataset). The dataset must be one the public may know of, without personal
        data (a de-identified release answers "process" and is delivered)."""
        ds = self.access.dataset(s, dataset)
        if ds.hidden or ds.access_level == "personal":
            raise errors.InvalidInput(M.MSG_NOT_VISIBLE.format(dataset=dataset))
        numbers = list(s.scalars(select(Version.number).where(Version.dataset_id == ds.id)))
        if version is None:
            return max(numbers) if numbers else None
        if version not in numbers:
            raise errors.NotFound(
                errors.MSG_VERSION_NOT_FOUND.format(
                    name=dataset, version=version, latest=max(numbers, default=0)
                )
            )
        return version

    def _private(self, s: Session, row: DeskRequest, p: Principal) -> bool:
        org = s.get(Organization, row.organization_id) if row.organization_id else None
        return rules.may_see_private(p, row.requester_id, org.name if org else None)

    @staticmethod
    def _supporter(s: Session, request_id: int, user_id: int) -> DeskSupporter | None:
        return s.scalar(
            select(DeskSupporter).where(
                DeskSupporter.request_id == request_id, DeskSupporter.user_id == user_id
            )
        )

    @staticmethod
    def _dispute(s: Session, request_id: int, *, status: str | None = None) -> DeskDispute | None:
        q = select(DeskDispute).where(DeskDispute.request_id == request_id)
        if status is not None:
            q = q.where(DeskDispute.status == status)
        return s.scalar(q.order_by(DeskDispute.id.desc()).limit(1))

    # ----- helpers: changes --------------------------------------------------------------------
    def _clean(self, d: RequestDraft) -> RequestDraft:
        rules.check_period(d.period_start, d.period_end)
        return dataclasses.replace(
            d,
            title=rules.clean_title(d.title),
            description=rules.clean_description(d.description),
            purpose=rules.clean_purpose(d.purpose),
            theme=vocab.check_choice("theme", d.theme, vocab.THEMES) if d.theme else None,
            formats=rules.check_formats(d.formats),
            frequency=rules.check_frequency(d.frequency),
            region=vocab.check_regions([d.region], 1)[0] if d.region else None,
            organization=d.organization or None,
        )

    def _suggest(self, d: RequestDraft, principal: Principal) -> Suggestions:
        with self.db.session() as s:
            open_rows = s.execute(
                select(DeskRequest.id, DeskRequest.title, DeskRequest.description)
                .where(DeskRequest.status.in_(rules.OPEN))
                .order_by(DeskRequest.id.desc())
                .limit(OPEN_REQUESTS_FOR_SUGGESTIONS)
            ).all()
            past: dict[str, list[str]] = {}
            for name, title, description in s.execute(
                select(Organization.name, DeskRequest.title, DeskRequest.description)
                .join(Organization, Organization.id == DeskRequest.answer_org_id)
                .where(DeskRequest.status == "provided")
            ):
                past.setdefault(name, []).append(f"{title}\n{description}")
        return self.suggester.suggest(
            RequestText(
                title=rules.clean_text(d.title),
                description=rules.clean_text(d.description),
                theme=d.theme or None,
                region=d.region or None,
            ),
            principal=principal,
            open_requests=[OpenRequest(i, t, desc) for i, t, desc in open_rows],
            past_answers=past,
        )

    def _route(
        self,
        s: Session,
        row: DeskRequest,
        org: Organization,
        principal: Principal,
        *,
        action: str,
        previous: Organization | None = None,
        note: str = "",
    ) -> None:
        """Send `row` to `org` with a new clock: due 10 business days after today (Korea)."""
        now = self._now()
        due = add_business_days(rules.kst_date(now), rules.DEADLINE_DAYS, self.holidays)
        row.status, row.organization_id = "routed", org.id
        row.routed_at, row.due_on = now, due
        row.extended, row.escalated, row.escalated_at = False, False, None
        self._record(
            s,
            row,
            action,
            principal.user_id,
            org.name,
            DeskRouted(
                actor=principal.ref,
                time=now,
                request_id=row.id,
                organization=org.name,
                due_on=due,
                previous=previous.name if previous else None,
                note_sha256=canonical.sha256_text(note) if note else None,
            ),
        )
        fields = {"id": row.id, "title": row.title, "organization": org.title}
        template = M.NOTE_TRANSFERRED if previous else M.NOTE_ROUTED
        text = M.notice(template, due_on=due.isoformat(), **fields)
        self._notify(s, self._followers(s, row), "desk.routed", text, self._link(row), row=row)
        text = M.notice(M.NOTE_ROUTED_HOLDER, due_on=due.isoformat(), **fields)
        self._notify(s, self._members(s, org.id), "desk.routed", text, HOLDER_LINK, row=row)

    @staticmethod
    def _clear_answer(row: DeskRequest) -> None:
        row.answer_kind = row.answer_note = row.answer_dataset = None
        row.answer_method = row.answer_reason = None
        row.answer_org_id = row.answered_by = row.answer_version = None
        row.answered_at = None
        row.answer_expected_on = None

    def _record(
        self,
        s: Session,
        row: DeskRequest,
        action: str,
        actor_id: int | None,
        detail: str,
        event: AnyEvent,
    ) -> None:
        """The ledger entry first (a failure fails the step), then the history row."""
        index = self.events.record(s, event)
        s.add(
            DeskEvent(
                request_id=row.id,
                at=event.time,
                action=action,
                actor_id=actor_id,
                detail=detail,
                ledger_index=index,
            )
        )

    # ----- helpers: who is told ----------------------------------------------------------------
    @staticmethod
    def _link(row: DeskRequest) -> str:
        return REQUESTER_LINK.format(id=row.id)

    def _notify(
        self,
        s: Session,
        users: Iterable[int],
        kind: str,
        text: tuple[str, str],
        link: str,
        *,
        row: DeskRequest,
    ) -> None:
        """Tell `users` in-app (and by their channels); the notice's webhook event names the
        request, and holder-facing notices reach the routed organisation's endpoints once."""
        org = s.get(Organization, row.organization_id) if row.organization_id else None
        event = Event(
            kind,
            {
                "request": row.id,
                "status": row.status,
                "title": row.title,
                "link": f"/requests/{row.id}",
            },
            org=org.name if org is not None and link == HOLDER_LINK else None,
        )
        for uid in dict.fromkeys(users):  # once each, in order
            self.notifier.notify(s, Notice(uid, kind, text, link, event))

    @staticmethod
    def _followers(s: Session, row: DeskRequest) -> list[int]:
        """The requester and the supporters."""
        return [row.requester_id] + list(
            s.scalars(
                select(DeskSupporter.user_id)
                .where(DeskSupporter.request_id == row.id)
                .order_by(DeskSupporter.id)
            )
        )

    @staticmethod
    def _members(s: Session, org_id: int, roles: Sequence[str] = EDITORS) -> list[int]:
        return list(
            s.scalars(
                select(Membership.user_id)
                .where(Membership.organization_id == org_id, Membership.role.in_(roles))
                .order_by(Membership.user_id)
            )
        )

    @staticmethod
    def _admins(s: Session) -> list[int]:
        return list(
            s.scalars(
                select(User.id)
                .where(User.platform_role == "admin", User.is_active.is_(True))
                .order_by(User.id)
            )
        )

    # ----- helpers: what is shown --------------------------------------------------------------
    def _filtered(
        self, q: Select[Any], s: Session, flt: RequestFilter, p: Principal
    ) -> Select[Any] | None:
        if flt.status:
            q = q.where(DeskRequest.status.in_(flt.status))
        if flt.organization:
            org_id = s.scalar(select(Organization.id).where(Organization.name == flt.organization))
            if org_id is None:
                return None
            q = q.where(DeskRequest.organization_id == org_id)
        if flt.mine:
            q = q.where(
                DeskRequest.id.in_(
                    select(DeskSupporter.request_id).where(DeskSupporter.user_id == p.user_id)
                )
            )
        if flt.overdue is not None:
            late = (DeskRequest.status == "routed") & (DeskRequest.due_on < self._today())
            q = q.where(late if flt.overdue else ~late)
        if flt.theme:
            q = q.where(DeskRequest.theme == flt.theme)
        if flt.q:
            words = [w for w in flt.q.split() if w][:8]
            for w in words:
                pattern = (
                    "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                )
                q = q.where(
                    or_(
                        DeskRequest.title.ilike(pattern, escape="\\"),
                        DeskRequest.description.ilike(pattern, escape="\\"),
                    )
                )
        return q

    @staticmethod
    def _person(s: Session, user_id: int | None, private: bool) -> str:
        if user_id is None:
            return "system"
        user = s.get(User, user_id)
        name = user.display_name if user else ""
        return name if private else rules.mask_name(name)

    def _info(self, s: Session, row: DeskRequest, p: Principal) -> RequestInfo:
        org = s.get(Organization, row.organization_id) if row.organization_id else None
        private = rules.may_see_private(p, row.requester_id, org.name if org else None)
        uid = p.user_id if rules.is_user(p) else None
        today = self._today()
        answer = None
        if row.answer_kind is not None and row.answered_at is not None:
            by_org = s.get(Organization, row.answer_org_id) if row.answer_org_id else None
            answer = AnswerInfo(
                kind=cast(Any, row.answer_kind),
                organization=by_org.name if by_org else "",
                answered_at=row.answered_at,
                answered_by=self._person(s, row.answered_by, private)
                if private
                else (by_org.title if by_org else ""),
                note=row.answer_note or "",
                dataset=row.answer_dataset,
                version=row.answer_version,
                method=row.answer_method,
                reason=row.answer_reason,
                expected_on=row.answer_expected_on,
            )
        dispute = None
        d = self._dispute(s, row.id)
        if d is not None:
            dispute = DisputeInfo(
                opened_at=d.opened_at,
                reasons=d.reasons if private else "",
                status=cast(Any, d.status),
                outcome_note=d.outcome_note,
                decided_at=d.decided_at,
                decided_by=self._person(s, d.decided_by, private) if d.decided_by else None,
            )
        return RequestInfo(
            id=row.id,
            title=row.title,
            description=row.description,
            theme=row.theme,
            formats=tuple(row.formats or ()),
            frequency=row.frequency,
            region=row.region,
            period_start=row.period_start,
            period_end=row.period_end,
            status=cast(Any, row.status),
            organization=org.name if org else None,
            organization_title=org.title if org else None,
            requester=self._person(s, row.requester_id, private),
            mine=uid is not None and uid == row.requester_id,
            supporters=row.supporters,
            supported_by_me=uid is not None and self._supporter(s, row.id, uid) is not None,
            filed_at=row.filed_at,
            routed_at=row.routed_at,
            due_on=row.due_on,
            extended=row.extended,
            overdue=rules.is_overdue(row.status, row.due_on, today),
            escalated=row.escalated,
            purpose=row.purpose if private else None,
            answer=answer,
            dispute=dispute,
        )

    def _counts(
        self,
        s: Session,
        key: Any,
        present: Any,
        labels: Callable[[Any], tuple[str, ...]],
        days: dict[Any, list[int]],
    ) -> tuple[Count, ...]:
        """Requests, answered and provided per `key` (SQL), with the median business days."""
        q = (
            select(
                key,
                func.count(DeskRequest.id),
                func.count(DeskRequest.answer_kind),
                func.count(DeskRequest.answer_dataset),
            )
            .where(present)
            .group_by(key)
            .order_by(func.count(DeskRequest.id).desc(), key)
        )
        out = []
        for k, n, answered, provided in s.execute(q):
            found = labels(k)
            out.append(
                Count(
                    key=found[2] if len(found) > 2 else str(k),
                    label=found[0],
                    label_en=found[1],
                    requests=int(n),
                    answered=int(answered),
                    provided=int(provided),
                    median_days=_median(days.get(k, [])),
                )
            )
        return tuple(out)


def _median(values: Sequence[int]) -> float | None:
    return float(statistics.median(values)) if values else None
