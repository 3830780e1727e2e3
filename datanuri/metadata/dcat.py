"""DCAT-AP 3 as JSON-LD for the catalogue and each dataset (pure builders over search records)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from datanuri.catalog.documents import SearchDoc
from datanuri.catalog.vocab import FREQUENCY_URIS
from datanuri.metadata.ckan import download_url
from datanuri.metadata.enrich import doi_url, places

CONTEXT: dict[str, Any] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "locn": "http://www.w3.org/ns/locn#",
    "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "adms": "http://www.w3.org/ns/adms#",
}
EU = "http://publications.europa.eu/resource/authority"
ACCESS_RIGHTS = {
    "open": f"{EU}/access-right/PUBLIC",
    "restricted": f"{EU}/access-right/RESTRICTED",
    "personal": f"{EU}/access-right/NON_PUBLIC",
}
LANGUAGES = {"ko": f"{EU}/language/KOR", "en": f"{EU}/language/ENG"}
FILE_TYPES = {
    "parquet": f"{EU}/file-type/PARQUET",
    "csv": f"{EU}/file-type/CSV",
    "json": f"{EU}/file-type/JSON",
}
DCAT_AP = "http://data.europa.eu/r5r/"
ODRL = "http://www.w3.org/ns/odrl/2/"


def context_for(docs: Iterable[SearchDoc]) -> dict[str, Any]:
    """The JSON-LD context: `odrl` is added only when a dataset has a market listing, so the
    documents of datasets without one stay as they were."""
    return {**CONTEXT, "odrl": ODRL} if any(d.listings for d in docs) else CONTEXT


def offer_nodes(doc: SearchDoc, base: str) -> list[dict[str, Any]]:
    """One dcat:Distribution per published market listing: the offer page as its access URL and
    the listing's licence (an ODRL Offer in JSON-LD) as its odrl:hasPolicy."""
    out = []
    for x in doc.listings:
        page = f"{base}/market/listings/{x['id']}"
        out.append(
            {
                "@id": page,
                "@type": "dcat:Distribution",
                "dct:title": _text(str(x["title"]), doc.language or "ko"),
                "dcat:accessURL": {"@id": page},
                "dct:rights": {"@id": ACCESS_RIGHTS[doc.access_level]},
                "odrl:hasPolicy": {
                    "@id": f"{base}{x['licence_path']}",
                    "@type": "odrl:Offer",
                },
            }
        )
    return out


def _text(value: str, lang: str) -> dict[str, str]:
    return {"@value": value, "@language": lang}


def _date(value: str | None) -> dict[str, str] | None:
    return {"@value": value, "@type": "xsd:dateTime"} if value else None


def dataset_uri(base: str, name: str) -> str:
    return f"{base}/dataset/{name}"


def distribution_nodes(doc: SearchDoc, base: str) -> list[dict[str, Any]]:
    """One dcat:Distribution per file of the latest version (no download link for personal data)."""
    out = []
    for r in doc.resources:
        fmt = r["format"]
        node: dict[str, Any] = {
            "@id": f"{dataset_uri(base, doc.name)}/v{doc.latest_version}/{fmt}",
            "@type": "dcat:Distribution",
            "dct:title": f"{doc.title} v{doc.latest_version} ({fmt.upper()})",
            "dcat:accessURL": {"@id": f"{base}/datasets/{doc.name}"},
            "dct:format": {"@id": FILE_TYPES.get(fmt, fmt)},
            "dcat:mediaType": {
                "@id": f"https://www.iana.org/assignments/media-types/{r['media_type'].split(';')[0]}"
            },
            "dct:rights": {"@id": ACCESS_RIGHTS[doc.access_level]},
        }
        url = download_url(base, doc, fmt)
        if url:
            node["dcat:downloadURL"] = {"@id": url}
        if r.get("byte_size") is not None:
            node["dcat:byteSize"] = {
                "@value": str(r["byte_size"]),
                "@type": "xsd:nonNegativeInteger",
            }
        if r.get("sha256"):
            node["spdx:checksum"] = {
                "@type": "spdx:Checksum",
                "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                "spdx:checksumValue": {"@value": r["sha256"], "@type": "xsd:hexBinary"},
            }
        if doc.license:
            node["dct:license"] = {"@id": license_uri(doc.license)}
        out.append(node)
    return out


def license_uri(license: str) -> str:
    """A URI for a licence: a URL as given, else its SPDX page."""
    return (
        license
        if license.startswith(("http://", "https://"))
        else f"https://spdx.org/licenses/{license}"
    )


