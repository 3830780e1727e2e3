"""The browser pages of AI accountability: the person's decision page (reasons in words, the
data used, the contest form, its status and receipt downloads), the reviewer console and the
oversight dashboard of a system.

The person without an account types the reference's access code; the pages carry it in POSTed
forms only (never in a link), and a wrong code shows "not found" like an unknown reference.
Forms posted with the code need no CSRF token (the code is the secret an attacker lacks);
forms of a logged-in user carry theirs.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from datanuri import errors
from datanuri.accounts.principal import ANONYMOUS, Principal
from datanuri.decisions import contest as contest_rules
from datanuri.desk.calendar import KST
from datanuri.i18n import translate
from datanuri.platform import Platform
from datanuri.web.deps import PlatformDep, RowId
from datanuri.web.pages import check_form_csrf, language
from datanuri.web.routes_console import WebUserDep, login_redirect
from datanuri.web.routes_ui import UIRoute, href_factory, ui_page

pages = APIRouter(include_in_schema=False, route_class=UIRoute)
FORM_TEXT = 6000
STEPS = ("recorded", "filed", "assigned", "escalated", "decided", "corrected")


def ktime(t: dt.datetime | None) -> str:
    return "" if t is None else t.astimezone(KST).strftime("%Y-%m-%d %H:%M")


def _decision_page(
    request: Request,
    p: Platform,
    reference: str,
    *,
    code: str | None,
    me: Principal,
    user: Any = None,
    csrf: str | None = None,
    status: int = 200,
    error: str | None = None,
    filed: bool = False,
) -> HTMLResponse:
    lang = language(request)
    view = p.decisions.view(reference, code=code, principal=me, lang=lang)
    return ui_page(
        request,
        "ui/decision.html",
        status=status,
        user=user,
        csrf_token=csrf,
        d=view,
        code=code or "",
        error=error,
        filed=filed,
        steps=STEPS,
        ktime=ktime,
        explanation_min=contest_rules.EXPLANATION_MIN,
    )


def _code_page(
    request: Request, reference: str, *, status: int = 200, wrong: bool = False
) -> HTMLResponse:
    return ui_page(
        request, "ui/decision_code.html", status=status, reference=reference, wrong=wrong
    )


@pages.get("/decisions/{reference}", response_class=HTMLResponse)
def decision_page(request: Request, reference: str, p: PlatformDep, who: WebUserDep) -> Response:
    """The decision for its subject when logged in; otherwise the form asking for the code."""
    if who is not None:
        try:
            return _decision_page(
                request, p, reference, code=None, me=who.me, user=who.user, csrf=who.csrf
            )
        except errors.NotFound:
            pass
    return _code_page(request, reference)


@pages.post("/decisions/{reference}", response_class=HTMLResponse)
async def decision_with_code(request: Request, reference: str, p: PlatformDep) -> Response:
    """The decision for the access code posted; without a code, the person logs in instead."""
    form = await request.form()
    code = str(form.get("code") or "")[:64]
    if not code:
        return login_redirect(request)
    try:
        return await run_in_threadpool(
            lambda: _decision_page(request, p, reference, code=code, me=ANONYMOUS)
        )
    except errors.NotFound:
        return _code_page(request, reference, status=404, wrong=True)


@pages.post("/decisions/{reference}/contest", response_class=HTMLResponse)
async def contest_form(
    request: Request, reference: str, p: PlatformDep, who: WebUserDep
) -> Response:
    form = await request.form()
    code = str(form.get("code") or "")[:64] or None
    me: Principal = ANONYMOUS
    if code is None:
        if who is None:
            return login_redirect(request)
        await check_form_csrf(request, who.csrf)
        me = who.me
    explanation = str(form.get("explanation") or "")[:FORM_TEXT]
    files = []
    for f in form.getlist("evidence"):
        if isinstance(f, UploadFile) and f.filename:
            files.append((f.filename, await f.read(contest_rules.EVIDENCE_MB * 1024 * 1024 + 1)))
    user, csrf = (who.user, who.csrf) if who is not None and code is None else (None, None)

    def run() -> HTMLResponse:
        try:
            p.decisions.file_contest(
                reference, code=code, explanation=explanation, evidence=files, principal=me
            )
        except (errors.InvalidInput, errors.Conflict) as exc:
            msg = translate(exc.message, language(request))
            return _decision_page(
                request,
                p,
                reference,
                code=code,
                me=me,
                user=user,
                csrf=csrf,
                status=exc.status,
                error=msg,
            )
        return _decision_page(
            request, p, reference, code=code, me=me, user=user, csrf=csrf, filed=True
        )

    return await run_in_threadpool(run)


@pages.post("/decisions/{reference}/receipts/{step}")
async def receipt_download(
    request: Request, reference: str, step: str, p: PlatformDep, who: WebUserDep
) -> Response:
    """The ledger receipt of one step, as a JSON file to verify offline."""
    form = await request.form()
    code = str(form.get("code") or "")[:64] or None
    if code is None and who is None:
        return login_redirect(request)
    me = who.me if who is not None and code is None else ANONYMOUS
    receipt = await run_in_threadpool(
        lambda: p.decisions.receipt(reference, step=step, code=code, principal=me, ledger=p.ledger)
    )
    name = f"{reference}-{step}-receipt.json"
    return Response(
        json.dumps(receipt, ensure_ascii=False, indent=1),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# ----- the reviewer console ------------------------------------------------------------------
def _console(
    request: Request,
    p: Platform,
    who: Any,
    *,
    status: int = 200,
    error: str | None = None,
    done: str | None = None,
) -> HTMLResponse:
    return ui_page(
        request,
        "console/ai_contests.html",
        status=status,
        user=who.user,
        csrf_token=who.csrf,
        open_contests=p.decisions.contests(principal=who.me, status="open"),
        decided=[
            c for c in p.decisions.contests(principal=who.me, status=None) if c.status != "open"
        ][:30],
        error=error,
        done=done,
        ktime=ktime,
        reasons_min=contest_rules.REASONS_MIN,
    )


@pages.get("/console/ai/contests", response_class=HTMLResponse)
def reviewer_console(request: Request, p: PlatformDep, who: WebUserDep) -> Response:
    """The contests assigned to the reviewer, nearest deadline first."""
    if who is None:
        return login_redirect(request)
    return _console(request, p, who, done=request.query_params.get("done"))


@pages.post("/console/ai/contests/{contest_id}/decide", response_class=HTMLResponse)
async def decide_form(
    request: Request, contest_id: RowId, p: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    outcome = str(form.get("outcome") or "")
    reasons = str(form.get("reasons") or "")[:FORM_TEXT]
    corrected = str(form.get("corrected_output") or "").strip()[:200] or None

    def run() -> Response:
        try:
            p.decisions.decide(
                contest_id,
                outcome=outcome,
                reasons_text=reasons,
                corrected_output=corrected,
                principal=who.me,
            )
        except (errors.InvalidInput, errors.Conflict) as exc:
            msg = translate(exc.message, language(request))
            return _console(request, p, who, status=exc.status, error=msg)
        target = href_factory(language(request))("/console/ai/contests", done=contest_id)
        return RedirectResponse(target, status_code=303)

    return await run_in_threadpool(run)


# ----- the oversight dashboard -----------------------------------------------------------------
@pages.get("/console/ai/systems/{name}", response_class=HTMLResponse)
def oversight_page(request: Request, name: str, p: PlatformDep, who: WebUserDep) -> Response:
    """A system's decisions, contest and overturn rates per group, and overdue cases."""
    if who is None:
        return login_redirect(request)
    over = p.decisions.oversight(name, principal=who.me)
    return ui_page(
        request,
        "console/ai_oversight.html",
        user=who.user,
        csrf_token=who.csrf,
        system=p.decisions.system(name),
        over=over,
        ktime=ktime,
        pct=lambda x: "—" if x is None else f"{x * 100:.1f}%",
    )


