"""A MyData recipient app, as a real client would be: Authlib's OAuth 2 client with
`private_key_jwt`, PAR, PKCE S256, DPoP proofs made with joserfc, and the transfer API. The
`datanuri mydata demo-client` command walks the whole flow with it; tests drive it too."""

from __future__ import annotations

import re
import secrets
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import typer
from authlib.deprecate import AuthlibDeprecationWarning
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import ECKey

from datanuri.cli.common import DATA_DIR_OPTION, JSON_OPTION, console, platform_ctx, print_json
from datanuri.errors import DatanuriError
from datanuri.oauth.dpop import token_hash
from datanuri.oauth.server import DELETION_PATH

# Authlib 1.9 warns on importing its httpx client that a later release moves it to httpx2; the
# warning is for Authlib's own plans, and on every command's stderr it would only confuse.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

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

    def acknowledge_deletion(self, consent_id: str) -> httpx.Response:
        """Say this app deleted what it received under a revoked consent (signed in with its
        client assertion: its tokens ended with the consent)."""
        return self.http.post(
            self.url(DELETION_PATH),
            data={"consent_id": consent_id},
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


DEMO_RECIPIENT_ORG = "healthapp"
DEMO_REDIRECT = "http://127.0.0.1:8765/callback"  # never opened: the demo reads the code from it
DEMO_PURPOSE = "건강 관리 조언 (health advice)"


def register_demo_app(platform: Any, key: ECKey) -> str:
    """Register a recipient app for the demo (its organisation made if missing), returning its
    client id: a local step, done as the machine's owner."""
    from datanuri.accounts.principal import SYSTEM
    from datanuri.errors import Conflict

    try:
        platform.accounts.create_organization(
            DEMO_RECIPIENT_ORG, title="건강앱 주식회사 (demo recipient)", principal=SYSTEM
        )
    except Conflict:
        pass
    made = platform.oauth.register_client(
        SYSTEM,
        name="건강 도우미 (demo)",
        organization=DEMO_RECIPIENT_ORG,
        purposes=[DEMO_PURPOSE],
        redirect_uris=[DEMO_REDIRECT],
        jwks=public_jwks(key),
    )
    return str(made.client_id)


def demo_client(
    url: str = typer.Option("http://127.0.0.1:8000", "--url", help="The running server."),
    holder: str = typer.Option("nuri-hospital", help="The holder organisation of the data."),
    dataset: str = typer.Option(
        "nuri-hospital-outpatient-visits", help="The holder's personal dataset with an offer."
    ),
    items: str = typer.Option(
        "visits.basic", help="Comma-separated item names of the offer to ask for."
    ),
    person_email: str | None = typer.Option(
        None, "--person", help="Log in as this person and approve (the demo); else paste the URL."
    ),
    person_password: str | None = typer.Option(None, "--password", help="The person's password."),
    period_days: int = typer.Option(30, help="How long the consent lasts (days, at most 365)."),
    revoke: bool = typer.Option(
        False, help="At the end, revoke the consent as the recipient and show the next call fail."
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Walk MyData's OAuth flow against a running server as a recipient app would (Authlib's
    client): register an app with a fresh key, push the request (PAR, PKCE S256), approve as
    the person, exchange the code with a DPoP proof and fetch the consented rows."""
    steps: list[dict[str, Any]] = []

    def step(title: str, **facts: Any) -> None:
        steps.append({"step": title, **facts})
        if not json_out:
            console.print(f"[bold]{len(steps)}. {title}[/bold]")
            for k, v in facts.items():
                console.print(f"   {k}: {v}")

    base = url.rstrip("/")
    with httpx.Client(timeout=30) as http:
        md = http.get(f"{base}/.well-known/oauth-authorization-server").json()
    step("metadata", issuer=md["issuer"], par=md["pushed_authorization_request_endpoint"])
    key = new_key()
    with platform_ctx(data_dir) as p:
        client_id = register_demo_app(p, key)
    step("registered the app", client_id=client_id, jwks_kid=key.kid)
    app = RecipientApp(base, client_id, key, DEMO_REDIRECT)
    verifier = secrets.token_urlsafe(48)
    details = {
        "type": "mydata_transfer",
        "holder": holder,
        "dataset": dataset,
        "items": [i.strip() for i in items.split(",") if i.strip()],
        "purpose": DEMO_PURPOSE,
        "period_days": period_days,
        "frequency": "periodic",  # a one-off consent ends with its first transfer
    }
    pushed = app.push(details, code_verifier=verifier)
    if pushed.status_code != 201:
        raise DatanuriError(f"The pushed request was refused: {pushed.text}")
    request_uri = pushed.json()["request_uri"]
    consent_url = app.authorize_url(request_uri)
    step("pushed the request (PAR, PKCE S256)", request_uri=request_uri, consent_url=consent_url)
    if person_email and person_password:
        redirect = approve_as(base, consent_url, person_email, person_password)
        step("the person logged in and approved", redirect=redirect.split("?")[0])
    else:
        redirect = typer.prompt(
            "Open the consent URL, approve, and paste the address you were sent to"
        )
    code = code_of(redirect)
    got = app.exchange(code, code_verifier=verifier)
    if got.status_code != 200:
        raise DatanuriError(f"The token request was refused: {got.text}")
    step(
        "exchanged the code (private_key_jwt, DPoP)",
        token_type=got.json()["token_type"],
        expires_in=got.json()["expires_in"],
        consent_id=got.json()["consent_id"],
        dpop_jkt=app.dpop_key.thumbprint(),
    )
    rows = app.transfer(holder, dataset)
    if rows.status_code != 200:
        raise DatanuriError(f"The transfer was refused: {rows.text}")
    body = rows.json()
    step(
        "fetched the consented rows",
        columns=body["columns"],
        rows=body["total_rows"],
        first=body["rows"][:3],
        ledger_index=body["ledger_index"],
    )
    if revoke:
        done = app.call("POST", "/api/v1/mydata/consent/revoke")
        after = app.transfer(holder, dataset)
        step(
            "revoked the consent as the recipient",
            status=done.json().get("status"),
            next_call=after.status_code,
        )
    if json_out:
        print_json(steps)
