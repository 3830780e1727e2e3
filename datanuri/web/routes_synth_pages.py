"""The console's synthetic-data page (합성데이터) for a dataset's editors: the form starting a
synthesis job, the job's progress, the candidate's report (`synth.report_html`, the one the
CLI and API give), the release button with the gate's reasons when it is shut, and the releases.

The form posts here (CSRF checked) and the job runs in the background (`synth.run`); the page
follows it (`static/synth.js` polls the jobs API and reloads when it ends). A release runs the
`synth.release` job on the request's thread. The services decide every right, as for the API.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from datanuri import errors
from datanuri.i18n import translate
from datanuri.jobs.messages import NO_JOB
from datanuri.platform import Platform
from datanuri.synth.jobs import SYNTH_RELEASE, SYNTH_RUN, ReleaseParams, RunParams
from datanuri.synth.report_html import render_fragment
from datanuri.web import ui_text
from datanuri.web.deps import PlatformDep, RowId
from datanuri.web.pages import check_form_csrf, language
from datanuri.web.routes_console import WebUser, WebUserDep, _back, _console_page, login_redirect
from datanuri.web.routes_ui import UIRoute

router = APIRouter(include_in_schema=False, route_class=UIRoute)
DEFAULT_EPSILON = 1.0


def _page(
    request: Request,
    platform: Platform,
    who: WebUser,
    name: str,
    *,
    candidate: int | None = None,
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    """The page of `name`: the form, the candidates (`candidate`, else the newest unless a job
    is followed, shown with its report), the releases."""
    lang = language(request)
    me = who.me
    ds = platform.catalog.get_dataset(name, principal=me)  # 404 for what the user may not see
    budget = platform.synth.budget(name, principal=me)  # 403 unless an editor of the holder
    found = platform.privacy.scan(name, principal=me)["columns"] if ds.latest_version else []
    candidates = platform.synth.list_candidates(name, principal=me)
    shown = next((c for c in candidates if c.id == candidate), None)
    if shown is None and candidates and extra.get("job") is None:
        shown = candidates[0]
    report = None
    if shown is not None:
        r = platform.synth.candidate_report(name, shown.id, principal=me)
        report = Markup(render_fragment(r, lang))
    ctx: dict[str, Any] = {
        "ds": ds,
        "org": platform.catalog.get_organization(ds.organization),
        "budget": budget.to_json(),
        # direct identifiers are left out by default: a synthetic twin has no use for them
        "columns": [{"name": c["column"], "checked": c.get("category") != "direct"} for c in found],
        "form": {"method": "mst", "epsilon": DEFAULT_EPSILON, "delta": "", "target": ""},
        "form_error": None,
        "candidates": candidates,
        "shown": shown,
        "reasons": [translate(x, lang) for x in shown.gate.reasons] if shown else [],
        "report": report,
        "releases": platform.synth.list_releases(name, principal=me),
        "release_target": f"{name}-synthetic",
        "release_error": None,
        "released": request.query_params.get("released"),
        "job": None,
    }
    ctx.update(extra)
    return _console_page(request, "console/synth.html", who, status=status, **ctx)


def _said(error: dict[str, Any] | None, lang: str) -> str:
    """A failed job's message in the page's language."""
    return translate(str((error or {}).get("message") or ""), lang)


@router.get("/console/datasets/{name}/synth", response_class=HTMLResponse)
async def synth_page(
    request: Request, name: str, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    job_id = request.query_params.get("job")
    if job_id is None:
        wanted = request.query_params.get("candidate", "")
        chosen = int(wanted) if wanted.isdigit() else None
        return await run_in_threadpool(
            lambda: _page(request, platform, who, name, candidate=chosen)
        )
    job = await run_in_threadpool(lambda: platform.job_views.get_job(job_id, principal=who.me))
    if job.kind != SYNTH_RUN.name or job.dataset != name:
        raise errors.NotFound(NO_JOB.format(id=job_id))
    if job.status == "succeeded" and job.result:
        return _back(request, f"/console/datasets/{name}/synth", candidate=job.result["candidate"])
    failed = _said(job.error, language(request)) if job.status == "failed" else None
    return await run_in_threadpool(
        lambda: _page(request, platform, who, name, job=job, form_error=failed)
    )


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@router.post("/console/datasets/{name}/synth", response_class=HTMLResponse)
async def start_synth(
    request: Request, name: str, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    values = {k: str(form.get(k) or "").strip() for k in ("method", "epsilon", "delta", "target")}
    epsilon = _number(values["epsilon"])
    delta = _number(values["delta"]) if values["delta"] else None
    columns = [str(c) for c in (await request.form()).getlist("columns")]  # (form keeps one)
    if (
        values["method"] not in ("mst", "copula")
        or epsilon is None
        or (values["delta"] and delta is None)
    ):
        lang = language(request)
        return await run_in_threadpool(
            lambda: _page(
                request,
                platform,
                who,
                name,
                status=422,
                form=values,
                form_error=ui_text.say(ui_text.MSG_FORM_ERRORS, lang),
            )
        )
    await run_in_threadpool(lambda: platform.synth.budget(name, principal=who.me))  # editors
    params = RunParams(
        dataset=name,
        method=values["method"],  # type: ignore[arg-type]  # checked above
        epsilon=epsilon,
        delta=delta,
        columns=columns,
        target=values["target"] or None,
    )
    job = await run_in_threadpool(
        lambda: platform.jobs.submit(
            SYNTH_RUN.name, params, actor=who.me.name, scopes=who.me.scopes, dataset=name
        )
    )
    return _back(request, f"/console/datasets/{name}/synth", job=job.id)


@router.post(
    "/console/datasets/{name}/synth/candidates/{candidate_id}/release",
    response_class=HTMLResponse,
)
async def release_synth(
    request: Request, name: str, candidate_id: RowId, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    target = str(form.get("target") or "").strip()
    level = str(form.get("access_level") or "open")
    if level not in ("open", "restricted"):
        level = "open"
    await run_in_threadpool(lambda: platform.synth.candidate(name, candidate_id, principal=who.me))
    params = ReleaseParams(name, candidate_id, target, level)  # type: ignore[arg-type]
    job = await run_in_threadpool(
        lambda: platform.jobs.run_inline(
            SYNTH_RELEASE.name, params, actor=who.me.name, scopes=who.me.scopes, dataset=name
        )
    )
    if job.status == "succeeded" and job.result:
        return _back(
            request,
            f"/console/datasets/{name}/synth",
            candidate=candidate_id,
            released=job.result["release"]["target_dataset"],
        )
    failed = _said(job.error, language(request)) or job.message
    return await run_in_threadpool(
        lambda: _page(
            request,
            platform,
            who,
            name,
            candidate=candidate_id,
            status=422,
            release_target=target,
            release_error=failed,
        )
    )
