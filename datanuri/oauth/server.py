"""Authlib's authorization server, fitted to datanuri's tables: the client, code and token
models, the grants (authorization code with PKCE S256, rotating refresh tokens), client
authentication by `private_key_jwt`, registration, revocation and introspection endpoints.

No HTTP framework here: a request is method, URL, headers and form (or JSON), and a response is
(status, body, headers); `service.OAuth` builds one server per call for the issuer it serves."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from authlib.oauth2 import rfc6749, rfc7009, rfc7523, rfc7591, rfc7636, rfc7662
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidGrantError
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload, JsonPayload, JsonRequest
from joserfc.jwk import KeySet
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from datanuri.oauth.tables import AuthCode, DpopProof, OAuthClient, OAuthToken
from datanuri.store.db import Database

PRIVATE_KEY_JWT = "private_key_jwt"
GRANT_TYPES = ("authorization_code", "refresh_token")


def sha(text: str) -> str:
    """Hex SHA-256: how codes and tokens are stored (a database leak gives no usable token)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Lifetimes:
    """How long each credential lives, in seconds (FAPI 2.0: codes ≤ 60 s, short access tokens)."""

    code: int = 60
    pushed_request: int = 90
    access: int = 300
    refresh: int = 30 * 24 * 3600


@dataclass
class Client(rfc6749.ClientMixin):
    """A registered recipient app as Authlib sees it: confidential, `private_key_jwt` only."""

    client_id: str
    name: str
    organization_id: int
    purposes: list[str]
    redirect_uris: list[str]
    jwks: dict[str, Any]

    @classmethod
    def of(cls, row: OAuthClient) -> Client:
        return cls(
            row.client_id,
            row.name,
            row.organization_id,
            list(row.purposes),
            list(row.redirect_uris),
            dict(row.jwks),
        )

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None  # FAPI 2.0: the request names its redirect URI, always

    def get_allowed_scope(self, scope: str) -> str:
        return ""  # access is described by authorization_details, not scopes

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return False  # no shared secrets: keys only

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == PRIVATE_KEY_JWT

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in GRANT_TYPES


@dataclass
class Code(rfc6749.AuthorizationCodeMixin):
    """A claimed authorization code: what it grants and the PKCE challenge it was made for."""

    user_id: int
    consent_id: str
    redirect_uri: str
    code_challenge: str
    code_challenge_method: str
    family: str

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return ""


@dataclass
class Grantee:
    """The person a code or refresh token acts for, and the consent it carries."""

    user_id: int
    consent_id: str
    family: str


@dataclass
class Token(rfc6749.TokenMixin):
    """A stored token row as Authlib's revocation, introspection and refresh grant see it."""

    row: OAuthToken
    kind: str  # access_token | refresh_token

    def check_client(self, client: rfc6749.ClientMixin) -> bool:
        return self.row.client_id == client.get_client_id()

    def get_scope(self) -> str:
        return self.row.scope

    def get_expires_in(self) -> int:
        return int((self.row.expires_at - self.row.issued_at).total_seconds())

    def _expires(self) -> dt.datetime:
        if self.kind == "refresh_token" and self.row.refresh_expires_at is not None:
            return self.row.refresh_expires_at
        return self.row.expires_at

    def is_expired(self) -> bool:
        return self._expires() <= now()

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None or (
            self.kind == "refresh_token" and self.row.rotated_at is not None
        )


