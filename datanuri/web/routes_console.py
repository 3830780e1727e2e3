"""The publisher console: the datasets a user edits, creating one, uploading versions with a
progress bar, changing access level and details.

Pages are server-rendered forms with CSRF tokens; the upload itself goes from the browser to the
REST API (`POST /api/v1/datasets/{name}/versions`, then `GET /api/v1/jobs/{id}`) with the session
cookie and the `x-csrf-token` header (see `static/console.js`). Every change goes through the
catalog service with the user's principal, so the API's access rules apply unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from datanuri import errors
from datanuri.accounts.policy import ACCESS_LEVELS, EDITORS
from datanuri.accounts.principal import Principal
from datanuri.accounts.service import UserInfo
from datanuri.names import check_name
from datanuri.platform import Platform
from datanuri.web import ui_text
from datanuri.web.auth import client_address, session_principal
from datanuri.web.deps import PlatformDep, get_platform
from datanuri.web.metadata_views import console_context
from datanuri.web.pages import check_form_csrf, language
from datanuri.web.routes_ui import UIRoute, href_factory, ui_page

router = APIRouter(include_in_schema=False, route_class=UIRoute)

NEW_FIELDS = (
    "organization",
    "name",
    "title",
    "description",
    "theme",
    "license",
    "keywords",
    "access_level",
)
MAX_TEXT = 5000
UPLOAD_ACCEPT = ".csv,.tsv,.txt,.xlsx,.json,.ndjson,.jsonl,.parquet"


@dataclass(frozen=True)
class WebUser:
    """The logged-in browser user: principal (for the services), account record and CSRF token."""

    me: Principal
    user: UserInfo
    csrf: str


def web_user(request: Request) -> WebUser | None:
    """The session's user, or None when nobody is logged in."""
    found = session_principal(request)
    if found is None:
        return None
    me, csrf = found
    if me.user_id is None:
        return None
    try:
        user = get_platform(request).accounts.get_user(me.user_id)
    except errors.NotFound:
        return None
    return WebUser(me.using(via="web", client=client_address(request)), user, csrf)


WebUserDep = Annotated[WebUser | None, Depends(web_user)]


def login_redirect(request: Request) -> RedirectResponse:
    """Send a logged-out visitor to the login page, to come back here afterwards."""
    return RedirectResponse(
        f"/login?next={quote(request.url.path, safe='/')}&lang={language(request)}", status_code=303
    )


def editor_orgs(me: Principal) -> list[str]:
    """Organisations where `me` may create datasets and publish."""
    return sorted(org for org, role in me.org_roles.items() if role in EDITORS)


def _msg(request: Request, name: str) -> str:
    return ui_text.say(getattr(ui_text, name), language(request))


def _console_page(
    request: Request, template: str, who: WebUser, status: int = 200, **ctx: Any
) -> HTMLResponse:
    lang = language(request)
    return ui_page(
        request,
        template,
        status=status,
        user=who.user,
        csrf_token=who.csrf,
        msg=lambda name: ui_text.say(getattr(ui_text, name), lang),
        **ctx,
    )


def _back(request: Request, path: str, **params: Any) -> RedirectResponse:
    return RedirectResponse(href_factory(language(request))(path, **params), status_code=303)


