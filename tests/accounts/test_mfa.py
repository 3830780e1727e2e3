"""The second factor: who needs one, TOTP and passkey enrolment and login (with a software
authenticator that makes real ES256 signatures), recovery codes, sealing at rest, the API and
the HTML login pages."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from datanuri import errors
from datanuri.accounts import SYSTEM
from datanuri.accounts import secrets as sec
from datanuri.accounts.messages import MSG_BAD_CODE, MSG_ENROL_NEEDED
from datanuri.accounts.mfa import normalise_recovery_code, requires_second_factor
from datanuri.accounts.models import RecoveryCode, SecondFactor
from datanuri.accounts.principal import Principal
from datanuri.accounts.second_factor import MAX_ATTEMPTS, Proof
from datanuri.config import Config
from datanuri.platform import Platform
from datanuri.web.app import create_app
from tests.accounts.soft_authenticator import SoftAuthenticator

PW = "correct horse battery"
KIM = "kim@example.org"  # editor: needs a second factor
LEE = "lee@example.org"  # member: does not
ADMIN = "admin@example.org"


@pytest.fixture
def mfa(tmp_path: Path, db_url: str) -> Iterator[Platform]:
    cfg = Config(
        data_dir=tmp_path / "data",
        database_url=db_url,
        rate_limit_per_minute=1_000_000,
        rate_limit_burst=1_000_000,
        second_factor_policy="publishers",
    )
    p = Platform(cfg)
    acc = p.accounts
    acc.create_organization("org-a", principal=SYSTEM)
    for email, role in ((KIM, None), (LEE, None), (ADMIN, "admin")):
        acc.create_user(
            email, display_name=email, password=PW, platform_role=role, principal=SYSTEM
        )
    acc.add_member("org-a", KIM, role="editor", principal=SYSTEM)
    acc.add_member("org-a", LEE, role="member", principal=SYSTEM)
    try:
        yield p
    finally:
        p.close()


def pending(p: Platform, email: str) -> errors.SecondFactorRequired:
    with pytest.raises(errors.SecondFactorRequired) as info:
        p.accounts.login(email, PW, client="10.0.0.5", user_agent="test-browser")
    return info.value


def wrong_code(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    now = totp.timecode(time.time())
    valid = {totp.generate_otp(now + i) for i in (-2, -1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def enrol_totp(p: Platform, email: str) -> tuple[str, tuple[str, ...]]:
    need = pending(p, email)
    assert need.details["enroll"] is True
    setup = p.accounts.totp_setup(need.details["challenge"])
    assert setup.uri.startswith("otpauth://totp/") and setup.secret in setup.uri
    done = p.accounts.totp_enrol(need.details["challenge"], pyotp.TOTP(setup.secret).now())
    assert done.principal.email == email
    return setup.secret, done.recovery_codes


# ----- policy -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("principal", "policy", "needed"),
    [
        (Principal("user", 1, org_roles={"a": "editor"}), "publishers", True),
        (Principal("user", 1, org_roles={"a": "owner"}), "publishers", True),
        (Principal("user", 1, platform_role="admin"), "publishers", True),
        (Principal("user", 1, org_roles={"a": "member"}), "publishers", False),
        (Principal("user", 1, platform_role="auditor"), "publishers", False),
        (Principal("user", 1, org_roles={"a": "member"}), "everyone", True),
        (Principal("user", 1, org_roles={"a": "editor"}), "off", False),
        (SYSTEM, "everyone", False),
    ],
)
def test_who_needs_a_second_factor(principal: Principal, policy: str, needed: bool) -> None:
    assert requires_second_factor(principal, policy) is needed


def test_a_member_still_logs_in_with_a_password(mfa: Platform) -> None:
    me = mfa.accounts.login(LEE, PW, client="10.0.0.5")
    assert me.email == LEE and me.user_id is not None


def test_an_editor_without_a_factor_is_sent_to_enrol_and_gets_no_session(mfa: Platform) -> None:
    need = pending(mfa, KIM)
    assert need.message == MSG_ENROL_NEEDED[1]
    assert need.status == 401 and need.code == "second_factor_required"
    assert set(need.details["methods"]) == {"totp", "passkey"}
    with pytest.raises(errors.InvalidInput):  # an enrolment cannot be "verified"
        mfa.accounts.finish_login(need.details["challenge"], Proof(code="123456"))


# ----- TOTP -----------------------------------------------------------------------------
def test_totp_enrolment_then_every_login_asks_for_a_code(mfa: Platform) -> None:
    secret, codes = enrol_totp(mfa, KIM)
    assert len(codes) == 10 and len(set(codes)) == 10
    need = pending(mfa, KIM)
    assert need.details["enroll"] is False and need.details["methods"] == ["totp", "recovery"]
    challenge = need.details["challenge"]
    with pytest.raises(errors.NotAuthenticated) as bad:
        mfa.accounts.finish_login(challenge, Proof(code=wrong_code(secret)))
    assert bad.value.message == MSG_BAD_CODE[1]
    # the code of the enrolment is spent: the app's next one (accepted one step early) works
    code = pyotp.TOTP(secret).at(time.time() + 30)
    me = mfa.accounts.finish_login(challenge, Proof(code=code))
    assert me.email == KIM and me.role_in("org-a") == "editor"
    with pytest.raises(errors.NotAuthenticated):  # a pending login is used once
        mfa.accounts.finish_login(challenge, Proof(code=code))
    again = pending(mfa, KIM).details["challenge"]
    with pytest.raises(errors.NotAuthenticated):  # the same code cannot be replayed
        mfa.accounts.finish_login(again, Proof(code=code))


def test_a_wrong_code_on_enrolment_enrols_nothing(mfa: Platform) -> None:
    need = pending(mfa, KIM)
    setup = mfa.accounts.totp_setup(need.details["challenge"])
    with pytest.raises(errors.NotAuthenticated):
        mfa.accounts.totp_enrol(need.details["challenge"], wrong_code(setup.secret))
    assert pending(mfa, KIM).details["enroll"] is True


def test_wrong_codes_end_the_pending_login(mfa: Platform) -> None:
    secret, _ = enrol_totp(mfa, KIM)
    challenge = pending(mfa, KIM).details["challenge"]
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(errors.NotAuthenticated):
            mfa.accounts.finish_login(challenge, Proof(code=wrong_code(secret)))
    with pytest.raises(errors.NotAuthenticated):  # even the right code comes too late
        mfa.accounts.finish_login(challenge, Proof(code=pyotp.TOTP(secret).at(time.time() + 30)))


def test_the_totp_seed_is_sealed_at_rest(mfa: Platform) -> None:
    secret, codes = enrol_totp(mfa, KIM)
    with mfa.db.session() as s:
        sealed = s.scalars(select(SecondFactor.secret_sealed)).one()
        hashes = set(s.scalars(select(RecoveryCode.code_hash)))
    assert sealed is not None and secret not in sealed
    assert hashes == {sec.digest(c) for c in codes}  # recovery codes: only their hashes
    with pytest.raises(errors.IntegrityError):
        sec.unseal(sec.new_sealing_key(), sealed, context="totp:1")


def test_recovery_codes_work_once(mfa: Platform) -> None:
    _, codes = enrol_totp(mfa, KIM)
    typed = codes[0].upper().replace("-", " ")  # as a person might type it
    assert normalise_recovery_code(typed) == codes[0]
    me = mfa.accounts.finish_login(
        pending(mfa, KIM).details["challenge"], Proof(recovery_code=typed)
    )
    assert me.email == KIM
    with pytest.raises(errors.NotAuthenticated):
        mfa.accounts.finish_login(
            pending(mfa, KIM).details["challenge"], Proof(recovery_code=codes[0])
        )


# ----- passkeys -------------------------------------------------------------------------
def enrol_passkey(p: Platform, email: str, device: SoftAuthenticator) -> tuple[str, ...]:
    challenge = pending(p, email).details["challenge"]
    options = json.loads(p.accounts.passkey_registration(challenge))
    assert options["rp"]["id"] == "localhost" and options["attestation"] == "none"
    done = p.accounts.passkey_enrol(challenge, device.create(options))
    return done.recovery_codes


def test_passkey_registration_and_login(mfa: Platform) -> None:
    device = SoftAuthenticator()
    assert len(enrol_passkey(mfa, KIM, device)) == 10
    need = pending(mfa, KIM)
    assert need.details["methods"] == ["passkey", "recovery"]
    challenge = need.details["challenge"]
    options = json.loads(mfa.accounts.passkey_login_options(challenge))
    me = mfa.accounts.finish_login(challenge, Proof(passkey=device.get(options)))
    assert me.email == KIM
    with mfa.db.session() as s:
        assert s.scalars(select(SecondFactor.sign_count)).one() == 1


@pytest.mark.parametrize(
    "forge",
    [
        lambda d, o: d.get(o, tamper=True),  # signature over other bytes
        lambda d, o: d.get(o, origin="https://evil.example"),  # phished on another origin
        lambda d, o: SoftAuthenticator(credential_id=d.credential_id).get(o),  # another key
        lambda d, o: d.get({**o, "challenge": "AAAA"}),  # an old challenge
    ],
)
def test_a_forged_passkey_answer_is_refused(mfa: Platform, forge: Any) -> None:
    device = SoftAuthenticator()
    enrol_passkey(mfa, KIM, device)
    challenge = pending(mfa, KIM).details["challenge"]
    options = json.loads(mfa.accounts.passkey_login_options(challenge))
    with pytest.raises(errors.NotAuthenticated):
        mfa.accounts.finish_login(challenge, Proof(passkey=forge(device, options)))


def test_a_cloned_passkey_counter_going_back_is_refused(mfa: Platform) -> None:
    device = SoftAuthenticator()
    enrol_passkey(mfa, KIM, device)
    for count, ok in ((5, True), (3, False)):
        challenge = pending(mfa, KIM).details["challenge"]
        options = json.loads(mfa.accounts.passkey_login_options(challenge))
        answer = device.get(options, count=count)
        if ok:
            mfa.accounts.finish_login(challenge, Proof(passkey=answer))
        else:
            with pytest.raises(errors.NotAuthenticated):
                mfa.accounts.finish_login(challenge, Proof(passkey=answer))


def test_a_registration_from_another_origin_is_refused(mfa: Platform) -> None:
    challenge = pending(mfa, KIM).details["challenge"]
    options = json.loads(mfa.accounts.passkey_registration(challenge))
    answer = SoftAuthenticator().create(options, origin="https://evil.example")
    with pytest.raises(errors.InvalidInput):
        mfa.accounts.passkey_enrol(challenge, answer)
    assert mfa.accounts.list_second_factors(principal=mfa.accounts.principal_for(KIM)) == []


# ----- API and pages -----------------------------------------------------------------------
@pytest.fixture
def api(mfa: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(mfa), raise_server_exceptions=False) as client:
        yield client


def test_api_login_with_totp_enrolment_then_second_factor(api: TestClient) -> None:
    r = api.post("/api/v1/auth/login", json={"email": KIM, "password": PW})
    assert r.status_code == 401 and "datanuri_session" not in r.headers.get("set-cookie", "")
    err = r.json()["error"]
    assert err["code"] == "second_factor_required" and err["details"]["enroll"] is True
    challenge = err["details"]["challenge"]
    setup = api.post("/api/v1/auth/enroll/totp", json={"challenge": challenge}).json()
    done = api.post(
        "/api/v1/auth/enroll/totp/confirm",
        json={"challenge": challenge, "code": pyotp.TOTP(setup["secret"]).now()},
    )
    assert done.status_code == 200 and len(done.json()["recovery_codes"]) == 10
    assert "datanuri_session=" in done.headers["set-cookie"]
    assert api.get("/api/v1/me").json()["user"]["email"] == KIM
    factors = api.get("/api/v1/me/second-factors").json()
    assert [f["kind"] for f in factors] == ["totp"] and "secret" not in json.dumps(factors)

    api.cookies.clear()
    r = api.post("/api/v1/auth/token", json={"email": KIM, "password": PW})
    assert r.status_code == 401
    challenge = r.json()["error"]["details"]["challenge"]
    tok = api.post(
        "/api/v1/auth/second-factor/token",
        json={"challenge": challenge, "recovery_code": done.json()["recovery_codes"][0]},
    )
    assert tok.status_code == 201 and tok.json()["token"].startswith("dn_")
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {tok.json()['token']}"})
    assert me.json()["user"]["email"] == KIM


def test_api_passkey_enrolment_and_login(api: TestClient) -> None:
    device = SoftAuthenticator()
    challenge = api.post("/api/v1/auth/login", json={"email": KIM, "password": PW}).json()["error"][
        "details"
    ]["challenge"]
    opts = api.post("/api/v1/auth/enroll/passkey-options", json={"challenge": challenge}).json()
    r = api.post(
        "/api/v1/auth/enroll/passkey",
        json={"challenge": challenge, "credential": device.create(opts["options"])},
    )
    assert r.status_code == 200, r.text
    api.cookies.clear()
    challenge = api.post("/api/v1/auth/login", json={"email": KIM, "password": PW}).json()["error"][
        "details"
    ]["challenge"]
    opts = api.post(
        "/api/v1/auth/second-factor/passkey-options", json={"challenge": challenge}
    ).json()
    r = api.post(
        "/api/v1/auth/second-factor",
        json={"challenge": challenge, "passkey": device.get(opts["options"])},
    )
    assert r.status_code == 200 and r.json()["user"]["email"] == KIM


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def test_html_login_enrols_then_asks_for_the_code(api: TestClient) -> None:
    page = api.get("/login?lang=en")
    r = api.post(
        "/login?lang=en", data={"email": KIM, "password": PW, "csrf_token": _csrf(page.text)}
    )
    assert r.status_code == 200 and "datanuri_session" not in r.headers.get("set-cookie", "")
    assert MSG_ENROL_NEEDED[1] in r.text
    secret = re.search(r'id="totp-secret"[^>]*value="([A-Z2-7]+)"', r.text)
    assert secret, r.text
    done = api.post(
        "/login/enroll?lang=en",
        data={
            "csrf_token": _csrf(r.text),
            "challenge": _field(r.text, "challenge"),
            "code": pyotp.TOTP(secret.group(1)).now(),
        },
    )
    assert done.status_code == 200 and "datanuri_session=" in done.headers["set-cookie"]
    codes = re.findall(r"<li><code>([a-z2-7-]{19})</code></li>", done.text)
    assert len(codes) == 10

    api.cookies.clear()
    page = api.get("/login")  # Korean
    r = api.post("/login", data={"email": KIM, "password": PW, "csrf_token": _csrf(page.text)})
    assert r.status_code == 200 and "인증 앱의 6자리 코드" in r.text
    bad = api.post(
        "/login/verify",
        data={
            "csrf_token": _csrf(r.text),
            "challenge": _field(r.text, "challenge"),
            "code": wrong_code(secret.group(1)),
        },
    )
    assert bad.status_code == 401 and MSG_BAD_CODE[0] in bad.text
    ok = api.post(
        "/login/verify",
        data={
            "csrf_token": _csrf(bad.text),
            "challenge": _field(bad.text, "challenge"),
            "recovery_code": codes[1],
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303 and "datanuri_session=" in ok.headers["set-cookie"]
    assert ok.headers["location"].startswith("/account")


def test_html_second_factor_form_needs_csrf(api: TestClient) -> None:
    r = api.post("/login/verify", data={"challenge": "x", "code": "123456"})
    assert r.status_code == 403


def test_the_demo_users_log_in_with_the_printed_totp_seed(tmp_path: Path) -> None:
    from datanuri.demo.load import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS, seed_demo_users

    with Platform(Config(data_dir=tmp_path / "d", second_factor_policy="publishers")) as p:
        acc = p.accounts
        acc.create_organization("org-a", principal=SYSTEM)
        seed_demo_users(p, ["org-a"])
        for email, _name, _role, _ in DEMO_USERS:
            try:
                me = acc.login(email, DEMO_PASSWORD)
            except errors.SecondFactorRequired as need:
                me = acc.finish_login(
                    need.details["challenge"], Proof(code=pyotp.TOTP(DEMO_TOTP_SECRET).now())
                )
            assert me.email == email


def test_a_logged_in_user_adds_a_second_factor_from_the_security_page(api: TestClient) -> None:
    page = api.get("/login?lang=en")
    api.post("/login?lang=en", data={"email": LEE, "password": PW, "csrf_token": _csrf(page.text)})
    sec_page = api.get("/account/security?lang=en")
    assert sec_page.status_code == 200 and "No second factor is set up." in sec_page.text
    enrol = api.post("/account/security/enroll?lang=en", data={"csrf_token": _csrf(sec_page.text)})
    assert enrol.status_code == 200, enrol.text
    secret = re.search(r'id="totp-secret"[^>]*value="([A-Z2-7]+)"', enrol.text)
    assert secret
    done = api.post(
        "/login/enroll?lang=en",
        data={
            "csrf_token": _csrf(enrol.text),
            "challenge": _field(enrol.text, "challenge"),
            "code": pyotp.TOTP(secret.group(1)).now(),
        },
    )
    assert done.status_code == 200 and len(re.findall(r"<li><code>", done.text)) == 10
    assert "authenticator app" in api.get("/account/security?lang=en").text
    api.cookies.clear()  # from now on this member, too, logs in with the second factor
    r = api.post("/api/v1/auth/login", json={"email": LEE, "password": PW})
    assert r.json()["error"]["code"] == "second_factor_required"


def test_cli_login_asks_for_the_second_factor(mfa: Platform, tmp_path: Path) -> None:
    import subprocess

    from tests.helpers import run_cli, serve_app

    secret, codes = enrol_totp(mfa, KIM)
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "DATANURI_PASSWORD": PW}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(args, env)

    with serve_app(create_app(mfa)) as url:
        bad = cli("login", "--url", url, "--email", KIM, "--code", wrong_code(secret))
        assert bad.returncode != 0 and "code is not right" in bad.stderr + bad.stdout
        ok = cli("login", "--url", url, "--email", KIM, "--code", codes[0])
        assert ok.returncode == 0, ok.stderr
        assert KIM in cli("whoami", "--url", url).stdout
        mfa.accounts.create_user("new@example.org", display_name="n", password=PW, principal=SYSTEM)
        mfa.accounts.add_member("org-a", "new@example.org", role="owner", principal=SYSTEM)
        enrol = cli("login", "--url", url, "--email", "new@example.org")
        assert enrol.returncode != 0 and f"{url}/login" in enrol.stderr + enrol.stdout


def test_enrolment_is_recorded_in_the_ledger(mfa: Platform) -> None:
    enrol_totp(mfa, KIM)
    entries = [e["entry"] for e in mfa.ledger.entries()]
    kinds = [(e["type"], e["data"]) for e in entries if e["type"].startswith("account.")]
    assert kinds == [("account.second_factor.enrolled", {"kind": "totp"})]


def test_the_policy_setting_is_checked() -> None:
    from datanuri.errors import ConfigError

    with pytest.raises(ConfigError, match="SECOND_FACTOR_POLICY"):
        Config.from_mapping({"second_factor_policy": "sometimes"})
    assert (
        Config.from_mapping({"second_factor_policy": "everyone"}).second_factor_policy == "everyone"
    )


def test_guessing_codes_over_many_pending_logins_is_blocked(mfa: Platform) -> None:
    secret, _ = enrol_totp(mfa, KIM)
    guesses = 0
    with pytest.raises(errors.PermissionDenied) as blocked:
        while guesses < 40:
            challenge = pending(mfa, KIM).details["challenge"]
            for _ in range(MAX_ATTEMPTS):
                guesses += 1
                with pytest.raises(errors.NotAuthenticated):
                    mfa.accounts.finish_login(challenge, Proof(code=wrong_code(secret)))
    assert guesses <= 20  # the block came with the password step, well before 40 guesses
    assert "attack" in blocked.value.message
