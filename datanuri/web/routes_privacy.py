"""REST API for de-identification (mounted under `/api/v1`): scan, apply (a background job with
progress, or inline with `?wait=true`), release records with their assessment reports, and the
organisation's pseudonymisation keys (metadata only, never a key).

Only editors of the organisation holding a dataset may use these routes, except the record and
report of a release into an open dataset, which are public; no route returns source rows (apply
shows the first rows of a passing de-identified candidate)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from datanuri.i18n import translate
from datanuri.privacy.apply_job import APPLY, ApplyParams, ReleaseTarget
from datanuri.privacy.detect import kind_label
from datanuri.privacy.release_links import ReleaseMetadata
from datanuri.privacy.report_html import render_report_html
from datanuri.web import schemas
from datanuri.web.auth import PublishCaller, ReadCaller
from datanuri.web.background import job_responses, run_job
from datanuri.web.deps import PlatformDep, RowId

router = APIRouter(tags=["privacy"])


class ReleaseIn(BaseModel):
    target: str = Field(
        description="Dataset to publish the de-identified table to (created in the holder's organisation if missing)"
    )
    access_level: Literal["open", "restricted"] = "open"
    title: str | None = Field(
        None,
        description="Title of a new target dataset (default: '<source title> (비식별 처리본)')",
    )
    # A new target takes these from the source when left out; "" clears one.
    description: str | None = Field(
        None, description="Description (default: the source, model, k/l/t and date in words)"
    )
    license: str | None = Field(None, description="Licence (default: the source's)")
    theme: str | None = Field(None, description="Theme (default: the source's)")
    keywords: list[str] | None = Field(None, description="Keywords (default: the source's)")
    temporal_start: str | None = Field(None, description="Period start (default: the source's)")
    temporal_end: str | None = Field(None, description="Period end (default: the source's)")
    spatial: str | None = Field(None, description="Region (default: the source's)")
    contact_name: str | None = Field(None, description="Contact (default: the source's)")
    contact_email: str | None = Field(None, description="Contact e-mail (default: the source's)")

    def metadata(self) -> ReleaseMetadata:
        """The new target's description as the publisher changed it."""
        return ReleaseMetadata(
            title=self.title,
            description=self.description,
            license=self.license,
            theme=self.theme,
            keywords=tuple(self.keywords) if self.keywords is not None else None,
            temporal_start=self.temporal_start,
            temporal_end=self.temporal_end,
            spatial=self.spatial,
            contact_name=self.contact_name,
            contact_email=self.contact_email,
        )


class KeyIn(BaseModel):
    name: str = Field(
        description="Key name, e.g. holder-2026 (lowercase letters, digits, '-', '_'); never reused"
    )


class BudgetIn(BaseModel):
    epsilon: float = Field(
        description="The total epsilon all differential-privacy releases of the dataset may spend"
    )


class ApplyIn(BaseModel):
    policy: dict[str, Any] = Field(
        description="The privacy policy (see datanuri.privacy.policy); hierarchies inline, not as files"
    )
    release: ReleaseIn | None = Field(
        None, description="Publish the result if, and only if, the policy passes"
    )


@router.post("/datasets/{name}/privacy/scan", response_model=schemas.ScanOut)
def scan(name: str, p: PlatformDep, me: PublishCaller) -> dict[str, Any]:
    """Classify every column of the latest version: direct identifier, quasi-identifier, sensitive, other."""
    return in_both_languages(p.privacy.scan(name, principal=me))


def in_both_languages(result: dict[str, Any]) -> dict[str, Any]:
    """Each finding's kind, evidence and warning in Korean beside the English (the wizard shows
    the page's language)."""
    columns = []
    for c in result.get("columns", []):
        ko, en = kind_label(c["kind"]) if c.get("kind") else (None, None)
        warning = c.get("warning")
        columns.append(
            {
                **c,
                "kind_ko": ko,
                "kind_en": en,
                "evidence_ko": [translate(e, "ko") for e in c.get("evidence", [])],
                "warning_ko": translate(warning, "ko") if warning else None,
            }
        )
    return {**result, "columns": columns}


