"""Token scopes on every route: each API route declares the scope it needs, and every route that
changes something refuses a `read` token, whoever holds it (issue #13)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts

from datanuri.accounts import SYSTEM
from datanuri.web.auth import MSG_SCOPE, declared_scope
from tests.helpers import air_csv

PW = "correct horse battery"
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# Writes that act for nobody, each for a reason (they are declared `PUBLIC` in their routers).
PUBLIC_WRITES = {
    ("POST", "/api/v1/auth/login"),  # the password is the credential
    ("POST", "/api/v1/auth/token"),  # the password is the credential
    ("POST", "/api/v1/ledger/cosignatures"),  # kept only if signed by a trusted witness key
    # a pending login's one-time challenge (issued after the password) is the credential
    ("POST", "/api/v1/auth/second-factor"),
    ("POST", "/api/v1/auth/second-factor/token"),
    ("POST", "/api/v1/auth/second-factor/passkey-options"),
    ("POST", "/api/v1/auth/enroll/totp"),
    ("POST", "/api/v1/auth/enroll/totp/confirm"),
    ("POST", "/api/v1/auth/enroll/passkey-options"),
    ("POST", "/api/v1/auth/enroll/passkey"),
    # self-service: anyone may sign up or ask for a link; a mailed link's token is the credential
    ("POST", "/api/v1/auth/signup"),
    ("POST", "/api/v1/auth/signup/resend"),
    ("POST", "/api/v1/auth/verify"),
    ("POST", "/api/v1/auth/password/forgot"),
    ("POST", "/api/v1/auth/password/reset"),
    # the person contests an AI decision: its access code (or their own account) is the credential
    ("POST", "/api/v1/ai/decisions/{reference}/contests"),
    # MyData's recipient: its DPoP-bound OAuth token (and a fresh proof) is the credential
    ("POST", "/api/v1/mydata/consent/revoke"),
    # and its deletion acknowledgement: its signed client assertion (private_key_jwt)
    ("POST", "/api/v1/mydata/consent/deletion"),
    # the OAuth endpoints: the client's signed assertion (private_key_jwt) is the credential
    ("POST", "/oauth/par"),
    ("POST", "/oauth/token"),
    ("POST", "/oauth/revoke"),
    ("POST", "/oauth/introspect"),
}
# Writes that are not writes: CKAN's POST actions are the read-only actions of its GET.
READ_ONLY_POSTS = {("POST", "/api/3/action/{action}"), ("POST", "/api/action/{action}")}
# Ends the caller's own browser session; a token has none and keeps working.
OWN_SESSION = {("POST", "/api/v1/auth/logout")}


def routes(app: Any) -> list[tuple[str, str, Any]]:
    """(method, path, route) for every route of the app, walked from FastAPI's route table."""
    out = []
    for r in iter_route_contexts(app.routes):
        for method in sorted(r.methods or ()):
            out.append((method, r.path_format, r))
    return out


@pytest.fixture
def world(platform, tmp_path):
    acc = platform.accounts
    acc.create_user(
        "root@example.org",
        display_name="root",
        password=PW,
        platform_role="admin",
        principal=SYSTEM,
    )
    acc.create_user("kim@example.org", display_name="김민지", password=PW, principal=SYSTEM)
    acc.create_organization("org-a", principal=acc.principal_for("root@example.org"))
    acc.add_member("org-a", "kim@example.org", role="editor", principal=SYSTEM)
    platform.catalog.create_dataset("ds", organization="org-a", principal=SYSTEM)
    platform.catalog.publish("ds", air_csv(tmp_path / "a.csv"), principal=SYSTEM)

    def token(email: str, scopes: list[str]) -> tuple[int, str]:
        info, secret = acc.create_token(name="t", scopes=scopes, for_email=email, principal=SYSTEM)
        return info.id, secret

    ent = acc.grant_entitlement("kim@example.org", "ds", principal=SYSTEM)
    return {
        "admin_read": token("root@example.org", ["read"]),
        "admin_rp": token("root@example.org", ["read", "publish"]),
        "admin_all": token("root@example.org", ["read", "publish", "admin"]),
        "kim_read": token("kim@example.org", ["read"]),
        "kim_other": token("kim@example.org", ["read", "publish"]),
        "entitlement": ent,
    }


