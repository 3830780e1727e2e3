"""What the index holds about one dataset: a plain record built from the catalog's ORM row."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from datanuri.catalog.models import Dataset
from datanuri.search.regions import parse_regions

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


@dataclass(frozen=True)
class SearchDoc:
    name: str
    organization: str
    organization_title: str
    title: str
    description: str
    keywords: tuple[str, ...]
    theme: str | None
    license: str | None
    access_level: str
    metadata_public: bool
    language: str
    spatial: str | None
    temporal_start: str | None
    temporal_end: str | None
    formats: tuple[str, ...]
    regions: tuple[str, ...]  # "시도" or "시도/시군구" paths
    latest_version: int | None
    created_at: str
    updated_at: str
    # The latest version's files: format, media_type, byte_size, sha256 (None if made on download).
    resources: tuple[dict[str, Any], ...] = ()
    version_created_at: str | None = None
    row_count: int | None = None
    source: str | None = None  # where a harvested dataset came from
    columns: tuple[str, ...] = ()  # names (and titles) of the latest version's schema fields

    @property
    def hidden(self) -> bool:
        """Metadata visible only to the holder's members and platform staff."""
        return self.access_level == "personal" and not self.metadata_public

    def facet_values(self) -> list[tuple[str, str]]:
        """(field, value) pairs this dataset counts under."""
        out: list[tuple[str, str]] = [
            ("organization", self.organization),
            ("access_level", self.access_level),
            ("language", self.language),
        ]
        if self.theme:
            out.append(("theme", self.theme))
        if self.license:
            out.append(("license", self.license))
        out += [("keyword", k) for k in self.keywords]
        out += [("format", f) for f in self.formats]
        out += [("region", r.split("/")[0]) for r in self.regions]
        out += [("sigungu", r) for r in self.regions if "/" in r]
        return list(dict.fromkeys(out))

    def to_dict(self) -> dict[str, Any]:
        # What dataclasses.asdict gives (the only nested values are the resources' flat dicts),
        # without its recursive deep copy: this runs once per record on every (re)index.
        d = {name: getattr(self, name) for name in _FIELD_NAMES}
        d["resources"] = tuple(dict(r) for r in self.resources)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SearchDoc:
        vals = {
            k: (tuple(v) if isinstance(v, list) else v) for k, v in d.items() if k in _FIELD_SET
        }
        return cls(**vals)


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(SearchDoc))
_FIELD_SET = frozenset(_FIELD_NAMES)


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
    )


def schema_columns(schema: Any) -> tuple[str, ...]:
    """Column names and titles of a Table Schema (`{"fields": [{"name", "title"?}]}`), once each."""
    out: list[str] = []
    fields = schema.get("fields") if isinstance(schema, dict) else None
    for f in fields or ():
        if isinstance(f, dict):
            out += [str(f[k]) for k in ("name", "title") if f.get(k)]
    return tuple(dict.fromkeys(out))
