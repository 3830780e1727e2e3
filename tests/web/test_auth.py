import dataclasses
import re

import pytest
from fastapi.testclient import TestClient

from datanuri.accounts.principal import SYSTEM
from datanuri.web.app import create_app

PW = "correct horse battery"


@pytest.fixture
def users(platform):
    acc = platform.accounts
    platform.accounts.create_organization("org-a", title="A", principal=SYSTEM)
    acc.create_user("kim@example.org", display_name="김민지", password=PW, principal=SYSTEM)
    acc.create_user("lee@example.org", display_name="이서연", password=PW, principal=SYSTEM)
    acc.add_member("org-a", "kim@example.org", role="editor", principal=SYSTEM)
    return acc


def test_api_login_sets_httponly_cookie_and_requires_csrf_on_writes(api, users):
    r = api.post("/api/v1/auth/login", json={"email": "kim@example.org", "password": PW})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "datanuri_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    csrf = r.json()["csrf_token"]
    assert api.get("/api/v1/me").json()["user"]["email"] == "kim@example.org"
    body = {"name": "air", "organization": "org-a", "title": "대기"}
    refused = api.post("/api/v1/datasets", json=body)
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]["message"]
    assert (
        api.post("/api/v1/datasets", json=body, headers={"X-CSRF-Token": "wrong"}).status_code
        == 403
    )
    assert (
        api.post("/api/v1/datasets", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    )
    assert api.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert api.get("/api/v1/me").json() == {"authenticated": False}


def test_wrong_login_gives_one_message(api, users):
    a = api.post("/api/v1/auth/login", json={"email": "nobody@example.org", "password": PW})
    b = api.post(
        "/api/v1/auth/login", json={"email": "kim@example.org", "password": "nope nope nope"}
    )
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


def test_html_login_and_logout_forms_need_csrf(api, users):
    page = api.get("/login")
    assert page.status_code == 200 and '<html lang="ko">' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    no_csrf = api.post(
        "/login", data={"email": "kim@example.org", "password": PW}, follow_redirects=False
    )
    assert no_csrf.status_code == 403
    bad = api.post(
        "/login", data={"email": "kim@example.org", "password": "wrong wrong", "csrf_token": token}
    )
    assert bad.status_code == 401 and "이메일 또는 비밀번호가 맞지 않습니다" in bad.text
    ok = api.post(
        "/login",
        data={"email": "kim@example.org", "password": PW, "csrf_token": token},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"].startswith("/account")
    account = api.get("/account?lang=en")
    assert "김민지" in account.text and '<html lang="en">' in account.text
    session_csrf = re.search(r'name="csrf_token" value="([^"]+)"', account.text).group(1)
    assert api.post("/logout", data={}, follow_redirects=False).status_code == 403
    assert api.get("/api/v1/me").json()["authenticated"] is True
    out = api.post("/logout", data={"csrf_token": session_csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert api.get("/api/v1/me").json() == {"authenticated": False}


def test_tokens_over_http_revoked_at_next_request(api, users):
    api.post("/api/v1/auth/login", json={"email": "kim@example.org", "password": PW})
    csrf = api.get("/api/v1/me").json()["csrf_token"]
    created = api.post(
        "/api/v1/tokens",
        json={"name": "노트북", "scopes": ["read", "admin"]},
        headers={"X-CSRF-Token": csrf},
    )
    assert created.status_code == 201
    secret, token_id = created.json()["token"], created.json()["id"]
    api.cookies.clear()
    auth = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/me", headers=auth).json()["user"]["email"] == "kim@example.org"
    listed = api.get("/api/v1/tokens", headers=auth).json()
    assert [t["id"] for t in listed] == [token_id] and "token" not in listed[0]
    # a token without the publish scope cannot publish even though its user is an editor
    r = api.post("/api/v1/datasets", json={"name": "x1", "organization": "org-a"}, headers=auth)
    assert r.status_code == 403 and "scope" in r.json()["error"]["message"]
    assert api.delete(f"/api/v1/tokens/{token_id}", headers=auth).status_code == 200
    refused = api.get("/api/v1/me", headers=auth)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header", ["Basic abc", "Bearer", "Bearer    ", "Bearer dn_unknown", "Bearer " + "x" * 5000]
)
def test_bad_authorization_headers(api, header):
    r = api.get("/api/v1/datasets", headers={"Authorization": header})
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"


def test_rate_limit_answers_429_with_retry_after(platform):
    # one token a minute: however slow the machine, no token comes back between the requests
    platform.config = dataclasses.replace(
        platform.config, rate_limit_per_minute=1, rate_limit_burst=3
    )
    with TestClient(create_app(platform)) as client:
        codes = [client.get("/api/v1/datasets").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = client.get("/api/v1/datasets")
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert r.json()["error"]["code"] == "rate_limited"


def test_rate_limiter_refills():
    from datanuri.web.ratelimit import RateLimiter

    lim = RateLimiter(60, burst=2)
    assert lim.hit("k", now=0.0) is None and lim.hit("k", now=0.0) is None
    wait = lim.hit("k", now=0.0)
    assert wait == pytest.approx(1.0)
    assert lim.hit("k", now=1.01) is None
    assert lim.hit("other", now=0.0) is None
