"""The audits API over real HTTP (TestClient): run a model audit on a file sent in the body, read
it back and its HTML report; others do not see it."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from datanuri.accounts import SYSTEM
from tests.audit.test_service import scored_csv

PW = "correct horse battery"


def token(platform: Any, email: str) -> dict[str, str]:
    platform.accounts.create_user(email, display_name=email[:4], password=PW, principal=SYSTEM)
    t = platform.accounts.create_token(
        name="t", scopes=["read", "publish"], for_email=email, principal=SYSTEM
    )[1]
    return {"Authorization": f"Bearer {t}"}


def test_model_audit_over_http(api: Any, platform: Any, tmp_path: Path) -> None:
    me, other = token(platform, "me@example.org"), token(platform, "other@example.org")
    content = scored_csv(tmp_path / "s.csv", n=800).read_bytes()
    body = {
        "file_name": "s.csv",
        "file_base64": base64.b64encode(content).decode(),
        "y_true": "결과",
        "y_pred": "예측",
        "score": "점수",
        "groups": ["성별", "지역"],
        "thresholds": ["ratio=0.8"],
        "bootstrap": 100,
        "seed": 1,
    }
    r = api.post("/api/v1/audits/model", json=body, headers=me)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["kind"] == "model" and doc["target"] == "file:s.csv"
    assert {g["label"] for g in doc["result"]["groups"]} >= {"남 × 서울", "여 × 제주"}
    got = api.get(f"/api/v1/audits/{doc['id']}", headers=me)
    assert got.status_code == 200 and got.json()["result"] == doc["result"]
    page = api.get(f"/api/v1/audits/{doc['id']}/report.html?lang=ko", headers=me)
    assert page.status_code == 200 and "<svg" in page.text and "집단별 수치" in page.text
    assert doc["hashes"]["data"] in page.text
    assert api.get(f"/api/v1/audits/{doc['id']}", headers=other).status_code == 404
    assert api.post("/api/v1/audits/model", json=body).status_code == 401
    bad = {**body, "thresholds": ["ratio>0.8"]}
    assert api.post("/api/v1/audits/model", json=bad, headers=me).status_code == 422
