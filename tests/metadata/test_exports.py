"""DCAT-AP, schema.org, Croissant and Data Package exports: pure builders and HTTP routes."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient

from datanuri.catalog.documents import SearchDoc
from datanuri.catalog.records import VersionInfo
from datanuri.metadata import croissant, datapackage, dcat, schemaorg
from tests.search.support import load_catalog, make_app

BASE = "https://data.example.kr"
SHA = "ab" * 32
DOC = SearchDoc(
    name="air-quality",
    organization="seoul",
    organization_title="서울특별시",
    title="대기질 측정 자료",
    description="측정소별 미세먼지 농도",
    keywords=("대기", "미세먼지"),
    theme="환경",
    license="CC-BY-4.0",
    access_level="open",
    metadata_public=True,
    language="ko",
    spatial="서울특별시 종로구",
    temporal_start="2024-01-01",
    temporal_end="2024-12-31",
    formats=("parquet", "csv", "json"),
    regions=("서울특별시/종로구",),
    latest_version=2,
    created_at="2024-01-01T00:00:00+00:00",
    updated_at="2024-06-01T00:00:00+00:00",
    resources=(
        {
            "format": "parquet",
            "media_type": "application/vnd.apache.parquet",
            "byte_size": 1234,
            "sha256": SHA,
        },
        {
            "format": "csv",
            "media_type": "text/csv; charset=utf-8",
            "byte_size": None,
            "sha256": None,
        },
    ),
    version_created_at="2024-06-01T00:00:00+00:00",
    row_count=3,
)
VERSION = VersionInfo(
    dataset="air-quality",
    number=2,
    content_hash=SHA,
    source_hash="cd" * 32,
    source_name="air.csv",
    source_format="csv",
    source_encoding="cp949",
    byte_size=1234,
    row_count=3,
    column_count=2,
    change_note="",
    published_by="system",
    ledger_index=None,
    created_at="2024-06-01T00:00:00+00:00",
    problem_count=0,
    formats=("parquet", "csv", "json"),
)
SCHEMA = {"fields": [{"name": "측정소명", "type": "string"}, {"name": "PM10", "type": "integer"}]}
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"


def expand(doc):
    from pyld import jsonld

    return jsonld.expand(doc)


def test_dcat_dataset_expands_to_the_dcat_ap_properties():
    doc = dcat.dataset_document(DOC, BASE)
    (node,) = expand(doc)
    assert node["@type"] == [DCAT + "Dataset"] and node["@id"] == f"{BASE}/dataset/air-quality"
    assert node[DCT + "title"][0] == {"@value": "대기질 측정 자료", "@language": "ko"}
    assert {k["@value"] for k in node[DCAT + "keyword"]} == {"대기", "미세먼지"}
    dists = node[DCAT + "distribution"]
    assert len(dists) == 2 and all(DCAT + "accessURL" in d for d in dists)
    parquet = next(d for d in dists if "parquet" in d["@id"])
    checksum = parquet["http://spdx.org/rdf/terms#checksum"][0]
    assert checksum["http://spdx.org/rdf/terms#checksumValue"][0]["@value"] == SHA
    assert parquet[DCAT + "downloadURL"][0]["@id"].endswith("/versions/2/download?format=parquet")


def test_personal_data_has_no_download_url_anywhere():
    personal = dataclasses.replace(DOC, access_level="personal")
    node = dcat.dataset_node(personal, BASE)
    assert node["dct:accessRights"]["@id"].endswith("NON_PUBLIC")
    assert all("dcat:downloadURL" not in d for d in node["dcat:distribution"])
    assert "distribution" not in schemaorg.dataset(personal, BASE)


def test_dcat_catalog_lists_datasets():
    (cat,) = expand(dcat.catalog_document([DOC], BASE))
    assert cat["@type"] == [DCAT + "Catalog"] and len(cat[DCAT + "dataset"]) == 1


def test_schema_org_dataset_has_google_required_fields():
    d = schemaorg.dataset(DOC, BASE)
    assert d["@type"] == "Dataset" and d["name"] and len(d["description"]) > 0
    assert d["license"] == "https://spdx.org/licenses/CC-BY-4.0"
    assert (
        d["distribution"][0]["sha256"] == SHA and d["temporalCoverage"] == "2024-01-01/2024-12-31"
    )


def test_croissant_has_file_hash_and_typed_fields():
    c = croissant.croissant(DOC, VERSION, SCHEMA, BASE)
    assert c["conformsTo"] == "http://mlcommons.org/croissant/1.0" and c["@type"] == "sc:Dataset"
    (f,) = c["distribution"]
    assert f["@type"] == "cr:FileObject" and f["sha256"] == SHA and f["contentSize"] == "1234 B"
    fields = c["recordSet"][0]["field"]
    assert [(x["name"], x["dataType"]) for x in fields] == [
        ("측정소명", "sc:Text"),
        ("PM10", "sc:Integer"),
    ]
    assert all(x["source"]["fileObject"]["@id"] == f["@id"] for x in fields)
    (node,) = expand(c)  # the inline context is valid JSON-LD
    assert "http://mlcommons.org/croissant/recordSet" in node


def test_datapackage_resources_carry_schema_and_hash():
    pkg = datapackage.datapackage(DOC, VERSION, SCHEMA, BASE)
    assert pkg["name"] == "air-quality" and pkg["licenses"] == [{"name": "CC-BY-4.0"}]
    parquet = next(r for r in pkg["resources"] if r["format"] == "parquet")
    assert (
        parquet["hash"] == f"sha256:{SHA}"
        and parquet["bytes"] == 1234
        and parquet["schema"] == SCHEMA
    )
    assert {r["name"] for r in pkg["resources"]} == {
        "air-quality-parquet",
        "air-quality-csv",
        "air-quality-json",
    }


@pytest.fixture
def client(platform):
    load_catalog(platform)
    with TestClient(make_app(platform), raise_server_exceptions=False) as c:
        yield c


def test_export_routes(client):
    cat = client.get("/catalog.jsonld")
    assert cat.status_code == 200 and cat.headers["content-type"].startswith("application/ld+json")
    names = {d["dct:identifier"] for d in cat.json()["dcat:dataset"]}
    assert "air-quality" in names and "patients" not in names and len(names) == 7
    ds = client.get("/dataset/air-quality.jsonld").json()
    assert ds["@type"] == "dcat:Dataset" and ds["dct:title"]["@value"] == "대기질 측정 자료"
    assert client.get("/dataset/patients.jsonld").status_code == 404
    assert (
        client.get("/api/v1/datasets/public-wifi/schema.org.json").json()["name"]
        == "공공와이파이 설치 위치"
    )
    # no version yet: a clear 404, never a 500
    r = client.get("/api/v1/datasets/air-quality/versions/latest/croissant.json")
    assert r.status_code == 404 and "no published version" in r.json()["error"]["message"]
    assert (
        client.get("/api/v1/datasets/clinic-visits/versions/1/datapackage.json").status_code == 403
    )
    assert client.get("/api/v1/datasets/air-quality/versions/x/datapackage.json").status_code == 422
