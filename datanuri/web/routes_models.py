"""The model registry over HTTP under /api/v1/ai: registered model versions, their model cards
(JSON, and HTML in ko/en), drift monitors and their runs. Thin wrappers over `ModelRegistry`."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from datanuri import errors
from datanuri.audit import messages as M
from datanuri.audit.card import render_card_html
from datanuri.audit.drift import DriftOptions
from datanuri.audit.registry import Registration
from datanuri.audit.service import UploadedTable
from datanuri.web.auth import PublishCaller, ReadCaller
from datanuri.web.deps import PlatformDep, RowId
from datanuri.web.schemas import Out

router = APIRouter(prefix="/ai", tags=["AI models"])
FILE_LIMIT = 64 * 1024 * 1024


class ModelIn(BaseModel):
    system: str = Field(max_length=100)
    version: str = Field(max_length=100)
    kind: str = Field(max_length=20, description="linear, logistic, tree or other")
    features: list[str] = Field(max_length=1000)
    training_data: list[str] = Field(max_length=50, description="dataset@version refs")
    parameters: dict[str, Any] = Field(default_factory=dict)
    method: str | None = Field(None, max_length=100)
    metrics: dict[str, float] = Field(default_factory=dict)
    description: str = Field("", max_length=2000)


class CardSystem(BaseModel):
    name: str
    title: str
    organization: str
    purpose: str
    risk_level: str
    intended_use: str
    limitations: str


class CardModel(BaseModel):
    version: str
    kind: str
    explanation_method: str | None
    features: list[str]
    parameters: dict[str, Any]
    metrics: dict[str, float]
    description: str
    ledger_index: int | None
    registered_at: str


class CardAudit(BaseModel):
    id: int
    kind: str
    passed: bool | None
    proxies: list[str] = Field(description="features the audit flagged as proxies")
    ledger_index: int | None
    created_at: str


class Datasheet(BaseModel):
    dataset: str
    version: int
    ledger_index: int
    title: str
    audits: list[CardAudit]


class CardDrift(BaseModel):
    run: int
    drifted: list[str]
    at: str
    ledger_index: int | None


class CardOut(BaseModel):
    """A model card: the system, the model version, its decisions, its training data's
    datasheets and its last drift run."""

    system: CardSystem
    model: CardModel
    decisions: int
    datasheets: list[Datasheet]
    drift: CardDrift | None


class MonitorIn(BaseModel):
    window_days: int = Field(30, ge=1, le=3660)
    min_rows: int = Field(30, ge=1, le=10_000_000)
    alpha: float = Field(0.01, gt=0, lt=0.5)
    bins: int = Field(10, ge=2, le=100)


class RunIn(BaseModel):
    file_name: str | None = Field(None, max_length=400, description="A batch of live inputs…")
    file_base64: str | None = Field(None, max_length=FILE_LIMIT, description="…(CSV, Parquet)")
    outcome: str | None = Field(None, max_length=200, description="Batch column: true outcome")
    label: str | None = Field(None, max_length=200, description="Batch column: predicted label")


class ModelOut(Out):
    system: str
    organization: str
    version: str
    kind: str
    features: list[str]
    training_data: list[dict[str, Any]]
    metrics: dict[str, float]
    ledger_index: int | None


class MonitorOut(Out):
    id: int
    system: str
    version: str
    window_days: int
    min_rows: int
    active: bool
    last_run_at: dt.datetime | None


class RunOut(Out):
    id: int
    monitor_id: int
    source: str
    drifted: list[str]
    result: dict[str, Any]
    ledger_index: int | None


class RunAnswer(Out):
    run: RunOut | None = Field(description="None: too few live rows, nothing compared")


def _plain(x: Any) -> dict[str, Any]:
    return dataclasses.asdict(x)


@router.get("/models", response_model=list[ModelOut])
def list_models(me: ReadCaller, p: PlatformDep) -> list[dict[str, Any]]:
    """Every registered model version (the registry names no person)."""
    return [_plain(m) for m in p.models.models()]


@router.post("/models", status_code=201, response_model=ModelOut)
def register_model(body: ModelIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Register a model version of a system the caller's organisation owns (in the ledger)."""
    reg = Registration(
        system=body.system,
        version=body.version,
        kind=body.kind,
        features=tuple(body.features),
        training_data=tuple(body.training_data),
        parameters=body.parameters,
        method=body.method,
        metrics=body.metrics,
        description=body.description,
    )
    return _plain(p.models.register(reg, principal=me))


@router.get("/models/{system}/{version}/card", response_model=CardOut)
def model_card(system: str, version: str, me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    """The model card with the datasheets of its training data, as JSON."""
    return p.models.card(system, version).to_dict()


@router.get("/models/{system}/{version}/card.html", response_class=HTMLResponse)
def model_card_html(
    system: str,
    version: str,
    me: ReadCaller,
    p: PlatformDep,
    lang: Literal["ko", "en"] = Query("ko", description="ko | en"),
) -> HTMLResponse:
    """The model card as a standalone HTML page in Korean or English."""
    return HTMLResponse(render_card_html(p.models.card(system, version), lang))


@router.post("/models/{system}/{version}/monitors", status_code=201, response_model=MonitorOut)
def add_monitor(
    system: str, version: str, body: MonitorIn, me: PublishCaller, p: PlatformDep
) -> dict[str, Any]:
    """Watch a registered model's live inputs against its training data (owners only)."""
    m = p.models.add_monitor(
        system,
        version,
        options=DriftOptions(alpha=body.alpha, bins=body.bins),
        window_days=body.window_days,
        min_rows=body.min_rows,
        principal=me,
    )
    return _plain(m)


@router.get("/monitors", response_model=list[MonitorOut])
def list_monitors(me: ReadCaller, p: PlatformDep) -> list[dict[str, Any]]:
    """Every drift monitor (which model, how often, last run)."""
    return [_plain(m) for m in p.models.monitors()]


@router.post("/monitors/{monitor_id}/runs", response_model=RunAnswer)
def run_monitor(
    monitor_id: RowId, body: RunIn, me: PublishCaller, p: PlatformDep
) -> dict[str, Any]:
    """Run a monitor now, on the recent decisions or on a batch; alerts the owners if drifted."""
    batch = None
    if body.file_base64 is not None:
        try:
            content = base64.b64decode(body.file_base64, validate=True)
        except (binascii.Error, ValueError):
            raise errors.InvalidInput(
                M.MSG_BAD_FILE.format(name=body.file_name or "", reason="not base64")
            ) from None
        batch = UploadedTable(body.file_name or "batch", content)
    run = p.models.run(
        monitor_id, batch=batch, outcome=body.outcome, label=body.label, principal=me
    )
    return {"run": _plain(run) if run else None}


@router.get("/monitors/{monitor_id}/runs", response_model=list[RunOut])
def monitor_runs(monitor_id: RowId, me: ReadCaller, p: PlatformDep) -> list[dict[str, Any]]:
    """A monitor's past runs with their figures (the owner organisation's editors)."""
    return [_plain(r) for r in p.models.runs(monitor_id, principal=me)]
