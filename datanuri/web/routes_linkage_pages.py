"""The linkage zone's console pages (issue #17, "가명정보 결합"): the projects a person takes part
in, the new-project form, and a project's page offering each role its steps — the key
authority's one-time salt, a holder's keyed upload and its own uploads, the analyst's match,
SQL box and export requests (results shown, never downloadable), the reviewer's decisions and
the operator's close with a confirm step.

Handlers are thin: each turns a form into one `LinkageZone` call with the caller's principal
and renders or redirects; the zone checks every right. Forms carry the session's CSRF token as
the console's forms do. What the pages compute (the steps offered, the report's bars, the forms
read into drafts) is in `web/linkage_views.py`; the read-only lists in `linkage/listing.py`.
"""

from __future__ import annotations

import base64
import shutil
from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from datanuri import errors
from datanuri.i18n import translate
from datanuri.linkage import listing
from datanuri.linkage import messages as M
from datanuri.linkage.zone import QueryResult
from datanuri.platform import Platform
from datanuri.web import linkage_views as views
from datanuri.web import ui_text
from datanuri.web.deps import PlatformDep, RowId
from datanuri.web.pages import check_form_csrf, language
from datanuri.web.routes_console import (
    WebUser,
    WebUserDep,
    _back,
    _console_page,
    editor_orgs,
    login_redirect,
)
from datanuri.web.routes_ui import UIRoute

pages = APIRouter(include_in_schema=False, route_class=UIRoute)
BASE = "/console/linkage"


def _operators(p: Platform, who: WebUser) -> list[str]:
    """The organisations the caller may open a project for (every one for an admin)."""
    if who.me.is_admin:
        return sorted(o.name for o in p.catalog.list_organizations())
    return editor_orgs(who.me)


# ----- the list -------------------------------------------------------------------------------
@pages.get(BASE, response_class=HTMLResponse)
def project_list(request: Request, p: PlatformDep, who: WebUserDep) -> Response:
    """The projects the signed-in person takes part in, with their roles."""
    if who is None:
        return login_redirect(request)
    return _console_page(
        request,
        "console/linkage.html",
        who,
        projects=listing.projects_for(p.linkage, who.me),
        may_create=bool(_operators(p, who)),
    )


