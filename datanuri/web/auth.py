"""Who is calling: bearer tokens, session cookies, CSRF and rate limits, as FastAPI dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from datanuri import errors
from datanuri.accounts import secrets as sec
from datanuri.accounts.principal import ANONYMOUS, Principal
from datanuri.accounts.service import LoginContext
from datanuri.web.deps import get_platform
from datanuri.web.ratelimit import RateLimiter

SESSION_COOKIE = "datanuri_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MSG_CSRF = "This request lacks a valid CSRF token. Reload the page and try again."


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limiter(request: Request) -> RateLimiter:
    lim = getattr(request.app.state, "rate_limiter", None)
    if lim is None:
        cfg = get_platform(request).config
        lim = request.app.state.rate_limiter = RateLimiter(
            cfg.rate_limit_per_minute, burst=cfg.rate_limit_burst
        )
    return lim


def _check_rate(request: Request, key: str) -> None:
    wait = limiter(request).hit(key)
    if wait is not None:
        seconds = max(1, int(wait + 0.999))
        raise errors.RateLimited(
            f"Too many requests. Wait {seconds} s and try again.", retry_after=seconds
        )


def session_principal(request: Request) -> tuple[Principal, str] | None:
    """The logged-in browser user and their CSRF token, or None."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        return get_platform(request).accounts.resolve_session(cookie)
    except errors.NotAuthenticated:
        return None


def get_principal(request: Request) -> Principal:
    """The caller of an API route: bearer token, else session cookie (with CSRF on writes), else anonymous."""
    platform = get_platform(request)
    client = client_address(request)
    _check_rate(request, f"addr:{client}")
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, credential = auth.partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            raise errors.NotAuthenticated("Send the API token as 'Authorization: Bearer <token>'.")
        principal = platform.accounts.resolve_token(
            credential.strip(),
            context=LoginContext(client, request.headers.get("user-agent")),
        )
        _check_rate(request, f"token:{principal.token_id}")
    elif (found := session_principal(request)) is not None:
        principal, csrf = found
        if request.method not in SAFE_METHODS and not sec.same(
            request.headers.get(CSRF_HEADER, ""), csrf
        ):
            raise errors.PermissionDenied(MSG_CSRF)
    else:
        principal = ANONYMOUS
    request.state.principal = principal
    return principal.using(via="api", client=client)


PrincipalDep = Annotated[Principal, Depends(get_principal)]
