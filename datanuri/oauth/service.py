"""The authorization server as a service (`platform.oauth`): register recipient apps, take
pushed authorization requests, turn a person's decision into a code, issue DPoP-bound tokens,
revoke and introspect them, and check a resource call's token and proof.

What a consent may contain is not decided here: the wiring gives a `check_details` callable
(MyData's offer check) and the web layer records the consent (MyData's grant) before `decide`."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749.errors import InvalidRequestError, OAuth2Error
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select, update

from datanuri import errors
from datanuri.accounts.models import Organization
from datanuri.accounts.principal import Principal
from datanuri.oauth import dpop
from datanuri.oauth import messages as m
from datanuri.oauth.server import (
    PRIVATE_KEY_JWT,
    Client,
    Grantee,
    Json,
    Lifetimes,
    Registration,
    Request,
    Response,
    Server,
    now,
    remember_once,
    sha,
)
from datanuri.oauth.tables import OAuthClient, OAuthToken, PushedRequest
from datanuri.store.db import Database

REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
DETAILS_TYPE = "mydata_transfer"
#: Checks a request's `authorization_details` entries for a client; raises a DatanuriError.
DetailsCheck = Callable[[Sequence[Mapping[str, Any]], str], None]
#: Form fields of a pushed request that are client authentication, not the request itself.
_AUTH_FIELDS = ("client_assertion", "client_assertion_type")
#: Algorithms a client assertion may be signed with (asymmetric only).
_ASSERTION_ALGS = ("ES256", "PS256", "RS256", "EdDSA")


@dataclass(frozen=True)
class ClientInfo:
    """A registered app as the console and the API show it."""

    client_id: str
    name: str
    organization: str
    purposes: list[str]
    redirect_uris: list[str]


@dataclass(frozen=True)
class Pending:
    """A pushed request waiting for the person's decision: what the consent screen shows."""

    ref: str
    client: Client
    organization: str
    redirect_uri: str
    details: list[dict[str, Any]]
    expires_at: dt.datetime


@dataclass(frozen=True)
class Access:
    """A resource call's checked token: the consent it carries, for which app and person."""

    consent_id: str
    client_id: str
    user_id: int


def _error(status: int, error: str, description: str) -> Response:
    body = {"error": error, "error_description": description}
    return Response(status, body, [("Cache-Control", "no-store")])


def _redirect_ok(uri: str) -> bool:
    parts = urlsplit(uri)
    if parts.fragment or not parts.netloc:
        return False
    return parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1")
    )


