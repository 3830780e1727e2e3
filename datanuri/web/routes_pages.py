"""Browser pages for logging in and out, and the account page with the user's API tokens."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from datanuri import errors
from datanuri.accounts import messages as account_messages
from datanuri.accounts import secrets as sec
from datanuri.accounts.principal import Principal
from datanuri.accounts.second_factor import Proof
from datanuri.accounts.validate import SCOPES
from datanuri.platform import Platform
from datanuri.web import ui_text
from datanuri.web.auth import SESSION_COOKIE, client_address, session_principal
from datanuri.web.deps import PlatformDep, RowId
from datanuri.web.pages import PRELOGIN_CSRF_COOKIE, check_form_csrf, language, render
from datanuri.web.routes_access import account_panel
from datanuri.web.routes_access import korean_time as access_time
from datanuri.web.routes_access import last_day as access_day
from datanuri.web.routes_accounts import set_session_cookie
from datanuri.web.routes_console import WebUser, WebUserDep
from datanuri.web.routes_ui import UIRoute, href_factory, ui_page

router = APIRouter(include_in_schema=False, route_class=UIRoute)
NEXT_COOKIE = "datanuri_next"
# What the login page says when a self-service step sends the user to it (?notice=...).
LOGIN_NOTICES = {
    "verified": account_messages.MSG_VERIFIED,
    "reset": account_messages.MSG_RESET_DONE,
}
LOCAL_PATH = re.compile(r"/(?!/)[A-Za-z0-9/_.~-]{0,300}")


def safe_next(value: str | None) -> str | None:
    """`value` if it is a path on this site (no scheme, host or query), else None."""
    if value and LOCAL_PATH.fullmatch(value) and "//" not in value and ".." not in value:
        return value
    return None


def _login_page(
    request: Request,
    *,
    error: str | None = None,
    email: str | None = None,
    status: int = 200,
    unverified: bool = False,
) -> HTMLResponse:
    token = request.cookies.get(PRELOGIN_CSRF_COOKIE) or sec.new_secret()
    notice = LOGIN_NOTICES.get(request.query_params.get("notice") or "")
    resp = render(
        request,
        "login.html",
        status=status,
        csrf_token=token,
        error=error,
        email=email,
        unverified=unverified,  # offers to send the confirmation mail again
        notice=None if notice is None else ui_text.say(notice, language(request)),
        signup_open=request.app.state.platform.selfservice.signup_open,
    )
    resp.set_cookie(PRELOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
    nxt = safe_next(request.query_params.get("next"))
    if nxt:  # where to go after logging in (the login form itself stays unchanged)
        resp.set_cookie(
            NEXT_COOKIE, nxt, httponly=True, samesite="strict", path="/login", max_age=3600
        )
    elif request.method == "GET" and NEXT_COOKIE in request.cookies:
        resp.delete_cookie(
            NEXT_COOKIE, path="/login"
        )  # a plain visit to the login page forgets an old target
    return resp


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/login")
async def login_submit(request: Request, platform: PlatformDep) -> Response:
    form = await check_form_csrf(request, request.cookies.get(PRELOGIN_CSRF_COOKIE))
    email = str(form.get("email") or "")[:320]
    try:
        me = await run_in_threadpool(
            lambda: platform.accounts.login(
                email,
                str(form.get("password") or "")[:1024],
                client=client_address(request),
                user_agent=request.headers.get("user-agent"),
            )
        )
    except errors.SecondFactorRequired as need:
        challenge = str(need.details["challenge"])
        if need.details["enroll"]:
            return await run_in_threadpool(_enroll_page, request, platform, challenge)
        return _factor_page(request, challenge, list(need.details["methods"]))
    except (errors.NotAuthenticated, errors.PermissionDenied) as exc:
        ko = {"The e-mail or password is not right.": "이메일 또는 비밀번호가 맞지 않습니다."}
        message = ko.get(exc.message, exc.message) if language(request) == "ko" else exc.message
        message = account_messages.in_language(message, language(request))
        unverified = bool(isinstance(exc.details, dict) and exc.details.get("unverified"))
        return _login_page(
            request, error=message, email=email, status=exc.status, unverified=unverified
        )
    return await _logged_in(request, platform, me)


async def _logged_in(request: Request, platform: Platform, me: Principal) -> Response:
    secret, _csrf = await run_in_threadpool(platform.accounts.create_session, me)
    resp = RedirectResponse(_target(request), status_code=303)
    return _with_session(resp, platform, secret)


def _target(request: Request) -> str:
    target = safe_next(request.cookies.get(NEXT_COOKIE)) or "/account"
    return f"{target}?lang={language(request)}"


def _with_session(resp: Response, platform: Platform, secret: str) -> Response:
    set_session_cookie(resp, platform, secret)
    resp.delete_cookie(PRELOGIN_CSRF_COOKIE, path="/login")
    resp.delete_cookie(NEXT_COOKIE, path="/login")
    return resp


# ----- the second factor: its step of the login, and its enrolment ------------------------------
def _say(request: Request) -> Any:
    lang = language(request)
    return lambda name: ui_text.say(getattr(account_messages, name), lang)


def _factor_page(
    request: Request,
    challenge: str,
    methods: list[str],
    *,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "login_factor.html",
        status=status,
        csrf_token=request.cookies.get(PRELOGIN_CSRF_COOKIE) or "",
        challenge=challenge,
        methods=methods,
        error=error,
        say=_say(request),
    )


def _enroll_page(
    request: Request,
    platform: Platform,
    challenge: str,
    *,
    error: str | None = None,
    status: int = 200,
    csrf_token: str | None = None,
) -> HTMLResponse:
    setup = platform.accounts.totp_setup(challenge)
    return render(
        request,
        "login_enroll.html",
        status=status,
        csrf_token=csrf_token or request.cookies.get(PRELOGIN_CSRF_COOKIE) or "",
        challenge=challenge,
        totp_secret=setup.secret,
        totp_uri=setup.uri,
        error=error,
        say=_say(request),
    )


def _passkey_answer(form: dict[str, Any]) -> dict[str, Any] | None:
    raw = str(form.get("passkey") or "")
    if not raw:
        return None
    if len(raw) > 64 * 1024:
        raise errors.TooLarge("The passkey answer is too large to be one.")
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise errors.InvalidInput("The passkey answer is not JSON.") from exc
    if not isinstance(value, dict):
        raise errors.InvalidInput("The passkey answer is not a credential.")
    return value


@router.post("/login/verify")
async def login_verify(request: Request, platform: PlatformDep) -> Response:
    """The second step of a login: a TOTP code, a recovery code or a passkey answer."""
    form = await check_form_csrf(request, request.cookies.get(PRELOGIN_CSRF_COOKIE))
    challenge = str(form.get("challenge") or "")[:200]
    proof = Proof(
        code=str(form.get("code") or "")[:20] or None,
        recovery_code=str(form.get("recovery_code") or "")[:40] or None,
        passkey=_passkey_answer(form),
    )
    try:
        me = await run_in_threadpool(
            lambda: platform.accounts.finish_login(
                challenge,
                proof,
                client=client_address(request),
                user_agent=request.headers.get("user-agent"),
            )
        )
    except (errors.NotAuthenticated, errors.InvalidInput) as exc:
        message = account_messages.in_language(exc.message, language(request))
        if exc.message == account_messages.MSG_BAD_CODE[1]:  # the pending login goes on
            methods = await run_in_threadpool(platform.accounts.pending_methods, challenge)
            return _factor_page(request, challenge, methods, error=message, status=exc.status)
        return _login_page(request, error=message, status=exc.status)
    return await _logged_in(request, platform, me)


@router.post("/login/enroll")
async def login_enroll(request: Request, platform: PlatformDep) -> Response:
    """Enrol a second factor in a login: the TOTP code of the shown seed, or a new passkey."""
    form = await check_form_csrf(request, request.cookies.get(PRELOGIN_CSRF_COOKIE))
    challenge = str(form.get("challenge") or "")[:200]
    passkey = _passkey_answer(form)
    code = str(form.get("code") or "")[:20]
    try:
        if passkey is not None:
            done = await run_in_threadpool(
                lambda: platform.accounts.passkey_enrol(
                    challenge, passkey, client=client_address(request)
                )
            )
        else:
            done = await run_in_threadpool(
                lambda: platform.accounts.totp_enrol(
                    challenge, code, client=client_address(request)
                )
            )
    except (errors.NotAuthenticated, errors.InvalidInput, errors.Conflict) as exc:
        message = account_messages.in_language(exc.message, language(request))
        status = exc.status
        if exc.message == account_messages.MSG_BAD_CODE[1]:
            return await run_in_threadpool(
                lambda: _enroll_page(request, platform, challenge, error=message, status=status)
            )
        return _login_page(request, error=message, status=status)
    secret, _csrf = await run_in_threadpool(platform.accounts.create_session, done.principal)
    page = render(
        request,
        "login_codes.html",
        codes=list(done.recovery_codes),
        target=_target(request),
        say=_say(request),
    )
    return _with_session(page, platform, secret)


# ----- security: one's second factors and alerts; everyone's alerts for admins and auditors -------
def _security_page(
    request: Request, platform: Platform, who: WebUser, *, everyone: bool
) -> HTMLResponse:
    lang = language(request)
    acc = platform.accounts
    return ui_page(
        request,
        "security.html",
        user=who.user,
        csrf_token=who.csrf,
        everyone=everyone,
        factors=[] if everyone else acc.list_second_factors(principal=who.me),
        alerts=acc.list_alerts(everyone=everyone, principal=who.me),
        reason=lambda r: ui_text.pick(account_messages.REASONS, r, lang),
        verdict=lambda v: ui_text.pick(account_messages.VERDICTS, v, lang),
    )


@router.get("/account/security", response_class=HTMLResponse)
def account_security(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return RedirectResponse(f"/login?lang={language(request)}", status_code=303)
    return _security_page(request, platform, who, everyone=False)


@router.get("/console/security", response_class=HTMLResponse)
def console_security(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    """Every user's login alerts (admins and auditors; others get the service's 403)."""
    if who is None:
        return RedirectResponse(
            f"/login?next=/console/security&lang={language(request)}", status_code=303
        )
    return _security_page(request, platform, who, everyone=True)


@router.post("/account/security/enroll", response_class=HTMLResponse)
async def account_enroll(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    """Start adding a second factor from the session: the enrolment page of the login."""
    if who is None:
        return RedirectResponse(f"/login?lang={language(request)}", status_code=303)
    await check_form_csrf(request, who.csrf)
    challenge = await run_in_threadpool(lambda: platform.accounts.start_enrolment(principal=who.me))
    token = sec.new_secret()  # the enrolment form is a /login form, with its own CSRF cookie
    page = await run_in_threadpool(
        lambda: _enroll_page(request, platform, challenge, csrf_token=token)
    )
    page.set_cookie(PRELOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
    return page


# ----- the account page and its API tokens ------------------------------------------------------
def _token_rows(platform: Platform, who: WebUser) -> list[dict[str, Any]]:
    """The user's own tokens (an admin's list holds everyone's), newest first, with a state word."""
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    for tok in platform.accounts.list_tokens(principal=who.me):
        if tok.user != who.user.email:
            continue
        ends = dt.datetime.fromisoformat(tok.expires_at) if tok.expires_at else None
        if ends is not None and ends.tzinfo is None:
            ends = ends.replace(tzinfo=dt.UTC)
        expired = ends is not None and ends <= now
        rows.append(
            {"info": tok, "state": "revoked" if tok.revoked else "expired" if expired else "active"}
        )
    rows.sort(key=lambda r: r["info"].id, reverse=True)
    return rows


