"""The linkage zone over HTTP, under /api/v1/linkage: projects, the key authority's salt,
holders' keyed uploads, match runs, queries inside the zone, export requests, reviews and
closing. Handlers are thin: one `LinkageZone` call with the caller's principal. Query results
are answered to the analyst's call only; nothing of the zone is offered for download."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, Field

from datanuri.linkage.match import LinkOptions
from datanuri.linkage.outputs import NoiseRequest
from datanuri.linkage.zone import ExportDraft, HolderRef, ProjectDraft
from datanuri.web.auth import PublishCaller, ReadCaller
from datanuri.web.deps import PlatformDep, RowId
from datanuri.web.schemas import Out

router = APIRouter(prefix="/linkage", tags=["Linkage zone"])
TEXT = 10_000
SQL = 20_000


class HolderIn(BaseModel):
    organization: str = Field(max_length=100)
    email: str = Field(max_length=320, description="the person who uploads for it")


class ProjectIn(BaseModel):
    name: str = Field(max_length=100)
    purpose: str = Field(max_length=TEXT)
    legal_basis: str = Field(max_length=TEXT)
    operator: str = Field(max_length=100, description="the zone operator organisation")
    key_authority: str = Field(max_length=320)
    holders: list[HolderIn] = Field(max_length=50)
    analysts: list[str] = Field(max_length=50)
    reviewers: list[str] = Field(max_length=50)
    expires_on: dt.date


class RunIn(BaseModel):
    rules: list[list[str]] = Field(
        default_factory=list, max_length=20, description="keys that must all agree, per rule"
    )


class QueryIn(BaseModel):
    sql: str = Field(max_length=SQL)


class ExportIn(BaseModel):
    sql: str = Field(max_length=SQL, description="a SELECT giving one row per record")
    group_by: list[str] = Field(
        default_factory=list, max_length=10, description="the cells' columns; none for rows"
    )
    value: str | None = Field(None, max_length=100, description="summed per cell (magnitude)")
    title: str | None = Field(None, max_length=300)
    policy: dict[str, Any] | None = Field(
        None, description="a row-level table: the privacy policy (as `datanuri privacy apply`)"
    )
    epsilon: float | None = Field(None, description="cells with OpenDP noise under this epsilon")
    bounds: tuple[float, float] | None = Field(None, description="the value's clamping bounds")
    contributions: int = Field(1, description="records one linked person may add (noise)")


class ReviewIn(BaseModel):
    approve: bool
    reason: str = Field(max_length=TEXT)


class ProjectOut(Out):
    name: str
    purpose: str
    legal_basis: str
    operator: str
    status: str
    expires_on: dt.date
    holders: list[str]
    members: list[list[str]]
    salt_fingerprint: str | None
    ledger_index: int | None


class SaltOut(Out):
    salt_base64: str


class UploadOut(Out):
    organization: str
    digest: str
    rows: int
    columns: list[str]


class RunOut(Out):
    id: int
    method: str
    tables: dict[str, str]
    persons: int
    report: dict[str, Any]


class QueryOut(Out):
    columns: list[str]
    rows: list[list[Any]]
    total_rows: int
    sql_sha256: str


class ExportOut(Out):
    id: int
    status: str
    checks: dict[str, Any]
    reasons: list[str]
    digest: str
    dataset: str | None
    reviewer: str | None
    kind: str
    epsilon: float | None
    report: dict[str, Any] | None


class CloseOut(Out):
    project: str
    destroyed: list[str]
    rows: int
    ledger_index: int | None
    reason: str


def _plain(x: Any) -> dict[str, Any]:
    return dataclasses.asdict(x)


@router.post("/projects", status_code=201, response_model=ProjectOut)
def create_project(body: ProjectIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Open a linkage project (the operator organisation's owners and editors, or admins)."""
    draft = ProjectDraft(
        name=body.name,
        purpose=body.purpose,
        legal_basis=body.legal_basis,
        operator=body.operator,
        key_authority=body.key_authority,
        holders=tuple(HolderRef(h.organization, h.email) for h in body.holders),
        analysts=tuple(body.analysts),
        reviewers=tuple(body.reviewers),
        expires_on=body.expires_on,
    )
    return _plain(p.linkage.create_project(draft, principal=me))


@router.get("/projects/{name}", response_model=ProjectOut)
def get_project(name: str, me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    """A project, to its members, the operator's editors and admins."""
    return _plain(p.linkage.get_project(name, principal=me))


@router.post("/projects/{name}/salt", response_model=SaltOut)
def issue_salt(name: str, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """The project's salt, once, for the key authority (the zone keeps only its fingerprint)."""
    salt = p.linkage.issue_salt(name, principal=me)
    return {"salt_base64": base64.b64encode(salt).decode()}


@router.post("/projects/{name}/uploads", status_code=201, response_model=UploadOut)
def upload(
    name: str,
    me: PublishCaller,
    p: PlatformDep,
    file: UploadFile = File(...),
    organization: str = Form(..., max_length=100),
) -> dict[str, Any]:
    """A holder's keyed file (Parquet or CSV from `datanuri linkage tokenize`); refused if it
    still holds an identifier column."""
    suffix = Path(file.filename or "keys.parquet").suffix.lower()[:10] or ".parquet"
    staged = p.blobs.temp_path(suffix)
    try:
        with staged.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        info = p.linkage.upload(name, staged, organization=organization, principal=me)
    finally:
        staged.unlink(missing_ok=True)
    return _plain(info)


@router.post("/projects/{name}/runs", status_code=201, response_model=RunOut)
def run_match(name: str, body: RunIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Link the holders' latest uploads (exact keys, or the rules given)."""
    rules = tuple(tuple(r) for r in body.rules)
    options = LinkOptions(method="rules", rules=rules) if rules else LinkOptions()
    return _plain(p.linkage.run_match(name, options, principal=me))


@router.post("/projects/{name}/query", response_model=QueryOut)
def query(name: str, body: QueryIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Run one SELECT inside the zone (read-only, no files, network or extensions)."""
    return _plain(p.linkage.query(name, body.sql, principal=me))


@router.post("/projects/{name}/exports", status_code=201, response_model=ExportOut)
def request_export(name: str, body: ExportIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Ask to export cells (disclosure checks, optional OpenDP noise) or a row-level table (its
    privacy policy must pass); the checks run at once (a refusal says why)."""
    noise = (
        NoiseRequest(body.epsilon, body.bounds, body.contributions)
        if body.epsilon is not None
        else None
    )
    draft = ExportDraft(body.sql, tuple(body.group_by), body.value, body.title, body.policy, noise)
    return _plain(p.linkage.request_export(name, draft, principal=me))


@router.post("/projects/{name}/exports/{export_id}/review", response_model=ExportOut)
def review(
    name: str, export_id: RowId, body: ReviewIn, me: PublishCaller, p: PlatformDep
) -> dict[str, Any]:
    """A reviewer approves (publishes as a dataset) or rejects an export, never their own."""
    info = p.linkage.review(name, export_id, approve=body.approve, reason=body.reason, principal=me)
    return _plain(info)


@router.post("/projects/{name}/close", response_model=CloseOut)
def close(name: str, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Close a project: its zone files and rows are destroyed, the proof in the ledger."""
    return _plain(p.linkage.close(name, principal=me))
