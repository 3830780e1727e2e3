"""REST API of the second factor (pending logins, TOTP and passkey enrolment) and of security
alerts (the user's own, and every user's for admins and auditors)."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from datanuri import errors
from datanuri.accounts.second_factor import Proof
from datanuri.accounts.service import Enrolled
from datanuri.platform import Platform
from datanuri.web import schemas
from datanuri.web.auth import PUBLIC, AdminCaller, PrincipalDep, client_address
from datanuri.web.deps import PlatformDep
from datanuri.web.routes_accounts import issue_token, set_session_cookie

router = APIRouter()
MAX_CREDENTIAL = 64 * 1024  # a passkey answer is a few kB


class ChallengeIn(BaseModel):
    challenge: str = Field(max_length=200, description="The pending login of the 401 answer")


class ProofIn(ChallengeIn):
    code: str | None = Field(None, max_length=20, description="6-digit TOTP code")
    recovery_code: str | None = Field(None, max_length=40)
    passkey: dict[str, Any] | None = Field(
        None, description="The browser's PublicKeyCredential (toJSON()) for the passkey options"
    )

    def proof(self) -> Proof:
        _bounded(self.passkey)
        return Proof(code=self.code, recovery_code=self.recovery_code, passkey=self.passkey)


class TokenProofIn(ProofIn):
    name: str = Field("datanuri CLI", max_length=200)
    scopes: list[Literal["read", "publish", "admin"]] = ["read", "publish"]
    expires_in_days: int | None = Field(90, ge=1, le=3650)


class TotpConfirmIn(ChallengeIn):
    code: str = Field(max_length=20)
    label: str = Field("authenticator", max_length=200)


class PasskeyIn(ChallengeIn):
    credential: dict[str, Any] = Field(description="The browser's PublicKeyCredential (toJSON())")
    label: str = Field("passkey", max_length=200)


class SecondFactorLoginOut(schemas.LoginOut):
    recovery_codes: list[str] = Field(
        default_factory=list, description="New one-use recovery codes: shown in this answer only"
    )


class WebAuthnOptionsOut(schemas.Out):
    options: dict[str, Any] = Field(description="For navigator.credentials.create / get")


class TotpSetupOut(schemas.Out):
    secret: str = Field(description="Base32 seed for the authenticator app: shown once")
    uri: str = Field(description="otpauth:// URI (as a QR code for the app)")


class ChallengeOut(schemas.Out):
    challenge: str


class FactorOut(schemas.Out):
    id: int
    kind: str
    label: str
    created_at: str
    last_used_at: str | None


class AlertOut(schemas.Out):
    id: int
    time: str
    email: str
    kind: str
    network: str
    score: int
    reasons: list[str]
    verdict: str
    acknowledged: bool


def _bounded(value: dict[str, Any] | None) -> None:
    if value is not None and len(json.dumps(value)) > MAX_CREDENTIAL:
        raise errors.TooLarge("The passkey answer is too large to be one.")


def _session(response: Response, p: Platform, user_id: int, me: Any) -> dict[str, Any]:
    secret, csrf = p.accounts.create_session(me)
    set_session_cookie(response, p, secret)
    return {"user": p.accounts.get_user(user_id).to_dict(), "csrf_token": csrf}


def _enrolled(response: Response, p: Platform, done: Enrolled) -> dict[str, Any]:
    assert done.principal.user_id is not None
    out = _session(response, p, done.principal.user_id, done.principal)
    return {**out, "recovery_codes": list(done.recovery_codes)}


@router.post(
    "/auth/second-factor", tags=["auth"], response_model=schemas.LoginOut, dependencies=[PUBLIC]
)
def second_factor(
    body: ProofIn, request: Request, response: Response, p: PlatformDep
) -> dict[str, Any]:
    """Finish a login that answered 401 `second_factor_required`: send one of a TOTP code, a
    recovery code or a passkey answer; sets the session cookie like /auth/login."""
    me = p.accounts.finish_login(
        body.challenge,
        body.proof(),
        client=client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    assert me.user_id is not None
    return _session(response, p, me.user_id, me)


@router.post(
    "/auth/second-factor/token",
    status_code=201,
    tags=["auth"],
    response_model=schemas.NewTokenOut,
    dependencies=[PUBLIC],
)
def second_factor_token(body: TokenProofIn, request: Request, p: PlatformDep) -> dict[str, Any]:
    """Finish a /auth/token login that needs the second factor; returns the new API token."""
    me = p.accounts.finish_login(
        body.challenge,
        body.proof(),
        client=client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    return issue_token(p, body, me)


@router.post(
    "/auth/second-factor/passkey-options",
    tags=["auth"],
    response_model=WebAuthnOptionsOut,
    dependencies=[PUBLIC],
)
def passkey_options(body: ChallengeIn, p: PlatformDep) -> dict[str, Any]:
    """WebAuthn options to answer a pending login with one of the user's passkeys."""
    return {"options": json.loads(p.accounts.passkey_login_options(body.challenge))}


