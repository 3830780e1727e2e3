"""MyData's OAuth 2 endpoints (metadata, registration, PAR, authorize and the consent screen,
token, revocation, introspection) and the recipient's transfer API, as thin wrappers over
`platform.oauth` (the authorization server) and `platform.mydata` (consents and rows)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from datanuri import errors
from datanuri.mydata.service import TransferDetails
from datanuri.oauth import messages as m
from datanuri.oauth.server import Response as OAuthResponse
from datanuri.oauth.service import REQUEST_URI_PREFIX
from datanuri.web.auth import PUBLIC, PublishCaller, session_principal
from datanuri.web.deps import MAX_INT, PlatformDep, get_platform
from datanuri.web.guard import CSP
from datanuri.web.pages import check_form_csrf, render
from datanuri.web.routes_ui import UIRoute

# The OAuth endpoints authenticate their own callers (client assertions, DPoP-bound tokens).
wellknown = APIRouter(tags=["oauth"], dependencies=[PUBLIC])
oauth = APIRouter(prefix="/oauth", tags=["oauth"], dependencies=[PUBLIC])
api = APIRouter(prefix="/mydata", tags=["mydata"], dependencies=[PUBLIC])
registration = APIRouter(prefix="/oauth", tags=["oauth"])
# The console page where an organisation's owner registers its apps.
console = APIRouter(include_in_schema=False, route_class=UIRoute)
# What the person's browser sees: HTML, errors as error pages.
pages = APIRouter(
    prefix="/oauth", include_in_schema=False, route_class=UIRoute, dependencies=[PUBLIC]
)

PARQUET = "application/vnd.apache.parquet"


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ServerMetadataOut(_Open):
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    pushed_authorization_request_endpoint: str


class OAuthAnswerOut(_Open):
    """An OAuth endpoint's JSON answer (RFC 6749 §5, 7009, 7591, 7662, 9126): its members, or
    `error` and `error_description`."""


class TransferOut(BaseModel):
    consent_id: str
    dataset: str
    version: int | None
    items: list[str]
    columns: list[str]
    page: int
    page_size: int
    total_rows: int
    has_more: bool
    rows: list[dict[str, Any]]
    ledger_index: int | None


class DeletionOut(BaseModel):
    consent_id: str
    status: str
    deletion_acknowledged_at: str | None


class RevokedOut(BaseModel):
    consent_id: str
    status: str
    revoked_tokens: int


def issuer(request: Request, p: PlatformDep) -> str:
    """This server's issuer identifier: the configured public URL, else the address asked."""
    return p.config.public_url.rstrip("/") or str(request.base_url).rstrip("/")


def _url(request: Request) -> str:
    """The request's URL as its DPoP proof names it: behind a proxy, on the public URL."""
    public = get_platform(request).config.public_url.rstrip("/")
    if not public:
        return str(request.url)
    return public + request.url.path + (f"?{request.url.query}" if request.url.query else "")


def _answer(r: OAuthResponse) -> Response:
    headers = {k: v for k, v in r.headers if k.lower() != "content-type"}
    if r.status in (301, 302, 303):
        return RedirectResponse(dict(r.headers)["Location"], status_code=303)
    body = r.body if isinstance(r.body, dict | list) else {}
    return JSONResponse(body, status_code=r.status, headers=headers)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v) for k, v in form.items()}


@wellknown.get("/.well-known/oauth-authorization-server", response_model=ServerMetadataOut)
def server_metadata(request: Request, p: PlatformDep) -> dict[str, Any]:
    """Authorization server metadata (RFC 8414): endpoints, PAR required, PKCE S256,
    private_key_jwt, DPoP algorithms and the `mydata_transfer` authorization details type."""
    return p.oauth.metadata(issuer(request, p))


