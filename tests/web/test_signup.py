"""Self-service accounts over HTTP: the REST routes and the pages of sign-up, verification and
password reset, their rate limits, and API keys from the account page used and revoked."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from datanuri.accounts import SYSTEM
from datanuri.accounts.mail import outbox_files
from datanuri.accounts.messages import MSG_RESET_SENT, MSG_SIGNUP_SENT, MSG_UNVERIFIED
from datanuri.web.app import create_app

PW = "correct horse battery"
NEW_PW = "a brand new passphrase"


def last_link(platform, path: str) -> str:
    """The token of the newest mailed link to `path`."""
    files = outbox_files(platform.config.outbox_path)
    assert files, "no mail in the outbox"
    msg = email.message_from_bytes(files[-1].read_bytes(), policy=email.policy.default)
    found = re.search(re.escape(path) + r"\?token=(\S+)", msg.get_content())  # type: ignore[attr-defined]
    assert found, msg
    return parse_qs(urlsplit(f"{path}?token={found.group(1)}").query)["token"][0]


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def test_api_sign_up_verify_and_log_in(api, platform):
    body = {"email": "lee@example.org", "display_name": "이서연", "password": PW}
    r = api.post("/api/v1/auth/signup", json=body)
    assert r.status_code == 202 and r.json() == {
        "status": "mail_sent",
        "message": MSG_SIGNUP_SENT[1],
    }
    login = {"email": "lee@example.org", "password": PW}
    r = api.post("/api/v1/auth/login", json=login)
    assert r.status_code == 401 and r.json()["error"]["message"] == MSG_UNVERIFIED[1]
    token = last_link(platform, "/signup/verify")
    r = api.post("/api/v1/auth/verify", json={"token": token})
    assert r.status_code == 200 and r.json() == {"verified": True, "email": "lee@example.org"}
    assert api.post("/api/v1/auth/verify", json={"token": token}).status_code == 401
    assert api.post("/api/v1/auth/login", json=login).status_code == 200


def test_api_answers_alike_for_known_and_unknown_addresses(api, platform):
    platform.accounts.create_user(
        "kim@example.org", display_name="김민지", password=PW, principal=SYSTEM
    )
    known = api.post("/api/v1/auth/password/forgot", json={"email": "kim@example.org"})
    unknown = api.post("/api/v1/auth/password/forgot", json={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json() == {"status": "mail_sent", "message": MSG_RESET_SENT[1]}
    taken = {"email": "kim@example.org", "display_name": "누구", "password": NEW_PW}
    fresh = {"email": "new@example.org", "display_name": "누구", "password": NEW_PW}
    a, b = api.post("/api/v1/auth/signup", json=taken), api.post("/api/v1/auth/signup", json=fresh)
    assert a.status_code == b.status_code == 202 and a.json() == b.json()


def test_api_password_reset_ends_sessions(api, platform):
    platform.accounts.create_user(
        "kim@example.org", display_name="김민지", password=PW, principal=SYSTEM
    )
    login = {"email": "kim@example.org", "password": PW}
    assert api.post("/api/v1/auth/login", json=login).status_code == 200
    assert api.get("/api/v1/me").json()["authenticated"] is True
    api.post("/api/v1/auth/password/forgot", json={"email": "kim@example.org"})
    token = last_link(platform, "/password/reset")
    short = api.post("/api/v1/auth/password/reset", json={"token": token, "password": "short"})
    assert short.status_code == 422
    r = api.post("/api/v1/auth/password/reset", json={"token": token, "password": NEW_PW})
    assert r.status_code == 200 and r.json()["email"] == "kim@example.org"
    assert api.get("/api/v1/me").json() == {"authenticated": False}  # the cookie's session ended
    assert api.post("/api/v1/auth/login", json=login).status_code == 401
    login["password"] = NEW_PW
    assert api.post("/api/v1/auth/login", json=login).status_code == 200


def test_sign_up_off_is_refused(config):
    from datanuri.platform import Platform

    off = Platform(dataclasses.replace(config, signup="off"))
    try:
        with TestClient(create_app(off), raise_server_exceptions=False) as client:
            body = {"email": "lee@example.org", "display_name": "이서연", "password": PW}
            assert client.post("/api/v1/auth/signup", json=body).status_code == 403
            page = client.get("/signup")
            assert 'id="signup-off"' in page.text and 'id="signup-form"' not in page.text
            assert 'id="signup-link"' not in client.get("/login").text
    finally:
        off.close()


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/v1/auth/signup", {"email": "a@example.org", "display_name": "가", "password": PW}),
        ("/api/v1/auth/signup/resend", {"email": "a@example.org"}),
        ("/api/v1/auth/password/forgot", {"email": "a@example.org"}),
        ("/api/v1/auth/password/reset", {"token": "x", "password": PW}),
        ("/api/v1/auth/verify", {"token": "x"}),
    ],
)
def test_rate_limit_covers_the_self_service_routes(platform, path, body):
    platform.config = dataclasses.replace(
        platform.config, rate_limit_per_minute=1, rate_limit_burst=2
    )
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        codes = [client.post(path, json=body).status_code for _ in range(3)]
    assert codes[2] == 429 and 429 not in codes[:2]


def test_rate_limit_covers_the_self_service_pages(platform):
    platform.config = dataclasses.replace(
        platform.config, rate_limit_per_minute=1, rate_limit_burst=2
    )
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        codes = [client.get("/password/forgot").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_pages_sign_up_verify_and_log_in(api, platform):
    page = api.get("/signup")
    assert page.status_code == 200 and "회원가입" in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "email": "lee@example.org",
        "display_name": "이서연",
        "password": PW,
        "password2": PW + "x",
    }
    mismatch = api.post("/signup", data=form)
    assert mismatch.status_code == 422 and "두 비밀번호가 같지 않습니다" in mismatch.text
    form["password2"] = PW
    sent = api.post("/signup", data=form)
    assert sent.status_code == 200 and MSG_SIGNUP_SENT[0] in sent.text

    login = api.get("/login")
    bad = api.post(
        "/login",
        data={"csrf_token": csrf_of(login.text), "email": "lee@example.org", "password": PW},
    )
    assert MSG_UNVERIFIED[0] in bad.text and 'id="resend-form"' in bad.text
    resent = api.post(
        "/login/resend", data={"csrf_token": csrf_of(bad.text), "email": "lee@example.org"}
    )
    assert resent.status_code == 200 and len(outbox_files(platform.config.outbox_path)) == 2

    token = last_link(platform, "/signup/verify")
    landing = api.get("/signup/verify", params={"token": token})
    assert landing.status_code == 200 and 'id="verify-button"' in landing.text
    assert landing.headers["referrer-policy"] == "no-referrer"
    done = api.post(
        "/signup/verify",
        data={"csrf_token": csrf_of(landing.text), "token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "notice=verified" in done.headers["location"]
    spent = api.get("/signup/verify", params={"token": token})
    assert spent.status_code == 410 and 'id="verify-button"' not in spent.text
    assert "이메일 주소를 확인했습니다" in api.get(done.headers["location"]).text
    login = api.get("/login")
    ok = api.post(
        "/login",
        data={"csrf_token": csrf_of(login.text), "email": "lee@example.org", "password": PW},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"].startswith("/account")


def test_pages_reset_a_password(api, platform):
    platform.accounts.create_user(
        "kim@example.org", display_name="김민지", password=PW, principal=SYSTEM
    )
    page = api.get("/password/forgot")
    sent = api.post(
        "/password/forgot", data={"csrf_token": csrf_of(page.text), "email": "kim@example.org"}
    )
    assert MSG_RESET_SENT[0] in sent.text
    token = last_link(platform, "/password/reset")
    form_page = api.get("/password/reset", params={"token": token})
    assert form_page.status_code == 200 and 'id="reset-form"' in form_page.text
    form = {"csrf_token": csrf_of(form_page.text), "token": token, "password": "short"}
    form["password2"] = form["password"]
    short = api.post("/password/reset", data=form)
    assert (
        short.status_code == 422 and "10자 이상" in short.text and 'id="reset-form"' in short.text
    )
    form["password"] = form["password2"] = NEW_PW
    done = api.post("/password/reset", data=form, follow_redirects=False)
    assert done.status_code == 303 and "notice=reset" in done.headers["location"]
    spent = api.get("/password/reset", params={"token": token})
    assert spent.status_code == 410 and 'id="reset-form"' not in spent.text
    assert "이미 쓰였거나" in spent.text


def test_pages_refuse_a_form_without_csrf(api):
    api.get("/signup")
    r = api.post(
        "/signup",
        data={"email": "lee@example.org", "display_name": "이", "password": PW, "password2": PW},
    )
    assert r.status_code == 403


def test_pages_speak_english_when_asked(api):
    text = api.get("/signup", params={"lang": "en"}).text
    assert "Sign up and get the confirmation mail" in text and "회원가입" not in text
    login = api.get("/login", params={"lang": "en"}).text
    assert "Forgot your password?" in login and 'href="/signup?lang=en"' in login
    forgot = api.get("/password/forgot", params={"lang": "en"}).text
    assert "Mail me a link" in forgot