def dataset_node(doc: SearchDoc, base: str) -> dict[str, Any]:
    """A dcat:Dataset node (without @context)."""
    lang = doc.language or "ko"
    node: dict[str, Any] = {
        "@id": dataset_uri(base, doc.name),
        "@type": "dcat:Dataset",
        "dct:identifier": doc.name,
        "dct:title": _text(doc.title, lang),
        "dct:description": _text(doc.description or doc.title, lang),
        "dcat:keyword": [_text(k, lang) for k in doc.keywords],
        "dct:publisher": {
            "@id": f"{base}/organizations/{doc.organization}",
            "@type": "foaf:Agent",
            "foaf:name": doc.organization_title,
        },
        "dct:issued": _date(doc.created_at),
        "dct:modified": _date(doc.updated_at),
        "dct:accessRights": {"@id": ACCESS_RIGHTS[doc.access_level]},
        "dcat:landingPage": {"@id": f"{base}/datasets/{doc.name}"},
        "dcat:distribution": distribution_nodes(doc, base) + offer_nodes(doc, base),
    }
    if lang in LANGUAGES:
        node["dct:language"] = {"@id": LANGUAGES[lang]}
    if doc.theme:
        node["dcat:theme"] = {"@type": "skos:Concept", "skos:prefLabel": _text(doc.theme, "ko")}
    if doc.coverage:  # region ids, named; the free text kept as one more place
        node["dct:spatial"] = [
            {
                "@type": "dct:Location",
                "skos:notation": rid,
                "locn:geographicName": _text(label, "ko"),
            }
            for rid, label in places(doc)
        ]
    if doc.spatial:
        free = {"@type": "dct:Location", "locn:geographicName": _text(doc.spatial, lang)}
        node["dct:spatial"] = [*node["dct:spatial"], free] if doc.coverage else free
    node.update(_richer(doc, lang))
    if doc.temporal_start or doc.temporal_end:
        period: dict[str, Any] = {"@type": "dct:PeriodOfTime"}
        if doc.temporal_start:
            period["dcat:startDate"] = {"@value": doc.temporal_start, "@type": "xsd:date"}
        if doc.temporal_end:
            period["dcat:endDate"] = {"@value": doc.temporal_end, "@type": "xsd:date"}
        node["dct:temporal"] = period
    if doc.license:  # DCAT 3 allows it on any dcat:Resource; kept when there is no distribution yet
        node["dct:license"] = {"@id": license_uri(doc.license)}
    if doc.latest_version is not None:
        node["dcat:version"] = str(doc.latest_version)
    if doc.source:
        node["dct:source"] = {"@id": doc.source}
    return {k: v for k, v in node.items() if v not in (None, [])}


def _richer(doc: SearchDoc, lang: str) -> dict[str, Any]:
    """갱신주기, contact point, citation and DOI in DCAT-AP terms."""
    out: dict[str, Any] = {}
    if doc.update_frequency in FREQUENCY_URIS:
        out["dct:accrualPeriodicity"] = {"@id": FREQUENCY_URIS[doc.update_frequency]}
    if doc.contact_name or doc.contact_email or doc.contact_phone:
        contact: dict[str, Any] = {"@type": "vcard:Kind"}
        if doc.contact_name:
            contact["vcard:fn"] = doc.contact_name
        if doc.contact_email:
            contact["vcard:hasEmail"] = {"@id": f"mailto:{doc.contact_email}"}
        if doc.contact_phone:
            contact["vcard:hasTelephone"] = {"@id": f"tel:{doc.contact_phone.replace(' ', '')}"}
        out["dcat:contactPoint"] = contact
    if doc.citation:
        out["dct:bibliographicCitation"] = _text(doc.citation, lang)
    url = doi_url(doc)
    if url:
        out["adms:identifier"] = {
            "@type": "adms:Identifier",
            "skos:notation": {"@value": doc.doi, "@type": "http://purl.org/spar/datacite/doi"},
            "dct:creator": {"@id": "https://doi.org"},
            "@id": url,
        }
    return out


def dataset_document(
    doc: SearchDoc, base: str, *, pages: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """A standalone DCAT-AP JSON-LD document for one dataset; `pages` are its attached
    documents as (URL, file name), given as foaf:page."""
    node = dataset_node(doc, base)
    if pages:
        node["foaf:page"] = [
            {"@id": url, "@type": "foaf:Document", "dct:title": title} for url, title in pages
        ]
    return {"@context": context_for([doc]), "dct:conformsTo": {"@id": DCAT_AP}, **node}


def catalog_document(
    docs: Iterable[SearchDoc], base: str, *, title: str = "datanuri"
) -> dict[str, Any]:
    """The whole catalogue as one DCAT-AP JSON-LD document."""
    docs = list(docs)
    return {
        "@context": context_for(docs),
        "@id": f"{base}/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:conformsTo": {"@id": DCAT_AP},
        "dct:title": _text(title, "en"),
        "dct:description": _text("Datasets published on this datanuri exchange.", "en"),
        "dct:publisher": {"@id": base, "@type": "foaf:Agent", "foaf:name": title},
        "foaf:homepage": {"@id": base},
        "dcat:dataset": [dataset_node(d, base) for d in docs],
    }
