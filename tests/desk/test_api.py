"""The desk's REST API under /api/v1/requests: file, see, join, route, answer (each kind),
extend, deliver, dispute and decide, sweep, statistics and the vocabulary, through real HTTP
(FastAPI's TestClient) with bearer tokens; errors in English with their Korean."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from datanuri.accounts.principal import SYSTEM
from datanuri.web.auth import MSG_SCOPE
from tests.helpers import PASSWORD, air_csv

PURPOSE = "어린이 보호구역 교통사고 분석 연구에 씁니다. 연락처 010-9876-5432"
DRAFT = {
    "title": "어린이 보호구역 사고 지점",
    "description": "어린이 보호구역 안에서 일어난 교통사고의 지점과 시각이 필요합니다.",
    "purpose": PURPOSE,
    "theme": "교통",
    "formats": ["csv", "api"],
    "frequency": "monthly",
    "region": "11",
    "period_start": "2024-01-01",
    "period_end": "2024-12-31",
}


@pytest.fixture
def tokens(platform: Any, tmp_path: Any) -> dict[str, str]:
    acc = platform.accounts
    acc.create_organization("org-a", title="서울시", principal=SYSTEM)
    acc.create_organization("org-b", title="경찰청", principal=SYSTEM)
    people = {
        "kim": ("김민지", None),
        "lee": ("이서연", None),
        "ed": ("편집자", None),
        "bed": ("다른기관", None),
        "adm": ("관리자", "admin"),
    }
    for key, (name, role) in people.items():
        acc.create_user(
            f"{key}@example.org",
            display_name=name,
            password=PASSWORD,
            platform_role=role,
            principal=SYSTEM,
        )
    acc.add_member("org-a", "ed@example.org", role="editor", principal=SYSTEM)
    acc.add_member("org-b", "bed@example.org", role="editor", principal=SYSTEM)
    platform.catalog.create_dataset("crash", organization="org-a", title="사고", principal=SYSTEM)
    platform.catalog.publish("crash", air_csv(tmp_path / "a.csv"), principal=SYSTEM)

    def token(email: str, scopes: list[str]) -> str:
        return acc.create_token(name="t", scopes=scopes, for_email=email, principal=SYSTEM)[1]

    out = {k: token(f"{k}@example.org", ["read", "publish"]) for k in people}
    out["adm"] = token("adm@example.org", ["read", "publish", "admin"])
    out["kim_read"] = token("kim@example.org", ["read"])
    return out


def h(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_the_whole_life_over_http(api: TestClient, tokens: dict[str, str]) -> None:
    r = api.post("/api/v1/requests", json=DRAFT)
    assert r.status_code == 401
    r = api.post("/api/v1/requests", json=DRAFT, headers=h(tokens["kim_read"]))
    assert r.status_code == 403
    assert r.json()["error"]["message"] == MSG_SCOPE.format(scope="publish")
    r = api.post("/api/v1/requests", json={**DRAFT, "title": "짧"}, headers=h(tokens["kim"]))
    assert r.status_code == 422
    err = r.json()["error"]
    assert "title" in err["message"] and "제목" in err["message_ko"]

    r = api.post("/api/v1/requests", json=DRAFT, headers=h(tokens["kim"]))
    assert r.status_code == 201, r.text
    body = r.json()
    rid = body["request"]["id"]
    assert body["request"]["status"] == "filed" and body["request"]["purpose"] == PURPOSE
    assert body["suggestions"] == {"datasets": [], "organizations": [], "duplicates": []}

    public = api.get(f"/api/v1/requests/{rid}").json()
    assert public["purpose"] is None and public["requester"] == "김**"
    assert public["formats"] == ["csv", "api"] and public["period_end"] == "2024-12-31"
    assert api.get("/api/v1/requests/999").status_code == 404

    assert (
        api.post(f"/api/v1/requests/{rid}/support", headers=h(tokens["lee"])).json()["supporters"]
        == 2
    )
    assert api.post(f"/api/v1/requests/{rid}/support", headers=h(tokens["lee"])).status_code == 409
    r = api.post(
        f"/api/v1/requests/{rid}/route", json={"organization": "org-a"}, headers=h(tokens["ed"])
    )
    assert r.status_code == 403  # the admin scope
    r = api.post(
        f"/api/v1/requests/{rid}/route", json={"organization": "org-a"}, headers=h(tokens["adm"])
    )
    assert r.status_code == 200 and r.json()["status"] == "routed" and r.json()["due_on"]

    page = api.get("/api/v1/requests?organization=org-a", headers=h(tokens["ed"])).json()
    assert page["total"] == 1 and page["items"][0]["purpose"] == PURPOSE
    page = api.get("/api/v1/requests?organization=org-a", headers=h(tokens["bed"])).json()
    assert page["items"][0]["purpose"] is None
    assert api.get("/api/v1/requests?status=routed&status=filed").json()["total"] == 1
    assert api.get("/api/v1/requests?status=bogus").status_code == 422
    assert api.get("/api/v1/requests?mine=true").status_code == 401

    r = api.post(
        f"/api/v1/requests/{rid}/extend",
        json={"reason": "자료 취합 중입니다."},
        headers=h(tokens["bed"]),
    )
    assert r.status_code == 403
    r = api.post(
        f"/api/v1/requests/{rid}/extend",
        json={"reason": "자료 취합 중입니다."},
        headers=h(tokens["ed"]),
    )
    assert r.status_code == 200 and r.json()["extended"] is True

    r = api.post(
        f"/api/v1/requests/{rid}/answer",
        json={"kind": "refuse", "reason": "invented", "note": "없음"},
        headers=h(tokens["ed"]),
    )
    assert r.status_code == 422
    r = api.post(
        f"/api/v1/requests/{rid}/answer",
        json={"kind": "refuse", "reason": "nondisclosure", "note": "수사 중인 사건이 포함됩니다."},
        headers=h(tokens["ed"]),
    )
    assert r.status_code == 200 and r.json()["status"] == "refused"
    assert r.json()["answer"]["reason"] == "nondisclosure"

    r = api.post(
        f"/api/v1/requests/{rid}/dispute",
        json={"reasons": "수사와 무관한 지점 정보만이라도 필요합니다."},
        headers=h(tokens["lee"]),
    )
    assert r.status_code == 403
    r = api.post(
        f"/api/v1/requests/{rid}/dispute",
        json={"reasons": "수사와 무관한 지점 정보만이라도 필요합니다."},
        headers=h(tokens["kim"]),
    )
    assert r.status_code == 200 and r.json()["dispute"]["status"] == "open"
    r = api.post(
        f"/api/v1/requests/{rid}/dispute/decision",
        json={"outcome": "upheld", "note": "지점 정보는 제공 대상"},
        headers=h(tokens["adm"]),
    )
    assert r.status_code == 200 and r.json()["status"] == "routed"

    r = api.post(
        f"/api/v1/requests/{rid}/answer",
        json={"kind": "process", "method": "aggregate", "expected_on": "2030-01-31"},
        headers=h(tokens["ed"]),
    )
    assert r.status_code == 200 and r.json()["status"] == "processing"
    r = api.post(
        f"/api/v1/requests/{rid}/deliver", json={"dataset": "crash"}, headers=h(tokens["ed"])
    )
    assert r.status_code == 200 and r.json()["status"] == "provided"
    assert r.json()["answer"]["version"] == 1

    hist = api.get(f"/api/v1/requests/{rid}/history").json()
    assert [e["action"] for e in hist] == [
        "filed",
        "supported",
        "routed",
        "extended",
        "answered",
        "dispute_opened",
        "dispute_decided",
        "reopened",
        "answered",
        "delivered",
    ]
    assert all(isinstance(e["ledger_index"], int) for e in hist)
    assert "010-9876-5432" not in api.get("/api/v1/ledger/entries?limit=100").text

    stats = api.get("/api/v1/requests/stats").json()
    assert stats["total"] == 1 and stats["answer_rate"] == 1.0
    assert stats["by_theme"][0]["key"] == "교통"


def test_transfer_and_withdraw(api: TestClient, tokens: dict[str, str]) -> None:
    rid = api.post(
        "/api/v1/requests", json={**DRAFT, "organization": "org-a"}, headers=h(tokens["kim"])
    ).json()["request"]["id"]
    r = api.post(
        f"/api/v1/requests/{rid}/answer",
        json={"kind": "transfer", "organization": "org-b", "note": "경찰청 소관"},
        headers=h(tokens["ed"]),
    )
    assert r.status_code == 200 and r.json()["organization"] == "org-b"
    r = api.post(
        f"/api/v1/requests/{rid}/answer",
        json={"kind": "provide", "dataset": "crash"},
        headers=h(tokens["ed"]),
    )
    assert r.status_code == 403
    assert api.post(f"/api/v1/requests/{rid}/withdraw", headers=h(tokens["lee"])).status_code == 403
    r = api.post(f"/api/v1/requests/{rid}/withdraw", headers=h(tokens["kim"]))
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert api.post(f"/api/v1/requests/{rid}/withdraw", headers=h(tokens["kim"])).status_code == 409


def test_sweep_preview_and_vocabulary(api: TestClient, tokens: dict[str, str]) -> None:
    assert api.post("/api/v1/requests/sweep").status_code == 401
    assert api.post("/api/v1/requests/sweep", headers=h(tokens["ed"])).status_code == 403
    r = api.post("/api/v1/requests/sweep", headers=h(tokens["adm"]))
    assert r.status_code == 200 and r.json() == {"escalated": []}
    r = api.get("/api/v1/requests/preview?title=사고 지점")
    assert r.status_code == 200 and set(r.json()) == {"datasets", "organizations", "duplicates"}
    voc = api.get("/api/v1/requests/vocabulary").json()
    reasons = {x["code"]: x for x in voc["refusal_reasons"]}
    assert "제17조" in reasons["nondisclosure"]["basis_ko"]
    assert "제28조" in reasons["not_held"]["basis_ko"]
    assert {x["code"] for x in voc["formats"]} >= {"csv", "xlsx", "parquet", "json", "api"}
