"""The data request desk's REST API under /api/v1/requests (the pages are in their own module).

Handlers are thin: one `RequestDesk` call with the caller's principal; the service decides who
may do what. Responses are the service's dataclasses, so OpenAPI describes them as they are.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from datanuri.desk import rules
from datanuri.desk.service import (
    AnswerKind,
    DeskStats,
    DisputeStatus,
    Filed,
    HistoryEntry,
    Process,
    Provide,
    Refuse,
    RequestDraft,
    RequestFilter,
    RequestInfo,
    RequestPage,
    Status,
    Transfer,
)
from datanuri.desk.suggest import Suggestions
from datanuri.web.auth import AdminCaller, PublishCaller, ReadCaller
from datanuri.web.deps import PlatformDep, RowId

router = APIRouter(prefix="/requests", tags=["data requests"])
TEXT_LIMIT = 8000  # characters read from a field (the service holds the real limits)
NAME = 100


# ----- bodies -------------------------------------------------------------------------------------
class DraftIn(BaseModel):
    title: str = Field(max_length=TEXT_LIMIT, description="What data is wanted, in a line.")
    description: str = Field(max_length=TEXT_LIMIT, description="Items, detail, coverage.")
    purpose: str = Field(
        max_length=TEXT_LIMIT,
        description="What it is for; seen only by you, the holder and the desk's admins.",
    )
    theme: str | None = Field(None, max_length=NAME, description="A catalogue theme.")
    formats: list[str] = Field(default_factory=list, max_length=20, description="csv, api, ...")
    frequency: str | None = Field(None, max_length=20, description="once, daily, monthly, ...")
    region: str | None = Field(None, max_length=NAME, description="A 시도/시군구 id, e.g. 11.")
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    organization: str | None = Field(
        None, max_length=NAME, description="The holder, if known: the request is routed at once."
    )

    def draft(self) -> RequestDraft:
        return RequestDraft(
            title=self.title,
            description=self.description,
            purpose=self.purpose,
            theme=self.theme,
            formats=tuple(self.formats),
            frequency=self.frequency,
            region=self.region,
            period_start=self.period_start,
            period_end=self.period_end,
            organization=self.organization,
        )


class RouteIn(BaseModel):
    organization: str = Field(max_length=NAME, description="The holder to send the request to.")


class ProvideIn(BaseModel):
    kind: Literal["provide"]
    dataset: str = Field(max_length=NAME)
    version: int | None = Field(None, ge=1, description="Default: the latest version.")
    note: str = Field("", max_length=TEXT_LIMIT)


class ProcessIn(BaseModel):
    kind: Literal["process"]
    method: Literal["deidentify", "aggregate", "linkage"]
    note: str = Field("", max_length=TEXT_LIMIT)
    expected_on: dt.date | None = None


class RefuseIn(BaseModel):
    kind: Literal["refuse"]
    reason: str = Field(max_length=40, description="A code of GET /requests/vocabulary.")
    note: str = Field(max_length=TEXT_LIMIT, description="Why, for the requester.")


class TransferIn(BaseModel):
    kind: Literal["transfer"]
    organization: str = Field(max_length=NAME)
    note: str = Field("", max_length=TEXT_LIMIT)


AnswerIn = Annotated[ProvideIn | ProcessIn | RefuseIn | TransferIn, Field(discriminator="kind")]


class DeliverIn(BaseModel):
    dataset: str = Field(max_length=NAME)
    version: int | None = Field(None, ge=1)


class ExtendIn(BaseModel):
    reason: str = Field(max_length=TEXT_LIMIT, description="Why more time is needed.")


class DisputeIn(BaseModel):
    reasons: str = Field(max_length=TEXT_LIMIT, description="Why the answer is contested.")


class DecisionIn(BaseModel):
    outcome: Literal["upheld", "dismissed", "settled"]
    note: str = Field("", max_length=TEXT_LIMIT)


class Swept(BaseModel):
    escalated: list[int] = Field(description="The requests flagged overdue by this sweep.")


class Label(BaseModel):
    code: str
    ko: str
    en: str
    basis_ko: str | None = None
    basis_en: str | None = None


class Vocabulary(BaseModel):
    statuses: list[Label]
    formats: list[Label]
    frequencies: list[Label]
    methods: list[Label]
    refusal_reasons: list[Label]
    dispute_outcomes: list[Label]


def _answer(body: ProvideIn | ProcessIn | RefuseIn | TransferIn) -> AnswerKind:
    if isinstance(body, ProvideIn):
        return Provide(body.dataset, body.version, body.note)
    if isinstance(body, ProcessIn):
        return Process(body.method, body.note, body.expected_on)
    if isinstance(body, RefuseIn):
        return Refuse(body.reason, body.note)
    return Transfer(body.organization, body.note)


def _labels(vocab: dict[str, tuple[str, str]]) -> list[Label]:
    return [Label(code=k, ko=ko, en=en) for k, (ko, en) in vocab.items()]


# ----- routes -------------------------------------------------------------------------------------
@router.get("", response_model=RequestPage)
def find_requests(
    me: ReadCaller,
    p: PlatformDep,
    status: Annotated[list[Status] | None, Query(description="Any of these statuses.")] = None,
    organization: Annotated[str | None, Query(max_length=NAME)] = None,
    mine: bool = False,
    overdue: bool | None = None,
    theme: Annotated[str | None, Query(max_length=NAME)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=rules.LIST_MAX)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> RequestPage:
    """Data requests, newest first (purpose and full names only for those allowed)."""
    flt = RequestFilter(
        status=tuple(status or ()),
        organization=organization,
        mine=mine,
        overdue=overdue,
        theme=theme,
        q=q,
        limit=limit,
        offset=offset,
    )
    return p.desk.find(flt, principal=me)


@router.post("", status_code=201, response_model=Filed)
def file_request(body: DraftIn, me: PublishCaller, p: PlatformDep) -> Filed:
    """File a request for data not yet open; existing datasets, likely holders and similar
    requests come back with it."""
    return p.desk.file(body.draft(), principal=me)


@router.get("/preview", response_model=Suggestions)
def preview(
    me: ReadCaller,
    p: PlatformDep,
    title: Annotated[str, Query(max_length=500)] = "",
    description: Annotated[str, Query(max_length=4000)] = "",
    theme: Annotated[str | None, Query(max_length=NAME)] = None,
    region: Annotated[str | None, Query(max_length=NAME)] = None,
) -> Suggestions:
    """What may already answer a draft, before it is filed."""
    draft = RequestDraft(title, description, "", theme=theme, region=region)
    return p.desk.preview(draft, principal=me)


@router.get("/stats", response_model=DeskStats)
def stats(me: ReadCaller, p: PlatformDep) -> DeskStats:
    """Public statistics: requests by theme and organisation, answer rates and times, the most
    wanted data."""
    return p.desk.stats()


@router.get("/vocabulary", response_model=Vocabulary)
def vocabulary(me: ReadCaller) -> Vocabulary:
    """The codes the desk takes, with Korean and English labels (refusal reasons with their
    legal basis)."""
    return Vocabulary(
        statuses=_labels(rules.STATUSES),
        formats=_labels(rules.FORMATS),
        frequencies=_labels(rules.FREQUENCIES),
        methods=_labels(rules.PROCESS_METHODS),
        refusal_reasons=[
            Label(
                code=r.code,
                ko=r.label[0],
                en=r.label[1],
                basis_ko=r.basis[0],
                basis_en=r.basis[1],
            )
            for r in rules.REFUSAL_REASONS.values()
        ],
        dispute_outcomes=_labels({k: rules.DISPUTE_STATUSES[k] for k in rules.DISPUTE_OUTCOMES}),
    )


@router.post("/sweep", response_model=Swept)
def sweep(me: AdminCaller, p: PlatformDep) -> Swept:
    """Flag and escalate the requests past their deadline (admins; also run on a timer)."""
    return Swept(escalated=p.desk.sweep(principal=me))


@router.get("/{request_id:int}", response_model=RequestInfo)
def get_request(request_id: RowId, me: ReadCaller, p: PlatformDep) -> RequestInfo:
    return p.desk.get(request_id, principal=me)


@router.get("/{request_id:int}/history", response_model=list[HistoryEntry])
def history(request_id: RowId, me: ReadCaller, p: PlatformDep) -> list[HistoryEntry]:
    """The request's steps, each with its ledger entry's index."""
    return p.desk.history(request_id, principal=me)


@router.post("/{request_id:int}/support", response_model=RequestInfo)
def support(request_id: RowId, me: PublishCaller, p: PlatformDep) -> RequestInfo:
    """ "Me too": join the request (counts demand; you get its notices)."""
    return p.desk.support(request_id, principal=me)


@router.delete("/{request_id:int}/support", response_model=RequestInfo)
def unsupport(request_id: RowId, me: PublishCaller, p: PlatformDep) -> RequestInfo:
    return p.desk.unsupport(request_id, principal=me)


@router.post("/{request_id:int}/withdraw", response_model=RequestInfo)
def withdraw(request_id: RowId, me: PublishCaller, p: PlatformDep) -> RequestInfo:
    """The requester withdraws an open request."""
    return p.desk.withdraw(request_id, principal=me)


@router.post("/{request_id:int}/route", response_model=RequestInfo)
def route(request_id: RowId, body: RouteIn, me: AdminCaller, p: PlatformDep) -> RequestInfo:
    """A desk admin sends a filed request to a holder; its deadline starts."""
    return p.desk.route(request_id, body.organization, principal=me)


@router.post("/{request_id:int}/answer", response_model=RequestInfo)
def answer(request_id: RowId, body: AnswerIn, me: PublishCaller, p: PlatformDep) -> RequestInfo:
    """The holder's editors and owners answer: provide, process, refuse (a legal reason) or
    transfer to another organisation."""
    return p.desk.answer(request_id, _answer(body), principal=me)


@router.post("/{request_id:int}/deliver", response_model=RequestInfo)
def deliver(request_id: RowId, body: DeliverIn, me: PublishCaller, p: PlatformDep) -> RequestInfo:
    """Provide a request answered "process" with the published dataset."""
    return p.desk.deliver(request_id, body.dataset, body.version, principal=me)


@router.post("/{request_id:int}/extend", response_model=RequestInfo)
def extend(request_id: RowId, body: ExtendIn, me: PublishCaller, p: PlatformDep) -> RequestInfo:
    """Extend the deadline by 10 business days, once."""
    return p.desk.extend(request_id, body.reason, principal=me)


@router.post("/{request_id:int}/dispute", response_model=RequestInfo)
def dispute(request_id: RowId, body: DisputeIn, me: PublishCaller, p: PlatformDep) -> RequestInfo:
    """The requester contests a refusal (or a passed deadline) for mediation."""
    return p.desk.open_dispute(request_id, body.reasons, principal=me)


@router.post("/{request_id:int}/dispute/decision", response_model=RequestInfo)
def decide(request_id: RowId, body: DecisionIn, me: AdminCaller, p: PlatformDep) -> RequestInfo:
    """An admin records the mediation's outcome ("upheld" reopens it with the holder)."""
    outcome: DisputeStatus = body.outcome
    return p.desk.decide_dispute(request_id, outcome, body.note, principal=me)
