"""AI accountability over HTTP: the system registry, decision records, contests and oversight
under /api/v1/ai, and the person's decision page `/decisions/{ref}`.

Handlers are thin: one `DecisionService` call with the caller's principal. The person without
an account sends the access code in the `X-Decision-Code` header; a wrong code answers 404,
exactly like an unknown reference.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
from typing import Any

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field

from datanuri import errors
from datanuri.decisions import messages as M
from datanuri.decisions.records import DecisionDraft
from datanuri.decisions.systems import ModelCard
from datanuri.web import schemas
from datanuri.web.auth import PublishCaller, ReadCaller
from datanuri.web.deps import PlatformDep, RowId
from datanuri.web.schemas import Out

router = APIRouter(prefix="/ai", tags=["AI decisions"])
TEXT = 10_000
CodeHeader = Header(None, alias="X-Decision-Code", max_length=64)


# ----- bodies ----------------------------------------------------------------------------------
class SystemIn(BaseModel):
    name: str = Field(max_length=100)
    organization: str = Field(max_length=100)
    title: str = Field(max_length=300)
    purpose: str = Field(max_length=TEXT)
    risk_level: str = Field(max_length=20, description="minimal, limited or high")
    intended_use: str = Field(max_length=TEXT)
    limitations: str = Field(max_length=TEXT)
    metrics: dict[str, float] = Field(default_factory=dict)
    training_data: list[str] = Field(default_factory=list, description="dataset@version refs")
    reason_codes: dict[str, dict[str, str | None]] = Field(
        default_factory=dict, description='code -> {"ko", "en", "feature"}'
    )


class VersionIn(BaseModel):
    version: str = Field(max_length=100)
    kind: str = Field(max_length=20, description="linear, logistic, tree or other")
    parameters: dict[str, Any] = Field(default_factory=dict)
    method: str | None = Field(None, max_length=100)


class DecisionIn(BaseModel):
    system: str = Field(max_length=100)
    model_version: str = Field(max_length=100)
    idempotency_key: str = Field(max_length=200)
    inputs: dict[str, Any]
    output: str = Field(max_length=200)
    score: float | None = None
    reason_codes: list[str] = Field(default_factory=list)
    contributions: dict[str, float] | None = None
    base_value: float | None = None
    method: str | None = Field(None, max_length=100)
    groups: dict[str, str] | None = None
    subject_user_id: int | None = None
    subject_rrn: str | None = Field(
        None,
        max_length=20,
        description="the person's resident registration number: only its MyData linking "
        "identifier is kept, so the person linked to it finds the decision",
    )


class EvidenceIn(BaseModel):
    name: str = Field(max_length=200)
    content_base64: str = Field(max_length=15 * 1024 * 1024)


class ContestIn(BaseModel):
    explanation: str = Field(max_length=TEXT)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=5)


class AssignIn(BaseModel):
    reviewer: str = Field(max_length=320, description="the reviewer's e-mail")


class DecideIn(BaseModel):
    outcome: str = Field(max_length=20, description="uphold or overturn")
    reasons: str = Field(max_length=TEXT)
    corrected_output: str | None = Field(None, max_length=200)
    corrected_score: float | None = None


# ----- answers ---------------------------------------------------------------------------------
class SystemOut(Out):
    name: str
    organization: str
    title: str
    risk_level: str
    model_versions: list[str]
    training_data: list[dict[str, Any]]
    ledger_index: int | None


class ContestOut(Out):
    id: int
    reference: str
    system: str
    status: str
    deadline_at: dt.datetime
    overdue: bool
    reviewer: str | None
    steps: list[dict[str, Any]]


class DecisionOut(Out):
    reference: str
    system: str
    model_version: str
    method: str
    output: str
    score: float | None
    contributions: dict[str, float]
    reasons: list[dict[str, Any]]
    inputs: dict[str, Any]
    status: str
    contests: list[ContestOut]
    ledger_index: int | None


class RecordedOut(Out):
    reference: str
    access_code: str
    replayed: bool
    decision: DecisionOut


class OversightOut(Out):
    system: str
    figures: dict[str, Any]
    overdue: list[ContestOut]
    open_contests: int


class EscalatedOut(Out):
    escalated: list[int]


def _plain(x: Any) -> Any:
    return dataclasses.asdict(x) if dataclasses.is_dataclass(x) and not isinstance(x, type) else x


def _lang(request: Request) -> str:
    return "ko" if request.headers.get("accept-language", "").lower().startswith("ko") else "en"


# ----- the registry ----------------------------------------------------------------------------
@router.get("/systems", response_model=list[SystemOut])
def list_systems(me: ReadCaller, p: PlatformDep) -> list[dict[str, Any]]:
    """Every registered AI system with its model card (the registry names no person)."""
    return [_plain(x) for x in p.decisions.systems()]


@router.post("/systems", status_code=201, response_model=SystemOut)
def register_system(body: SystemIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Register an AI system of an organisation the caller edits or owns."""
    card = ModelCard(body.intended_use, body.limitations, body.metrics, tuple(body.training_data))
    info = p.decisions.register_system(
        body.name,
        organization=body.organization,
        title=body.title,
        purpose=body.purpose,
        risk_level=body.risk_level,
        card=card,
        reason_codes=body.reason_codes,
        principal=me,
    )
    return _plain(info)


