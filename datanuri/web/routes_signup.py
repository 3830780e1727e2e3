"""Self-service accounts on the web: sign-up with a mailed verification link and password reset,
as REST routes (under /api/v1/auth) and as pages (/signup, /password/...). Each handler is one
call into `platform.selfservice`; the pages keep the pre-login CSRF cookie, one per path."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from datanuri import errors
from datanuri.accounts import messages as m
from datanuri.accounts import secrets as sec
from datanuri.web import schemas
from datanuri.web.auth import PUBLIC, client_address
from datanuri.web.deps import PlatformDep
from datanuri.web.pages import PRELOGIN_CSRF_COOKIE, check_form_csrf, language, render
from datanuri.web.routes_ui import UIRoute, href_factory

api = APIRouter(tags=["auth"], dependencies=[PUBLIC])
pages = APIRouter(include_in_schema=False, route_class=UIRoute)


# ----- REST API ----------------------------------------------------------------------------------
class SignupIn(BaseModel):
    email: str = Field(max_length=320)
    display_name: str = Field(max_length=200)
    password: str = Field(max_length=1024)


class EmailIn(BaseModel):
    email: str = Field(max_length=320)


class LinkIn(BaseModel):
    token: str = Field(max_length=200, description="The `token` of the mailed link")


class ResetIn(LinkIn):
    password: str = Field(max_length=1024)


@api.post("/auth/signup", status_code=202, response_model=schemas.MailSentOut)
def signup(body: SignupIn, request: Request, p: PlatformDep) -> dict[str, Any]:
    """Sign up: creates an account that can log in once the mailed link is followed
    (/auth/verify). The answer is the same for an address that already has an account (its
    owner is told by mail). 403 when the server takes no sign-ups."""
    p.selfservice.sign_up(
        body.email,
        display_name=body.display_name,
        password=body.password,
        client=client_address(request),
    )
    return {"status": "mail_sent", "message": m.MSG_SIGNUP_SENT[1]}


@api.post("/auth/signup/resend", status_code=202, response_model=schemas.MailSentOut)
def signup_resend(body: EmailIn, request: Request, p: PlatformDep) -> dict[str, Any]:
    """Mail a new verification link to an address that signed up but has not confirmed."""
    p.selfservice.resend_verification(body.email, client=client_address(request))
    return {"status": "mail_sent", "message": m.MSG_SIGNUP_SENT[1]}


@api.post("/auth/verify", response_model=schemas.VerifiedOut)
def verify(body: LinkIn, p: PlatformDep) -> dict[str, Any]:
    """Confirm an address with the token of its mailed link (once; links expire)."""
    done = p.selfservice.verify_email(body.token)
    return {"verified": True, "email": done.email}


@api.post("/auth/password/forgot", status_code=202, response_model=schemas.MailSentOut)
def password_forgot(body: EmailIn, request: Request, p: PlatformDep) -> dict[str, Any]:
    """Mail a password-reset link if the address has an account; the same answer if not."""
    p.selfservice.request_reset(body.email, client=client_address(request))
    return {"status": "mail_sent", "message": m.MSG_RESET_SENT[1]}


@api.post("/auth/password/reset", response_model=schemas.PasswordResetOut)
def password_reset(body: ResetIn, p: PlatformDep) -> dict[str, Any]:
    """Set a new password with the token of a reset link; every session of the account ends."""
    email = p.selfservice.reset_password(body.token, body.password)
    return {"reset": True, "email": email, "message": m.MSG_RESET_DONE[1]}


# ----- pages -------------------------------------------------------------------------------------
def _say(request: Request) -> Any:
    lang = language(request)
    return lambda pair: pair[0] if lang == "ko" else pair[1]


def _form_page(
    request: Request, template: str, cookie_path: str, *, status: int = 200, **ctx: Any
) -> HTMLResponse:
    """A pre-login form page with its CSRF token, kept in a cookie scoped to `cookie_path`."""
    token = request.cookies.get(PRELOGIN_CSRF_COOKIE) or sec.new_secret()
    lang = language(request)
    resp = render(
        request,
        template,
        status=status,
        csrf_token=token,
        say=_say(request),
        href=href_factory(lang),
        **ctx,
    )
    resp.set_cookie(PRELOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path=cookie_path)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"  # the link's token stays on this page
    return resp


def _error(request: Request, exc: errors.DatanuriError) -> str:
    return m.in_language(exc.message, language(request))


def _sent_page(request: Request, message: m.Pair, cookie_path: str, **ctx: Any) -> HTMLResponse:
    return _form_page(request, "selfservice_sent.html", cookie_path, message=message, **ctx)


@pages.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request, p: PlatformDep) -> HTMLResponse:
    return _form_page(
        request, "signup.html", "/signup", open=p.selfservice.signup_open, values={}, error=None
    )


@pages.post("/signup", response_class=HTMLResponse)
async def signup_submit(request: Request, p: PlatformDep) -> HTMLResponse:
    form = await check_form_csrf(request, request.cookies.get(PRELOGIN_CSRF_COOKIE))
    email = str(form.get("email") or "")[:320]
    name = str(form.get("display_name") or "")[:200]
    password = str(form.get("password") or "")[:1024]
    values = {"email": email, "display_name": name}
    if password != str(form.get("password2") or "")[:1024]:
        return _form_page(
            request,
            "signup.html",
            "/signup",
            status=422,
            open=True,
            values=values,
            error=_say(request)(m.MSG_PASSWORD_MISMATCH),
        )
    try:
        await run_in_threadpool(
            lambda: p.selfservice.sign_up(
                email, display_name=name, password=password, client=client_address(request)
            )
        )
    except (errors.InvalidInput, errors.PermissionDenied) as exc:
        return _form_page(
            request,
            "signup.html",
            "/signup",
            status=exc.status,
            open=p.selfservice.signup_open,
            values=values,
            error=_error(request, exc),
        )
    return _sent_page(request, m.MSG_SIGNUP_SENT, "/signup", resend_email=email)


@pages.post("/signup/resend", response_class=HTMLResponse)
async def signup_resend_page(request: Request, p: PlatformDep) -> HTMLResponse:
    form = await check_form_csrf(request, request.cookies.get(PRELOGIN_CSRF_COOKIE))
    return await _resend(request, p, str(form.get("email") or "")[:320], "/signup")


@pages.post("/login/resend", response_class=HTMLResponse)
async def login_resend_page(request: Request, p: PlatformDep) -> HTMLResponse:
    """The "send it again" button of the login page's "not confirmed yet" message."""
    form = await check_form_csrf(request, request.cookies.get(PRELOGIN_CSRF_COOKIE))
    return await _resend(request, p, str(form.get("email") or "")[:320], "/login")