# ----- the model registry and drift ------------------------------------------------------------
@pages.get("/console/ai/models", response_class=HTMLResponse)
def models_page(request: Request, p: PlatformDep, who: WebUserDep) -> Response:
    """Registered models with their drift monitors (where drift alerts link to)."""
    if who is None:
        return login_redirect(request)
    return ui_page(
        request,
        "console/ai_models.html",
        user=who.user,
        csrf_token=who.csrf,
        models=p.models.models(),
        monitors=p.models.monitors(),
        ktime=ktime,
    )


@pages.get("/console/ai/models/{system}/{version}", response_class=HTMLResponse)
def model_page(
    request: Request, system: str, version: str, p: PlatformDep, who: WebUserDep
) -> Response:
    """A model's card (training data, audits, features) and, for its owners, its drift runs."""
    if who is None:
        return login_redirect(request)
    card = p.models.card(system, version)
    runs = []
    for m in p.models.monitors(system):
        if m.version != version:
            continue
        try:
            runs.extend(p.models.runs(m.id, principal=who.me))
        except errors.PermissionDenied:
            break
    return ui_page(
        request,
        "console/ai_model.html",
        user=who.user,
        csrf_token=who.csrf,
        card=card,
        runs=sorted(runs, key=lambda r: r.id, reverse=True)[:10],
        ktime=ktime,
    )
