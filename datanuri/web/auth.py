"""Who is calling: bearer tokens, session cookies, CSRF, per-token rate limits and the scope each
route needs, as FastAPI dependencies.

Every API route declares what it needs in its signature, one way: `me: ReadCaller` (also spelt
`PrincipalDep`), `me: PublishCaller` or `me: AdminCaller` when it acts for the caller, or
`dependencies=[PUBLIC]` when it acts for nobody (logging in, a witness's cosignature, the public
ledger). A token without the declared scope is refused before the handler runs; the services
then check the caller's role (and the scope again) through `AccessControl`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Request

from datanuri import errors
from datanuri.accounts import secrets as sec
from datanuri.accounts.principal import ANONYMOUS, Principal
from datanuri.accounts.service import LoginContext
from datanuri.web.clients import networks, real_client
from datanuri.web.deps import get_platform
from datanuri.web.ratelimit import Limiter, RateLimiter, SharedRateLimiter

SESSION_COOKIE = "datanuri_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MSG_CSRF = "This request lacks a valid CSRF token. Reload the page and try again."
MSG_SCOPE = (
    "This API token lacks the '{scope}' scope that this route needs. Create a token with that "
    "scope (`datanuri tokens create --scopes ...`) or use one that has it."
)
MSG_RATE = "Too many requests. Wait {seconds} s and try again."

Scope = Literal["read", "publish", "admin"]


def client_address(request: Request) -> str:
    """The real client's address: the peer, or what a trusted proxy says it forwarded for."""
    proxies = getattr(request.app.state, "trusted_networks", None)
    if proxies is None:
        proxies = request.app.state.trusted_networks = networks(
            get_platform(request).config.trusted_proxies
        )
    peer = request.client.host if request.client else None
    return real_client(peer, request.headers.getlist("x-forwarded-for"), proxies)


def limiter(request: Request) -> Limiter:
    """The app's rate limiter: shared through the database or in memory (`Config`)."""
    lim: Limiter | None = getattr(request.app.state, "rate_limiter", None)
    if lim is None:
        platform = get_platform(request)
        cfg = platform.config
        if cfg.shared_rate_limits:
            lim = SharedRateLimiter(
                platform.db.engine, cfg.rate_limit_per_minute, burst=cfg.rate_limit_burst
            )
        else:
            lim = RateLimiter(cfg.rate_limit_per_minute, burst=cfg.rate_limit_burst)
        request.app.state.rate_limiter = lim
    return lim


def check_rate(request: Request, key: str) -> None:
    """Take one request from `key`'s bucket, once per request; raise `RateLimited` when empty."""
    done: set[str] = request.scope.setdefault("datanuri.rate_keys", set())
    if key in done:
        return
    done.add(key)
    wait = limiter(request).hit(key)
    if wait is not None:
        seconds = max(1, int(wait + 0.999))
        raise errors.RateLimited(MSG_RATE.format(seconds=seconds), retry_after=seconds)


_check_rate = check_rate  # the name routes_ckan imports


def check_client_rate(request: Request) -> None:
    """The per-address limit every request passes (HTML pages, API, ledger, login alike)."""
    check_rate(request, f"addr:{client_address(request)}")


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
    check_client_rate(request)
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, credential = auth.partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            raise errors.NotAuthenticated("Send the API token as 'Authorization: Bearer <token>'.")
        principal = platform.accounts.resolve_token(
            credential.strip(),
            context=LoginContext(client, request.headers.get("user-agent")),
        )
        check_rate(request, f"token:{principal.token_id}")
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


class Need:
    """A route's declared scope, as a dependency: the caller, refused if their token lacks it.

    Anonymous callers pass through: the service refuses them with a 401 that says to log in.
    """

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def __repr__(self) -> str:
        return f"Need({self.scope!r})"

    def __call__(self, request: Request) -> Principal:
        principal = get_principal(request)
        if principal.kind == "user" and self.scope not in principal.scopes:
            raise errors.PermissionDenied(MSG_SCOPE.format(scope=self.scope))
        return principal


def no_caller() -> None:
    """Declares a route that acts for nobody: it reads no token and needs no scope (the
    per-client rate limit of `web/guard.py` still applies, as on every route)."""


ReadCaller = Annotated[Principal, Depends(Need("read"))]
PublishCaller = Annotated[Principal, Depends(Need("publish"))]
AdminCaller = Annotated[Principal, Depends(Need("admin"))]
PrincipalDep = ReadCaller
PUBLIC = Depends(no_caller)


def declared_scope(dependant: object) -> str | None:
    """The scope a route's dependency tree declares ('read', 'publish', 'admin', 'public'), or None."""
    found: list[str] = []
    stack = [dependant]
    while stack:
        d = stack.pop()
        call = getattr(d, "call", None)
        if isinstance(call, Need):
            found.append(call.scope)
        elif call is no_caller:
            found.append("public")
        stack.extend(getattr(d, "dependencies", ()))
    order = ("admin", "publish", "read", "public")
    return min(found, key=order.index) if found else None