def _url(path: str, w: dict[str, Any]) -> str:
    values = {
        "name": "org-a" if path.startswith("/api/v1/organizations/") else "ds",
        "version": "1",
        "token_id": str(w["kim_other"][0]),
        "entitlement_id": str(w["entitlement"]),
        "release_id": "1",
        "request_id": "1",
        "project_id": "1",
        "offer_id": "1",
        "endpoint_id": "1",
        "listing_id": "1",
        "order_id": "1",
        "step": "publish",
        "job_id": "x",
        "index": "0",
        "action": "status_show",
        "reference": "DN-NOSUCHDECISION",
        "contest_id": "1",
        "export_id": "1",
        "system": "ai-a",
        "monitor_id": "1",
        "holder": "org-a",
        "dataset": "ds",
        "ref": "x",
        "org": "org-a",
        "consent_id": "cns_none",
        "candidate_id": "1",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def test_every_api_route_declares_its_scope(api):
    undeclared = [
        f"{m} {path}"
        for m, path, r in routes(api.app)
        if getattr(r, "include_in_schema", False)
        and (m, path) not in READ_ONLY_POSTS
        and not path.startswith(("/api/3", "/api/action"))
        and declared_scope(r.dependant) is None
    ]
    assert undeclared == [], "declare ReadCaller, PublishCaller, AdminCaller or PUBLIC"


def test_every_mutating_route_refuses_a_read_token(api, world):
    """Walks the route table: each write is refused (403, the scope message) to an admin's and to
    an editor's `read` token, before it does anything."""
    size = api.app.state.platform.ledger.size()
    wrong = []
    seen = 0
    for method, path, r in routes(api.app):
        key = (method, path)
        if method not in MUTATING or not getattr(r, "include_in_schema", False):
            continue
        if key in PUBLIC_WRITES | READ_ONLY_POSTS | OWN_SESSION:
            assert declared_scope(r.dependant) in ("public", "read", None), key
            continue
        seen += 1
        scope = declared_scope(r.dependant)
        if scope not in ("publish", "admin"):
            wrong.append(f"{method} {path} declares {scope!r}")
            continue
        for holder in ("admin_read", "kim_read"):
            headers = {"Authorization": f"Bearer {world[holder][1]}"}
            resp = api.request(method, _url(path, world), headers=headers, json={})
            want = MSG_SCOPE.format(scope=scope)
            if resp.status_code != 403 or resp.json()["error"]["message"] != want:
                wrong.append(f"{method} {path} as {holder}: {resp.status_code} {resp.text[:120]}")
    assert seen >= 13 and wrong == []
    assert api.app.state.platform.ledger.size() == size  # no token revoked, nothing recorded


def test_browser_forms_ignore_bearer_tokens(api, world):
    """The HTML forms act only for a session (with its CSRF token): a token does nothing there."""
    headers = {"Authorization": f"Bearer {world['admin_all'][1]}"}
    for method, path, r in routes(api.app):
        if method in MUTATING and not getattr(r, "include_in_schema", True):
            resp = api.request(method, _url(path, world), headers=headers, follow_redirects=False)
            assert resp.status_code in (303, 403), (method, path, resp.status_code)
            if resp.status_code == 303:
                assert resp.headers["location"].startswith("/login"), (method, path)


def test_read_token_cannot_manage_tokens(api, world, platform):
    read = {"Authorization": f"Bearer {world['kim_read'][1]}"}
    other_id = world["kim_other"][0]
    r = api.delete(f"/api/v1/tokens/{other_id}", headers=read)
    assert r.status_code == 403 and "'admin' scope" in r.json()["error"]["message"]
    r = api.post("/api/v1/tokens", headers=read, json={"name": "more", "scopes": ["admin"]})
    assert r.status_code == 403
    assert api.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {world['kim_other'][1]}"}
    ).json()["authenticated"]


def test_admin_read_token_sees_and_revokes_only_its_own(api, world):
    for holder in ("admin_read", "admin_rp"):
        auth = {"Authorization": f"Bearer {world[holder][1]}"}
        listed = api.get("/api/v1/tokens", headers=auth).json()
        assert {t["user"] for t in listed} == {"root@example.org"}
        r = api.delete(f"/api/v1/tokens/{world['kim_other'][0]}", headers=auth)
        assert r.status_code == 403
    full = {"Authorization": f"Bearer {world['admin_all'][1]}"}
    listed = api.get("/api/v1/tokens", headers=full).json()
    assert {t["user"] for t in listed} == {"root@example.org", "kim@example.org"}
    r = api.delete(f"/api/v1/tokens/{world['kim_other'][0]}", headers=full)
    assert r.status_code == 200 and r.json()["revoked"] is True


def test_service_refuses_a_token_without_admin_scope_to_revoke(platform, world):
    from datanuri import errors

    me = platform.accounts.resolve_token(world["kim_read"][1])
    with pytest.raises(errors.PermissionDenied, match="'admin' scope"):
        platform.accounts.revoke_token(world["kim_other"][0], principal=me)
    admin = platform.accounts.resolve_token(world["admin_read"][1])
    assert [t.user for t in platform.accounts.list_tokens(principal=admin)] == [
        "root@example.org"
    ] * 3
