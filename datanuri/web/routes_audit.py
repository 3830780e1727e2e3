"""AI accountability audits over the REST API: run a model or dataset audit on a dataset version
the caller may read (or on a file sent in the body), read a stored audit and its HTML report."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from datanuri import errors
from datanuri.audit import messages as M
from datanuri.audit.report import render_html
from datanuri.audit.service import (
    MAX_BOOTSTRAP,
    DatasetSpec,
    ModelSpec,
    Source,
    UploadedTable,
    VersionRef,
)
from datanuri.audit.thresholds import parse
from datanuri.web.auth import PublishCaller, ReadCaller
from datanuri.web.deps import PlatformDep, RowId
from datanuri.web.schemas import Out


class AuditOut(Out):
    """A stored audit: what it looked at, the hashes the ledger entry names, and its result
    (per-group figures, differences and ratios with intervals, verdicts; see `audit/report.py`)."""

    id: int
    kind: str = Field(description="model | dataset | release")
    target: str = Field(description='"dataset:NAME@VERSION" or "file:NAME"')
    hashes: dict[str, str]
    parameters: dict[str, Any]
    result: dict[str, Any]
    created_by: str
    created_at: str
    ledger_index: int | None


router = APIRouter(tags=["audits"])
FILE_LIMIT = 64 * 1024 * 1024  # bytes of a file sent in the body (base64)


class AuditTarget(BaseModel):
    dataset: str | None = Field(None, max_length=200, description="A dataset to audit")
    version: int | None = Field(None, ge=1, description="Its version (default: the current one)")
    file_name: str | None = Field(None, max_length=400, description="Or a file's name…")
    file_base64: str | None = Field(
        None, max_length=FILE_LIMIT, description="…and its content (CSV, Parquet, JSON lines)"
    )

    def source(self) -> Source:
        if self.dataset:
            return VersionRef(self.dataset, self.version)
        if self.file_base64 is None:
            raise errors.InvalidInput(M.MSG_BAD_FILE.format(name="", reason="no dataset or file"))
        try:
            content = base64.b64decode(self.file_base64, validate=True)
        except (binascii.Error, ValueError):
            raise errors.InvalidInput(
                M.MSG_BAD_FILE.format(name=self.file_name or "", reason="not base64")
            ) from None
        return UploadedTable(self.file_name or "upload", content)


class ModelAuditIn(AuditTarget):
    y_true: str = Field(max_length=200)
    y_pred: str = Field(max_length=200)
    score: str | None = Field(None, max_length=200)
    groups: list[str] = Field(min_length=1, max_length=8)
    thresholds: list[str] = Field(default_factory=list, max_length=20)
    bootstrap: int = Field(1000, ge=0, le=MAX_BOOTSTRAP)
    seed: int | None = None
    pos_label: str | None = Field(None, max_length=200)


class DatasetAuditIn(AuditTarget):
    groups: list[str] = Field(min_length=1, max_length=8)
    label: str | None = Field(None, max_length=200)
    pos_label: str | None = Field(None, max_length=200)
    reference: dict[str, float] = Field(default_factory=dict)
    proxies: bool = True


@router.post("/audits/model", status_code=201, response_model=AuditOut)
async def model_audit(body: ModelAuditIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Audit a model's predictions per group (selection rate, TPR, FPR, PPV, AUC, calibration),
    with bootstrap intervals of the differences and ratios and verdicts on the thresholds."""
    spec = ModelSpec(
        y_true=body.y_true,
        y_pred=body.y_pred,
        groups=tuple(body.groups),
        score=body.score,
        thresholds=tuple(parse(body.thresholds)),
        bootstrap=body.bootstrap,
        seed=body.seed,
        pos_label=body.pos_label,
    )
    record = await run_in_threadpool(p.audits.model, body.source(), spec, principal=me)
    return record.to_dict()


@router.post("/audits/dataset", status_code=201, response_model=AuditOut)
async def dataset_audit(body: DatasetAuditIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Audit a table: representation against a reference, label balance, missing values and
    proxies per protected group."""
    spec = DatasetSpec(
        groups=tuple(body.groups),
        label=body.label,
        pos_label=body.pos_label,
        reference=body.reference,
        proxies=body.proxies,
    )
    record = await run_in_threadpool(p.audits.dataset, body.source(), spec, principal=me)
    return record.to_dict()


@router.get("/audits/{audit_id}", response_model=AuditOut)
def get_audit(audit_id: RowId, me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    """A stored audit (for whoever ran it, and administrators)."""
    return p.audits.get(audit_id, principal=me).to_dict()


@router.get("/audits/{audit_id}/report.html", response_class=HTMLResponse)
def get_audit_report(
    audit_id: RowId,
    me: ReadCaller,
    p: PlatformDep,
    lang: Literal["ko", "en"] = Query("ko", description="ko | en"),
) -> HTMLResponse:
    """The audit's report as a standalone HTML page with inline SVG charts."""
    record = p.audits.get(audit_id, principal=me)
    return HTMLResponse(render_html(record.result, lang, hashes=record.hashes))