@router.get("/systems/{name}", response_model=SystemOut)
def get_system(name: str, me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    """One system's model card, model versions and reason-code catalogue."""
    return _plain(p.decisions.system(name))


@router.post("/systems/{name}/versions", status_code=201, response_model=SystemOut)
def add_version(name: str, body: VersionIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Add a model version (linear and logistic: coefficients, intercept and baseline)."""
    info = p.decisions.add_model_version(
        name,
        version=body.version,
        kind=body.kind,
        parameters=body.parameters,
        method=body.method,
        principal=me,
    )
    return _plain(info)


@router.get("/systems/{name}/decisions", response_model=list[DecisionOut])
def system_decisions(name: str, me: ReadCaller, p: PlatformDep) -> list[dict[str, Any]]:
    """A system's decisions, newest first (its owners, admins and auditors)."""
    return [_plain(d) for d in p.decisions.decisions(name, principal=me)]


@router.get("/systems/{name}/oversight", response_model=OversightOut)
def system_oversight(name: str, me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    """Decisions, contest and overturn rates per group (red flags), open cases past deadline."""
    return _plain(p.decisions.oversight(name, principal=me))


# ----- decisions -------------------------------------------------------------------------------
@router.post("/decisions", status_code=201, response_model=RecordedOut)
def record_decision(body: DecisionIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Record a decision about a person; give them the reference and access code returned
    (the same on a replay of the idempotency key)."""
    draft = DecisionDraft(
        system=body.system,
        model_version=body.model_version,
        idempotency_key=body.idempotency_key,
        inputs=body.inputs,
        output=body.output,
        score=body.score,
        reason_codes=tuple(body.reason_codes),
        contributions=body.contributions,
        base_value=body.base_value,
        method=body.method,
        groups=body.groups,
        subject_user_id=body.subject_user_id,
        subject_rrn=body.subject_rrn,
    )
    return _plain(p.decisions.record(draft, principal=me))


@router.get("/decisions/{reference}", response_model=DecisionOut)
def get_decision(
    reference: str,
    request: Request,
    me: ReadCaller,
    p: PlatformDep,
    code: str | None = CodeHeader,
) -> dict[str, Any]:
    """A decision for its person (access code, or logged in as its subject) or its owners:
    reasons in words (Accept-Language ko or en), the data used and its contests."""
    return _plain(p.decisions.view(reference, code=code, principal=me, lang=_lang(request)))


@router.get("/decisions/{reference}/receipts/{step}", response_model=schemas.ReceiptOut)
def decision_receipt(
    reference: str, step: str, me: ReadCaller, p: PlatformDep, code: str | None = CodeHeader
) -> dict[str, Any]:
    """The ledger receipt of one step (recorded, filed, assigned, decided, corrected,
    escalated), to verify offline with `datanuri verify` and the log's public key."""
    return p.decisions.receipt(reference, step=step, code=code, principal=me, ledger=p.ledger)


@router.post("/decisions/{reference}/contests", status_code=201, response_model=ContestOut)
def file_contest(
    reference: str,
    body: ContestIn,
    me: ReadCaller,
    p: PlatformDep,
    code: str | None = CodeHeader,
) -> dict[str, Any]:
    """Contest a decision with an explanation and evidence files (base64)."""
    files = []
    for e in body.evidence:
        try:
            files.append((e.name, base64.b64decode(e.content_base64, validate=True)))
        except (binascii.Error, ValueError) as err:
            raise errors.InvalidInput(M.MSG_BASE64) from err
    info = p.decisions.file_contest(
        reference, code=code, explanation=body.explanation, evidence=files, principal=me
    )
    return _plain(info)


# ----- contests --------------------------------------------------------------------------------
@router.get("/contests", response_model=list[ContestOut])
def list_contests(
    me: ReadCaller,
    p: PlatformDep,
    status: str = Query("open", max_length=20, description="open, upheld, overturned or all"),
) -> list[dict[str, Any]]:
    """The contests assigned to the caller (all for admins), nearest deadline first."""
    chosen = None if status == "all" else status
    return [_plain(c) for c in p.decisions.contests(principal=me, status=chosen)]


@router.post("/contests/escalate", response_model=EscalatedOut)
def escalate(me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Escalate open contests past their deadline (admins; idempotent)."""
    return {"escalated": p.decisions.escalate_overdue(principal=me)}


@router.post("/contests/{contest_id}/assign", response_model=ContestOut)
def assign(contest_id: RowId, body: AssignIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Give a contest to a reviewer outside the system's owner organisation (admins)."""
    return _plain(p.decisions.assign(contest_id, reviewer=body.reviewer, principal=me))


@router.post("/contests/{contest_id}/decide", response_model=ContestOut)
def decide(contest_id: RowId, body: DecideIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Uphold or overturn (with the corrected output), with written reasons; the assigned
    reviewer only."""
    info = p.decisions.decide(
        contest_id,
        outcome=body.outcome,
        reasons_text=body.reasons,
        corrected_output=body.corrected_output,
        corrected_score=body.corrected_score,
        principal=me,
    )
    return _plain(info)