def _account_page(
    request: Request, platform: Platform, who: WebUser, *, status: int = 200, **ctx: Any
) -> HTMLResponse:
    lang = language(request)
    base = {
        "new_token": None,
        "new_secret": None,
        "confirm_revoke": None,
        "token_error": None,
        "notice": None,
        "token_values": {"name": "", "scopes": ["read"], "expiry": "90"},
    }
    resp = ui_page(
        request,
        "account.html",
        status=status,
        user=who.user,
        csrf_token=who.csrf,
        tokens=_token_rows(platform, who),
        scopes=SCOPES,
        org_titles={o.name: o.title for o in platform.catalog.list_organizations()},
        expiries=list(ui_text.TOKEN_EXPIRY),
        msg=lambda name: ui_text.say(getattr(ui_text, name), lang),
        access=account_panel(platform, who.me),  # notifications and access requests
        ktime=access_time,
        last_day=lambda t: access_day(t, lang),
        **(base | ctx),
    )
    resp.headers["Cache-Control"] = "no-store"  # a page may hold a token secret shown once
    return resp


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return RedirectResponse(f"/login?lang={language(request)}", status_code=303)
    notice = "MSG_TOKEN_REVOKED" if request.query_params.get("revoked") else None
    return _account_page(request, platform, who, notice=notice)


