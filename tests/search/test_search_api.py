"""`GET /api/v1/search` and `GET /api/v1/datamap` over HTTP."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.search.support import make_app


@pytest.fixture
def client(search, platform):
    with TestClient(make_app(platform), raise_server_exceptions=False) as c:
        yield c


def test_search_returns_results_facets_and_total(client):
    body = client.get("/api/v1/search", params={"q": "대기질을", "sort": "relevance"}).json()
    assert body["total"] == 2 and {r["name"] for r in body["results"]} == {
        "air-quality",
        "air-quality-busan",
    }
    assert {f["value"] for f in body["facets"]["organization"]} == {"seoul", "busan"}
    body = client.get("/api/v1/search", params=[("q", "대기"), ("organization", "busan")]).json()
    assert [r["name"] for r in body["results"]] == ["air-quality-busan"]
    body = client.get(
        "/api/v1/search",
        params=[("theme", "환경"), ("theme", "교통"), ("per_page", "2"), ("page", "2")],
    ).json()
    assert body["total"] == 4 and body["pages"] == 2 and len(body["results"]) == 2


@pytest.mark.parametrize(
    "params, status",
    [
        ({"q": "x" * 600}, 422),
        ({"sort": "best"}, 422),
        ({"page": "abc"}, 422),
        ({"updated_from": "soon"}, 422),
        ({"q": "\"'*:()[]{}^~-+AND OR NOT NEAR"}, 200),
        ({"per_page": "100000", "page": "-1"}, 200),
        ({"q": ""}, 200),
    ],
)
def test_bad_input_never_500(client, params, status):
    r = client.get("/api/v1/search", params=params)
    assert r.status_code == status, r.text
    if status == 422:
        assert r.json()["error"]["message"]


def test_hidden_personal_metadata_is_not_found_by_anonymous(client):
    assert client.get("/api/v1/search", params={"q": "진료"}).json()["total"] == 0


def test_datamap_over_http(client):
    tree = client.get("/api/v1/datamap").json()
    assert tree["total"] == 7
    busan = next(r for r in tree["regions"] if r["name"] == "부산광역시")
    assert busan["count"] == 2 and busan["children"] == [{"name": "해운대구", "count": 1}]
