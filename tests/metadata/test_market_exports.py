"""The market in the catalogue exports (pure builders): a dataset with a published listing gets a
DCAT dcat:Distribution with odrl:hasPolicy (its licence, an ODRL Offer) and CKAN extras; a dataset
without one exports exactly as before. The DCAT document expands with pyld, offline."""

from __future__ import annotations

import dataclasses
import json

from pyld import jsonld

from datanuri.metadata import ckan, dcat
from tests.metadata.test_exports import BASE, DOC

ODRL = "http://www.w3.org/ns/odrl/2/"
DCAT = "http://www.w3.org/ns/dcat#"
LISTING = {
    "id": 7,
    "title": "대기질 측정 자료 (기업 내부 이용)",
    "price": {"kind": "subscription", "period": "year", "krw": 300000},
    "licence_path": "/market/listings/7/licence.jsonld",
    "licence_sha256": "ef" * 32,
}
RESTRICTED = dataclasses.replace(DOC, access_level="restricted")
FOR_SALE = dataclasses.replace(RESTRICTED, listings=(LISTING,))


def no_network(url: str, options: dict | None = None) -> dict:
    raise AssertionError(f"the export made pyld fetch {url}")


def test_without_listings_nothing_changes():
    assert dcat.dataset_document(RESTRICTED, BASE)["@context"] == dcat.CONTEXT
    assert "odrl" not in json.dumps(dcat.catalog_document([DOC, RESTRICTED], BASE))
    keys = {e["key"] for e in ckan.package_dict(RESTRICTED, BASE)["extras"]}
    assert not keys & {"for_sale", "market_listings"}
    assert ("for_sale", "yes") not in RESTRICTED.facet_values()


def test_dcat_distribution_with_odrl_has_policy():
    doc = dcat.dataset_document(FOR_SALE, BASE)
    assert doc["@context"]["odrl"] == ODRL
    plain = dcat.dataset_document(RESTRICTED, BASE)
    offers = doc["dcat:distribution"][len(plain["dcat:distribution"]) :]
    assert doc["dcat:distribution"][: len(plain["dcat:distribution"])] == plain["dcat:distribution"]
    (offer,) = offers
    assert offer["@type"] == "dcat:Distribution"
    assert offer["@id"] == f"{BASE}/market/listings/7"
    assert offer["odrl:hasPolicy"] == {
        "@id": f"{BASE}/market/listings/7/licence.jsonld",
        "@type": "odrl:Offer",
    }
    (node,) = jsonld.expand(doc, {"documentLoader": no_network})
    dists = node[f"{DCAT}distribution"]
    policies = [d[f"{ODRL}hasPolicy"] for d in dists if f"{ODRL}hasPolicy" in d]
    assert policies == [
        [{"@id": f"{BASE}/market/listings/7/licence.jsonld", "@type": [f"{ODRL}Offer"]}]
    ]
    catalogue = dcat.catalog_document([DOC, FOR_SALE], BASE)
    assert catalogue["@context"]["odrl"] == ODRL


def test_ckan_extras_name_the_listing():
    pkg = ckan.package_dict(FOR_SALE, BASE)
    extras = {e["key"]: e["value"] for e in pkg["extras"]}
    assert extras["for_sale"] == "yes"
    (offer,) = json.loads(extras["market_listings"])
    assert offer == {
        "id": 7,
        "title": LISTING["title"],
        "price": LISTING["price"],
        "url": f"{BASE}/market/listings/7",
        "licence": f"{BASE}/market/listings/7/licence.jsonld",
        "licence_sha256": "ef" * 32,
    }
    plain = ckan.package_dict(RESTRICTED, BASE)
    assert {k: v for k, v in pkg.items() if k != "extras"} == {
        k: v for k, v in plain.items() if k != "extras"
    }
    assert ("for_sale", "yes") in FOR_SALE.facet_values()
