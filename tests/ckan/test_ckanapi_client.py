"""The CKAN Action API driven by the real `ckanapi.RemoteCKAN` client over HTTP."""

from __future__ import annotations

import ckanapi
import httpx
import pytest


def test_package_search_with_query_filters_and_facets(ckan):
    r = ckan.action.package_search(q="교통사고를", rows=5)
    assert r["count"] == 1 and r["results"][0]["name"] == "traffic-accidents"
    pkg = r["results"][0]
    assert pkg["organization"]["name"] == "police" and pkg["owner_org"] == "police"
    assert {t["name"] for t in pkg["tags"]} == {"교통", "사고", "통계"}
    assert pkg["license_id"] == "CC-BY-4.0" and pkg["notes"].startswith("도로교통공단")

    r = ckan.action.package_search(
        fq="organization:busan", facet_field=None, **{"facet.field": ["groups", "tags"]}
    )
    assert r["count"] == 2
    assert r["facets"]["groups"] == {"환경": 1, "교통": 1}
    assert r["search_facets"]["groups"]["items"]


def test_package_search_paging_sort_and_clamps(ckan):
    everything = ckan.action.package_search(q="*:*", rows=100)
    assert everything["count"] == 7  # the personal dataset with hidden metadata is left out
    names = [p["name"] for p in everything["results"]]
    assert "patients" not in names
    page = ckan.action.package_search(rows=2, start=2, sort="title_string asc")
    titles = [
        p["title"] for p in ckan.action.package_search(rows=100, sort="title_string asc")["results"]
    ]
    assert [p["title"] for p in page["results"]] == titles[2:4]
    assert (
        len(ckan.action.package_search(rows=100000)["results"]) == 7
    )  # capped at 1000, not an error
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(start=-1)
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="colour:red")
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(**{"facet.field": ["colour"]})
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(sort="popularity desc")
    assert ckan.action.package_search(q='"교통" AND (NEAR * ^:')["count"] >= 0
    assert ckan.action.package_search(q="가" * 400, unknown_param="x")["count"] == 0


def test_package_show_list_and_personal_datasets(ckan):
    pkg = ckan.action.package_show(id="air-quality")
    assert pkg["title"] == "대기질 측정 자료" and pkg["groups"][0]["name"] == "환경"
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(
            id="patients"
        )  # hidden personal dataset: not found, like any missing one
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_show()
    names = ckan.action.package_list()
    assert names == sorted(names) and "clinic-visits" in names and "patients" not in names
    assert ckan.action.package_list(limit=2, offset=1) == names[1:3]
    current = ckan.action.current_package_list_with_resources(limit=3)
    assert len(current) == 3 and all("resources" in p for p in current)


def test_organizations_groups_tags_status(ckan):
    assert ckan.action.organization_list() == ["busan", "police", "seoul"]
    full = ckan.action.organization_list(all_fields=True)
    assert {o["name"]: o["package_count"] for o in full} == {"busan": 2, "police": 1, "seoul": 4}
    org = ckan.action.organization_show(id="seoul", include_datasets=True)
    assert org["title"] == "서울특별시" and len(org["packages"]) == 4
    with pytest.raises(ckanapi.NotFound):
        ckan.action.organization_show(id="nobody")
    assert set(ckan.action.group_list()) == {"교통", "환경", "정보통신", "보건"}
    assert "약국" in ckan.action.tag_list() and ckan.action.tag_list(query="미세") == ["미세먼지"]
    assert ckan.action.status_show()["site_title"] == "datanuri"


def test_get_only_client_and_both_prefixes(ckan_url):
    with ckanapi.RemoteCKAN(ckan_url, get_only=True) as c:
        assert c.action.package_search(q="약국")["results"][0]["name"] == "pharmacies"
        assert c.action.package_search(**{"facet.field": '["res_format"]'})["facets"] == {
            "res_format": {}
        }
    assert httpx.get(f"{ckan_url}/api/3").json() == {"version": 3}
    r = httpx.post(f"{ckan_url}/api/3/action/package_show", json={"id": "public-wifi"})
    assert (
        r.status_code == 200
        and r.json()["success"] is True
        and r.json()["result"]["name"] == "public-wifi"
    )
    r = httpx.get(f"{ckan_url}/api/3/action/package_show", params={"id": "nope"})
    assert r.status_code == 404 and r.json()["error"]["__type"] == "Not Found Error"
    assert "help" in r.json() and r.json()["success"] is False
    r = httpx.get(f"{ckan_url}/api/action/no_such_action")
    assert r.status_code == 400 and r.json()["success"] is False
    r = httpx.post(
        f"{ckan_url}/api/action/package_search",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 400


def test_bad_api_key_is_an_authorization_error(ckan_url):
    with ckanapi.RemoteCKAN(ckan_url, apikey="not-a-token") as c:
        with pytest.raises(ckanapi.NotAuthorized):
            c.action.package_list()
