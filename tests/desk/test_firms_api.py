"""The firm desk over HTTP, the pages and the CLI (SQLite: these layers call the service the
service tests cover on both databases): the API's flow with tokens, the rights as status codes,
Korean and English pages, Korean error messages, and the CLI's commands."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from datanuri.accounts import SYSTEM
from datanuri.desk.firms import ProfileDraft
from tests.helpers import PASSWORD, air_csv
from tests.test_cli import run  # noqa: F401 - the fixture

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
DUE = (dt.date.today() + dt.timedelta(days=45)).isoformat()
API = "/api/v1/requests"


@pytest.fixture
def tokens(platform, tmp_path):
    acc = platform.accounts
    out = {}
    for key in ("poster", "firm", "member", "other"):
        email = f"{key}@example.org"
        acc.create_user(email, display_name=key, password=PASSWORD, principal=SYSTEM)
        out[key] = {
            "Authorization": "Bearer "
            + acc.create_token(
                name="t", scopes=["read", "publish"], for_email=email, principal=SYSTEM
            )[1]
        }
    acc.create_organization("gaon", title="가온분석", principal=SYSTEM)
    acc.add_member("gaon", "firm@example.org", role="owner", principal=SYSTEM)
    acc.add_member("gaon", "member@example.org", role="member", principal=SYSTEM)
    platform.catalog.create_dataset("gaon-clean", organization="gaon", principal=SYSTEM)
    platform.catalog.publish("gaon-clean", air_csv(tmp_path / "c.csv"), principal=SYSTEM)
    return out


def test_api_flow_and_rights(api, tokens):
    r = api.put(
        f"{API}/firms/gaon",
        json={"skills": ["cleaning", "analysis"], "certifications": ["dqc"], "sectors": ["health"]},
        headers=tokens["member"],
    )
    assert r.status_code == 403
    r = api.put(
        f"{API}/firms/gaon",
        json={
            "summary": "정제 전문",
            "skills": ["cleaning", "analysis"],
            "certifications": ["dqc"],
            "past_projects": [{"title": "대기질 정제", "year": 2025, "skills": ["cleaning"]}],
        },
        headers=tokens["firm"],
    )
    assert r.status_code == 200 and r.json()["past_projects"][0]["title"] == "대기질 정제"
    assert [f["name"] for f in api.get(f"{API}/firms").json()] == ["gaon"]

    body = {
        "title": "대기질 정제",
        "description": "측정소 자료의 결측과 이상값을 정리합니다.",
        "skills": ["cleaning"],
        "budget_min": 5_000_000,
        "budget_max": 9_000_000,
        "due_on": DUE,
    }
    assert api.post(f"{API}/projects", json=body).status_code == 401
    made = api.post(f"{API}/projects", json=body, headers=tokens["poster"])
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    ranking = api.get(f"{API}/projects/{pid}/ranking").json()
    assert ranking["fits"][0]["name"] == "gaon"
    assert ["Covers 1 of 1 skills asked for: Data cleaning"] == [
        en for _, en in ranking["fits"][0]["reasons"] if en.startswith("Covers")
    ]

    offer = {"firm": "gaon", "price": 7_000_000, "days": 20, "note": "2주"}
    for who in ("member", "other", "poster"):
        assert (
            api.post(f"{API}/projects/{pid}/offers", json=offer, headers=tokens[who]).status_code
            == 403
        )
    sent = api.post(f"{API}/projects/{pid}/offers", json=offer, headers=tokens["firm"])
    assert sent.status_code == 201
    oid = sent.json()["id"]
    assert (
        api.post(f"{API}/projects/{pid}/offers/{oid}/accept", headers=tokens["firm"]).status_code
        == 403
    )
    assert (
        api.post(
            f"{API}/projects/{pid + 1}/offers/{oid}/accept", headers=tokens["poster"]
        ).status_code
        == 404
    )
    won = api.post(f"{API}/projects/{pid}/offers/{oid}/accept", headers=tokens["poster"])
    assert won.status_code == 200 and won.json()["status"] == "awarded"
    mine = api.get(f"{API}/firms/offers/mine", headers=tokens["firm"]).json()
    assert [(o["id"], o["status"]) for o in mine] == [(oid, "accepted")]

    bad = api.post(
        f"{API}/projects/{pid}/deliver", json={"dataset": "nothing"}, headers=tokens["firm"]
    )
    assert bad.status_code == 404
    done = api.post(
        f"{API}/projects/{pid}/deliver",
        json={"dataset": "gaon-clean", "version": 1},
        headers=tokens["firm"],
    )
    assert done.status_code == 200 and done.json()["dataset"] == "gaon-clean"
    assert (
        api.post(
            f"{API}/projects/{pid}/complete", json={"rating": 0}, headers=tokens["poster"]
        ).status_code
        == 422
    )
    closed = api.post(
        f"{API}/projects/{pid}/complete", json={"rating": 5}, headers=tokens["poster"]
    )
    assert closed.json()["status"] == "completed"
    assert api.get(f"{API}/firms/gaon").json()["rating"] == 5.0


def test_pages_in_korean_and_english(api, platform, tokens):
    platform.firm_desk.save_profile(
        "gaon",
        ProfileDraft(skills=("deidentification",), certifications=("isms_p",)),
        principal=SYSTEM,
    )
    made = api.post(
        f"{API}/projects",
        json={
            "title": "가명처리 과제",
            "description": "외래 기록을 가명처리합니다.",
            "skills": ["deidentification", "linkage"],
            "sensitivity": "pseudonymous",
            "budget_min": 1_000_000,
            "budget_max": 120_000_000,
            "due_on": DUE,
        },
        headers=tokens["poster"],
    ).json()
    ko = api.get("/firms").text
    assert "가온분석" in ko and "비식별·가명처리" in ko
    assert "정보보호 및 개인정보보호 관리체계 인증(ISMS-P)" in api.get("/firms/gaon").text
    page = api.get(f"/projects/{made['id']}").text
    assert "가명정보 결합전문기관 지정" in page  # implied by linking pseudonymised data
    assert "100만 원 – 1억 2,000만 원" in page
    assert "필수 인증 없음: 가명정보 결합전문기관 지정" in page  # gaon is excluded, and why
    en = api.get(f"/projects/{made['id']}?lang=en").text
    assert "Lacks required certification: Designated pseudonymised-data linkage agency" in en
    assert "KRW 1,000,000 – KRW 120,000,000" in en
    assert api.get("/projects").status_code == 200
    assert api.get("/firms/nobody").status_code == 404
    # an offer the project's certification rule refuses: the message, in Korean
    r = api.post(
        f"{API}/projects/{made['id']}/offers",
        json={"firm": "gaon", "price": 1, "days": 1},
        headers=tokens["firm"],
    )
    assert r.status_code == 409
    error = r.json()["error"]
    assert "pseudonym_linkage" in error["message"]
    assert error["message_ko"] == (
        "이 과제에 필요한 인증을 기업이 갖고 있지 않습니다: pseudonym_linkage."
    )


def test_cli_firms_and_projects(platform, run, tmp_path):  # noqa: F811
    acc = platform.accounts
    acc.create_organization("gaon", title="가온분석", principal=SYSTEM)
    for email in ("poster@example.org", "firm@example.org"):
        acc.create_user(email, display_name=email[:4], password=PASSWORD, principal=SYSTEM)
    acc.add_member("gaon", "firm@example.org", role="editor", principal=SYSTEM)
    run("requests", "firms", "set-profile", "gaon", "--skill", "cleaning", "--cert", "dqc")
    listed = json.loads(run("requests", "firms", "list", "--json").stdout)
    assert [(f["name"], f["certifications"]) for f in listed] == [("gaon", ["dqc"])]
    out = run(
        "requests",
        "projects",
        "post",
        "--as",
        "poster@example.org",
        "--title",
        "정제",
        "--description",
        "자료 정제",
        "--skill",
        "cleaning",
        "--budget-min",
        "1000000",
        "--budget-max",
        "2000000",
        "--due",
        DUE,
        "--json",
    ).stdout
    pid = json.loads(out)["id"]
    assert "gaon" in run("requests", "projects", "rank", str(pid)).stdout
    sent = run(
        "requests",
        "projects",
        "offer",
        str(pid),
        "--firm",
        "gaon",
        "--price",
        "1500000",
        "--days",
        "10",
        "--as",
        "firm@example.org",
    ).stdout
    assert "Sent offer" in sent
    bad = run("requests", "projects", "accept", "1", "--as", "firm@example.org", check=False)
    assert bad.returncode != 0 and "posted the project" in (bad.stderr + bad.stdout)
    assert (
        "awarded to gaon"
        in run("requests", "projects", "accept", "1", "--as", "poster@example.org").stdout
    )


def _login(client, email: str) -> str:
    """Log `client` in through the login form; returns the session's CSRF token."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    r = client.post(
        "/login",
        data={"csrf_token": token.group(1), "email": email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    page = client.get("/console/firms").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return found.group(1) if found else ""


def test_owner_edits_the_profile_in_the_console(api, platform, tokens):
    acc = platform.accounts
    acc.create_user("ed@example.org", display_name="ed", password=PASSWORD, principal=SYSTEM)
    acc.add_member("gaon", "ed@example.org", role="editor", principal=SYSTEM)
    _login(api, "firm@example.org")
    console = api.get("/console/firms").text
    assert "/console/firms/gaon/profile" in console
    form = api.get("/console/firms/gaon/profile")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    r = api.post(
        "/console/firms/gaon/profile",
        data={
            "csrf_token": csrf,
            "summary": "결합 전문",
            "skills": ["linkage", "cleaning"],
            "certifications": ["pseudonym_linkage"],
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and "saved=1" in r.headers["location"]
    saved = platform.firm_desk.profile("gaon")
    assert (saved.skills, saved.certifications) == (("cleaning", "linkage"), ("pseudonym_linkage",))
    assert "프로필을 저장했습니다" in api.get(r.headers["location"]).text

    api.cookies.clear()
    csrf = _login(api, "ed@example.org")
    denied = api.post("/console/firms/gaon/profile", data={"csrf_token": csrf, "skills": ["ml"]})
    assert denied.status_code == 403
    assert platform.firm_desk.profile("gaon").skills == ("cleaning", "linkage")


def test_page_forms_refuse_numbers_python_reads_but_int_does_not(api, platform, tokens):
    """A superscript digit passes `str.isdigit` but not `int`: the form answers with the field's
    message (422 on the page), not a server error."""
    platform.firm_desk.save_profile("gaon", ProfileDraft(skills=("cleaning",)), principal=SYSTEM)
    made = api.post(
        f"{API}/projects",
        json={
            "title": "정제",
            "description": "자료 정제",
            "skills": ["cleaning"],
            "budget_min": 1_000_000,
            "budget_max": 2_000_000,
            "due_on": DUE,
        },
        headers=tokens["poster"],
    ).json()
    _login(api, "firm@example.org")
    page = api.get(f"/projects/{made['id']}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    for price, days, message in (
        ("²", "10", "price 항목은 0원에서"),
        ("1000000", "³", "수행 기간은 1일에서 730일 사이여야 합니다."),
    ):
        r = api.post(
            f"/projects/{made['id']}/offer",
            data={"csrf_token": csrf, "firm": "gaon", "price": price, "days": days},
            follow_redirects=False,
        )
        assert r.status_code == 422 and message in r.text
    assert platform.firm_desk.project(made["id"], principal=SYSTEM).offers == ()
