"""Login and token-use anomaly detection: the pure scoring, the generated history with labelled
attacks (each family caught, a normal routine never blocked), and the guard on the real login
and token paths with its alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from benchmarks.login_anomaly import FAMILIES, evaluate, generate
from datanuri import errors
from datanuri.accounts import SYSTEM
from datanuri.accounts.anomaly import (
    AuthEvent,
    Evidence,
    assess,
    device_of,
    network_of,
)
from datanuri.accounts.messages import MSG_LOGIN_BLOCKED, MSG_TOKEN_BLOCKED
from datanuri.accounts.service import LoginContext
from datanuri.config import Config
from datanuri.platform import Platform
from datanuri.web.app import create_app

PW = "correct horse battery"
T0 = dt.datetime(2026, 10, 5, 1, 30, tzinfo=dt.UTC)  # 10:30 in Korea


def ev(minutes: float = 0, **kw: object) -> AuthEvent:
    base: dict[str, object] = {
        "time": T0 + dt.timedelta(minutes=minutes),
        "kind": "login",
        "email": "kim@example.org",
        "network": "10.1.2.0/24",
        "device": "laptop",
        "user_id": 1,
        "success": True,
    }
    base.update(kw)
    return AuthEvent(**base)  # type: ignore[arg-type]


def routine(n: int = 20) -> tuple[AuthEvent, ...]:
    """Twenty working days of logins at 10:30 from the office laptop."""
    return tuple(ev(-60 * 24 * (i + 1)) for i in range(n))


# ----- the pure parts ------------------------------------------------------------------------
def test_networks_are_prefixes_and_devices_hashes() -> None:
    assert network_of("203.0.113.77") == "203.0.113.0/24"
    assert network_of("2001:db8:abcd:12::1") == "2001:db8:abcd::/48"
    assert network_of("::ffff:203.0.113.9") == "203.0.113.0/24"
    assert network_of("testclient") == network_of(None) == "unknown"
    assert device_of("Mozilla/5.0 A") == device_of("Mozilla/5.0 A") != device_of("Mozilla/5.0 B")
    assert len(device_of("x")) == 16


def test_the_routine_is_allowed() -> None:
    result = assess(ev(), Evidence(user_past=routine()))
    assert (result.verdict, result.reasons, result.score) == ("allow", (), 0)


def test_novelty_alone_is_allowed_and_together_steps_up() -> None:
    past = Evidence(user_past=routine())
    assert assess(ev(network="198.51.100.0/24"), past).reasons == ("new_network",)
    assert assess(ev(network="198.51.100.0/24"), past).verdict == "allow"
    both = assess(ev(network="198.51.100.0/24", device="phone"), past)
    assert both.reasons == ("new_device", "new_network") and both.verdict == "step_up"
    night = assess(ev(minutes=60 * 12, network="198.51.100.0/24", device="phone"), past)
    assert night.reasons == ("new_device", "new_network", "unusual_hour")
    assert night.verdict == "step_up"  # a trip at night with a new phone is not blocked


def test_a_new_account_is_not_judged_on_novelty() -> None:
    assert assess(ev(device="phone"), Evidence(user_past=routine(2))).verdict == "allow"


def test_impossible_rate_steps_up_then_blocks() -> None:
    tries = tuple(ev(-i * 0.2, success=False) for i in range(1, 12))
    assert assess(ev(), Evidence(routine(), account_recent=tries[:10])).verdict == "step_up"
    many = tuple(ev(-i * 0.2, success=False) for i in range(1, 25))
    result = assess(ev(), Evidence(routine(), account_recent=many))
    assert result.verdict == "block" and "impossible_rate" in result.reasons


def test_credential_stuffing_counts_failed_accounts_of_one_network() -> None:
    office = tuple(ev(-i, email=f"u{i}@example.org", user_id=100 + i) for i in range(30))
    assert assess(ev(), Evidence(routine(), network_recent=office)).verdict == "allow"
    wrong = tuple(
        ev(-i * 0.1, email=f"u{i}@example.org", user_id=None, success=False) for i in range(12)
    )
    result = assess(ev(), Evidence(routine(), network_recent=wrong))
    assert result.verdict == "block" and result.reasons == ("credential_stuffing",)


def test_one_token_from_two_networks_at_once_is_blocked() -> None:
    use = ev(kind="token", token_id=7, network="192.0.2.0/24")
    other = ev(-3, kind="token", token_id=7, network="10.9.9.0/24")
    assert (
        assess(
            use, Evidence(token_recent=(ev(-3, kind="token", token_id=7, network="192.0.2.0/24"),))
        ).verdict
        == "allow"
    )
    result = assess(use, Evidence(token_recent=(other,)))
    assert result.verdict == "block" and result.reasons == ("token_two_networks",)


# ----- a generated history with labelled attacks ---------------------------------------------
def test_each_attack_family_is_caught_and_the_routine_never_blocked() -> None:
    history = generate(seed=3, users=40, days=21)
    result, verdicts = evaluate(history)
    for fam in FAMILIES:
        figures = result.per_family[fam]
        assert figures["events"] > 0 and figures["recall"] >= 0.8, (fam, figures)
        assert figures["stopped"] >= 0.8, (fam, figures)
    for fam in ("credential_stuffing", "brute_force", "account_takeover"):
        assert result.per_family[fam]["stopped"] == 1.0, fam  # no right password got through
    assert result.false_block_rate == 0.0
    # a user's routine (known device and network, usual hour) after the first week: allowed
    first = history[0].event.time
    routine_events = [
        v for i, v in verdicts if i.attack is None and i.event.time - first > dt.timedelta(days=7)
    ]
    assert routine_events and routine_events.count("allow") / len(routine_events) > 0.999


# ----- on the real login and token paths -----------------------------------------------------
@pytest.fixture
def plat(tmp_path: Path, db_url: str) -> Iterator[Platform]:
    cfg = Config(
        data_dir=tmp_path / "data",
        database_url=db_url,
        rate_limit_per_minute=1_000_000,
        rate_limit_burst=1_000_000,
        second_factor_policy="off",
    )
    p = Platform(cfg)
    for email, role in (("kim@example.org", None), ("admin@example.org", "admin")):
        p.accounts.create_user(
            email, display_name=email, password=PW, platform_role=role, principal=SYSTEM
        )
    try:
        yield p
    finally:
        p.close()


def test_stuffing_from_one_network_blocks_even_the_right_password(plat: Platform) -> None:
    acc = plat.accounts
    for i in range(10):  # wrong passwords for ten accounts (the tenth is already blocked)
        with pytest.raises(errors.NotAuthenticated if i < 9 else errors.PermissionDenied):
            acc.login(f"leaked{i}@mail.example", "guess", client="203.0.113.50")
    with pytest.raises(errors.PermissionDenied) as blocked:
        acc.login("kim@example.org", PW, client="203.0.113.51")
    assert blocked.value.message == MSG_LOGIN_BLOCKED[1]
    assert acc.login("kim@example.org", PW, client="198.51.100.7").email == "kim@example.org"
    admin = acc.principal_for("admin@example.org")
    alerts = acc.list_alerts(everyone=True, principal=admin)
    mine = [a for a in alerts if a.email == "kim@example.org"]
    assert mine and mine[0].verdict == "block" and "credential_stuffing" in mine[0].reasons
    kim = acc.principal_for("kim@example.org")
    assert [a.id for a in acc.list_alerts(principal=kim)] == [mine[0].id]
    with pytest.raises(errors.PermissionDenied):  # not everyone's alerts
        acc.list_alerts(everyone=True, principal=kim)


def test_a_new_device_and_network_raise_an_alert_for_the_user(plat: Platform) -> None:
    acc = plat.accounts
    for _ in range(3):
        acc.login("kim@example.org", PW, client="10.1.2.3", user_agent="Firefox/140")
    assert acc.list_alerts(principal=acc.principal_for("kim@example.org")) == []
    acc.login("kim@example.org", PW, client="198.51.100.7", user_agent="curl/8")  # no factor
    (alert,) = acc.list_alerts(principal=acc.principal_for("kim@example.org"))
    assert alert.verdict == "step_up" and set(alert.reasons) == {"new_device", "new_network"}
    step = acc.begin_login(
        "kim@example.org", PW, context=LoginContext("198.51.100.8", "curl/8")
    )  # let in without a factor to step up to, so it is known now
    assert step.status == "ok" and step.risk.verdict == "allow"


def test_a_token_used_from_two_networks_at_once_is_refused_and_alerted(plat: Platform) -> None:
    _, secret = plat.accounts.create_token(
        name="script", for_email="kim@example.org", principal=SYSTEM
    )
    headers = {"Authorization": f"Bearer {secret}"}
    with TestClient(
        create_app(plat), raise_server_exceptions=False, client=("10.1.2.3", 5000)
    ) as a:
        assert a.get("/api/v1/me", headers=headers).status_code == 200
    with TestClient(
        create_app(plat), raise_server_exceptions=False, client=("192.0.2.99", 5000)
    ) as b:
        r = b.get("/api/v1/me", headers=headers)
        assert r.status_code == 403 and r.json()["error"]["message"] == MSG_TOKEN_BLOCKED[1]
        alerts = b.get("/api/v1/security/alerts", headers=headers)
    with TestClient(
        create_app(plat), raise_server_exceptions=False, client=("10.1.2.4", 5000)
    ) as a:
        assert a.get("/api/v1/me", headers=headers).status_code == 200  # its owner goes on
        mine = a.get("/api/v1/security/alerts", headers=headers).json()
    assert alerts.status_code == 403
    assert [(x["kind"], x["verdict"], x["reasons"]) for x in mine] == [
        ("token", "block", ["token_two_networks"])
    ]


def test_the_admin_console_lists_every_users_alerts(plat: Platform) -> None:
    acc = plat.accounts
    for i in range(6):
        with pytest.raises(errors.DatanuriError):
            acc.login(f"leaked{i}@mail.example", "guess", client="203.0.113.50")
    acc.login("kim@example.org", PW, client="203.0.113.51")  # stepped up: no factor, alerted
    with TestClient(create_app(plat), raise_server_exceptions=False) as client:
        for email, status in (("admin@example.org", 200), ("kim@example.org", 403)):
            client.cookies.clear()
            page = client.get("/login?lang=en")
            token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
            client.post("/login", data={"email": email, "password": PW, "csrf_token": token})
            r = client.get("/console/security?lang=en")
            assert r.status_code == status
        admin_view = client.get("/api/v1/security/alerts?everyone=true")
    assert admin_view.status_code == 403  # kim's session now
    client2 = TestClient(create_app(plat), raise_server_exceptions=False)
    page = client2.get("/login?lang=en")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    client2.post("/login", data={"email": "admin@example.org", "password": PW, "csrf_token": token})
    html = client2.get("/console/security?lang=en").text
    assert "kim@example.org" in html and "many accounts tried from one network" in html
