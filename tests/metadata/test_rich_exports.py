"""The richer metadata in DCAT-AP, schema.org, Croissant, the Data Package and CKAN: coverage
regions, 갱신주기, contact point, citation and DOI, and the column notes in the Table Schema."""

from __future__ import annotations

import dataclasses

from datanuri.catalog.vocab import FREQUENCY_URIS
from datanuri.metadata import ckan, croissant, datapackage, dcat, schemaorg
from tests.metadata.test_exports import BASE, DOC, SCHEMA, VERSION, expand

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
ADMS = "http://www.w3.org/ns/adms#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

RICH = dataclasses.replace(
    DOC,
    coverage=("11:종로구", "26"),
    update_frequency="monthly",
    contact_name="김담당",
    contact_email="kim@seoul.go.kr",
    contact_phone="02 120 1234",
    provision_type="file",
    citation="서울특별시 (2024). 대기질 측정 자료.",
    doi="10.1234/air.2024",
    column_notes={
        "PM10": {"description": "미세먼지 농도", "unit": "㎍/㎥", "codes": [["-1", "측정 불가"]]}
    },
)


def test_dcat_carries_coverage_frequency_contact_citation_and_doi():
    (node,) = expand(dcat.dataset_document(RICH, BASE))
    places = {
        p[SKOS + "notation"][0]["@value"]: p
        for p in node[DCT + "spatial"]
        if SKOS + "notation" in p
    }
    assert set(places) == {"11:종로구", "26"}
    names = {p["http://www.w3.org/ns/locn#geographicName"][0]["@value"] for p in places.values()}
    assert names == {"서울특별시 종로구", "부산광역시"}
    assert node[DCT + "accrualPeriodicity"][0]["@id"] == FREQUENCY_URIS["monthly"]
    assert FREQUENCY_URIS["monthly"].endswith("/frequency/MONTHLY")
    contact = node[DCAT + "contactPoint"][0]
    assert contact[VCARD + "hasEmail"][0]["@id"] == "mailto:kim@seoul.go.kr"
    assert contact[VCARD + "hasTelephone"][0]["@id"] == "tel:021201234"
    assert node[DCT + "bibliographicCitation"][0]["@value"].startswith("서울특별시 (2024)")
    ident = node[ADMS + "identifier"][0]
    assert ident["@id"] == "https://doi.org/10.1234/air.2024"
    assert ident[SKOS + "notation"][0]["@value"] == "10.1234/air.2024"


def test_dcat_without_the_new_fields_is_as_before():
    node = dcat.dataset_node(DOC, BASE)
    assert node["dct:spatial"]["locn:geographicName"]["@value"] == "서울특별시 종로구"
    for key in ("dct:accrualPeriodicity", "dcat:contactPoint", "adms:identifier"):
        assert key not in node


def test_schema_org_names_places_citation_doi_contact_and_variables():
    node = schemaorg.dataset(RICH, BASE)
    assert [p["name"] for p in node["spatialCoverage"]] == ["서울특별시 종로구", "부산광역시"]
    assert (
        node["citation"].startswith("서울특별시")
        and node["sameAs"] == "https://doi.org/10.1234/air.2024"
    )
    assert node["publisher"]["contactPoint"]["telephone"] == "02 120 1234"
    assert node["variableMeasured"] == [
        {
            "@type": "PropertyValue",
            "name": "PM10",
            "description": "미세먼지 농도",
            "unitText": "㎍/㎥",
        }
    ]


def test_frictionless_schema_has_description_unit_and_categories():
    pkg = datapackage.datapackage(RICH, VERSION, SCHEMA, BASE)
    fields = {f["name"]: f for f in pkg["resources"][0]["schema"]["fields"]}
    assert fields["PM10"]["description"] == "미세먼지 농도"
    assert fields["PM10"]["unit"] == "㎍/㎥"
    assert fields["PM10"]["categories"] == [{"value": "-1", "label": "측정 불가"}]
    assert "constraints" not in fields["PM10"]  # a code table explains, it does not restrict
    assert "unit" not in fields["측정소명"]
    assert SCHEMA["fields"][1] == {"name": "PM10", "type": "integer"}  # the stored schema unchanged
    assert pkg["citation"].endswith("https://doi.org/10.1234/air.2024")


def test_croissant_field_descriptions_and_cite_as():
    doc = croissant.croissant(RICH, VERSION, SCHEMA, BASE)
    fields = {f["name"]: f for f in doc["recordSet"][0]["field"]}
    assert fields["PM10"]["description"] == "미세먼지 농도"
    assert "10.1234/air.2024" in doc["citeAs"]


def test_ckan_package_extras_and_maintainer():
    pkg = ckan.package_dict(RICH, BASE)
    extras = {e["key"]: e["value"] for e in pkg["extras"]}
    assert extras["spatial_coverage"] == "11:종로구,26"
    assert extras["update_frequency"] == "monthly" and extras["doi"] == "10.1234/air.2024"
    assert pkg["maintainer"] == "김담당" and pkg["maintainer_email"] == "kim@seoul.go.kr"
