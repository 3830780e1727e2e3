"""REST API for logging in, users, memberships, API tokens, entitlements and the access log."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from datanuri import errors
from datanuri.accounts.principal import Principal
from datanuri.platform import Platform
from datanuri.web import schemas
from datanuri.web.auth import (
    PUBLIC,
    SESSION_COOKIE,
    AdminCaller,
    ReadCaller,
    client_address,
    session_principal,
)
from datanuri.web.deps import PlatformDep, RowId

router = APIRouter()


class LoginIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class TokenLoginIn(LoginIn):
    name: str = Field("datanuri CLI", max_length=200)
    scopes: list[Literal["read", "publish", "admin"]] = ["read", "publish"]
    expires_in_days: int | None = Field(90, ge=1, le=3650)


class UserIn(BaseModel):
    email: str = Field(max_length=320)
    display_name: str = Field(max_length=200)
    password: str = Field(max_length=1024)
    platform_role: Literal["admin", "auditor", "reviewer"] | None = None


class MemberIn(BaseModel):
    email: str = Field(max_length=320)
    role: Literal["owner", "editor", "member"]


class TokenIn(BaseModel):
    name: str = Field(max_length=200)
    scopes: list[Literal["read", "publish", "admin"]] = ["read"]
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class EntitlementIn(BaseModel):
    email: str = Field(max_length=320)
    expires_at: dt.datetime | None = None


def set_session_cookie(response: Response, platform: Platform, secret: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="lax",
        secure=platform.config.secure_cookies,
        max_age=12 * 3600,
        path="/",
    )


@router.post("/auth/login", tags=["auth"], response_model=schemas.LoginOut, dependencies=[PUBLIC])
def login(body: LoginIn, request: Request, response: Response, p: PlatformDep) -> dict[str, Any]:
    """Log in with e-mail and password; sets an HttpOnly session cookie and returns the CSRF token
    to send as `X-CSRF-Token` on state-changing requests. An account with a second factor (or
    one its role requires) answers 401 `second_factor_required` with a pending `challenge`:
    finish with /auth/second-factor (or enrol through /auth/enroll/...)."""
    me = p.accounts.login(
        body.email,
        body.password,
        client=client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    assert me.user_id is not None  # a login is always a user's
    secret, csrf = p.accounts.create_session(me)
    set_session_cookie(response, p, secret)
    return {"user": p.accounts.get_user(me.user_id).to_dict(), "csrf_token": csrf}


@router.post("/auth/logout", tags=["auth"], response_model=schemas.LoggedOutOut)
def logout(
    request: Request,
    response: Response,
    p: PlatformDep,
    me: ReadCaller,
) -> dict[str, Any]:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        p.accounts.end_session(cookie)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"logged_out": True}


@router.post(
    "/auth/token",
    status_code=201,
    tags=["auth"],
    response_model=schemas.NewTokenOut,
    dependencies=[PUBLIC],
)
def token_login(body: TokenLoginIn, request: Request, p: PlatformDep) -> dict[str, Any]:
    """Exchange e-mail and password for a new API token (what `datanuri login` does). An
    account with a second factor answers 401 `second_factor_required`: finish with
    /auth/second-factor/token."""
    me = p.accounts.login(
        body.email,
        body.password,
        client=client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    return issue_token(p, body, me)


def issue_token(p: Platform, body: Any, me: Principal) -> dict[str, Any]:
    """A new API token for `me` as `body` asks (name, scopes, expiry), shown this once."""
    info, secret = p.accounts.create_token(
        name=body.name,
        scopes=tuple(body.scopes),
        expires_in_days=body.expires_in_days,
        principal=me,
    )
    return {"token": secret, **info.to_dict()}


@router.get(
    "/me",
    tags=["auth"],
    response_model=schemas.WhoAmIOut,
    response_model_exclude_unset=True,  # an anonymous caller gets only `authenticated`
)
def whoami(request: Request, me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    if me.kind != "user" or me.user_id is None:
        return {"authenticated": False}
    found = session_principal(request)
    out = {
        "authenticated": True,
        "user": p.accounts.get_user(me.user_id).to_dict(),
        "scopes": sorted(me.scopes),
    }
    if found and not request.headers.get("authorization"):
        out["csrf_token"] = found[1]
    return out


@router.get("/users", tags=["users"], response_model=list[schemas.UserOut])
def list_users(me: AdminCaller, p: PlatformDep) -> list[dict[str, Any]]:
    return [u.to_dict() for u in p.accounts.list_users(principal=me)]


@router.post("/users", status_code=201, tags=["users"], response_model=schemas.UserOut)
def create_user(body: UserIn, me: AdminCaller, p: PlatformDep) -> dict[str, Any]:
    return p.accounts.create_user(
        body.email,
        display_name=body.display_name,
        password=body.password,
        platform_role=body.platform_role,
        principal=me,
    ).to_dict()


@router.post(
    "/organizations/{name}/members", tags=["organizations"], response_model=schemas.UserOut
)
def add_member(
    name: str,
    body: MemberIn,
    me: AdminCaller,
    p: PlatformDep,
) -> dict[str, Any]:
    return p.accounts.add_member(name, body.email, role=body.role, principal=me).to_dict()


@router.get("/tokens", tags=["tokens"], response_model=list[schemas.TokenOut])
def list_tokens(me: ReadCaller, p: PlatformDep) -> list[dict[str, Any]]:
    if me.kind != "user":
        raise errors.NotAuthenticated("Log in to see your tokens.")
    return [t.to_dict() for t in p.accounts.list_tokens(principal=me)]


@router.post("/tokens", status_code=201, tags=["tokens"], response_model=schemas.NewTokenOut)
def create_token(body: TokenIn, me: AdminCaller, p: PlatformDep) -> dict[str, Any]:
    """Create an API token for yourself. The token is in this answer only; it is stored as a hash."""
    info, secret = p.accounts.create_token(
        name=body.name,
        scopes=tuple(body.scopes),
        expires_in_days=body.expires_in_days,
        principal=me,
    )
    return {"token": secret, **info.to_dict()}


@router.delete("/tokens/{token_id}", tags=["tokens"], response_model=schemas.TokenOut)
def revoke_token(token_id: RowId, me: AdminCaller, p: PlatformDep) -> dict[str, Any]:
    if me.kind != "user":
        raise errors.NotAuthenticated("Log in to revoke a token.")
    return p.accounts.revoke_token(token_id, principal=me).to_dict()


@router.post(
    "/datasets/{name}/entitlements",
    status_code=201,
    tags=["entitlements"],
    response_model=schemas.EntitlementGrantedOut,
)
def grant_entitlement(
    name: str,
    body: EntitlementIn,
    me: AdminCaller,
    p: PlatformDep,
) -> dict[str, Any]:
    expires = body.expires_at
    if expires is not None and expires.tzinfo is None:
        raise errors.InvalidInput(
            "Give expires_at with a time zone, e.g. 2027-01-01T00:00:00+09:00."
        )
    return {"id": p.accounts.grant_entitlement(body.email, name, expires_at=expires, principal=me)}


@router.delete(
    "/entitlements/{entitlement_id}",
    tags=["entitlements"],
    response_model=schemas.EntitlementRevokedOut,
)
def revoke_entitlement(entitlement_id: RowId, me: AdminCaller, p: PlatformDep) -> dict[str, Any]:
    p.accounts.revoke_entitlement(entitlement_id, principal=me)
    return {"revoked": entitlement_id}


@router.get("/access-log", tags=["access log"], response_model=list[schemas.AccessLogEntryOut])
def access_log(
    me: ReadCaller,
    p: PlatformDep,
    dataset: str | None = None,
    organization: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    """Reads and downloads: all of them for admins and auditors, your organisations' for their editors."""
    return p.access.read_log(me, dataset=dataset, organization=organization, limit=limit)
