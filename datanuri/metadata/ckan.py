"""CKAN's dictionaries (package, resource, organization, group, tag) built from search records.

Pure: no I/O. Field names follow CKAN 2.x so existing clients and harvesters read them unchanged.
"""

from __future__ import annotations

import json
from typing import Any

from datanuri.catalog.documents import SearchDoc

NO_ROWS_NOTE = "Personal data: the rows of this dataset are not available; ask the holder for a de-identified release."


def resource_id(name: str, version: int, fmt: str) -> str:
    return f"{name}.v{version}.{fmt}"


def parse_resource_id(rid: str) -> tuple[str, int, str] | None:
    """(dataset, version, format) from a resource id, or None if it is not one of ours."""
    parts = rid.rsplit(".", 2)
    if len(parts) != 3 or not parts[1].startswith("v") or not parts[1][1:].isdigit():
        return None
    return parts[0], int(parts[1][1:]), parts[2]


def download_url(base_url: str, doc: SearchDoc, fmt: str) -> str:
    """Where a resource's rows are served; empty for personal data, whose rows never leave."""
    if doc.access_level == "personal" or doc.latest_version is None:
        return ""
    return (
        f"{base_url}/api/v1/datasets/{doc.name}/versions/{doc.latest_version}/download?format={fmt}"
    )


def resources(doc: SearchDoc, base_url: str) -> list[dict[str, Any]]:
    out = []
    for pos, r in enumerate(doc.resources):
        fmt = r["format"]
        out.append(
            {
                "id": resource_id(doc.name, doc.latest_version or 0, fmt),
                "package_id": doc.name,
                "name": f"{doc.title} v{doc.latest_version} ({fmt.upper()})",
                "description": NO_ROWS_NOTE
                if doc.access_level == "personal"
                else (
                    "Canonical file; its SHA-256 is in 'hash'."
                    if r.get("sha256")
                    else "Made from the Parquet file on download."
                ),
                "format": fmt.upper(),
                "mimetype": r.get("media_type"),
                "url": download_url(base_url, doc, fmt),
                "url_type": None,
                "size": r.get("byte_size"),
                "hash": f"sha256:{r['sha256']}" if r.get("sha256") else "",
                "created": doc.version_created_at,
                "last_modified": doc.version_created_at,
                "metadata_modified": doc.version_created_at,
                "position": pos,
                "state": "active",
                "datanuri_access": doc.access_level,
            }
        )
    return out


def organization_dict(
    name: str,
    title: str,
    description: str = "",
    created: str | None = None,
    package_count: int | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": name,
        "name": name,
        "title": title,
        "display_name": title,
        "description": description,
        "created": created,
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def group_dict(theme: str, count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": theme,
        "name": theme,
        "title": theme,
        "display_name": theme,
        "description": "",
        "type": "group",
        "is_organization": False,
        "state": "active",
        "image_url": "",
    }
    if count is not None:
        out["package_count"] = count
    return out


def market_extras(doc: SearchDoc, base_url: str) -> list[tuple[str, str | None]]:
    """The dataset's published market listings as CKAN extras (none without listings):
    `for_sale` and `market_listings`, a JSON list of id, title, price, page and licence."""
    if not doc.listings:
        return []
    offers = [
        {
            "id": x["id"],
            "title": x["title"],
            "price": x["price"],
            "url": f"{base_url}/market/listings/{x['id']}",
            "licence": f"{base_url}{x['licence_path']}",
            "licence_sha256": x["licence_sha256"],
        }
        for x in doc.listings
    ]
    return [("for_sale", "yes"), ("market_listings", json.dumps(offers, ensure_ascii=False))]


def package_dict(doc: SearchDoc, base_url: str) -> dict[str, Any]:
    """A CKAN package for one dataset."""
    res = resources(doc, base_url)
    tags = [
        {"name": k, "display_name": k, "state": "active", "vocabulary_id": None}
        for k in doc.keywords
    ]
    extras = [
        {"key": k, "value": v}
        for k, v in (
            ("access_level", doc.access_level),
            ("language", doc.language),
            ("spatial_text", doc.spatial),
            ("temporal_start", doc.temporal_start),
            ("temporal_end", doc.temporal_end),
            ("regions", ",".join(doc.regions) or None),
            ("harvest_source", doc.source),
            ("spatial_coverage", ",".join(doc.coverage) or None),
            ("update_frequency", doc.update_frequency),
            ("provision_type", doc.provision_type),
            ("contact_phone", doc.contact_phone),
            ("citation", doc.citation),
            ("doi", doc.doi),
            *market_extras(doc, base_url),
        )
        if v
    ]
    return {
        "id": doc.name,
        "name": doc.name,
        "title": doc.title,
        "notes": doc.description,
        "type": "dataset",
        "state": "active",
        "private": False,
        "owner_org": doc.organization,
        "organization": organization_dict(doc.organization, doc.organization_title),
        "license_id": doc.license or "notspecified",
        "license_title": doc.license or "License not specified",
        "author": None,
        "maintainer": doc.contact_name,
        "maintainer_email": doc.contact_email,
        "version": str(doc.latest_version) if doc.latest_version is not None else None,
        "url": doc.source or f"{base_url}/datasets/{doc.name}",
        "metadata_created": doc.created_at,
        "metadata_modified": doc.updated_at,
        "tags": tags,
        "num_tags": len(tags),
        "groups": [group_dict(doc.theme)] if doc.theme else [],
        "resources": res,
        "num_resources": len(res),
        "extras": extras,
        "language": doc.language,
        "datanuri_access": doc.access_level,
    }