class OAuth:
    """MyData's authorization server over the database (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        *,
        check_details: DetailsCheck,
        lifetimes: Lifetimes | None = None,
    ) -> None:
        self.db = db
        self.check_details = check_details
        self.lifetimes = lifetimes or Lifetimes()

    def _server(self, issuer: str) -> Server:
        return Server(self.db, issuer, self.lifetimes)

    # -- discovery and registration ---------------------------------------------------------

    def metadata(self, issuer: str) -> dict[str, Any]:
        """RFC 8414 metadata of this server, validated by Authlib's metadata model."""
        md = AuthorizationServerMetadata(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{issuer}/oauth/authorize",
                "token_endpoint": f"{issuer}/oauth/token",
                "pushed_authorization_request_endpoint": f"{issuer}/oauth/par",
                "require_pushed_authorization_requests": True,
                "registration_endpoint": f"{issuer}/oauth/register",
                "revocation_endpoint": f"{issuer}/oauth/revoke",
                "introspection_endpoint": f"{issuer}/oauth/introspect",
                "response_types_supported": ["code"],
                "response_modes_supported": ["query"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": [PRIVATE_KEY_JWT],
                "token_endpoint_auth_signing_alg_values_supported": list(_ASSERTION_ALGS),
                "revocation_endpoint_auth_methods_supported": [PRIVATE_KEY_JWT],
                "revocation_endpoint_auth_signing_alg_values_supported": list(_ASSERTION_ALGS),
                "introspection_endpoint_auth_methods_supported": [PRIVATE_KEY_JWT],
                "introspection_endpoint_auth_signing_alg_values_supported": list(_ASSERTION_ALGS),
                "dpop_signing_alg_values_supported": list(dpop.ALGORITHMS),
                "authorization_details_types_supported": [DETAILS_TYPE],
                "authorization_response_iss_parameter_supported": True,
                "scopes_supported": [],
            }
        )
        md.validate()
        return dict(md)

    def register_client(
        self,
        caller: Principal,
        *,
        name: str,
        organization: str,
        purposes: Sequence[str],
        redirect_uris: Sequence[str],
        jwks: Mapping[str, Any],
        client_id: str | None = None,
    ) -> ClientInfo:
        """Register a recipient app for `organization` (its owner or a platform admin only)."""
        if not caller.is_admin and caller.role_in(organization) != "owner":
            raise errors.PermissionDenied(m.OWNER_ONLY)
        name = name.strip()
        clean_purposes = [p.strip() for p in purposes if p.strip()]
        if not name or not clean_purposes or not redirect_uris:
            raise errors.InvalidInput(
                m.REGISTRATION_INVALID.format(
                    reason="a client name, one purpose and one redirect URI are required"
                )
            )
        if not all(_redirect_ok(u) for u in redirect_uris):
            raise errors.InvalidInput(m.REDIRECT_HTTPS)
        try:
            keys = KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise errors.InvalidInput(m.JWKS_REQUIRED) from exc
        if not keys.keys:
            raise errors.InvalidInput(m.JWKS_REQUIRED)
        if any(k.is_private for k in keys.keys):
            raise errors.InvalidInput(m.JWKS_PRIVATE)
        with self.db.session() as s:
            org = s.scalar(select(Organization).where(Organization.name == organization))
            if org is None:
                raise errors.NotFound(m.NO_ORGANISATION.format(name=organization))
            row = OAuthClient(
                client_id=client_id or secrets.token_urlsafe(24),
                name=name[:200],
                organization_id=org.id,
                purposes=clean_purposes,
                redirect_uris=list(redirect_uris),
                jwks=keys.as_dict(private=False),
                created_by=caller.user_id,
            )
            s.add(row)
        return ClientInfo(row.client_id, row.name, organization, clean_purposes, row.redirect_uris)

    def register(
        self, caller: Principal, *, issuer: str, headers: Mapping[str, str], body: dict[str, Any]
    ) -> Response:
        """RFC 7591 dynamic registration (Authlib's endpoint validates the metadata); datanuri's
        extensions `organization` and `purposes` name the recipient and what it asks data for."""

        def save(info: dict[str, Any], metadata: dict[str, Any], request: Json) -> Client:
            if metadata.get("token_endpoint_auth_method", PRIVATE_KEY_JWT) != PRIVATE_KEY_JWT:
                raise errors.InvalidInput(m.JWKS_REQUIRED)
            made = self.register_client(
                caller,
                name=str(metadata.get("client_name") or ""),
                organization=str(body.get("organization") or ""),
                purposes=[str(p) for p in body.get("purposes") or []],
                redirect_uris=list(metadata.get("redirect_uris") or []),
                jwks=metadata.get("jwks") or {},
                client_id=str(info["client_id"]),
            )
            client = self._server(issuer).query_client(made.client_id)
            assert client is not None
            return client

        server = self._server(issuer)
        endpoint = Registration(server, self.metadata(issuer), save)
        request = Json(f"{issuer}/oauth/register", headers, body)
        request.caller = caller
        try:
            status, out, hdrs = endpoint.create_registration_response(request)
        except OAuth2Error as exc:
            status, out, hdrs = exc()
        return Response(status, out, list(hdrs))

    def clients(self, caller: Principal) -> list[ClientInfo]:
        """The apps of the organisations `caller` owns (every app for a platform admin)."""
        owned = [org for org, role in caller.org_roles.items() if role == "owner"]
        query = select(OAuthClient, Organization.name).join(
            Organization, Organization.id == OAuthClient.organization_id
        )
        if not caller.is_admin:
            query = query.where(Organization.name.in_(owned))
        with self.db.session() as s:
            found = s.execute(query.order_by(Organization.name, OAuthClient.id)).all()
        return [
            ClientInfo(r.client_id, r.name, org, r.purposes, r.redirect_uris) for r, org in found
        ]

    def client_info(self, client_id: str) -> ClientInfo:
        """A registered app by its client id."""
        with self.db.session() as s:
            found = s.execute(
                select(OAuthClient, Organization.name)
                .join(Organization, Organization.id == OAuthClient.organization_id)
                .where(OAuthClient.client_id == client_id)
            ).first()
            if found is None:
                raise errors.NotFound(m.CLIENT_NOT_FOUND)
            row, org = found
            return ClientInfo(row.client_id, row.name, org, row.purposes, row.redirect_uris)

    # -- pushed request, consent decision ----------------------------------------------------

    def push(
        self, *, issuer: str, url: str, headers: Mapping[str, str], form: Mapping[str, str]
    ) -> Response:
        """A pushed authorization request (RFC 9126): client authenticated by private_key_jwt,
        PKCE S256, a registered redirect URI, `authorization_details` checked against the offer."""
        server = self._server(issuer)
        request = Request("POST", url, headers, form)
        try:
            client = server.authenticate_client(request, [PRIVATE_KEY_JWT], "par")
            request.client = client
            if "request_uri" in form:
                raise InvalidRequestError("'request_uri' is not allowed in a pushed request.")
            if not form.get("code_challenge") or form.get("code_challenge_method") != "S256":
                raise InvalidRequestError(m.PKCE_S256)
            if not form.get("redirect_uri"):
                raise InvalidRequestError("'redirect_uri' is required.")
            grant = server.get_authorization_grant(request)
            grant.validate_authorization_request()
        except OAuth2Error as exc:
            status, body, hdrs = exc()
            return Response(status if status != 302 else 400, body, list(hdrs))
        try:
            details = self._details(form.get("authorization_details"), client)
        except errors.DatanuriError as exc:
            return _error(400, "invalid_authorization_details", exc.message)
        ref = secrets.token_urlsafe(32)
        params = {k: v for k, v in form.items() if k not in _AUTH_FIELDS}
        params["authorization_details"] = json.dumps(details, ensure_ascii=False)
        with self.db.session() as s:
            s.add(
                PushedRequest(
                    ref=ref,
                    client_id=client.client_id,
                    params=params,
                    expires_at=now() + dt.timedelta(seconds=self.lifetimes.pushed_request),
                )
            )
        body = {
            "request_uri": REQUEST_URI_PREFIX + ref,
            "expires_in": self.lifetimes.pushed_request,
        }
        return Response(201, body, [("Cache-Control", "no-store")])

    def _details(self, raw: str | None, client: Client) -> list[dict[str, Any]]:
        try:
            entries = json.loads(raw or "")
        except ValueError:
            entries = None
        if (
            not isinstance(entries, list)
            or len(entries) != 1
            or not all(isinstance(e, dict) and e.get("type") == DETAILS_TYPE for e in entries)
        ):
            raise errors.InvalidInput(m.DETAILS_REQUIRED)
        for entry in entries:
            if entry.get("purpose") not in client.purposes:
                raise errors.InvalidInput(
                    m.PURPOSE_UNDECLARED.format(purpose=str(entry.get("purpose"))[:200])
                )
        self.check_details(entries, client.client_id)
        return entries

    def pending(self, request_uri: str, *, client_id: str | None = None) -> Pending:
        """The pushed request `request_uri` names, unused and unexpired (else `NotFound`)."""
        ref = request_uri.removeprefix(REQUEST_URI_PREFIX)
        with self.db.session() as s:
            found = s.execute(
                select(PushedRequest, OAuthClient, Organization.name)
                .join(OAuthClient, OAuthClient.client_id == PushedRequest.client_id)
                .join(Organization, Organization.id == OAuthClient.organization_id)
                .where(PushedRequest.ref == ref)
            ).first()
        if found is None:
            raise errors.NotFound(m.REQUEST_URI_INVALID)
        row, client, org = found
        if (
            row.used_at is not None
            or row.expires_at <= now()
            or (client_id is not None and client_id != row.client_id)
        ):
            raise errors.NotFound(m.REQUEST_URI_INVALID)
        return Pending(
            ref=row.ref,
            client=Client.of(client),
            organization=org,
            redirect_uri=row.params["redirect_uri"],
            details=json.loads(row.params["authorization_details"]),
            expires_at=row.expires_at,
        )

    def decide(self, *, issuer: str, ref: str, person: Principal, consent_id: str | None) -> str:
        """The person's decision on pushed request `ref`: with a consent id, a code (single use,
        `Lifetimes.code` seconds) in the redirect; without, `access_denied`. Returns the redirect
        URL. The pushed request is used up either way."""
        if person.kind != "user" or person.user_id is None:
            raise errors.NotAuthenticated(m.LOGIN_TO_DECIDE)
        with self.db.session() as s:
            row = s.scalar(select(PushedRequest).where(PushedRequest.ref == ref))
            at = now()
            if row is None or row.expires_at <= at:
                raise errors.NotFound(m.REQUEST_URI_INVALID)
            claimed = s.execute(
                update(PushedRequest)
                .where(PushedRequest.id == row.id, PushedRequest.used_at.is_(None))
                .values(used_at=at)
            ).rowcount  # type: ignore[attr-defined]
            if not claimed:
                raise errors.NotFound(m.REQUEST_URI_INVALID)
            params = dict(row.params)
        server = self._server(issuer)
        request = Request("GET", f"{issuer}/oauth/authorize", {}, {}, query=params)
        grantee = None
        if consent_id is not None:
            grantee = Grantee(person.user_id, consent_id, family="")
            request.grantee = grantee
        grant = server.get_authorization_grant(request)
        response = server.create_authorization_response(request, grantee, grant)
        location = dict(response.headers).get("Location")
        if not location:
            raise errors.InvalidInput(m.REQUEST_URI_INVALID)
        sep = "&" if "?" in location else "?"
        from urllib.parse import quote

        return f"{location}{sep}iss={quote(issuer, safe='')}"  # RFC 9207

    # -- tokens -------------------------------------------------------------------------------

    def _proof(
        self, proof: str | None, *, method: str, url: str, access_token: str | None = None
    ) -> dpop.Proof:
        checked = dpop.check_proof(
            proof, method=method, url=url, now=int(time.time()), access_token=access_token
        )
        if not remember_once(self.db, f"dpop:{checked.jkt}:{checked.jti}", ttl=2 * dpop.MAX_SKEW):
            raise dpop.DpopError(m.DPOP_REPLAY)
        return checked

    def token(
        self,
        *,
        issuer: str,
        url: str,
        headers: Mapping[str, str],
        form: Mapping[str, str],
        dpop_proof: str | None,
    ) -> Response:
        """The token endpoint: a DPoP proof for this request binds the new tokens to its key."""
        try:
            proof = self._proof(dpop_proof, method="POST", url=url)
        except dpop.DpopError as exc:
            return _error(400, "invalid_dpop_proof", exc.message)
        server = self._server(issuer)
        request = Request("POST", url, headers, form)
        request.dpop_jkt = proof.jkt
        response: Response = server.create_token_response(request)
        return response

    def revoke(
        self, *, issuer: str, url: str, headers: Mapping[str, str], form: Mapping[str, str]
    ) -> Response:
        """RFC 7009 revocation: the whole grant's tokens stop working at once."""
        server = self._server(issuer)
        response: Response = server.create_endpoint_response(
            "revocation", Request("POST", url, headers, form)
        )
        return response

    def introspect(
        self, *, issuer: str, url: str, headers: Mapping[str, str], form: Mapping[str, str]
    ) -> Response:
        """RFC 7662 introspection of the calling client's own token."""
        server = self._server(issuer)
        response: Response = server.create_endpoint_response(
            "introspection", Request("POST", url, headers, form)
        )
        return response

    def authenticated_client(
        self, *, issuer: str, url: str, headers: Mapping[str, str], form: Mapping[str, str]
    ) -> str:
        """The id of the app a request signs in as with its client assertion (private_key_jwt);
        NotAuthenticated if it has none or it does not verify."""
        server = self._server(issuer)
        try:
            client = server.authenticate_client(
                Request("POST", url, headers, form), [PRIVATE_KEY_JWT], "deletion"
            )
        except OAuth2Error as exc:
            raise errors.NotAuthenticated(m.CLIENT_AUTH) from exc
        return str(client.get_client_id())

    def access(
        self, *, authorization: str | None, dpop_proof: str | None, method: str, url: str
    ) -> Access:
        """Check a resource call: `Authorization: DPoP <token>`, the token live, and a fresh
        proof for this request signed by the key the token is bound to. Every call reads the
        database (no cache), so a revocation counts from the very next call."""
        scheme, _, value = (authorization or "").partition(" ")
        value = value.strip()
        if scheme.lower() != "dpop" or not value:
            raise errors.InvalidAccessToken(m.TOKEN_SCHEME)
        with self.db.session() as s:
            row = s.scalar(select(OAuthToken).where(OAuthToken.access_hash == sha(value)))
        if row is None or row.revoked_at is not None or row.expires_at <= now():
            raise errors.InvalidAccessToken(m.TOKEN_INVALID)
        try:
            proof = self._proof(dpop_proof, method=method, url=url, access_token=value)
        except dpop.DpopError as exc:
            raise errors.InvalidDpopProof(exc.message) from exc
        if proof.jkt != row.jkt:
            raise errors.InvalidDpopProof(m.DPOP_KEY)
        return Access(row.consent_id, row.client_id, row.user_id)

    def end_consent(self, consent_id: str) -> int:
        """Revoke every token that carries `consent_id` (the consent was revoked); how many."""
        with self.db.session() as s:
            done = s.execute(
                update(OAuthToken)
                .where(OAuthToken.consent_id == consent_id, OAuthToken.revoked_at.is_(None))
                .values(revoked_at=now())
            ).rowcount  # type: ignore[attr-defined]
        return int(done or 0)