@router.post("/auth/enroll", status_code=201, tags=["auth"], response_model=ChallengeOut)
def start_enrolment(me: AdminCaller, p: PlatformDep) -> dict[str, Any]:
    """Start setting up a(nother) second factor from a logged-in browser session."""
    return {"challenge": p.accounts.start_enrolment(principal=me)}


@router.post("/auth/enroll/totp", tags=["auth"], response_model=TotpSetupOut, dependencies=[PUBLIC])
def totp_setup(body: ChallengeIn, p: PlatformDep) -> dict[str, Any]:
    """A new TOTP seed for a pending enrolment; confirm it with a code from the app."""
    setup = p.accounts.totp_setup(body.challenge)
    return {"secret": setup.secret, "uri": setup.uri}


@router.post(
    "/auth/enroll/totp/confirm",
    tags=["auth"],
    response_model=SecondFactorLoginOut,
    dependencies=[PUBLIC],
)
def totp_confirm(
    body: TotpConfirmIn, request: Request, response: Response, p: PlatformDep
) -> dict[str, Any]:
    """Enrol the TOTP seed with a right code; logs in and returns the recovery codes once."""
    done = p.accounts.totp_enrol(
        body.challenge, body.code, label=body.label, client=client_address(request)
    )
    return _enrolled(response, p, done)


@router.post(
    "/auth/enroll/passkey-options",
    tags=["auth"],
    response_model=WebAuthnOptionsOut,
    dependencies=[PUBLIC],
)
def passkey_registration(body: ChallengeIn, p: PlatformDep) -> dict[str, Any]:
    """WebAuthn options to create a passkey for a pending enrolment."""
    return {"options": json.loads(p.accounts.passkey_registration(body.challenge))}


@router.post(
    "/auth/enroll/passkey",
    tags=["auth"],
    response_model=SecondFactorLoginOut,
    dependencies=[PUBLIC],
)
def passkey_register(
    body: PasskeyIn, request: Request, response: Response, p: PlatformDep
) -> dict[str, Any]:
    """Register the passkey the browser created; logs in and returns the recovery codes once."""
    _bounded(body.credential)
    done = p.accounts.passkey_enrol(
        body.challenge, body.credential, label=body.label, client=client_address(request)
    )
    return _enrolled(response, p, done)


@router.get("/me/second-factors", tags=["auth"], response_model=list[FactorOut])
def my_factors(me: PrincipalDep, p: PlatformDep) -> list[dict[str, Any]]:
    """Your enrolled second factors (never their secrets)."""
    return [f.to_dict() for f in p.accounts.list_second_factors(principal=me)]


@router.get("/security/alerts", tags=["auth"], response_model=list[AlertOut])
def alerts(
    me: PrincipalDep,
    p: PlatformDep,
    everyone: bool = Query(False, description="Every user's alerts (admins and auditors)"),
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    """Logins and token uses that were stepped up or blocked: yours, or everyone's."""
    return [
        a.to_dict() for a in p.accounts.list_alerts(everyone=everyone, limit=limit, principal=me)
    ]