@router.post("/account/tokens", response_class=HTMLResponse)
async def create_token(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return RedirectResponse(f"/login?lang={language(request)}", status_code=303)
    form = await check_form_csrf(request, who.csrf)
    name = str(form.get("name") or "").strip()[:300]
    scopes = [str(s) for s in (await request.form()).getlist("scopes") if s in SCOPES]
    expiry = str(form.get("expiry") or "90")
    values = {"name": name, "scopes": scopes, "expiry": expiry}
    lang = language(request)
    error = None
    if not name:
        error = ui_text.say(ui_text.MSG_TOKEN_NAME_EMPTY, lang)
    elif not scopes:
        error = ui_text.say(ui_text.MSG_SCOPES_CHOOSE, lang)
    elif expiry not in ui_text.TOKEN_EXPIRY:
        error = ui_text.say(ui_text.MSG_FORM_ERRORS, lang)
    if error is None:
        days = None if expiry == "never" else int(expiry)
        try:
            info, secret = await run_in_threadpool(
                lambda: platform.accounts.create_token(
                    name=name, scopes=scopes, expires_in_days=days, principal=who.me
                )
            )
        except (errors.InvalidInput, errors.PermissionDenied, errors.NotAuthenticated) as exc:
            error = f"{ui_text.say(ui_text.MSG_SERVICE_ERROR, lang)} {exc.message}"
        else:
            return await run_in_threadpool(
                lambda: _account_page(request, platform, who, new_token=info, new_secret=secret)
            )
    return await run_in_threadpool(
        lambda: _account_page(
            request, platform, who, status=422, token_error=error, token_values=values
        )
    )


@router.post("/account/tokens/{token_id}/revoke", response_class=HTMLResponse)
async def revoke_token(
    request: Request, token_id: RowId, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return RedirectResponse(f"/login?lang={language(request)}", status_code=303)
    form = await check_form_csrf(request, who.csrf)
    accounts = platform.accounts
    mine = {
        t.id: t
        for t in await run_in_threadpool(lambda: accounts.list_tokens(principal=who.me))
        if t.user == who.user.email
    }
    if token_id not in mine:
        raise errors.NotFound(f"No token {token_id} of yours.")
    if form.get("confirm") != "yes":
        return await run_in_threadpool(
            lambda: _account_page(request, platform, who, confirm_revoke=mine[token_id])
        )
    await run_in_threadpool(lambda: accounts.revoke_token(token_id, principal=who.me))
    return RedirectResponse(
        href_factory(language(request))("/account", revoked=token_id) + "#tokens-h", status_code=303
    )


@router.post("/logout")
async def logout(request: Request, platform: PlatformDep) -> Response:
    found = await run_in_threadpool(session_principal, request)
    if found is None:
        return RedirectResponse("/login", status_code=303)
    await check_form_csrf(request, found[1])
    await run_in_threadpool(platform.accounts.end_session, request.cookies.get(SESSION_COOKIE, ""))
    resp = RedirectResponse(f"/login?lang={language(request)}", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp
