"""The data request desk's browser pages ("데이터 요청", issue #20): the public list of requests,
the request form with its preview of suggestions before filing, a request's page (status
timeline, deadline, answer, the caller's buttons), the public statistics, and the console of the
holders (incoming requests by deadline, the answer and extension forms) and of the admins
(routing filed requests, deciding disputes).

Handlers are thin: each turns a form into one `RequestDesk` call with the caller's principal and
renders or redirects; the service checks every right. Forms carry the session's CSRF token as
the console's forms do. What the pages compute themselves (deadline badges, the order of the
console, the form's values) is in `web/desk_views.py`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from datanuri import errors
from datanuri.desk.service import RequestFilter
from datanuri.platform import Platform
from datanuri.web import desk_views as views
from datanuri.web import ui_text
from datanuri.web.auth import session_principal
from datanuri.web.deps import PlatformDep, RowId
from datanuri.web.pages import check_form_csrf, language
from datanuri.web.routes_console import WebUser, WebUserDep, login_redirect
from datanuri.web.routes_ui import CallerDep, UIRoute, href_factory, ui_page

pages = APIRouter(include_in_schema=False, route_class=UIRoute)
TEXT_LIMIT = 4000  # characters read from a form field (the service holds the real limits)
PER_PAGE = 20
WANTED_WINDOW = 200  # requests read to sort a list by supporters (the service sorts by newest)


def _page(request: Request, template: str, *, status: int = 200, **ctx: Any) -> HTMLResponse:
    lang = language(request)
    return ui_page(
        request,
        template,
        status=status,
        desk=views.Words(lang),
        msg=lambda name: ui_text.say(getattr(ui_text, name), lang),
        **ctx,
    )


def _back(request: Request, path: str, **params: Any) -> RedirectResponse:
    return RedirectResponse(href_factory(language(request))(path, **params), status_code=303)


async def _call(fn: Any) -> Any:
    return await run_in_threadpool(fn)


# ----- the public list ---------------------------------------------------------------------------
@pages.get("/requests", response_class=HTMLResponse)
def request_list(request: Request, platform: PlatformDep, caller: CallerDep) -> Response:
    q = views.ListQuery.parse(request.query_params)
    if q.mine and caller.user is None:
        return login_redirect(request)
    base = RequestFilter(status=q.status, theme=q.theme, mine=q.mine, q=q.text or None)
    if q.sort == "wanted":
        found = platform.desk.find(replace(base, limit=WANTED_WINDOW), principal=caller.me)
        ordered = sorted(found.items, key=lambda r: (-r.supporters, -r.id))
        items = tuple(ordered[(q.page - 1) * PER_PAGE : q.page * PER_PAGE])
        total = len(ordered)
    else:
        found = platform.desk.find(
            replace(base, limit=PER_PAGE, offset=(q.page - 1) * PER_PAGE), principal=caller.me
        )
        items, total = found.items, found.total
    href = href_factory(language(request))
    pages_n = max(1, -(-total // PER_PAGE))
    return _page(
        request,
        "ui/desk/list.html",
        user=caller.user,
        q=q,
        items=items,
        total=total,
        today=views.today(),
        holidays=views.holidays(platform),
        page_numbers=list(range(1, pages_n + 1)) if pages_n > 1 else [1],
        page_link=lambda n: href("/requests", **q.params(page=n)),
        list_link=lambda **over: href("/requests", **q.params(page=1, **over)),
        statuses=views.STATUS_ORDER,
        themes=list(ui_text.THEMES),
    )


# ----- filing: the form, its preview, the filing itself ---------------------------------------
def _form_page(
    request: Request,
    who: WebUser | None,
    draft: views.DraftForm,
    *,
    status: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    return _page(
        request,
        "ui/desk/new.html",
        status=status,
        user=who.user if who else None,
        csrf_token=who.csrf if who else "",
        form=draft,
        error=error,
        choices=views.form_choices(language(request)),
    )


@pages.get("/requests/new", response_class=HTMLResponse)
def request_form(request: Request, who: WebUserDep) -> HTMLResponse:
    draft = views.DraftForm.prefill(request.query_params)
    return _form_page(request, who, draft)


@pages.post("/requests/new", response_class=HTMLResponse)
async def request_submit(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    """`step=preview` shows the suggestions for the draft; `step=file` files it."""
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    formats = (await request.form()).getlist("formats")  # (the dict above keeps one value)
    draft = views.DraftForm.read(form, TEXT_LIMIT, [str(f) for f in formats])
    lang = language(request)
    if form.get("step") == "edit":
        return _form_page(request, who, draft)
    if draft.problems:
        text = " ".join(ui_text.say(p, lang) for p in draft.problems)
        return _form_page(request, who, draft, status=422, error=text)
    desk = platform.desk
    try:
        if form.get("step") == "file":
            filed = await _call(lambda: desk.file(draft.to_draft(), principal=who.me))
            return _back(request, f"/requests/{filed.request.id}", filed=1)
        draft.check()
        found = await _call(lambda: desk.preview(draft.to_draft(), principal=who.me))
    except (errors.InvalidInput, errors.Conflict) as exc:
        return _form_page(request, who, draft, status=exc.status, error=views.say(exc, lang))
    titles = {o.name: o.title for o in platform.catalog.list_organizations()}
    return _page(
        request,
        "ui/desk/preview.html",
        user=who.user,
        csrf_token=who.csrf,
        form=draft,
        found=found,
        choices=views.form_choices(lang),
        titles=titles,
        organizations=sorted(titles.items(), key=lambda kv: kv[1]),
        suggested={o.name for o in found.organizations},
    )


# ----- statistics (before /requests/{id}) ------------------------------------------------------
@pages.get("/requests/stats", response_class=HTMLResponse)
def request_stats(request: Request, platform: PlatformDep, caller: CallerDep) -> HTMLResponse:
    stats = platform.desk.stats()
    return _page(
        request,
        "ui/desk/stats.html",
        user=caller.user,
        stats=stats,
        pct=views.percent,
    )


# ----- one request ------------------------------------------------------------------------------
@pages.get("/requests/{request_id:int}", response_class=HTMLResponse)
def request_detail(
    request: Request, request_id: RowId, platform: PlatformDep, caller: CallerDep
) -> HTMLResponse:
    me = caller.me
    info = platform.desk.get(request_id, principal=me)
    history = platform.desk.history(request_id, principal=me)
    titles = {o.name: o.title for o in platform.catalog.list_organizations()}
    who = _csrf_of(request)
    return _page(
        request,
        "ui/desk/detail.html",
        user=caller.user,
        csrf_token=who,
        r=info,
        history=history,
        today=views.today(),
        holidays=views.holidays(platform),
        can=views.rights(info, me),
        dataset_title=views.dataset_title(platform, me, info),
        org_titles=titles,
        detail=lambda h: views.history_detail(h.action, h.detail, language(request), titles),
        notice=views.done_notice(request.query_params),
    )


def _csrf_of(request: Request) -> str:
    """The session's CSRF token for the page's forms ("" for visitors)."""
    found = session_principal(request)
    return found[1] if found else ""


async def _requester_action(
    request: Request, request_id: int, platform: Platform, who: WebUser, action: str
) -> Response:
    form = await check_form_csrf(request, who.csrf)
    desk, me = platform.desk, who.me
    if action == "support":
        await _call(lambda: desk.support(request_id, principal=me))
    elif action == "unsupport":
        await _call(lambda: desk.unsupport(request_id, principal=me))
    elif action == "withdraw":
        await _call(lambda: desk.withdraw(request_id, principal=me))
    else:
        reasons = str(form.get("reasons") or "")[:TEXT_LIMIT]
        await _call(lambda: desk.open_dispute(request_id, reasons, principal=me))
    return _back(request, f"/requests/{request_id}", done=action)


def _requester_route(action: str) -> Any:
    async def handler(
        request: Request, request_id: RowId, platform: PlatformDep, who: WebUserDep
    ) -> Response:
        if who is None:
            return login_redirect(request)
        return await _requester_action(request, request_id, platform, who, action)

    handler.__name__ = f"request_{action}"
    return handler


for _action in ("support", "unsupport", "withdraw", "dispute"):
    pages.add_api_route(
        f"/requests/{{request_id:int}}/{_action}", _requester_route(_action), methods=["POST"]
    )


# ----- the holders' and admins' console ---------------------------------------------------------
@pages.get("/console/desk", response_class=HTMLResponse)
def console(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return login_redirect(request)
    return _console_page(request, platform, who)


def _console_page(
    request: Request,
    platform: Platform,
    who: WebUser,
    *,
    status: int = 200,
    errors_by_id: dict[int, str] | None = None,
) -> HTMLResponse:
    board = views.console_board(platform, who.me)
    if not board.allowed:
        raise errors.PermissionDenied(ui_text.MSG_DESK_NOT_HOLDER[1])
    lang = language(request)
    return _page(
        request,
        "ui/desk/console.html",
        status=status,
        user=who.user,
        csrf_token=who.csrf,
        board=board,
        today=views.today(),
        holidays=views.holidays(platform),
        choices=views.form_choices(lang),
        done=request.query_params.get("done"),
        errors_by_id=errors_by_id or {},
    )


async def _console_action(
    request: Request, request_id: int, platform: Platform, who: WebUser, action: str
) -> Response:
    form = await check_form_csrf(request, who.csrf)
    desk, me, lang = platform.desk, who.me, language(request)
    try:
        if action == "answer":
            answer = views.read_answer(form, TEXT_LIMIT)
            await _call(lambda: desk.answer(request_id, answer, principal=me))
            action = f"answer-{views.answer_kind(answer)}"
        elif action == "deliver":
            dataset, version = views.read_dataset(form)
            await _call(lambda: desk.deliver(request_id, dataset, version, principal=me))
        elif action == "extend":
            reason = str(form.get("reason") or "")[:TEXT_LIMIT]
            await _call(lambda: desk.extend(request_id, reason, principal=me))
        elif action == "route":
            org = str(form.get("organization") or "")[:200]
            await _call(lambda: desk.route(request_id, org, principal=me))
        else:
            outcome = views.read_outcome(form)
            note = str(form.get("note") or "")[:TEXT_LIMIT]
            await _call(lambda: desk.decide_dispute(request_id, outcome, note, principal=me))
    except (errors.InvalidInput, errors.Conflict, views.FormProblem) as exc:
        if isinstance(exc, views.FormProblem):
            text, code = ui_text.say(exc.pair, lang), 422
        else:
            text, code = views.say(exc, lang), exc.status
        return await _call(
            lambda: _console_page(
                request, platform, who, status=code, errors_by_id={request_id: text}
            )
        )
    return _back(request, "/console/desk", done=action)


def _console_route(action: str) -> Any:
    async def handler(
        request: Request, request_id: RowId, platform: PlatformDep, who: WebUserDep
    ) -> Response:
        if who is None:
            return login_redirect(request)
        return await _console_action(request, request_id, platform, who, action)

    handler.__name__ = f"console_{action}"
    return handler


for _action in ("answer", "deliver", "extend", "route", "decide"):
    pages.add_api_route(
        f"/console/desk/{{request_id}}/{_action}", _console_route(_action), methods=["POST"]
    )
