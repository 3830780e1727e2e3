"""The admin API of search (synonym sets, official organisations) and the `suggestion` field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from datanuri.accounts.principal import SYSTEM
from tests.helpers import PASSWORD
from tests.search.support import make_app


@pytest.fixture
def client(search, platform):
    with TestClient(make_app(platform), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def admin(platform):
    acc = platform.accounts
    acc.create_user(
        "root@example.org",
        display_name="관리자",
        password=PASSWORD,
        platform_role="admin",
        principal=SYSTEM,
    )
    acc.create_user("kim@example.org", display_name="김민지", password=PASSWORD, principal=SYSTEM)
    root = acc.create_token(
        name="t", scopes=["read", "admin"], for_email="root@example.org", principal=SYSTEM
    )[1]
    kim = acc.create_token(
        name="t", scopes=["read"], for_email="kim@example.org", principal=SYSTEM
    )[1]
    return {"Authorization": f"Bearer {root}"}, {"Authorization": f"Bearer {kim}"}


def test_search_answers_a_suggestion(client):
    body = client.get("/api/v1/search", params={"q": "대기짏"}).json()
    assert body["suggestion"] == "대기질"
    assert client.get("/api/v1/search", params={"q": "대기질"}).json()["suggestion"] is None
    # CKAN's package_search runs the same search: 공기 finds the air datasets through synonyms
    ckan = client.get("/api/3/action/package_search", params={"q": "공기"}).json()["result"]
    assert {"air-quality", "air-quality-busan"} <= {r["name"] for r in ckan["results"]}


def test_admins_edit_synonyms_over_http(client, admin):
    root, kim = admin
    assert client.get("/api/v1/search/synonyms").status_code == 401
    assert client.get("/api/v1/search/synonyms", headers=kim).status_code == 403
    sets = client.get("/api/v1/search/synonyms", headers=root).json()
    assert ["대기질", "공기질", "대기오염", "공기", "air quality", "air pollution"] in [
        s["terms"] for s in sets
    ]
    r = client.post("/api/v1/search/synonyms", json={"terms": ["측정망", "관측망"]}, headers=root)
    assert r.status_code == 201 and r.json()["terms"] == ["측정망", "관측망"]
    found = client.get("/api/v1/search", params={"q": "관측망"}).json()
    assert [x["name"] for x in found["results"]] == ["air-quality-busan"]
    r = client.post("/api/v1/search/synonyms", json={"terms": ["하나"]}, headers=root)
    assert r.status_code == 422
    r = client.post("/api/v1/search/synonyms", json={"terms": ["a", "b"]}, headers=kim)
    assert r.status_code == 403
    gone = client.delete("/api/v1/search/synonyms", params={"term": "관측망"}, headers=root)
    assert gone.status_code == 200 and gone.json()[0]["terms"] == []
    assert client.get("/api/v1/search", params={"q": "관측망"}).json()["total"] == 0
    assert (
        client.delete(
            "/api/v1/search/synonyms", params={"term": "관측망"}, headers=root
        ).status_code
        == 404
    )


def test_admins_mark_an_organisation_official(client, admin, platform):
    root, kim = admin
    url = "/api/v1/organizations/busan/official"
    assert client.put(url, json={"official": True}, headers=kim).status_code == 403
    r = client.put(url, json={"official": True}, headers=root)
    assert r.status_code == 200 and r.json()["official"] is True
    assert platform.search.index.get("air-quality-busan").official is True
    assert (
        client.put(
            "/api/v1/organizations/nobody/official", json={"official": True}, headers=root
        ).status_code
        == 404
    )
