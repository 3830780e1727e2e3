"""Browser pages for logging in and out (the rest of the UI builds on these)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from datanuri import errors
from datanuri.accounts import secrets as sec
from datanuri.web.auth import SESSION_COOKIE, client_address, session_principal
from datanuri.web.pages import PRELOGIN_CSRF_COOKIE, check_form_csrf, language, render
from datanuri.web.routes_accounts import set_session_cookie

router = APIRouter(include_in_schema=False)


def _login_page(request: Request, *, error: str | None = None, email: str | None = None, status: int = 200) -> HTMLResponse:
    token = request.cookies.get(PRELOGIN_CSRF_COOKIE) or sec.new_secret()
    resp = render(request, "login.html", status=status, csrf_token=token, error=error, email=email)
    resp.set_cookie(PRELOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
    return resp


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/login")
async def login_submit(request: Request) -> Response:
    form = await check_form_csrf(request, request.cookies.get(PRELOGIN_CSRF_COOKIE))
    platform = request.app.state.platform
    email = str(form.get("email") or "")[:320]
    try:
        me = await run_in_threadpool(platform.accounts.login, email, str(form.get("password") or "")[:1024],
                                     client=client_address(request))
    except (errors.NotAuthenticated, errors.PermissionDenied) as exc:
        ko = {"The e-mail or password is not right.": "이메일 또는 비밀번호가 맞지 않습니다."}
        message = ko.get(exc.message, exc.message) if language(request) == "ko" else exc.message
        return _login_page(request, error=message, email=email, status=exc.status)
    secret, _csrf = await run_in_threadpool(platform.accounts.create_session, me)
    resp = RedirectResponse(f"/account?lang={language(request)}", status_code=303)
    set_session_cookie(resp, platform, secret)
    resp.delete_cookie(PRELOGIN_CSRF_COOKIE, path="/login")
    return resp


@router.get("/account", response_class=HTMLResponse)
def account(request: Request) -> Response:
    found = session_principal(request)
    if found is None:
        return RedirectResponse(f"/login?lang={language(request)}", status_code=303)
    me, csrf = found
    user = request.app.state.platform.accounts.get_user(me.user_id)
    return render(request, "account.html", user=user, csrf_token=csrf)


@router.post("/logout")
async def logout(request: Request) -> Response:
    found = await run_in_threadpool(session_principal, request)
    if found is None:
        return RedirectResponse("/login", status_code=303)
    await check_form_csrf(request, found[1])
    await run_in_threadpool(request.app.state.platform.accounts.end_session, request.cookies.get(SESSION_COOKIE, ""))
    resp = RedirectResponse(f"/login?lang={language(request)}", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp
