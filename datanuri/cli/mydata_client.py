"""A MyData recipient app, as a real client would be: Authlib's OAuth 2 client with
`private_key_jwt`, PAR, PKCE S256, DPoP proofs made with joserfc, and the transfer API. The
`datanuri mydata demo-client` command walks the whole flow with it; tests drive it too."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import ECKey

from datanuri.oauth.dpop import token_hash

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def new_key() -> ECKey:
    """A fresh P-256 key (for client authentication, or for DPoP)."""
    return ECKey.generate_key("P-256", auto_kid=True)


def public_jwks(key: ECKey) -> dict[str, Any]:
    """The JWKS (public part only) a client registers for `key`."""
    return {"keys": [key.as_dict(private=False)]}


@dataclass
class RecipientApp:
    """One registered recipient app talking to one datanuri server."""

    base_url: str
    client_id: str
    key: ECKey  # signs client assertions (private_key_jwt)
    redirect_uri: str
    dpop_key: ECKey = field(default_factory=new_key)  # the key tokens are bound to
    token: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.http = OAuth2Client(
            client_id=self.client_id,
            client_secret=self.key,
            token_endpoint_auth_method="private_key_jwt",
            revocation_endpoint_auth_method="private_key_jwt",
            code_challenge_method="S256",
            redirect_uri=self.redirect_uri,
            timeout=30,
        )
        self.http.register_client_auth_method(PrivateKeyJWT(alg="ES256"))

    def url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}{path}"

    def plain(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A request with no token (metadata, registration, a browser's first step)."""
        return self.http.request(method, self.url(path), withhold_token=True, **kwargs)

    def proof(
        self,
        method: str,
        url: str,
        *,
        access_token: str | None = None,
        key: ECKey | None = None,
        iat: int | None = None,
    ) -> str:
        """A DPoP proof (RFC 9449) for one request, signed with the DPoP key (or `key`)."""
        signer = key or self.dpop_key
        claims: dict[str, Any] = {
            "jti": secrets.token_urlsafe(16),
            "htm": method,
            "htu": url.split("?", 1)[0],
            "iat": int(time.time()) if iat is None else iat,
        }
        if access_token is not None:
            claims["ath"] = token_hash(access_token)
        header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": signer.as_dict(private=False)}
        return jwt.encode(header, claims, signer)

    def push(
        self,
        details: dict[str, Any],
        *,
        code_verifier: str | None,
        method: str | None = "S256",
        redirect_uri: str | None = None,
        state: str = "demo",
    ) -> httpx.Response:
        """A pushed authorization request (RFC 9126) with `authorization_details`."""
        import json

        data = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri or self.redirect_uri,
            "state": state,
            "authorization_details": json.dumps([details]),  # ASCII: Authlib re-encodes the body
        }
        if code_verifier is not None:
            data["code_challenge"] = (
                create_s256_code_challenge(code_verifier) if method == "S256" else code_verifier
            )
        if method is not None:
            data["code_challenge_method"] = method
        return self.http.post(
            self.url("/oauth/par"),
            data=data,
            auth=self.http.client_auth("private_key_jwt"),
        )

    def authorize_url(self, request_uri: str) -> str:
        """Where the person goes to decide (only the request_uri travels through the browser)."""
        from urllib.parse import urlencode

        query = urlencode({"client_id": self.client_id, "request_uri": request_uri})
        return self.url(f"/oauth/authorize?{query}")

    def exchange(
        self, code: str, *, code_verifier: str | None, dpop: str | None = "", **extra: str
    ) -> httpx.Response:
        """Exchange a code at the token endpoint with a DPoP proof; keeps the token on success."""
        url = self.url("/oauth/token")
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": extra.pop("redirect_uri", self.redirect_uri),
            **extra,
        }
        if code_verifier is not None:
            data["code_verifier"] = code_verifier
        return self._token_call(url, data, dpop)

    def refresh(self, refresh_token: str | None = None, *, dpop: str | None = "") -> httpx.Response:
        """Use a refresh token (rotated: the answer holds a new one)."""
        data = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token or self.token["refresh_token"],
        }
        return self._token_call(self.url("/oauth/token"), data, dpop)

    def _token_call(self, url: str, data: dict[str, str], dpop: str | None) -> httpx.Response:
        headers = {}
        if dpop is not None:
            headers["DPoP"] = dpop or self.proof("POST", url)
        resp = self.http.post(
            url,
            data=data,
            headers=headers,
            auth=self.http.client_auth("private_key_jwt"),
        )
        if resp.status_code == 200:
            self.token = resp.json()
        return resp

    def revoke(self, token: str | None = None) -> httpx.Response:
        """Revoke a token (RFC 7009); by default the refresh token (the whole grant)."""
        return self.http.revoke_token(
            self.url("/oauth/revoke"),
            token=token or self.token["refresh_token"],
            token_type_hint="refresh_token" if token is None else None,
        )

    def introspect(self, token: str | None = None) -> httpx.Response:
        """Introspect one of this app's tokens (RFC 7662)."""
        return self.http.post(
            self.url("/oauth/introspect"),
            data={"token": token or self.token["access_token"]},
            auth=self.http.client_auth("private_key_jwt"),
        )

    def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        proof: str | None = "",
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """A resource call with `Authorization: DPoP <token>` and a fresh proof for its URL."""
        url = self.url(path)
        access = self.token["access_token"]
        sent = {"Authorization": f"DPoP {access}", **(headers or {})}
        if proof is not None:
            sent["DPoP"] = proof or self.proof(method, url, access_token=access)
        return self.http.request(method, url, params=params, headers=sent, withhold_token=True)

    def transfer(self, holder: str, dataset: str, **params: Any) -> httpx.Response:
        """Fetch the consented rows (`/api/v1/mydata/transfers/{holder}/{dataset}`)."""
        return self.call("GET", f"/api/v1/mydata/transfers/{holder}/{dataset}", params=params)


def approve_as(
    base_url: str, authorize_url: str, email: str, password: str, *, decision: str = "approve"
) -> str:
    """Act as the person in a browser: log in by the login form, open the consent screen and
    approve (or decline). Returns the redirect the app receives (its redirect URI with the code)."""
    with httpx.Client(base_url=base_url, timeout=30, follow_redirects=False) as browser:
        where = browser.get(authorize_url).headers["location"]  # to the login page
        page = browser.get(where)
        csrf = _CSRF.search(page.text)
        assert csrf is not None, "no CSRF field on the login page"
        login = browser.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": csrf.group(1)},
        )
        if login.status_code not in (302, 303):
            raise RuntimeError(f"login failed ({login.status_code})")
        again = browser.get(authorize_url)
        consent_path = again.headers["location"]
        screen = browser.get(consent_path)
        if screen.status_code != 200:
            raise RuntimeError(f"consent screen failed ({screen.status_code}): {screen.text}")
        token = _CSRF.search(screen.text)
        assert token is not None, "no CSRF field on the consent screen"
        answer = browser.post(
            consent_path, data={"csrf_token": token.group(1), "decision": decision}
        )
        if answer.status_code != 303:
            raise RuntimeError(f"the decision failed ({answer.status_code}): {answer.text}")
        return answer.headers["location"]


def code_of(redirect: str) -> str:
    """The `code` in the redirect the app received (raises with the server's error if none)."""
    query = parse_qs(urlsplit(redirect).query)
    if "code" not in query:
        raise RuntimeError(f"no code: {query.get('error')} {query.get('error_description')}")
    return query["code"][0]