# ----- a new project --------------------------------------------------------------------------
def _new_page(
    request: Request,
    p: Platform,
    who: WebUser,
    form: views.ProjectForm,
    *,
    status: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    operators = _operators(p, who)
    if not operators:
        raise errors.PermissionDenied(ui_text.say(ui_text.MSG_NOT_EDITOR, language(request)))
    titles = {o.name: o.title for o in p.catalog.list_organizations()}
    return _console_page(
        request,
        "console/linkage_new.html",
        who,
        status=status,
        form=form,
        operators=operators,
        org_titles=titles,
        error=error,
    )


@pages.get(BASE + "/new", response_class=HTMLResponse)
def new_project_form(request: Request, p: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return login_redirect(request)
    operators = _operators(p, who)
    return _new_page(request, p, who, views.ProjectForm.blank(operators[0] if operators else ""))


@pages.post(BASE + "/new", response_class=HTMLResponse)
async def new_project(request: Request, p: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return login_redirect(request)
    form = views.ProjectForm.read(await check_form_csrf(request, who.csrf))
    lang = language(request)

    def run() -> Response:
        missing = form.missing()
        if missing:
            text = f"{ui_text.say(ui_text.MSG_LINKAGE_FIELD, lang)} {', '.join(missing)}"
            return _new_page(request, p, who, form, status=422, error=text)
        try:
            info = p.linkage.create_project(form.draft(), principal=who.me)
        except ValueError:  # the date did not parse
            return _new_page(
                request, p, who, form, status=422, error=ui_text.say(ui_text.MSG_BAD_DATE, lang)
            )
        except (errors.InvalidInput, errors.Conflict, errors.NotFound) as exc:
            return _new_page(
                request, p, who, form, status=exc.status, error=translate(exc.message, lang)
            )
        return _back(request, f"{BASE}/{info.name}", done="created")

    return await run_in_threadpool(run)


# ----- a project's page -----------------------------------------------------------------------
def _project_page(
    request: Request,
    p: Platform,
    who: WebUser,
    name: str,
    *,
    status: int = 200,
    error: str | None = None,
    result: QueryResult | None = None,
    sql: str = "",
) -> HTMLResponse:
    zone, me = p.linkage, who.me
    info = zone.get_project(name, principal=me)
    roles = listing.roles_in(zone, name, me)
    can = views.can_do(info, roles, admin=me.is_admin)
    holding = "holder" in roles
    run = listing.latest_run(zone, name, me) if can.see_zone else None
    keys = listing.shared_keys(zone, name, me) if can.match else ()
    q = request.query_params
    return _console_page(
        request,
        "console/linkage_project.html",
        who,
        status=status,
        info=info,
        roles=roles,
        can=can,
        holder_orgs=listing.holder_orgs(zone, name, me) if holding else (),
        uploads=listing.own_uploads(zone, name, me) if holding else [],
        run=run,
        report=views.report_view(run.report) if run else None,
        exports=listing.exports(zone, name, me) if can.see_zone else [],
        keys=keys,
        methods=views.methods_for(keys),
        me_email=me.email,
        result=result,
        sql=sql,
        error=error,
        done=q.get("done"),
        closed=int(q["closed"]) if q.get("closed", "").isdigit() else None,
        base=f"{BASE}/{name}",
    )


@pages.get(BASE + "/{name}", response_class=HTMLResponse)
def project_page(request: Request, name: str, p: PlatformDep, who: WebUserDep) -> Response:
    """A project: what it is, who takes part, and the steps the caller's roles offer."""
    if who is None:
        return login_redirect(request)
    return _project_page(request, p, who, name)


async def _act(
    request: Request, p: Platform, who: WebUser, name: str, step: Callable[[], Response]
) -> Response:
    """Run one zone step in a thread; a refusal re-renders the page with the reason."""

    def run() -> Response:
        try:
            return step()
        except (
            errors.InvalidInput,
            errors.Conflict,
            errors.PermissionDenied,
            errors.Gone,
            errors.NotFound,
        ) as exc:
            msg = translate(exc.message, language(request))
            return _project_page(request, p, who, name, status=exc.status, error=msg)

    return await run_in_threadpool(run)


@pages.post(BASE + "/{name}/salt")
async def issue_salt(request: Request, name: str, p: PlatformDep, who: WebUserDep) -> Response:
    """The key authority's salt, once, as a file to hand to the holders."""
    if who is None:
        return login_redirect(request)
    await check_form_csrf(request, who.csrf)

    def step() -> Response:
        salt = p.linkage.issue_salt(name, principal=who.me)
        return Response(
            base64.b64encode(salt) + b"\n",  # the salt file `datanuri linkage tokenize` reads
            media_type="application/octet-stream",
            headers={
                "Content-Disposition": f'attachment; filename="{name}.salt"',
                "Cache-Control": "no-store",
            },
        )

    return await _act(request, p, who, name, step)


@pages.post(BASE + "/{name}/uploads", response_class=HTMLResponse)
async def upload(request: Request, name: str, p: PlatformDep, who: WebUserDep) -> Response:
    """A holder's keyed file; refused, as by the API, if it still holds an identifier column."""
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    file = form.get("file")
    organization = str(form.get("organization") or "")[:100]

    def step() -> Response:
        if not isinstance(file, UploadFile) or not file.filename:
            error = ui_text.say(ui_text.MSG_LINKAGE_NO_FILE, language(request))
            return _project_page(request, p, who, name, status=422, error=error)
        suffix = Path(file.filename).suffix.lower()[:10] or ".parquet"
        staged = p.blobs.temp_path(suffix)
        try:
            with staged.open("wb") as out:
                shutil.copyfileobj(file.file, out)
            p.linkage.upload(name, staged, organization=organization, principal=who.me)
        finally:
            staged.unlink(missing_ok=True)
        return _back(request, f"{BASE}/{name}", done="upload")

    return await _act(request, p, who, name, step)


@pages.post(BASE + "/{name}/runs", response_class=HTMLResponse)
async def run_match(request: Request, name: str, p: PlatformDep, who: WebUserDep) -> Response:
    """Link the holders' latest uploads with the method chosen."""
    if who is None:
        return login_redirect(request)
    options = views.match_options(await check_form_csrf(request, who.csrf))

    def step() -> Response:
        p.linkage.run_match(name, options, principal=who.me)
        return _back(request, f"{BASE}/{name}", done="run")

    return await _act(request, p, who, name, step)


@pages.post(BASE + "/{name}/query", response_class=HTMLResponse)
async def query(request: Request, name: str, p: PlatformDep, who: WebUserDep) -> Response:
    """Run the analyst's SELECT inside the zone and show its rows on the page (only there)."""
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    sql = str(form.get("sql") or "")[: views.SQL]

    def step() -> Response:
        result = p.linkage.query(name, sql, principal=who.me)
        return _project_page(request, p, who, name, result=result, sql=sql)

    return await _act(request, p, who, name, step)


@pages.post(BASE + "/{name}/exports", response_class=HTMLResponse)
async def request_export(request: Request, name: str, p: PlatformDep, who: WebUserDep) -> Response:
    """Ask to export a table; the disclosure checks run at once."""
    if who is None:
        return login_redirect(request)
    draft = views.export_draft(await check_form_csrf(request, who.csrf))

    def step() -> Response:
        ex = p.linkage.request_export(name, draft, principal=who.me)
        return _back(request, f"{BASE}/{name}", done=f"export-{ex.id}")

    return await _act(request, p, who, name, step)


@pages.post(BASE + "/{name}/exports/{export_id}/review", response_class=HTMLResponse)
async def review(
    request: Request, name: str, export_id: RowId, p: PlatformDep, who: WebUserDep
) -> Response:
    """A reviewer approves (publishes) or rejects an export with a reason, never their own."""
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    approve = form.get("decision") == "approve"
    reason = str(form.get("reason") or "")[: views.TEXT]

    def step() -> Response:
        p.linkage.review(name, export_id, approve=approve, reason=reason, principal=who.me)
        return _back(request, f"{BASE}/{name}", done=f"review-{export_id}")

    return await _act(request, p, who, name, step)


@pages.get(BASE + "/{name}/close", response_class=HTMLResponse)
def close_confirm(request: Request, name: str, p: PlatformDep, who: WebUserDep) -> Response:
    """The confirm step before closing: what closing destroys."""
    if who is None:
        return login_redirect(request)
    info = p.linkage.get_project(name, principal=who.me)
    can = views.can_do(info, listing.roles_in(p.linkage, name, who.me), admin=who.me.is_admin)
    if info.status == "open" and not can.close:
        raise errors.PermissionDenied(M.MSG_OPERATOR_ONLY.format(organization=info.operator))
    return _console_page(request, "console/linkage_close.html", who, info=info, error=None)


@pages.post(BASE + "/{name}/close", response_class=HTMLResponse)
async def close(request: Request, name: str, p: PlatformDep, who: WebUserDep) -> Response:
    """Close the project (its zone data destroyed) once its name is typed to confirm."""
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    lang = language(request)

    def run() -> Response:
        info = p.linkage.get_project(name, principal=who.me)
        if str(form.get("confirm") or "").strip() != name:
            error = ui_text.say(ui_text.MSG_LINKAGE_CONFIRM_NAME, lang)
            return _console_page(
                request, "console/linkage_close.html", who, status=422, info=info, error=error
            )
        try:
            done = p.linkage.close(name, principal=who.me)
        except (errors.PermissionDenied, errors.Gone) as exc:
            return _console_page(
                request,
                "console/linkage_close.html",
                who,
                status=exc.status,
                info=info,
                error=translate(exc.message, lang),
            )
        return _back(request, f"{BASE}/{name}", closed=done.ledger_index)

    return await run_in_threadpool(run)
