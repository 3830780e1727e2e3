"""Croissant 1.0 (MLCommons) metadata for one version: its Parquet file with sha256 and a record
set whose fields come from the version's Table Schema."""

from __future__ import annotations

from typing import Any

from datanuri.catalog.documents import SearchDoc
from datanuri.catalog.records import VersionInfo
from datanuri.metadata.dcat import license_uri
from datanuri.metadata.enrich import annotated_schema, doi_url

CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "sc": "https://schema.org/",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "dct": "http://purl.org/dc/terms/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileObject": "cr:fileObject",
    "fileProperty": "cr:fileProperty",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
DATA_TYPES = {
    "integer": "sc:Integer",
    "number": "sc:Float",
    "boolean": "sc:Boolean",
    "date": "sc:Date",
    "datetime": "sc:DateTime",
    "time": "sc:Time",
    "year": "sc:Integer",
    "string": "sc:Text",
}


def _safe_id(name: str) -> str:
    return name.replace("/", "_").replace(" ", "_") or "column"


def croissant(
    doc: SearchDoc, version: VersionInfo, schema: dict[str, Any], base: str
) -> dict[str, Any]:
    """The Croissant document of `version` of `doc` (callers refuse personal data first)."""
    schema = annotated_schema(schema, doc.column_notes)
    file_id = "parquet-file"
    url = f"{base}/api/v1/datasets/{doc.name}/versions/{version.number}/download?format=parquet"
    fields = [
        {
            "@type": "cr:Field",
            "@id": f"rows/{_safe_id(f['name'])}",
            "name": f["name"],
            "description": f.get("description") or f.get("title") or f["name"],
            "dataType": DATA_TYPES.get(str(f.get("type", "string")), "sc:Text"),
            "source": {"fileObject": {"@id": file_id}, "extract": {"column": f["name"]}},
        }
        for f in schema.get("fields", [])
    ]
    out: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": doc.name,
        "description": doc.description or doc.title,
        "alternateName": doc.title,
        "url": f"{base}/datasets/{doc.name}",
        "version": f"{version.number}.0.0",
        "datePublished": version.created_at,
        "dateModified": doc.updated_at,
        "inLanguage": doc.language,
        "keywords": list(doc.keywords),
        "creator": {"@type": "sc:Organization", "name": doc.organization_title},
        "distribution": [
            {
                "@type": "cr:FileObject",
                "@id": file_id,
                "name": f"{doc.name}-v{version.number}.parquet",
                "contentUrl": url,
                "contentSize": f"{version.byte_size} B",
                "encodingFormat": "application/x-parquet",
                "sha256": version.content_hash,
            }
        ],
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": "rows",
                "name": "rows",
                "description": f"{version.row_count} rows of {doc.title}.",
                "field": fields,
            }
        ],
    }
    if doc.license:
        out["license"] = license_uri(doc.license)
    if doc.citation or doc.doi:
        out["citeAs"] = " ".join(x for x in (doc.citation, doi_url(doc)) if x)
    return out
