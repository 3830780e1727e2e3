"""REST API for synthetic data (mounted under `/api/v1`), for the editors of the organisation
holding a dataset: start a synthesis (a background job, or inline with `?wait=true`) that keeps
a candidate, read the candidate's report (JSON or HTML) and whether it may be released, release
it (a job too), and list the releases. No route returns source rows; a candidate's report and
synthetic table stay with the holder until released."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from datanuri.synth.jobs import SYNTH_RELEASE, SYNTH_RUN, ReleaseParams, RunParams
from datanuri.synth.report_html import render
from datanuri.web.auth import PublishCaller
from datanuri.web.background import job_responses, run_job
from datanuri.web.deps import PlatformDep, RowId
from datanuri.web.schemas import JobAcceptedOut, JobOut, Number, Out

router = APIRouter(tags=["synth"])
WAIT = Query(False, description="Run before answering instead of as a background job (202).")


class SynthRunIn(BaseModel):
    method: Literal["mst", "copula"] = Field(
        "mst",
        description="mst: differentially private (releasable); copula: a baseline without "
        "guarantee, for comparison only",
    )
    epsilon: float = Field(1.0, description="The ε the synthesis would spend if released")
    delta: float | None = Field(None, description="δ (default min(1e-6, 1/(10 n)))")
    columns: list[str] = Field(
        default_factory=list, description="The columns to synthesize (default: all)"
    )
    target: str | None = Field(
        None, description="A column to measure utility on (train on synthetic, test on real)"
    )
    seed: int | None = Field(None, description="The same seed makes the same table")
    domains: dict[str, Any] = Field(
        default_factory=dict,
        description='Declared domains: {"column": [values] | {"bounds": [lo, hi]} | '
        '{"bins": [edges]}}',
    )


class SynthReleaseIn(BaseModel):
    target: str = Field(
        description="Dataset to publish the synthetic table to (created in the holder's "
        "organisation if missing)"
    )
    access_level: Literal["open", "restricted"] = "open"


class GateOut(Out):
    """Whether the candidate may be released now, and why not."""

    releasable: bool
    reasons: list[str] = Field(description="Why not, in English")
    reasons_ko: list[str] = Field(description="Why not, in Korean")
    charge: Number | None = Field(
        description="The ε a release would spend: this candidate's and that of the source's "
        "other unreleased MST candidates (the tries it is chosen from); null without guarantee"
    )
    tries: int = Field(description="Other unreleased candidates counted in `charge`")


class CandidateOut(Out):
    """A synthetic candidate: its report (without the seed) and its release gate."""

    id: int
    dataset: str
    source_version: int
    method: str
    epsilon: Number | None
    delta: Number | None
    rows: int
    passed: bool
    report_sha256: str
    created_by: str
    created_at: str
    release_id: int | None = Field(description="The release that spent its ε, if any")
    gate: GateOut
    report: dict[str, Any]


class SynthRunOut(Out):
    """With `?wait=true`: the candidate made, its report and its release gate."""

    candidate: int
    candidate_url: str
    passed: bool
    releasable: bool
    report: dict[str, Any]
    gate: GateOut
    job: JobOut


class SynthReleaseOut(Out):
    """A synthetic release of a personal dataset."""

    id: int
    source_dataset: str
    source_version: int
    target_dataset: str
    target_version: int
    method: str = Field(description="mst: differentially private marginal synthesizer")
    epsilon: Number = Field(description="Epsilon spent from the source's privacy-loss budget")
    delta: Number
    rows: int
    report_sha256: str
    ledger_index: int | None


class SynthReleasedOut(Out):
    """With `?wait=true`: the release made."""

    released: bool
    release: SynthReleaseOut
    job: JobOut


@router.post(
    "/datasets/{name}/synth/runs",
    status_code=202,
    response_model=JobAcceptedOut,
    responses=job_responses(SynthRunOut),
)
async def start_run(
    name: str, body: SynthRunIn, p: PlatformDep, me: PublishCaller, wait: bool = WAIT
) -> JSONResponse:
    """Synthesize the latest version into a candidate kept for its editors to read: the table
    and its fidelity, utility and privacy report. Nothing is published or spent."""
    await run_in_threadpool(p.synth.budget, name, principal=me)  # its editors only
    params = RunParams(dataset=name, **body.model_dump())
    return await run_job(
        p,
        SYNTH_RUN.name,
        params,
        actor=me.name,
        scopes=me.scopes,
        wait=wait,
        created=lambda _result: True,
        dataset=name,
    )


@router.get("/datasets/{name}/synth/candidates", response_model=list[CandidateOut])
def list_candidates(name: str, p: PlatformDep, me: PublishCaller) -> list[dict[str, Any]]:
    """The candidates made from dataset `name`, newest first, with their reports (its editors)."""
    return [c.to_dict() for c in p.synth.list_candidates(name, principal=me)]


@router.get("/datasets/{name}/synth/candidates/{candidate_id}", response_model=CandidateOut)
def get_candidate(
    name: str, candidate_id: RowId, p: PlatformDep, me: PublishCaller
) -> dict[str, Any]:
    """A candidate's report and whether it may be released now (its editors)."""
    return p.synth.candidate(name, candidate_id, principal=me).to_dict()


@router.get(
    "/datasets/{name}/synth/candidates/{candidate_id}/report.html", response_class=HTMLResponse
)
def get_candidate_report_html(
    name: str,
    candidate_id: RowId,
    p: PlatformDep,
    me: PublishCaller,
    lang: Literal["ko", "en"] = Query("ko", description="ko | en"),
) -> HTMLResponse:
    """A candidate's report as a standalone HTML page with charts (its editors)."""
    return HTMLResponse(render(p.synth.candidate_report(name, candidate_id, principal=me), lang))


@router.post(
    "/datasets/{name}/synth/candidates/{candidate_id}/release",
    status_code=202,
    response_model=JobAcceptedOut,
    responses=job_responses(SynthReleasedOut),
)
async def release_candidate(
    name: str,
    candidate_id: RowId,
    body: SynthReleaseIn,
    p: PlatformDep,
    me: PublishCaller,
    wait: bool = WAIT,
) -> JSONResponse:
    """Release the candidate into an open or restricted dataset if its gate lets it (an MST
    candidate whose report passed and whose ε, with the other unreleased tries', fits the
    budget): a new version, its release record and a `synth.release` ledger entry."""
    await run_in_threadpool(p.synth.candidate, name, candidate_id, principal=me)  # 404 early
    params = ReleaseParams(name, candidate_id, body.target, body.access_level)
    return await run_job(
        p,
        SYNTH_RELEASE.name,
        params,
        actor=me.name,
        scopes=me.scopes,
        wait=wait,
        created=lambda result: bool(result.get("released")),
        dataset=name,
    )


@router.get("/datasets/{name}/synth/releases", response_model=list[SynthReleaseOut])
def list_synth_releases(name: str, p: PlatformDep, me: PublishCaller) -> list[dict[str, Any]]:
    """The synthetic releases made from dataset `name`, oldest first (its editors)."""
    return [r.to_dict() for r in p.synth.list_releases(name, principal=me)]