@router.post(
    "/datasets/{name}/privacy/apply",
    status_code=202,
    response_model=schemas.JobAcceptedOut,
    responses=job_responses(schemas.ApplyOut),
)
async def apply(
    name: str,
    body: ApplyIn,
    p: PlatformDep,
    me: PublishCaller,
    wait: bool = Query(
        False, description="Run before answering instead of as a background job (202)."
    ),
) -> JSONResponse:
    """Apply a policy to the latest version: the assessment report, and with `release` a published
    de-identified version (only if the policy passes; a failing policy changes nothing)."""
    await run_in_threadpool(p.privacy.check_editor, name, principal=me)
    release = body.release
    target = (
        ReleaseTarget(release.target, release.access_level, release.metadata())
        if release is not None
        else None
    )
    return await run_job(
        p,
        APPLY.name,
        ApplyParams(dataset=name, policy=body.policy, release=target),
        actor=me.name,
        scopes=me.scopes,
        wait=wait,
        created=lambda result: bool(result.get("released")),
        dataset=name,
    )


@router.get("/datasets/{name}/privacy/budget", response_model=schemas.BudgetOut)
def get_budget(name: str, p: PlatformDep, me: PublishCaller) -> dict[str, Any]:
    """The dataset's privacy-loss account: budget, epsilon spent by its DP releases, remaining."""
    return p.privacy.budget(name, principal=me).to_json()


@router.put("/datasets/{name}/privacy/budget", response_model=schemas.BudgetOut)
def put_budget(name: str, body: BudgetIn, p: PlatformDep, me: PublishCaller) -> dict[str, Any]:
    """Declare the budget of a personal dataset (an owner of its organisation); at most the
    platform's default budget, at least what is spent. Recorded in the ledger."""
    return p.privacy.declare_budget(name, body.epsilon, principal=me).to_json()


@router.get("/datasets/{name}/privacy/releases", response_model=list[schemas.ReleaseSummaryOut])
def list_releases(name: str, p: PlatformDep, me: PublishCaller) -> list[dict[str, Any]]:
    """Releases made from (or into) the dataset, newest first, without their reports."""
    return [
        {k: v for k, v in r.to_dict().items() if k not in ("report", "policy")}
        for r in p.privacy.list_releases(name, principal=me)
    ]


@router.get("/privacy/releases/{release_id}", response_model=schemas.ReleaseOut)
def get_release(release_id: RowId, p: PlatformDep, me: ReadCaller) -> dict[str, Any]:
    """A release record: source and target versions, the policy, the assessment report and its
    SHA-256. Public when the released dataset is open (without the pseudonyms' per-release salt,
    who released it, or a source the public may not know); otherwise the holder's editors."""
    return p.privacy.release_record(release_id, principal=me).to_dict()


@router.get("/privacy/releases/{release_id}/report.html", response_class=HTMLResponse)
def get_release_report_html(
    release_id: RowId,
    p: PlatformDep,
    me: ReadCaller,
    lang: Literal["ko", "en"] = Query("ko", description="ko | en"),
) -> HTMLResponse:
    """The release's adequacy assessment report as a standalone HTML page with charts (public
    when the released dataset is open, as the record is)."""
    info = p.privacy.release_record(release_id, principal=me)
    return HTMLResponse(render_report_html(info.report, lang=lang, report_hash=info.report_hash))


@router.get("/organizations/{name}/privacy/keys", response_model=list[schemas.KeyOut])
def list_keys(name: str, p: PlatformDep, me: PublishCaller) -> list[dict[str, Any]]:
    """The organisation's pseudonymisation keys: name, fingerprint, creation time and creator (its editors)."""
    return [k.to_dict() for k in p.privacy.list_keys(name, principal=me)]


@router.post("/organizations/{name}/privacy/keys", status_code=201, response_model=schemas.KeyOut)
def create_key(
    name: str,
    body: KeyIn,
    p: PlatformDep,
    me: PublishCaller,
) -> dict[str, Any]:
    """Create a 256-bit pseudonymisation key for the organisation (its editors); 409 if the name exists."""
    return p.privacy.create_key(name, body.name, principal=me).to_dict()
