"""Privacy across releases (issue #12), through the service, the API, the CLI and the pages:
pseudonyms differ between releases unless the policy asks for linkable ones (then the report and
the release page warn, in Korean and English); the epsilon ceiling and the budget are refused with
a clear message (never a 500); the doubled-braces DP message is formatted."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.privacy import messages as M
from datanuri.privacy.policy import apply_policy
from datanuri.privacy.report_html import render_report_html
from tests.privacy.test_budget import dp_policy
from tests.privacy.test_dp import policy as dp_shape
from tests.privacy.test_dp import visits
from tests.privacy.test_service import HOSPITAL, KEY, ORG, POLICY, load_hospital

API = "/api/v1"
PW = "correct horse battery staple"


def pseudonymised(platform, target: str) -> set[str]:
    table = pq.read_table(platform.catalog.parquet_path(target, principal=SYSTEM))
    return set(table.column("환자번호").to_pylist())


def linkable(policy: dict) -> dict:
    return {
        **policy,
        "direct_identifiers": {
            **policy["direct_identifiers"],
            "환자번호": {"pseudonymize": {"key": KEY, "length": 16, "linkable": True}},
        },
    }


# ----- pseudonyms ----------------------------------------------------------------------------


def test_two_releases_with_the_same_key_share_no_pseudonym_by_default(platform, tmp_path):
    """The probe: two k-anonymous releases of one source under one key could be joined on the
    pseudonyms. By default each release derives its own key, so they share none."""
    load_hospital(platform, tmp_path / "demo")
    svc = platform.privacy
    a = svc.release(HOSPITAL, POLICY, target_name="visits-a", principal=SYSTEM)
    b = svc.release(HOSPITAL, POLICY, target_name="visits-b", principal=SYSTEM)
    pa_, pb_ = pseudonymised(platform, "visits-a"), pseudonymised(platform, "visits-b")
    assert len(pa_) > 100 and len(pb_) > 100 and not pa_ & pb_
    fingerprint = svc.list_keys(ORG, principal=SYSTEM)[0].fingerprint
    for info in (a, b):
        step = next(m.options for m in info.report.measures if m.column == "환자번호")
        assert step["linkable"] is False and step["key_fingerprint"] == fingerprint
        data = platform.ledger.entry(info.ledger_index)["entry"]["data"]
        assert data["keys"] == {KEY: fingerprint} and data["linkable"] == {KEY: False}
        assert info.to_dict()["warnings"] == []
        page = render_report_html(info.report, lang="en")
        assert "linkable across releases" not in page
    salts = {
        next(m.options["release_salt"] for m in i.report.measures if m.column == "환자번호")
        for i in (a, b)
    }
    assert len(salts) == 2


def test_linkable_pseudonyms_are_shared_and_warned_about(platform, tmp_path):
    load_hospital(platform, tmp_path / "demo")
    svc = platform.privacy
    pol = linkable(POLICY)
    a = svc.release(HOSPITAL, pol, target_name="visits-a", principal=SYSTEM)
    svc.release(HOSPITAL, pol, target_name="visits-b", principal=SYSTEM)
    assert pseudonymised(platform, "visits-a") == pseudonymised(platform, "visits-b")
    data = platform.ledger.entry(a.ledger_index)["entry"]["data"]
    assert data["linkable"] == {KEY: True}
    expected = M.MSG_PSEUDONYM_LINKABLE.format(columns="'환자번호'", keys=f"'{KEY}'")
    assert a.to_dict()["warnings"] == [expected]
    assert svc.apply(HOSPITAL, pol, principal=SYSTEM).summary()["warnings"] == [expected]
    en = render_report_html(a.report, lang="en")
    ko = render_report_html(a.report, lang="ko")
    assert "Warning: pseudonyms linkable across releases" in en and "환자번호" in en
    assert "주의: 공개본 사이에 연결되는 가명" in ko


def test_linkable_must_be_true_or_false():
    from datanuri.privacy.policy import validate_policy

    table = visits().select(["age"]).append_column("name", [[f"p{i}" for i in range(10)]])
    pol = {
        "direct_identifiers": {"name": {"pseudonymize": {"key": "k", "linkable": "yes"}}},
        "quasi_identifiers": {"age": "age"},
        "k": 2,
    }
    with pytest.raises(errors.InvalidInput) as exc:
        validate_policy(table, pol, keys={"k": b"k" * 32})
    assert exc.value.message == M.MSG_PSEUDONYM_BAD_LINKABLE.format(column="name", value="yes")


# ----- the doubled-braces DP message -----------------------------------------------------------


def test_the_no_measures_message_shows_single_braces():
    with pytest.raises(errors.InvalidInput) as exc:
        apply_policy(visits(), dp_shape([]))
    assert "{{" not in exc.value.message and "}}" not in exc.value.message
    assert '"aggregate": {"group_by": {...}, "measures": [...]}' in exc.value.message
    assert exc.value.message == M.MSG_DP_NO_MEASURES.format()


# ----- the API, the CLI and the pages ----------------------------------------------------------


@pytest.fixture
def site(platform, api, tmp_path):
    load_hospital(platform, tmp_path / "demo")
    for email, role in (("editor@example.org", "editor"), ("owner@example.org", "owner")):
        platform.accounts.create_user(email, display_name=role, password=PW, principal=SYSTEM)
        platform.accounts.add_member(ORG, email, role=role, principal=SYSTEM)
    return api


def login(api, email: str) -> str:
    api.cookies.clear()
    r = api.post(f"{API}/auth/login", json={"email": email, "password": PW})
    assert r.status_code == 200, r.text
    return r.json()["csrf_token"]


def test_api_refuses_a_huge_epsilon_and_a_release_past_the_budget(site, platform):
    csrf = login(site, "editor@example.org")
    headers = {"x-csrf-token": csrf}
    url = f"{API}/datasets/{HOSPITAL}/privacy/apply?wait=true"
    for eps in (50, 1e4, 1e6):  # 10^4 and more was an HTTP 500
        r = site.post(url, headers=headers, json={"policy": dp_policy(eps)})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["message"] == M.MSG_DP_EPSILON_ABOVE_MAX.format(
            epsilon=float(eps), limit=10.0
        )
    # the budget: editors read it, owners declare it
    r = site.put(f"{API}/datasets/{HOSPITAL}/privacy/budget", headers=headers, json={"epsilon": 2})
    assert r.status_code == 403
    csrf = login(site, "owner@example.org")
    headers = {"x-csrf-token": csrf}
    r = site.put(f"{API}/datasets/{HOSPITAL}/privacy/budget", headers=headers, json={"epsilon": 2})
    assert r.status_code == 200, r.text
    assert r.json() | {"composition": ""} == {
        "dataset": HOSPITAL,
        "budget": 2.0,
        "declared": True,
        "releases": 0,
        "spent": 0.0,
        "remaining": 2.0,
        "composition": "",
    }
    csrf = login(site, "editor@example.org")
    headers = {"x-csrf-token": csrf}
    release = {"target": "stats", "access_level": "open"}
    r = site.post(url, headers=headers, json={"policy": dp_policy(1.5), "release": release})
    assert r.status_code == 201, r.text
    assert r.json()["report"]["differential_privacy"]["budget"]["remaining_after"] == 0.5
    preview = site.post(url, headers=headers, json={"policy": dp_policy(1.0)})
    assert preview.status_code == 200 and not preview.json()["passed"]
    assert preview.json()["budget"]["remaining"] == 0.5
    r = site.post(url, headers=headers, json={"policy": dp_policy(1.0), "release": release})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "privacy_budget_exceeded"
    assert error["message"] == M.MSG_DP_BUDGET_EXCEEDED.format(
        dataset=HOSPITAL, asked=1.0, budget=2.0, spent=1.5, remaining=0.5, limit=10.0
    )
    r = site.get(f"{API}/datasets/{HOSPITAL}/privacy/budget", headers=headers)
    assert (r.json()["spent"], r.json()["remaining"], r.json()["releases"]) == (1.5, 0.5, 1)
    # the console's page of the dataset shows the account, in Korean and in English
    en = site.get(f"/console/datasets/{HOSPITAL}?lang=en").text
    assert 'id="privacy-budget"' in en and "Privacy-loss budget" in en
    assert '<dd id="budget-spent">1.5</dd>' in en and '<dd id="budget-remaining">0.5</dd>' in en
    ko = site.get(f"/console/datasets/{HOSPITAL}?lang=ko").text
    assert "프라이버시 손실 예산" in ko and '<dd id="budget-remaining">0.5</dd>' in ko


def test_the_release_page_warns_about_linkable_pseudonyms(site, platform):
    csrf = login(site, "editor@example.org")
    url = f"{API}/datasets/{HOSPITAL}/privacy/apply?wait=true"
    ids = {}
    for name, pol in (("plain", POLICY), ("linked", linkable(POLICY))):
        r = site.post(
            url,
            headers={"x-csrf-token": csrf},
            json={"policy": pol, "release": {"target": f"visits-{name}", "access_level": "open"}},
        )
        assert r.status_code == 201, r.text
        ids[name] = r.json()["release"]["id"]
        assert (r.json()["warnings"] != []) == (name == "linked")
    linked_en = site.get(f"/console/privacy/releases/{ids['linked']}?lang=en").text
    linked_ko = site.get(f"/console/privacy/releases/{ids['linked']}?lang=ko").text
    plain = site.get(f"/console/privacy/releases/{ids['plain']}?lang=en").text
    assert 'id="linkable-warning"' in linked_en and "linkable to other releases" in linked_en
    assert 'id="linkable-warning"' in linked_ko and "다른 공개본과 연결할 수 있습니다" in linked_ko
    assert "linkable-warning" not in plain


def test_cli_budget_and_the_refusals(platform, config, tmp_path):
    from typer.testing import CliRunner

    from datanuri.cli import app

    load_hospital(platform, tmp_path / "demo")
    env = {"DATANURI_DATA_DIR": str(config.data_dir), "DATANURI_DATABASE_URL": config.database_url}
    run = lambda *a: CliRunner().invoke(app, list(a), env=env)  # noqa: E731
    r = run("privacy", "budget", HOSPITAL, "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["budget"] == 10.0 and not json.loads(r.stdout)["declared"]
    r = run("privacy", "budget", HOSPITAL, "--set", "2")
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())  # rich wraps long lines
    assert "budget epsilon 2 (declared), spent 0 by 0 DP release(s), remaining 2" in out
    r = run("privacy", "budget", HOSPITAL, "--set", "20")
    assert isinstance(r.exception, errors.InvalidInput)
    assert r.exception.message == M.MSG_BUDGET_ABOVE_LIMIT.format(value=20.0, limit=10.0)
    path = Path(tmp_path / "dp.json")
    path.write_text(json.dumps(dp_policy(1.5)), encoding="utf-8")
    r = run("privacy", "apply", HOSPITAL, "--policy", str(path), "--release", "stats")
    assert r.exit_code == 0, r.output
    assert "spent 1.5 of 2 with this release, remaining 0.5" in " ".join(r.stdout.split())
    r = run("privacy", "apply", HOSPITAL, "--policy", str(path), "--release", "stats")
    assert isinstance(r.exception, errors.InvalidInput)
    assert "only 0.5 remains" in r.exception.message
    path.write_text(json.dumps(dp_policy(1e4)), encoding="utf-8")
    r = run("privacy", "apply", HOSPITAL, "--policy", str(path))
    assert isinstance(r.exception, errors.InvalidInput)
    assert r.exception.message == M.MSG_DP_EPSILON_ABOVE_MAX.format(epsilon=1e4, limit=10.0)