# ----- the list of one's datasets ---------------------------------------------------------------
@router.get("/console", response_class=HTMLResponse)
def console_home(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return login_redirect(request)
    catalog = platform.catalog
    orgs = editor_orgs(who.me)
    datasets = [
        d for org in orgs for d in catalog.list_datasets(organization=org, principal=who.me)
    ]
    datasets.sort(key=lambda d: d.updated_at, reverse=True)
    titles = {o.name: o.title for o in catalog.list_organizations()}
    return _console_page(
        request, "console/index.html", who, orgs=orgs, datasets=datasets, org_titles=titles
    )


# ----- a new dataset ----------------------------------------------------------------------------
def _new_page(
    request: Request,
    platform: Platform,
    who: WebUser,
    *,
    values: dict[str, str] | None = None,
    field_errors: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    orgs = editor_orgs(who.me)
    if not orgs:
        raise errors.PermissionDenied(_msg(request, "MSG_NOT_EDITOR"))
    titles = {o.name: o.title for o in platform.catalog.list_organizations()}
    vals = {"organization": orgs[0], "access_level": "open", "license": "KOGL-1", **(values or {})}
    return _console_page(
        request,
        "console/new.html",
        who,
        status=status,
        orgs=orgs,
        org_titles=titles,
        values=vals,
        field_errors=field_errors or {},
        error=error,
        themes=list(ui_text.THEMES),
        licenses=list(ui_text.LICENSES),
        levels=ACCESS_LEVELS,
    )


@router.get("/console/new", response_class=HTMLResponse)
def new_dataset_form(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return login_redirect(request)
    return _new_page(request, platform, who)


def _check_new(request: Request, who: WebUser, values: dict[str, str]) -> dict[str, str]:
    """Field errors of the new-dataset form, before the service is asked."""
    found: dict[str, str] = {}
    if values["organization"] not in editor_orgs(who.me):
        found["organization"] = _msg(request, "MSG_ORG_CHOOSE")
    try:
        check_name(values["name"])
    except errors.InvalidInput:
        found["name"] = _msg(request, "MSG_NAME_BAD")
    if not values["title"]:
        found["title"] = _msg(request, "MSG_TITLE_EMPTY")
    if values["access_level"] not in ACCESS_LEVELS:
        found["access_level"] = _msg(request, "MSG_FORM_ERRORS")
    return found


@router.post("/console/new", response_class=HTMLResponse)
async def new_dataset_submit(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    values = {k: str(form.get(k) or "").strip()[:MAX_TEXT] for k in NEW_FIELDS}
    field_errors = _check_new(request, who, values)
    if field_errors:
        return await run_in_threadpool(
            _new_page,
            request,
            platform,
            who,
            values=values,
            field_errors=field_errors,
            error=_msg(request, "MSG_FORM_ERRORS"),
            status=422,
        )
    fields: dict[str, Any] = {
        "description": values["description"],
        "theme": values["theme"] or None,
        "license": values["license"] or None,
        "keywords": [
            k for k in (x.strip() for x in values["keywords"].replace("，", ",").split(",")) if k
        ],
        "access_level": values["access_level"],
    }
    catalog = platform.catalog
    try:
        await run_in_threadpool(
            lambda: catalog.create_dataset(
                values["name"],
                organization=values["organization"],
                title=values["title"],
                principal=who.me,
                draft=True,  # listed once its first upload is published
                **fields,
            )
        )
    except errors.Conflict:
        return await run_in_threadpool(
            _new_page,
            request,
            platform,
            who,
            values=values,
            status=409,
            field_errors={"name": _msg(request, "MSG_NAME_TAKEN")},
            error=_msg(request, "MSG_FORM_ERRORS"),
        )
    except (errors.InvalidInput, errors.PermissionDenied, errors.NotFound) as exc:
        return await run_in_threadpool(
            _new_page,
            request,
            platform,
            who,
            values=values,
            status=exc.status,
            error=f"{_msg(request, 'MSG_SERVICE_ERROR')} {exc.message}",
        )
    return _back(request, f"/console/datasets/{values['name']}", saved="created")


# ----- one dataset: upload, access level, details, versions --------------------------------------
async def service_error_page(
    request: Request,
    platform: Platform,
    who: Any,
    name: str,
    exc: errors.DatanuriError,
    field: str,
    **ctx: Any,
) -> HTMLResponse:
    """The console's dataset page again, with a service's refusal shown as `field` beside the
    form it answers (and the form's values in `ctx`)."""
    ctx[field] = f"{_msg(request, 'MSG_SERVICE_ERROR')} {exc.message}"
    page = partial(_dataset_page, request, platform, who, name, status=exc.status, **ctx)
    return await run_in_threadpool(page)


def _dataset_page(
    request: Request,
    platform: Platform,
    who: WebUser,
    name: str,
    *,
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    catalog = platform.catalog
    ds = catalog.get_dataset(name, principal=who.me)  # NotFound for what the user may not see
    catalog.check_can_publish(name, who.me)  # PermissionDenied for members who are not editors
    org = catalog.get_organization(ds.organization)
    saved = request.query_params.get("saved")
    ctx: dict[str, Any] = {
        "ds": ds,
        "org": org,
        "versions": sorted(ds.versions, key=lambda v: v.number, reverse=True),
        "max_upload": platform.config.max_upload_bytes,
        "accept": UPLOAD_ACCEPT,
        "saved": saved if saved in ("created", "access", "meta") else None,
        "meta": {"title": ds.title, "description": ds.description},
        "access_error": None,
        "meta_error": None,
        "confirm_open": False,
        "wizard_url": f"/console/datasets/{name}/deidentify",
        # the privacy-loss account of its differential-privacy releases (personal datasets)
        "budget": platform.privacy.budget(name, principal=who.me).to_json()
        if ds.access_level == "personal"
        else None,
        # owners may publish past a false identifier detection, with a reason (the ledger keeps it)
        "can_override": ds.access_level != "personal"
        and who.me.role_in(ds.organization) == "owner",
    }
    ctx.update(console_context(request, platform, who.me, ds))  # web/metadata_views.py
    ctx.update(extra)
    return _console_page(request, "console/dataset.html", who, status=status, **ctx)


@router.get("/console/datasets/{name}", response_class=HTMLResponse)
def dataset_console(
    request: Request, name: str, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    return _dataset_page(request, platform, who, name)


@router.post("/console/datasets/{name}/access", response_class=HTMLResponse)
async def change_access(
    request: Request, name: str, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    catalog = platform.catalog
    ds = await run_in_threadpool(lambda: catalog.get_dataset(name, principal=who.me))
    level = str(form.get("access_level") or "")
    error: str | None = None
    if level not in ACCESS_LEVELS:
        error = _msg(request, "MSG_FORM_ERRORS")
    elif (
        ds.access_level == "personal" and level != "personal"
    ):  # the catalog's rule, said in the page's language
        error = _msg(request, "MSG_PERSONAL_STAYS")
    elif level == ds.access_level:
        return _back(request, f"/console/datasets/{name}")
    elif level == "open" and form.get("confirm") != "yes":
        return await run_in_threadpool(
            lambda: _dataset_page(request, platform, who, name, confirm_open=True)
        )
    else:
        try:
            await run_in_threadpool(
                lambda: catalog.update_dataset(name, access_level=level, principal=who.me)
            )
        except (errors.InvalidInput, errors.PermissionDenied, errors.Conflict) as exc:
            return await service_error_page(
                request,
                platform,
                who,
                name,
                exc,
                "access_error",
            )
        return _back(request, f"/console/datasets/{name}", saved="access")
    return await run_in_threadpool(
        lambda: _dataset_page(request, platform, who, name, status=422, access_error=error)
    )


@router.post("/console/datasets/{name}/details", response_class=HTMLResponse)
async def change_details(
    request: Request, name: str, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    meta = {
        "title": str(form.get("title") or "").strip()[:MAX_TEXT],
        "description": str(form.get("description") or "").strip()[:MAX_TEXT],
    }
    catalog = platform.catalog
    if not meta["title"]:
        return await run_in_threadpool(
            lambda: _dataset_page(
                request,
                platform,
                who,
                name,
                status=422,
                meta=meta,
                meta_error=_msg(request, "MSG_TITLE_EMPTY"),
            )
        )
    try:
        await run_in_threadpool(lambda: catalog.update_dataset(name, principal=who.me, **meta))
    except (errors.InvalidInput, errors.PermissionDenied) as exc:
        return await service_error_page(
            request,
            platform,
            who,
            name,
            exc,
            "meta_error",
            meta=meta,
        )
    return _back(request, f"/console/datasets/{name}", saved="meta")