class Request(rfc6749.OAuth2Request):
    """A form request as Authlib reads it, plus what the web layer checked (the DPoP key)."""

    def __init__(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        form: Mapping[str, str],
        query: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(method, url, headers=dict(headers))
        self._form = dict(form)
        self._args = dict(query or {})
        self.payload = BasicOAuth2Payload({**self._args, **self._form})
        self.dpop_jkt: str | None = None
        self.grantee: Grantee | None = None

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class Json(JsonRequest):
    """A JSON request (client registration), with the caller the web layer authenticated."""

    def __init__(self, url: str, headers: Mapping[str, str], body: dict[str, Any]) -> None:
        super().__init__("POST", url, dict(headers))
        self.payload = _JsonBody(body)
        self.caller: object = None


class _JsonBody(JsonPayload):
    """A JSON request's parsed body, as Authlib's registration endpoint reads it."""

    def __init__(self, body: dict[str, Any]) -> None:
        self._body = body

    @property
    def data(self) -> dict[str, Any]:
        return self._body


@dataclass(frozen=True)
class Response:
    """What an endpoint answers: HTTP status, a JSON body (or "") and headers."""

    status: int
    body: Any
    headers: list[tuple[str, str]]


#: Where a recipient acknowledges deleting what it received under a revoked consent; it signs in
#: with its client assertion there as at the token endpoint.
DELETION_PATH = "/api/v1/mydata/consent/deletion"


class PrivateKeyJwt(rfc7523.JWTBearerClientAssertion):
    """`private_key_jwt` (RFC 7523 §2.2): an assertion signed with a key in the client's JWKS,
    its `aud` this issuer (or one of its endpoints), each `jti` used once."""

    CLIENT_AUTH_METHOD = PRIVATE_KEY_JWT

    def __init__(self, db: Database, audiences: list[str]) -> None:
        super().__init__(leeway=30)
        self.db = db
        self.audiences = audiences

    def get_audiences(self) -> list[str]:
        return self.audiences

    def validate_jti(self, claims: Mapping[str, Any], jti: str) -> bool:
        return remember_once(self.db, f"assertion:{claims['sub']}:{jti}", ttl=600)

    def resolve_client_public_key(self, client: Client) -> KeySet:
        return KeySet.import_key_set(client.jwks)  # type: ignore[arg-type]


def remember_once(db: Database, key: str, *, ttl: int) -> bool:
    """Record `key` as seen for `ttl` seconds; False if it was already seen (a replay)."""
    at = now()
    try:
        with db.session() as s:
            s.execute(delete(DpopProof).where(DpopProof.expires_at < at))
            s.add(DpopProof(jti_hash=sha(key), expires_at=at + dt.timedelta(seconds=ttl)))
    except IntegrityError:
        return False
    return True


class S256Only(rfc7636.CodeChallenge):
    """PKCE with S256 only (FAPI 2.0); a missing challenge is refused at the pushed request."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]


class Server(rfc6749.AuthorizationServer):
    """One issuer's authorization server over datanuri's tables."""

    def __init__(self, db: Database, issuer: str, lifetimes: Lifetimes) -> None:
        super().__init__()
        self.db = db
        self.issuer = issuer
        self.lifetimes = lifetimes
        audiences = [
            issuer,
            *(f"{issuer}/oauth/{e}" for e in ("token", "par", "revoke", "introspect")),
            f"{issuer}{DELETION_PATH}",
        ]
        self.register_client_auth_method(PRIVATE_KEY_JWT, PrivateKeyJwt(db, audiences))
        self.register_token_generator("default", self._tokens)
        self.register_grant(CodeGrant, [S256Only(required=True)])
        self.register_grant(RefreshGrant)
        self.register_endpoint(Revocation)
        self.register_endpoint(Introspection)

    def query_client(self, client_id: str) -> Client | None:
        with self.db.session() as s:
            row = s.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
            return None if row is None else Client.of(row)

    def _tokens(
        self,
        grant_type: str,
        client: Client,
        user: Grantee | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        token: dict[str, Any] = {
            "token_type": "DPoP",
            "access_token": secrets.token_urlsafe(32),
            "expires_in": expires_in or self.lifetimes.access,
        }
        if include_refresh_token:
            token["refresh_token"] = secrets.token_urlsafe(32)
        if user is not None:
            token["consent_id"] = user.consent_id
        return token

    def save_token(self, token: dict[str, Any], request: Request) -> None:
        grantee = request.grantee
        if grantee is None or request.dpop_jkt is None:
            raise InvalidGrantError("The grant has no person or DPoP key.")
        at = now()
        refresh = token.get("refresh_token")
        with self.db.session() as s:
            s.add(
                OAuthToken(
                    access_hash=sha(token["access_token"]),
                    refresh_hash=sha(refresh) if refresh else None,
                    family=grantee.family,
                    client_id=request.client.get_client_id(),
                    user_id=grantee.user_id,
                    consent_id=grantee.consent_id,
                    jkt=request.dpop_jkt,
                    scope="",
                    issued_at=at,
                    expires_at=at + dt.timedelta(seconds=int(token["expires_in"])),
                    refresh_expires_at=at + dt.timedelta(seconds=self.lifetimes.refresh)
                    if refresh
                    else None,
                )
            )

    def revoke_family(self, family: str) -> None:
        """Revoke every token of one grant (a reused code or refresh token, or a revocation)."""
        with self.db.session() as s:
            s.execute(
                update(OAuthToken)
                .where(OAuthToken.family == family, OAuthToken.revoked_at.is_(None))
                .values(revoked_at=now())
            )

    def find_token(self, value: str, hint: str | None) -> Token | None:
        """The stored token whose access or refresh value is `value` (the hint tried first)."""
        digest = sha(value)
        kinds = ["refresh_token", "access_token"] if hint == "refresh_token" else None
        with self.db.session() as s:
            for kind in kinds or ["access_token", "refresh_token"]:
                col = OAuthToken.refresh_hash if kind == "refresh_token" else OAuthToken.access_hash
                row = s.scalar(select(OAuthToken).where(col == digest))
                if row is not None:
                    return Token(row, kind)
        return None

    def create_oauth2_request(self, request: Request) -> Request:
        return request

    def create_json_request(self, request: Json) -> Json:
        return request

    def handle_response(self, status: int, body: Any, headers: Any) -> Response:
        return Response(status, body, list(headers or []))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None


class CodeGrant(grants.AuthorizationCodeGrant):
    """The authorization code grant: a code is claimed atomically once; a second use revokes
    the tokens the first one got (RFC 6749 §4.1.2)."""

    TOKEN_ENDPOINT_AUTH_METHODS = [PRIVATE_KEY_JWT]
    server: Server
    request: Request

    def save_authorization_code(self, code: str, request: Request) -> None:
        grantee = request.grantee
        assert grantee is not None
        data = request.payload.data
        with self.server.db.session() as s:
            s.add(
                AuthCode(
                    code_hash=sha(code),
                    client_id=request.client.get_client_id(),
                    user_id=grantee.user_id,
                    consent_id=grantee.consent_id,
                    redirect_uri=data["redirect_uri"],
                    code_challenge=data["code_challenge"],
                    code_challenge_method=data.get("code_challenge_method") or "S256",
                    expires_at=now() + dt.timedelta(seconds=self.server.lifetimes.code),
                )
            )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        digest = sha(code)
        at = now()
        with self.server.db.session() as s:
            row = s.scalar(
                select(AuthCode).where(
                    AuthCode.code_hash == digest, AuthCode.client_id == client.client_id
                )
            )
            if row is None:
                return None
            claimed = s.execute(
                update(AuthCode)
                .where(AuthCode.id == row.id, AuthCode.used_at.is_(None))
                .values(used_at=at)
            ).rowcount  # type: ignore[attr-defined]
        if not claimed:  # a replayed code: the tokens it bought are revoked too
            self.server.revoke_family(digest)
            return None
        if row.expires_at <= at:
            return None
        return Code(
            row.user_id,
            row.consent_id,
            row.redirect_uri,
            row.code_challenge,
            row.code_challenge_method,
            family=digest,
        )

    def delete_authorization_code(self, authorization_code: Code) -> None:
        return None  # claimed (marked used) when it was read

    def authenticate_user(self, authorization_code: Code) -> Grantee:
        grantee = Grantee(
            authorization_code.user_id, authorization_code.consent_id, authorization_code.family
        )
        self.request.grantee = grantee
        return grantee


class RefreshGrant(grants.RefreshTokenGrant):
    """Refresh tokens rotate: each use returns a new one; using an old one again revokes every
    token of the grant (reuse detection). The new token keeps the DPoP key of the old one."""

    TOKEN_ENDPOINT_AUTH_METHODS = [PRIVATE_KEY_JWT]
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: Server
    request: Request

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        token = self.server.find_token(refresh_token, "refresh_token")
        if token is None or token.kind != "refresh_token":
            return None
        if token.row.rotated_at is not None:  # reuse: someone holds a stolen copy
            self.server.revoke_family(token.row.family)
            return None
        if token.is_revoked() or token.is_expired() or token.row.jkt != self.request.dpop_jkt:
            return None
        return token

    def authenticate_user(self, refresh_token: Token) -> Grantee:
        row = refresh_token.row
        grantee = Grantee(row.user_id, row.consent_id, row.family)
        self.request.grantee = grantee
        return grantee

    def revoke_old_credential(self, refresh_token: Token) -> None:
        with self.server.db.session() as s:
            done = s.execute(
                update(OAuthToken)
                .where(OAuthToken.id == refresh_token.row.id, OAuthToken.rotated_at.is_(None))
                .values(rotated_at=now())
            ).rowcount  # type: ignore[attr-defined]
        if not done:  # two uses raced: treat it as reuse
            self.server.revoke_family(refresh_token.row.family)
            raise InvalidGrantError("This refresh token was already used.")


class Revocation(rfc7009.RevocationEndpoint):
    """RFC 7009: revoking either token of a grant revokes the whole grant's tokens."""

    CLIENT_AUTH_METHODS = [PRIVATE_KEY_JWT]
    server: Server

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return self.server.find_token(token_string, token_type_hint)

    def revoke_token(self, token: Token, request: Request) -> None:
        self.server.revoke_family(token.row.family)


class Introspection(rfc7662.IntrospectionEndpoint):
    """RFC 7662: a client may introspect its own tokens; the answer names the consent and the
    DPoP key thumbprint (`cnf.jkt`)."""

    CLIENT_AUTH_METHODS = [PRIVATE_KEY_JWT]
    server: Server

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return self.server.find_token(token_string, token_type_hint)

    def check_permission(self, token: Token, client: Client, request: Request) -> bool:
        return token.check_client(client)

    def introspect_token(self, token: Token) -> dict[str, Any]:
        row = token.row
        exp = row.refresh_expires_at if token.kind == "refresh_token" else row.expires_at
        return {
            "active": True,
            "client_id": row.client_id,
            "token_type": "DPoP" if token.kind == "access_token" else "refresh_token",
            "iat": int(row.issued_at.timestamp()),
            "exp": int(exp.timestamp()) if exp else None,
            "iss": self.server.issuer,
            "sub": f"user:{row.user_id}",
            "consent_id": row.consent_id,
            "cnf": {"jkt": row.jkt},
        }


class Registration(rfc7591.ClientRegistrationEndpoint):
    """RFC 7591 registration of a recipient app by its organisation's owner (an API token);
    `save` (given by the service) checks the caller's rights and stores the client."""

    def __init__(
        self,
        server: Server,
        metadata: dict[str, Any],
        save: Callable[[dict[str, Any], dict[str, Any], Json], Client],
    ) -> None:
        super().__init__(server, claims_classes=[rfc7591.ClientMetadataClaims])
        self._metadata = metadata
        self._save = save

    def authenticate_token(self, request: Json) -> object:
        return request.caller

    def get_server_metadata(self) -> dict[str, Any]:
        return self._metadata

    def generate_client_info(self, request: Json) -> dict[str, Any]:
        info = super().generate_client_info(request)
        info.pop("client_secret", None)  # no shared secret: private_key_jwt only
        info.pop("client_secret_expires_at", None)
        return info

    def generate_client_secret(self, request: Json) -> None:
        return None

    def save_client(
        self, client_info: dict[str, Any], client_metadata: dict[str, Any], request: Json
    ) -> Client:
        return self._save(client_info, client_metadata, request)