async def _resend(request: Request, p: PlatformDep, email: str, path: str) -> HTMLResponse:
    try:
        await run_in_threadpool(
            lambda: p.selfservice.resend_verification(email, client=client_address(request))
        )
    except errors.InvalidInput:
        pass  # not an address: the same answer as for one without an account
    return _sent_page(request, m.MSG_SIGNUP_SENT, path)


@pages.get("/signup/verify", response_class=HTMLResponse)
def verify_form(request: Request, p: PlatformDep) -> HTMLResponse:
    """The mailed link lands here; a button confirms (a mail scanner's visit spends nothing)."""
    token = request.query_params.get("token", "")[:200]
    if not p.selfservice.link_valid(token, "verify"):
        error = _say(request)(m.MSG_LINK_BAD)
        return _form_page(
            request, "signup_verify.html", "/signup", status=410, token="", error=error
        )
    return _form_page(request, "signup_verify.html", "/signup", token=token, error=None)


@pages.post("/signup/verify", response_model=None)
async def verify_submit(request: Request, p: PlatformDep) -> Response:
    form = await check_form_csrf(request, request.cookies.get(PRELOGIN_CSRF_COOKIE))
    token = str(form.get("token") or "")[:200]
    try:
        await run_in_threadpool(lambda: p.selfservice.verify_email(token))
    except errors.NotAuthenticated as exc:
        return _form_page(
            request,
            "signup_verify.html",
            "/signup",
            status=exc.status,
            token="",
            error=_error(request, exc),
        )
    return RedirectResponse(href_factory(language(request))("/login", notice="verified"), 303)


@pages.get("/password/forgot", response_class=HTMLResponse)
def forgot_form(request: Request) -> HTMLResponse:
    return _form_page(request, "password_forgot.html", "/password")


@pages.post("/password/forgot", response_class=HTMLResponse)
async def forgot_submit(request: Request, p: PlatformDep) -> HTMLResponse:
    form = await check_form_csrf(request, request.cookies.get(PRELOGIN_CSRF_COOKIE))
    email = str(form.get("email") or "")[:320]
    await run_in_threadpool(
        lambda: p.selfservice.request_reset(email, client=client_address(request))
    )
    return _sent_page(request, m.MSG_RESET_SENT, "/password")


@pages.get("/password/reset", response_class=HTMLResponse)
def reset_form(request: Request, p: PlatformDep) -> HTMLResponse:
    token = request.query_params.get("token", "")[:200]
    valid = p.selfservice.reset_link_valid(token)
    return _form_page(
        request,
        "password_reset.html",
        "/password",
        status=200 if valid else 410,
        token=token if valid else "",
        error=None if valid else _say(request)(m.MSG_LINK_BAD),
    )


@pages.post("/password/reset", response_model=None)
async def reset_submit(request: Request, p: PlatformDep) -> Response:
    form = await check_form_csrf(request, request.cookies.get(PRELOGIN_CSRF_COOKIE))
    token = str(form.get("token") or "")[:200]
    password = str(form.get("password") or "")[:1024]
    say = _say(request)
    if password != str(form.get("password2") or "")[:1024]:
        error, status = say(m.MSG_PASSWORD_MISMATCH), 422
    else:
        try:
            await run_in_threadpool(lambda: p.selfservice.reset_password(token, password))
        except errors.InvalidInput as exc:
            error, status = _error(request, exc), exc.status
        except errors.NotAuthenticated as exc:
            error, status, token = _error(request, exc), 410, ""
        else:
            return RedirectResponse(href_factory(language(request))("/login", notice="reset"), 303)
    return _form_page(
        request, "password_reset.html", "/password", status=status, token=token, error=error
    )
