"""AI decisions over real HTTP: the owner records through the API, the person opens the page
with the code (a wrong code is 404), contests with a file, the reviewer decides in the console,
the person downloads a receipt that verifies offline, and the oversight dashboard shows it."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from datanuri.accounts.principal import SYSTEM
from datanuri.ledger.verify import verify_receipt
from tests.helpers import PASSWORD
from tests.web.test_console_pages import login

SYSTEM_BODY = {
    "name": "loan-screening",
    "organization": "bank",
    "title": "대출 심사",
    "purpose": "Screening of small loans.",
    "risk_level": "high",
    "intended_use": "Loans up to 10M KRW.",
    "limitations": "Not for the self-employed.",
    "metrics": {"auc": 0.8},
    "reason_codes": {
        "R01": {
            "ko": "소득이 기준보다 낮습니다.",
            "en": "Income is below the baseline.",
            "feature": "income",
        },
        "R02": {"ko": "연체 횟수가 많습니다.", "en": "Many late payments.", "feature": "late"},
    },
}
VERSION_BODY = {
    "version": "v1",
    "kind": "logistic",
    "parameters": {
        "coefficients": {"income": 0.8, "late": -1.2},
        "intercept": 0.3,
        "baseline": {"income": 3.0, "late": 1.0},
    },
}
EXPLAIN = "소득 자료가 작년 것이어서 결정이 잘못되었습니다."
REASONS = "올해 소득 증빙으로 다시 보면 소득이 기준 이상이어서 거절할 이유가 없습니다."


@pytest.fixture
def world(platform: Any) -> dict[str, str]:
    acc = platform.accounts
    acc.create_organization("bank", principal=SYSTEM)
    acc.create_organization("ombuds", principal=SYSTEM)
    for name in ("owner", "reviewer"):
        acc.create_user(
            f"{name}@example.org", display_name=name, password=PASSWORD, principal=SYSTEM
        )
    acc.add_member("bank", "owner@example.org", role="editor", principal=SYSTEM)
    acc.add_member("ombuds", "reviewer@example.org", role="reviewer", principal=SYSTEM)
    token = acc.create_token(
        name="t", scopes=["read", "publish"], for_email="owner@example.org", principal=SYSTEM
    )[1]
    return {"owner": token}


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_record_view_contest_decide_receipt_oversight(
    api: TestClient, platform: Any, world: dict[str, str]
) -> None:
    h = _h(world["owner"])
    assert api.post("/api/v1/ai/systems", headers=h, json=SYSTEM_BODY).status_code == 201
    r = api.post("/api/v1/ai/systems/loan-screening/versions", headers=h, json=VERSION_BODY)
    assert r.status_code == 201 and r.json()["model_versions"] == ["v1"]
    body = {
        "system": "loan-screening",
        "model_version": "v1",
        "idempotency_key": "app-1",
        "inputs": {"income": 2.0, "late": 3.0},
        "output": "deny",
        "groups": {"region": "11"},
    }
    r = api.post("/api/v1/ai/decisions", headers=h, json=body)
    assert r.status_code == 201, r.text
    ref, code = r.json()["reference"], r.json()["access_code"]
    again = api.post("/api/v1/ai/decisions", headers=h, json=body).json()
    assert (again["reference"], again["access_code"], again["replayed"]) == (ref, code, True)

    # the person, by code: the API (Korean reasons) and the page; a wrong code is 404
    r = api.get(
        f"/api/v1/ai/decisions/{ref}", headers={"X-Decision-Code": code, "Accept-Language": "ko"}
    )
    assert r.status_code == 200 and r.json()["reasons"][0]["text"] == "연체 횟수가 많습니다."
    assert (
        api.get(f"/api/v1/ai/decisions/{ref}", headers={"X-Decision-Code": "WRONG"}).status_code
        == 404
    )
    person = TestClient(api.app, raise_server_exceptions=False)
    assert "code-form" in person.get(f"/decisions/{ref}").text
    assert person.post(f"/decisions/{ref}", data={"code": "NOPE"}).status_code == 404
    page = person.post(f"/decisions/{ref}?lang=ko", data={"code": code})
    assert page.status_code == 200 and "연체 횟수가 많습니다." in page.text and "deny" in page.text
    short = person.post(
        f"/decisions/{ref}/contest?lang=en", data={"code": code, "explanation": "no"}
    )
    assert short.status_code == 422 and "at least 10 characters" in short.text
    filed = person.post(
        f"/decisions/{ref}/contest",
        data={"code": code, "explanation": EXPLAIN},
        files={"evidence": ("income.pdf", b"%PDF-1.4 2026 income", "application/pdf")},
    )
    assert filed.status_code == 200 and 'id="contest-filed"' in filed.text

    # the owner cannot see the console's contests; the reviewer decides there
    owner, _ = login(api, "owner@example.org")
    assert owner.get("/console/ai/contests").status_code == 403
    reviewer, csrf = login(api, "reviewer@example.org")
    console = reviewer.get("/console/ai/contests?lang=en")
    assert console.status_code == 200 and ref in console.text and "income.pdf" in console.text
    cid = int(re.search(r'id="contest-(\d+)"', console.text).group(1))  # type: ignore[union-attr]
    r = reviewer.post(
        f"/console/ai/contests/{cid}/decide",
        data={
            "csrf_token": csrf,
            "outcome": "overturn",
            "reasons": REASONS,
            "corrected_output": "approve",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = person.post(f"/decisions/{ref}?lang=en", data={"code": code})
    assert 'id="corrected"' in page.text and REASONS in page.text
    shown = re.findall(r'id="receipt-(\w+)"', page.text)
    assert shown == ["recorded", "filed", "assigned", "decided", "corrected"]
    assert 'id="contest-form"' not in page.text  # a corrected decision is not contested again

    # receipts download and verify offline with the log's public key
    got = person.post(f"/decisions/{ref}/receipts/decided", data={"code": code})
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    receipt = json.loads(got.content)
    key = platform.ledger.public_key()
    assert (
        verify_receipt(receipt, public_key=key).ok
        and receipt["entry"]["type"] == "ai.contest.decided"
    )
    assert person.post(f"/decisions/{ref}/receipts/decided", data={"code": "X"}).status_code == 404

    # the owner's oversight dashboard and API
    dash = owner.get("/console/ai/systems/loan-screening?lang=en")
    assert dash.status_code == 200 and 'id="groups"' in dash.text and "11" in dash.text
    figs = api.get("/api/v1/ai/systems/loan-screening/oversight", headers=h).json()["figures"]
    assert (figs["decisions"], figs["contests"], figs["overturned"]) == (1, 1, 1)


def test_contest_over_the_api_with_evidence(api: TestClient, world: dict[str, str]) -> None:
    h = _h(world["owner"])
    api.post("/api/v1/ai/systems", headers=h, json=SYSTEM_BODY)
    api.post("/api/v1/ai/systems/loan-screening/versions", headers=h, json=VERSION_BODY)
    rec = api.post(
        "/api/v1/ai/decisions",
        headers=h,
        json={
            "system": "loan-screening",
            "model_version": "v1",
            "idempotency_key": "x",
            "inputs": {"income": 1, "late": 0},
            "output": "deny",
        },
    ).json()
    code_h = {"X-Decision-Code": rec["access_code"]}
    ev = [{"name": "a.txt", "content_base64": base64.b64encode(b"evidence").decode()}]
    r = api.post(
        f"/api/v1/ai/decisions/{rec['reference']}/contests",
        headers=code_h,
        json={"explanation": EXPLAIN, "evidence": ev},
    )
    assert r.status_code == 201 and r.json()["reviewer"] == "reviewer"
    assert [s["step"] for s in r.json()["steps"]] == ["filed", "assigned"]
    r = api.post(
        f"/api/v1/ai/decisions/{rec['reference']}/contests",
        headers=h,
        json={"explanation": EXPLAIN},
    )
    assert r.status_code == 404  # the owner is not the person
