"""schema.org `Dataset` JSON-LD, as dataset pages embed it for web search engines."""

from __future__ import annotations

from typing import Any

from datanuri.catalog.documents import SearchDoc
from datanuri.metadata.ckan import download_url
from datanuri.metadata.dcat import license_uri
from datanuri.metadata.enrich import doi_url, places


def dataset(doc: SearchDoc, base: str) -> dict[str, Any]:
    """A schema.org Dataset (with DataDownload entries only where rows may be downloaded)."""
    node: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": f"{base}/datasets/{doc.name}",
        "name": doc.title,
        "description": doc.description or doc.title,
        "url": f"{base}/datasets/{doc.name}",
        "identifier": doc.name,
        "keywords": list(doc.keywords),
        "inLanguage": doc.language,
        "dateCreated": doc.created_at,
        "dateModified": doc.updated_at,
        "publisher": {
            "@type": "Organization",
            "name": doc.organization_title,
            "url": f"{base}/organizations/{doc.organization}",
        },
        "creator": {"@type": "Organization", "name": doc.organization_title},
        "isAccessibleForFree": doc.access_level != "personal",
        "conditionsOfAccess": {
            "open": "Open to everyone.",
            "restricted": "Members of the holding organisation and holders of an entitlement.",
            "personal": "Personal data: rows are not released.",
        }[doc.access_level],
    }
    if doc.license:
        node["license"] = license_uri(doc.license)
    if doc.latest_version is not None:
        node["version"] = str(doc.latest_version)
    if doc.coverage:
        node["spatialCoverage"] = [{"@type": "Place", "name": name} for _, name in places(doc)]
    elif doc.spatial:
        node["spatialCoverage"] = {"@type": "Place", "name": doc.spatial}
    if doc.citation:
        node["citation"] = doc.citation
    if doc.doi:  # the DOI resolver's URL names the same dataset; `identifier` stays the name
        node["sameAs"] = doi_url(doc)
    if doc.contact_name or doc.contact_email or doc.contact_phone:
        point = {"@type": "ContactPoint", "contactType": "data steward"}
        for key, value in (
            ("name", doc.contact_name),
            ("email", doc.contact_email),
            ("telephone", doc.contact_phone),
        ):
            if value:
                point[key] = value
        node["publisher"]["contactPoint"] = point
    variables = [
        {"@type": "PropertyValue", "name": col, "description": n.get("description") or col}
        | ({"unitText": n["unit"]} if n.get("unit") else {})
        for col, n in doc.column_notes.items()
        if isinstance(n, dict)
    ]
    if variables:
        node["variableMeasured"] = variables
    if doc.temporal_start or doc.temporal_end:
        node["temporalCoverage"] = f"{doc.temporal_start or '..'}/{doc.temporal_end or '..'}"
    if doc.theme:
        node["about"] = {"@type": "Thing", "name": doc.theme}
    downloads = []
    for r in doc.resources:
        url = download_url(base, doc, r["format"])
        if url:
            d = {
                "@type": "DataDownload",
                "contentUrl": url,
                "encodingFormat": r["media_type"].split(";")[0],
            }
            if r.get("byte_size") is not None:
                d["contentSize"] = f"{r['byte_size']} B"
            if r.get("sha256"):
                d["sha256"] = r["sha256"]
            downloads.append(d)
    if downloads:
        node["distribution"] = downloads
    if doc.source:
        node["isBasedOn"] = doc.source
    return node
