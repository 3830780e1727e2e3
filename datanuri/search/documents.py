"""What the index holds about one dataset: a `SearchDoc` built from the catalog's ORM row."""

from __future__ import annotations

from typing import Any

from datanuri.catalog.documents import SearchDoc
from datanuri.catalog.models import Dataset
from datanuri.regions import parse_regions

FACET_FIELDS = (
    "organization",
    "theme",
    "keyword",
    "format",
    "license",
    "access_level",
    "language",
    "region",
)


def doc_from_orm(ds: Dataset, *, source: str | None = None) -> SearchDoc:
    """The search record of a dataset (its versions and organisation loaded)."""
    latest = ds.versions[-1] if ds.versions else None
    formats = tuple(d.format for d in latest.distributions) if latest is not None else ()
    return SearchDoc(
        name=ds.name,
        organization=ds.organization.name,
        organization_title=ds.organization.title,
        title=ds.title,
        description=ds.description or "",
        keywords=tuple(str(k) for k in (ds.keywords or ())),
        theme=ds.theme,
        license=ds.license,
        access_level=ds.access_level,
        metadata_public=bool(ds.metadata_public),
        language=ds.language or "ko",
        spatial=ds.spatial,
        temporal_start=ds.temporal_start,
        temporal_end=ds.temporal_end,
        formats=formats,
        regions=tuple(r.path for r in parse_regions(ds.spatial)),
        latest_version=latest.number if latest is not None else None,
        created_at=ds.created_at.isoformat(),
        updated_at=ds.updated_at.isoformat(),
        resources=tuple(
            {
                "format": d.format,
                "media_type": d.media_type,
                "byte_size": d.byte_size,
                "sha256": d.blob_hash,
            }
            for d in (latest.distributions if latest is not None else ())
        ),
        version_created_at=latest.created_at.isoformat() if latest is not None else None,
        row_count=latest.row_count if latest is not None else None,
        source=source,
        columns=schema_columns(latest.schema if latest is not None else None),
        coverage=tuple(ds.regions or ()),
        update_frequency=ds.update_frequency,
        contact_name=ds.contact_name,
        contact_email=ds.contact_email,
        contact_phone=ds.contact_phone,
        provision_type=ds.provision_type,
        citation=ds.citation,
        doi=ds.doi,
        column_notes=dict(ds.column_notes or {}),
    )


def schema_columns(schema: Any) -> tuple[str, ...]:
    """Column names and titles of a Table Schema (`{"fields": [{"name", "title"?}]}`), once each."""
    out: list[str] = []
    fields = schema.get("fields") if isinstance(schema, dict) else None
    for f in fields or ():
        if isinstance(f, dict):
            out += [str(f[k]) for k in ("name", "title") if f.get(k)]
    return tuple(dict.fromkeys(out))
