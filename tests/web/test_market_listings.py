"""Market listings over HTTP: the JSON API (scopes, holders only, drafts hidden), the licence
served as ODRL JSON-LD whose SHA-256 the ledger holds, the public page in Korean and English,
the holder's console form, the "for sale" search facet, and CKAN/DCAT showing the listing."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient

from datanuri import canonical
from datanuri.accounts.principal import SYSTEM
from datanuri.market import licence as L
from tests.market import world as W
from tests.web.test_console_pages import login

API = "/api/v1/market/listings"
BODY: dict[str, Any] = {
    "dataset": "air",
    "title": "서울 대기질 측정자료",
    "description": "측정소별 일별 자료",
    "price": {"kind": "subscription", "period": "month", "krw": 30000},
    "licence_template": "commercial-internal",
    "sample": {"csv": W.SYNTHETIC},
}


@pytest.fixture
def world(platform: Any, tmp_path: Any) -> dict[str, str]:
    W.build(platform, tmp_path)

    def token(email: str, scopes: list[str]) -> str:
        return platform.accounts.create_token(
            name="t", scopes=scopes, for_email=email, principal=SYSTEM
        )[1]

    return {
        "ed": token("ed@example.org", ["read", "publish"]),
        "ed_read": token("ed@example.org", ["read"]),
        "mem": token("mem@example.org", ["read", "publish"]),
        "out": token("out@example.org", ["read", "publish"]),
    }


def _h(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _made(api: TestClient, world: dict[str, str]) -> dict[str, Any]:
    r = api.post(API, json=BODY, headers=_h(world["ed"]))
    assert r.status_code == 201, r.text
    return r.json()


def test_api_create_publish_and_serve_the_licence(api: TestClient, world: dict[str, str]) -> None:
    assert api.post(API, json=BODY, headers=_h(world["ed_read"])).status_code == 403  # scope
    assert api.post(API, json=BODY).status_code == 401
    assert api.post(API, json=BODY, headers=_h(world["mem"])).status_code == 403
    bad = api.post(API, json={**BODY, "dataset": "open-air"}, headers=_h(world["ed"]))
    assert bad.status_code == 422 and "Only restricted datasets" in bad.json()["error"]["message"]
    assert "제한 공개" in bad.json()["error"]["message_ko"]
    phones = api.post(API, json={**BODY, "sample": {"csv": W.WITH_PHONES}}, headers=_h(world["ed"]))
    assert phones.status_code == 422 and "휴대전화" in phones.json()["error"]["message"]

    made = _made(api, world)
    lid = made["id"]
    assert made["status"] == "draft" and made["price"]["krw"] == 30000
    assert made["sample"]["rows"][0][0] == "합성측정소1"
    assert api.get(f"{API}/{lid}", headers=_h(world["out"])).status_code == 404
    assert api.get(f"/market/listings/{lid}/licence.jsonld").status_code == 404
    assert api.get(API, params={"mine": "true"}, headers=_h(world["ed"])).json()[0]["id"] == lid

    pub = api.post(f"{API}/{lid}/publish", headers=_h(world["ed"]))
    assert pub.status_code == 200 and pub.json()["status"] == "published"
    assert api.post(f"{API}/{lid}/publish", headers=_h(world["ed"])).status_code == 409
    assert api.post(f"{API}/{lid}/unpublish", headers=_h(world["out"])).status_code == 403
    assert api.post(f"{API}/{lid}/sell", headers=_h(world["ed"])).status_code == 422

    lic = api.get(f"/market/listings/{lid}/licence.jsonld")
    assert lic.status_code == 200 and lic.headers["content-type"].startswith("application/ld+json")
    doc = lic.json()
    assert doc["@type"] == "Offer" and doc["target"].endswith("/dataset/air")
    digest = hashlib.sha256(canonical.dumps(doc)).hexdigest()
    assert digest == made["licence_sha256"]
    assert L.terms_of(L.offer_from_jsonld(doc)) == L.template("commercial-internal")
    entries = api.get("/api/v1/ledger/entries", params={"limit": 100})
    if entries.status_code == 200:  # the ledger's listing shows the same hash
        assert f"sha256:{digest}" in entries.text

    changed = api.patch(
        f"{API}/{lid}", json={"licence_template": "commercial-product"}, headers=_h(world["ed"])
    )
    assert changed.status_code == 200 and changed.json()["licence_sha256"] != digest
    visible = api.get(API, headers=_h(world["out"])).json()
    assert [x["id"] for x in visible] == [lid]
    templates = api.get("/api/v1/market/licence-templates", headers=_h(world["out"])).json()
    assert [x["name"] for x in templates["templates"]] == list(L.TEMPLATES)

    found = api.get("/api/v1/search", params={"for_sale": "yes"}).json()
    assert [r["name"] for r in found["results"]] == ["air"]
    assert found["facets"]["for_sale"] == [{"value": "yes", "count": 1}]
    assert api.get("/api/v1/datamap").json()["for_sale"] == 1
    assert 'id="for-sale-link"' in api.get("/").text


def test_ckan_and_dcat_show_the_listing(api: TestClient, world: dict[str, str]) -> None:
    before_ckan = api.get("/api/3/action/package_show", params={"id": "air"}).json()["result"]
    before_dcat = api.get("/dataset/air.jsonld").json()
    lid = _made(api, world)["id"]
    api.post(f"{API}/{lid}/publish", headers=_h(world["ed"]))
    pkg = api.get("/api/3/action/package_show", params={"id": "air"}).json()["result"]
    extras = {e["key"]: e["value"] for e in pkg["extras"]}
    assert extras["for_sale"] == "yes"
    assert f"/market/listings/{lid}/licence.jsonld" in extras["market_listings"]
    assert {k: v for k, v in pkg.items() if k not in ("extras",)} == {
        k: v for k, v in before_ckan.items() if k not in ("extras",)
    }
    dcat = api.get("/dataset/air.jsonld").json()
    offers = [d for d in dcat["dcat:distribution"] if "odrl:hasPolicy" in d]
    assert len(offers) == 1
    (offer,) = offers
    assert offer["@type"] == "dcat:Distribution"
    assert offer["odrl:hasPolicy"]["@id"].endswith(f"/market/listings/{lid}/licence.jsonld")
    assert dcat["@context"]["odrl"] == "http://www.w3.org/ns/odrl/2/"
    rest = [d for d in dcat["dcat:distribution"] if "odrl:hasPolicy" not in d]
    assert rest == before_dcat["dcat:distribution"]


def test_public_page_and_console_form(api: TestClient, world: dict[str, str]) -> None:
    lid = _made(api, world)["id"]
    assert api.get(f"/market/listings/{lid}").status_code == 404  # a draft
    api.post(f"{API}/{lid}/publish", headers=_h(world["ed"]))
    ko = api.get(f"/market/listings/{lid}")
    assert ko.status_code == 200
    assert "월 30,000원 구독" in ko.text and "재식별" in ko.text and "합성측정소1" in ko.text
    assert "서울연구원" in ko.text and "You must" not in ko.text
    en = api.get(f"/market/listings/{lid}?lang=en").text
    assert "30,000 KRW per month" in en and "re-identify" in en
    ds_page = api.get("/datasets/air").text
    assert 'id="market-offers"' in ds_page and f'href="/market/listings/{lid}?lang=ko"' in ds_page
    search_page = api.get("/search").text
    assert 'name="for_sale" value="yes"' in search_page and "판매 중" in search_page

    assert (
        api.get("/console/listings", follow_redirects=False)
        .headers["location"]
        .startswith("/login")
    )
    ed, csrf = login(api, "ed@example.org")
    page = ed.get("/console/listings")
    assert page.status_code == 200 and f'id="listing-{lid}"' in page.text
    assert 'id="listing-form"' in page.text and 'value="air"' in page.text
    assert 'value="open-air"' not in page.text  # only restricted datasets are offered
    wrong = ed.post(
        "/console/listings",
        data={
            "csrf_token": csrf,
            "dataset": "air",
            "title": "연구용",
            "price_kind": "free-research",
            "licence_template": "commercial-internal",
        },
    )
    assert wrong.status_code == 422 and "연구 목적만" in wrong.text
    made = ed.post(
        "/console/listings",
        data={
            "csrf_token": csrf,
            "dataset": "cohort-deid",
            "title": "코호트 연구용",
            "price_kind": "free-research",
            "licence_template": "research-only",
            "release_version": "1",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    new_id = int(made.headers["location"].split("#listing-")[1])
    pub = ed.post(f"/console/listings/{new_id}/publish", data={"csrf_token": csrf})
    assert pub.status_code == 200 and "판매 중" in pub.text
    assert api.get(f"/market/listings/{new_id}").status_code == 200
    nocsrf = ed.post(f"/console/listings/{new_id}/unpublish", data={})
    assert nocsrf.status_code == 403
