"""Frictionless Data Package (`datapackage.json`) for one version."""

from __future__ import annotations

from typing import Any

from datanuri.catalog.documents import SearchDoc
from datanuri.catalog.export import FORMATS
from datanuri.catalog.records import VersionInfo
from datanuri.metadata.enrich import annotated_schema, doi_url


def datapackage(
    doc: SearchDoc, version: VersionInfo, schema: dict[str, Any], base: str
) -> dict[str, Any]:
    """A Data Package whose resources are the version's files, each with the Table Schema."""
    schema = annotated_schema(schema, doc.column_notes)
    prefix = f"{base}/api/v1/datasets/{doc.name}/versions/{version.number}/download?format="
    resources = []
    for fmt in version.formats:
        res: dict[str, Any] = {
            "name": f"{doc.name}-{fmt}",
            "path": prefix + fmt,
            "format": fmt,
            "mediatype": FORMATS.get(fmt, "application/octet-stream").split(";")[0],
            "profile": "tabular-data-resource" if fmt == "csv" else "data-resource",
            "schema": schema,
        }
        if fmt == "csv":
            res["encoding"] = "utf-8"
        if fmt == "parquet":
            res["bytes"] = version.byte_size
            res["hash"] = f"sha256:{version.content_hash}"
        resources.append(res)
    pkg: dict[str, Any] = {
        "profile": "data-package",
        "name": doc.name,
        "id": f"{base}/datasets/{doc.name}/versions/{version.number}",
        "title": doc.title,
        "description": doc.description,
        "version": f"{version.number}.0.0",
        "created": version.created_at,
        "homepage": f"{base}/datasets/{doc.name}",
        "keywords": list(doc.keywords),
        "contributors": [{"title": doc.organization_title, "role": "publisher"}],
        "resources": resources,
    }
    if doc.license:
        pkg["licenses"] = [{"name": doc.license}]
    if doc.citation or doc.doi:
        pkg["citation"] = " ".join(x for x in (doc.citation, doi_url(doc)) if x)
    if doc.source:
        pkg["sources"] = [{"title": "Harvested from", "path": doc.source}]
    return pkg
