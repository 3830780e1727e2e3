"""Access requests ("이용 신청") and notifications: the REST API under /api/v1, and the browser
pages (the request form of a restricted dataset, the holder's review page in the console, the
withdraw and mark-read forms of the account page).

Handlers are thin: one service call with the caller's principal. The header's count of unread
notices is a template global (`unread_notices`), so every page shows it without each route
passing it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from datanuri import errors
from datanuri.accounts import request_messages as M
from datanuri.accounts import request_rules as rules
from datanuri.accounts.notifications import NotificationInfo
from datanuri.accounts.principal import Principal
from datanuri.accounts.requests import RequestInfo
from datanuri.platform import Platform
from datanuri.web import ui_text
from datanuri.web.auth import PublishCaller, ReadCaller, session_principal
from datanuri.web.deps import PlatformDep, RowId, get_platform
from datanuri.web.pages import check_form_csrf, language, templates
from datanuri.web.routes_console import WebUser, WebUserDep, login_redirect
from datanuri.web.routes_ui import UIRoute, href_factory, ui_page
from datanuri.web.schemas_access import AccessRequestOut, NotificationsOut

router = APIRouter(tags=["access requests"])
pages = APIRouter(include_in_schema=False, route_class=UIRoute)
TEXT_LIMIT = 4000  # characters read from a form field (the services hold the real limits)


# ----- the API ---------------------------------------------------------------------------------
class AccessRequestIn(BaseModel):
    purpose: str = Field(max_length=TEXT_LIMIT, description="What the data is for (10+ chars).")
    days: int = Field(rules.DEFAULT_DAYS, description="The period of use asked for, in days.")


class ApproveIn(BaseModel):
    expires_on: dt.date | None = Field(
        None, description="Last day of use (Korean time); default: the period asked for."
    )
    reason: str | None = Field(None, max_length=TEXT_LIMIT)


class RefuseIn(BaseModel):
    reason: str = Field(max_length=TEXT_LIMIT, description="Why; the requester is told it.")


def _out(info: RequestInfo) -> dict[str, Any]:
    return dataclasses.asdict(info)


@router.post("/datasets/{name}/access-requests", status_code=201, response_model=AccessRequestOut)
def create_request(
    name: str, body: AccessRequestIn, me: PublishCaller, p: PlatformDep
) -> dict[str, Any]:
    """Ask the holder of restricted dataset `name` for access ("이용 신청"). Its editors and
    owners are notified; one request per dataset may wait at a time."""
    return _out(p.access_requests.request(name, purpose=body.purpose, days=body.days, principal=me))


@router.get("/access-requests/mine", response_model=list[AccessRequestOut])
def my_requests(me: ReadCaller, p: PlatformDep) -> list[dict[str, Any]]:
    """The caller's own requests, newest first."""
    return [_out(r) for r in p.access_requests.mine(principal=me)]


@router.get("/access-requests", response_model=list[AccessRequestOut])
def holder_requests(
    me: ReadCaller,
    p: PlatformDep,
    status: str | None = Query(
        "pending",
        max_length=20,
        description="pending (default), approved, refused, withdrawn, or all",
    ),
) -> list[dict[str, Any]]:
    """Requests for the datasets of the organisations the caller edits or owns."""
    chosen = None if status == "all" else status
    return [_out(r) for r in p.access_requests.for_holder(principal=me, status=chosen)]


@router.post("/access-requests/{request_id}/approve", response_model=AccessRequestOut)
def approve(
    request_id: RowId, body: ApproveIn, me: PublishCaller, p: PlatformDep
) -> dict[str, Any]:
    """Approve: the requester gets an entitlement until the end of `expires_on`."""
    info = p.access_requests.approve(
        request_id, expires_on=body.expires_on, reason=body.reason, principal=me
    )
    return _out(info)