@registration.post("/register", response_model=OAuthAnswerOut, status_code=201)
async def register_client(request: Request, me: PublishCaller, p: PlatformDep) -> Response:
    """Register a recipient app (RFC 7591) with an API token of its organisation's owner:
    `client_name`, `redirect_uris`, `jwks` (public keys for private_key_jwt) and datanuri's
    `organization` and `purposes`."""
    try:
        body = await request.json()
    except ValueError as exc:
        raise errors.InvalidInput(m.REGISTRATION_JSON) from exc
    if not isinstance(body, dict):
        raise errors.InvalidInput(m.REGISTRATION_JSON)
    iss = issuer(request, p)
    return _answer(
        await run_in_threadpool(
            p.oauth.register, me, issuer=iss, headers=dict(request.headers), body=body
        )
    )


@oauth.post("/par", response_model=OAuthAnswerOut, status_code=201)
async def pushed_request(request: Request, p: PlatformDep) -> Response:
    """Pushed authorization request (RFC 9126): answers a `request_uri` for `/oauth/authorize`."""
    form = await _form(request)
    iss = issuer(request, p)
    return _answer(
        await run_in_threadpool(
            p.oauth.push, issuer=iss, url=_url(request), headers=dict(request.headers), form=form
        )
    )


@pages.get("/authorize", response_class=HTMLResponse)
def authorize(
    request: Request,
    p: PlatformDep,
    client_id: Annotated[str, Query(max_length=200)] = "",
    request_uri: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    """The authorization endpoint: only a `request_uri` from PAR; sends the person to log in
    (if needed) and to the consent screen."""
    if not request_uri.startswith(REQUEST_URI_PREFIX):
        raise errors.InvalidInput(m.REQUEST_URI_REQUIRED)
    pending = p.oauth.pending(request_uri, client_id=client_id)
    target = f"/oauth/consent/{pending.ref}"
    if session_principal(request) is None:
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
    return RedirectResponse(target, status_code=303)


def _view(p: Any, details: list[dict[str, Any]], client_id: str) -> Any:
    entry = TransferDetails.from_authorization_details(details[0])
    return p.mydata.check_details(entry, recipient_client_id=client_id)


@pages.get("/consent/{ref}", response_class=HTMLResponse)
def consent_page(
    request: Request, ref: Annotated[str, Path(max_length=64)], p: PlatformDep
) -> Response:
    """The consent screen: recipient, holder, each item in words, purpose, period, revocation."""
    found = session_principal(request)
    if found is None:
        return RedirectResponse(f"/login?next={quote(request.url.path, safe='/')}", status_code=303)
    _, csrf = found
    pending = p.oauth.pending(ref)
    view = _view(p, pending.details, pending.client.client_id)
    page = render(
        request, "oauth_consent.html", pending=pending, view=view, csrf_token=csrf, ref=ref
    )
    # The form's answer redirects to the app: browsers hold redirects after a form to its
    # form-action, so the page allows the app's registered origin there, and only that.
    target = urlsplit(pending.redirect_uri)
    page.headers["content-security-policy"] = CSP.replace(
        "form-action 'self'", f"form-action 'self' {target.scheme}://{target.netloc}"
    )
    return page


@pages.post("/consent/{ref}")
async def consent_decide(
    request: Request, ref: Annotated[str, Path(max_length=64)], p: PlatformDep
) -> Response:
    """Approve (the consent is granted, recorded in the ledger, and a code goes to the app) or
    decline (the app gets `access_denied`)."""
    found = session_principal(request)
    if found is None:  # a form needs the browser's session (a bearer token is not one)
        return RedirectResponse(f"/login?next={quote(request.url.path, safe='/')}", status_code=303)
    person, csrf = found
    form = await check_form_csrf(request, csrf)
    iss = issuer(request, p)

    def decide() -> str:
        pending = p.oauth.pending(ref)
        consent_id = None
        if form.get("decision") == "approve":
            entry = TransferDetails.from_authorization_details(pending.details[0])
            consent = p.mydata.grant(
                person,
                recipient_client_id=pending.client.client_id,
                recipient_name=pending.client.name,
                details=entry,
            )
            consent_id = consent.id
        return p.oauth.decide(issuer=iss, ref=ref, person=person, consent_id=consent_id)

    return RedirectResponse(await run_in_threadpool(decide), status_code=303)


@oauth.post("/token", response_model=OAuthAnswerOut)
async def token(request: Request, p: PlatformDep) -> Response:
    """Token endpoint: authorization code (with PKCE verifier) or refresh token; client by
    private_key_jwt; a DPoP proof binds the tokens (`token_type: DPoP`)."""
    form = await _form(request)
    iss = issuer(request, p)
    return _answer(
        await run_in_threadpool(
            p.oauth.token,
            issuer=iss,
            url=_url(request),
            headers=dict(request.headers),
            form=form,
            dpop_proof=request.headers.get("dpop"),
        )
    )


@oauth.post("/revoke", response_model=OAuthAnswerOut)
async def revoke_token(request: Request, p: PlatformDep) -> Response:
    """Token revocation (RFC 7009): the grant's tokens stop working."""
    form = await _form(request)
    iss = issuer(request, p)
    return _answer(
        await run_in_threadpool(
            p.oauth.revoke, issuer=iss, url=_url(request), headers=dict(request.headers), form=form
        )
    )


@oauth.post("/introspect", response_model=OAuthAnswerOut)
async def introspect_token(request: Request, p: PlatformDep) -> Response:
    """Token introspection (RFC 7662) of the calling client's own token."""
    form = await _form(request)
    iss = issuer(request, p)
    return _answer(
        await run_in_threadpool(
            p.oauth.introspect,
            issuer=iss,
            url=_url(request),
            headers=dict(request.headers),
            form=form,
        )
    )


def _access(request: Request, p: Any) -> Any:
    return p.oauth.access(
        authorization=request.headers.get("authorization"),
        dpop_proof=request.headers.get("dpop"),
        method=request.method,
        url=_url(request),
    )


@api.get(
    "/transfers/{holder}/{dataset}",
    response_model=TransferOut,
    responses={200: {"content": {PARQUET: {}}}},
)
def transfer(
    request: Request,
    holder: Annotated[str, Path(max_length=100)],
    dataset: Annotated[str, Path(max_length=200)],
    p: PlatformDep,
    items: Annotated[str | None, Query(max_length=2000)] = None,
    since: Annotated[int | None, Query(ge=0, le=MAX_INT)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    format: Annotated[Literal["json", "parquet"] | None, Query()] = None,
) -> Any:
    """The consented person's rows of `dataset` at `holder`, only the consented items' columns
    (`items` narrows them: comma-separated), newer than version `since`, a page at a time; JSON
    or Parquet (`?format=` or `Accept`). Needs `Authorization: DPoP <token>` and a DPoP proof;
    the consent is checked on every call."""
    access = _access(request, p)
    consent = p.mydata.active_consent(access.consent_id)
    if holder != consent.controller:
        raise errors.PermissionDenied(
            m.OTHER_HOLDER.format(allowed=consent.controller, asked=holder)
        )
    fmt = format or ("parquet" if PARQUET in request.headers.get("accept", "") else "json")
    wanted = tuple(i.strip() for i in items.split(",") if i.strip()) if items else None
    out = p.mydata.transfer(
        access.consent_id,
        dataset=dataset,
        items=wanted,
        since=since,
        page=page,
        page_size=page_size,
        fmt=fmt,
    )
    if fmt == "parquet":
        return Response(
            out.parquet or b"",
            media_type=PARQUET,
            headers={
                "X-Total-Rows": str(out.total_rows),
                "X-Has-More": "true" if out.has_more else "false",
                "X-Ledger-Index": "" if out.ledger_index is None else str(out.ledger_index),
            },
        )
    return {
        "consent_id": out.consent_id,
        "dataset": out.dataset,
        "version": out.version,
        "items": list(out.items),
        "columns": list(out.columns),
        "page": out.page,
        "page_size": out.page_size,
        "total_rows": out.total_rows,
        "has_more": out.has_more,
        "rows": json.loads(json.dumps(list(out.rows), default=str)),
        "ledger_index": out.ledger_index,
    }


@api.post("/consent/revoke", response_model=RevokedOut)
def recipient_revoke(request: Request, p: PlatformDep) -> dict[str, Any]:
    """The recipient revokes the consent its token carries (it no longer needs the data); its
    tokens stop working at once and the revocation is recorded in the ledger."""
    access = _access(request, p)
    consent = p.mydata.revoke(access.consent_id, by_recipient=access.client_id)
    n = p.oauth.end_consent(access.consent_id)
    return {"consent_id": consent.id, "status": consent.status, "revoked_tokens": n}


@api.post("/consent/deletion", response_model=DeletionOut)
async def acknowledge_deletion(request: Request, p: PlatformDep) -> dict[str, Any]:
    """The recipient says it deleted what it received under a revoked consent (the revocation's
    webhook asks for this). It signs in with its client assertion (private_key_jwt), since its
    tokens ended with the consent; the form names the `consent_id`. Recorded in the ledger."""
    form = await _form(request)
    client_id = await run_in_threadpool(
        p.oauth.authenticated_client,
        issuer=issuer(request, p),
        url=_url(request),
        headers=dict(request.headers),
        form=form,
    )
    consent_id = form.get("consent_id", "")
    if not consent_id:
        raise errors.InvalidInput(m.CONSENT_ID_REQUIRED)
    consent = await run_in_threadpool(p.mydata.acknowledge_deletion, consent_id, client_id)
    at = consent.deletion_acknowledged_at
    return {
        "consent_id": consent.id,
        "status": consent.status,
        "deletion_acknowledged_at": at.isoformat() if at else None,
    }


def _apps_page(
    request: Request, p: Any, me: Any, csrf: str, status: int = 200, **ctx: Any
) -> HTMLResponse:
    owned = sorted(o for o, r in me.org_roles.items() if r == "owner")
    return render(
        request,
        "oauth_apps.html",
        status=status,
        apps=p.oauth.clients(me),
        orgs=owned,
        csrf_token=csrf,
        values=ctx.pop("values", {}),
        **ctx,
    )


@console.get("/console/apps", response_class=HTMLResponse)
def apps_page(request: Request, p: PlatformDep) -> Response:
    """MyData recipient apps of the organisations one owns, and a form to register one."""
    found = session_principal(request)
    if found is None:
        return RedirectResponse("/login?next=/console/apps", status_code=303)
    me, csrf = found
    return _apps_page(request, p, me, csrf)


@console.post("/console/apps", response_class=HTMLResponse)
async def apps_register(request: Request, p: PlatformDep) -> Response:
    """Register an app from the console form (name, organisation, purposes, redirect URIs, JWKS)."""
    found = session_principal(request)
    if found is None:
        return RedirectResponse("/login?next=/console/apps", status_code=303)
    me, csrf = found
    form = await check_form_csrf(request, csrf)
    values = {
        k: str(form.get(k) or "")[:20_000]
        for k in ("name", "organization", "purposes", "redirect_uris", "jwks")
    }

    def lines(text: str) -> list[str]:
        return [x.strip() for x in text.splitlines() if x.strip()]

    try:
        try:
            jwks = json.loads(values["jwks"] or "null")
        except ValueError:
            jwks = None
        if not isinstance(jwks, dict):
            raise errors.InvalidInput(m.JWKS_REQUIRED)
        made = await run_in_threadpool(
            p.oauth.register_client,
            me,
            name=values["name"],
            organization=values["organization"],
            purposes=lines(values["purposes"]),
            redirect_uris=lines(values["redirect_uris"]),
            jwks=jwks,
        )
    except errors.DatanuriError as exc:
        return _apps_page(request, p, me, csrf, status=exc.status, error=exc.message, values=values)
    return _apps_page(request, p, me, csrf, made=made)