@router.post("/access-requests/{request_id}/refuse", response_model=AccessRequestOut)
def refuse(request_id: RowId, body: RefuseIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Refuse, with a reason the requester is told."""
    return _out(p.access_requests.refuse(request_id, reason=body.reason, principal=me))


@router.post("/access-requests/{request_id}/withdraw", response_model=AccessRequestOut)
def withdraw(request_id: RowId, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Withdraw one's own request while it waits."""
    return _out(p.access_requests.withdraw(request_id, principal=me))


@router.get("/notifications", tags=["notifications"], response_model=NotificationsOut)
def notifications(me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    """The caller's newest notifications and how many are unread."""
    items = p.notifications.list(principal=me)
    return {
        "unread": p.notifications.unread(principal=me),
        "notifications": [dataclasses.asdict(n) for n in items],
    }


# ----- what the account page and the header show ---------------------------------------------------
@dataclasses.dataclass(frozen=True)
class AccountPanel:
    """The account page's part: the user's requests and notifications."""

    requests: list[RequestInfo]
    notifications: list[NotificationInfo]
    unread: int
    titles: dict[str, str]  # dataset name -> title, for the datasets the user may see


def account_panel(platform: Platform, me: Principal) -> AccountPanel:
    return AccountPanel(
        requests=platform.access_requests.mine(principal=me),
        notifications=platform.notifications.list(principal=me, limit=20),
        unread=platform.notifications.unread(principal=me),
        titles={d.name: d.title for d in platform.catalog.list_datasets(principal=me)},
    )


def unread_notices(request: Request) -> int:
    """The logged-in user's unread notices, for the header (0 for visitors)."""
    found = session_principal(request)
    return 0 if found is None else get_platform(request).notifications.unread(principal=found[0])


templates.env.globals["unread_notices"] = unread_notices


def korean_time(t: dt.datetime | None) -> str:
    """A time as people in Korea read it, e.g. "2027-01-02 09:30"."""
    return "" if t is None else t.astimezone(rules.KST).strftime("%Y-%m-%d %H:%M")


def last_day(t: dt.datetime | None, lang: str) -> str:
    if t is None:
        return ""
    return rules.korean_date(t) if lang == "ko" else rules.english_date(t)


def _helpers(request: Request) -> dict[str, Any]:
    lang = language(request)
    return {
        "ktime": korean_time,
        "last_day": lambda t: last_day(t, lang),
        "msg": lambda name: ui_text.say(getattr(ui_text, name), lang),
    }


def _say_error(exc: errors.DatanuriError, lang: str) -> str:
    return M.in_language(exc.message, lang, **rules.LIMITS)


# ----- the request form of a restricted dataset -------------------------------------------------
def _form_page(
    request: Request,
    platform: Platform,
    who: WebUser,
    name: str,
    *,
    status: int = 200,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    ds = platform.catalog.get_dataset(name, principal=who.me)
    org = platform.catalog.get_organization(ds.organization)
    standing = platform.access_requests.standing(name, principal=who.me)
    return ui_page(
        request,
        "ui/access_request.html",
        status=status,
        user=who.user,
        csrf_token=who.csrf,
        ds=ds,
        org=org,
        standing=standing,
        error=error,
        values=values or {"purpose": "", "days": str(rules.DEFAULT_DAYS)},
        periods=list(ui_text.REQUEST_PERIODS),
        purpose_min=rules.PURPOSE_MIN,
        purpose_max=rules.PURPOSE_MAX,
        **_helpers(request),
    )


@pages.get("/datasets/{name}/access-request", response_class=HTMLResponse)
def request_form(request: Request, name: str, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return login_redirect(request)
    return _form_page(request, platform, who, name)


@pages.post("/datasets/{name}/access-request", response_class=HTMLResponse)
async def request_submit(
    request: Request, name: str, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    purpose = str(form.get("purpose") or "")[:TEXT_LIMIT]
    days = str(form.get("days") or "")
    values = {"purpose": purpose, "days": days}
    lang = language(request)
    if days not in ui_text.REQUEST_PERIODS:
        error, status = ui_text.say(ui_text.MSG_FORM_ERRORS, lang), 422
    else:
        try:
            await run_in_threadpool(
                lambda: platform.access_requests.request(
                    name, purpose=purpose, days=int(days), principal=who.me
                )
            )
        except (errors.InvalidInput, errors.Conflict) as exc:
            error, status = _say_error(exc, lang), exc.status
        else:
            target = href_factory(lang)("/account", requested=1) + "#requests-h"
            return RedirectResponse(target, status_code=303)
    return await run_in_threadpool(
        lambda: _form_page(request, platform, who, name, status=status, error=error, values=values)
    )


# ----- the account page's forms ---------------------------------------------------------------
@pages.post("/account/access-requests/{request_id}/withdraw")
async def withdraw_form(
    request: Request, request_id: RowId, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    await check_form_csrf(request, who.csrf)
    await run_in_threadpool(lambda: platform.access_requests.withdraw(request_id, principal=who.me))
    target = href_factory(language(request))("/account", withdrawn=1) + "#requests-h"
    return RedirectResponse(target, status_code=303)


@pages.post("/account/notifications/read")
async def mark_read_form(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return login_redirect(request)
    await check_form_csrf(request, who.csrf)
    await run_in_threadpool(lambda: platform.notifications.mark_read(principal=who.me))
    target = href_factory(language(request))("/account") + "#notifications-h"
    return RedirectResponse(target, status_code=303)


# ----- the holder's review page -----------------------------------------------------------------
def _review_page(
    request: Request,
    platform: Platform,
    who: WebUser,
    *,
    status: int = 200,
    errors_by_id: dict[int, str] | None = None,
) -> HTMLResponse:
    reqs = platform.access_requests
    pending = reqs.for_holder(principal=who.me, status="pending")
    decided = [r for r in reqs.for_holder(principal=who.me, status=None) if r.status != "pending"]
    titles = {d.name: d.title for d in platform.catalog.list_datasets(principal=who.me)}
    today = dt.datetime.now(rules.KST).date()
    return ui_page(
        request,
        "console/requests.html",
        status=status,
        user=who.user,
        csrf_token=who.csrf,
        pending=pending,
        decided=list(reversed(decided))[:30],
        titles=titles,
        default_end=lambda r: (today + dt.timedelta(days=r.days)).isoformat(),
        min_end=(today + dt.timedelta(days=1)).isoformat(),
        max_end=(today + dt.timedelta(days=rules.MAX_DAYS)).isoformat(),
        done=request.query_params.get("done"),
        errors_by_id=errors_by_id or {},
        **_helpers(request),
    )


@pages.get("/console/requests", response_class=HTMLResponse)
def review(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return login_redirect(request)
    return _review_page(request, platform, who)


async def _decide(
    request: Request, request_id: int, platform: Platform, who: WebUser, how: str
) -> Response:
    form = await check_form_csrf(request, who.csrf)
    lang = language(request)
    reason = str(form.get("reason") or "")[:TEXT_LIMIT]
    reqs = platform.access_requests
    try:
        if how == "approve":
            raw = str(form.get("expires_on") or "").strip()
            try:
                on = dt.date.fromisoformat(raw) if raw else None
            except ValueError:
                raise errors.InvalidInput(ui_text.MSG_BAD_DATE[1]) from None
            await run_in_threadpool(
                lambda: reqs.approve(request_id, expires_on=on, reason=reason, principal=who.me)
            )
        else:
            await run_in_threadpool(
                lambda: reqs.refuse(request_id, reason=reason, principal=who.me)
            )
    except (errors.InvalidInput, errors.Conflict) as exc:
        code = exc.status
        text = (
            ui_text.say(ui_text.MSG_BAD_DATE, lang)
            if exc.message == ui_text.MSG_BAD_DATE[1]
            else _say_error(exc, lang)
        )
        return await run_in_threadpool(
            lambda: _review_page(
                request, platform, who, status=code, errors_by_id={request_id: text}
            )
        )
    done = "approved" if how == "approve" else "refused"
    return RedirectResponse(href_factory(lang)("/console/requests", done=done), status_code=303)


@pages.post("/console/requests/{request_id}/approve")
async def approve_form(
    request: Request, request_id: RowId, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    return await _decide(request, request_id, platform, who, "approve")


@pages.post("/console/requests/{request_id}/refuse")
async def refuse_form(
    request: Request, request_id: RowId, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    return await _decide(request, request_id, platform, who, "refuse")
