"""What the index holds about one dataset: a `SearchDoc` built from the catalog's ORM row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from datanuri.catalog.documents import SearchDoc, rows_obtainable
from datanuri.catalog.models import Dataset, Version
from datanuri.catalog.vocab import NATIONWIDE_ID
from datanuri.market.listings import ListingSummary
from datanuri.regions import sido_list
from datanuri.regions.ids import region_ids, sort_ids
from datanuri.search.ranking import Signals

FACET_FIELDS = (
    "organization",
    "theme",
    "keyword",
    "format",
    "license",
    "access_level",
    "language",
    "region",
    "for_sale",  # "yes" when a market listing of the dataset is published
)


def doc_from_orm(
    ds: Dataset, *, source: str | None = None, listings: Sequence[ListingSummary] = ()
) -> SearchDoc:
    """The search record of a dataset (its versions and organisation loaded); its latest version
    is the newest one not withdrawn, and its formats only files someone may download."""
    current = ds.current_versions
    latest = current[-1] if current else None
    files = latest.distributions if latest is not None and rows_obtainable(ds.access_level) else ()
    formats = tuple(d.format for d in files)
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
        regions=doc_regions(ds, latest),
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
            for d in files
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
        official=bool(ds.organization.official),
        listings=tuple(x.to_dict() for x in listings),
    )


def signals_of(doc: SearchDoc) -> Signals:
    """The quality facts ranking reads from a record."""
    given = (
        bool(doc.description.strip()),
        bool(doc.keywords),
        bool(doc.theme),
        bool(doc.license),
        bool(doc.spatial or doc.regions),
    )
    # A dataset with no version yet (and not harvested from elsewhere) holds nothing: as tiny
    # as a test upload. A version without a row count (a file that is not a table) is unknown.
    empty = doc.latest_version is None and not doc.source
    return Signals(
        official=doc.official,
        rows=0 if empty else doc.row_count,
        downloads=max(0, int(doc.downloads or 0)),
        completeness=sum(given) / len(given),
        fresh_at=doc.version_created_at or doc.updated_at,
    )


def schema_columns(schema: Any) -> tuple[str, ...]:
    """Column names and titles of a Table Schema (`{"fields": [{"name", "title"?}]}`), once each."""
    out: list[str] = []
    fields = schema.get("fields") if isinstance(schema, dict) else None
    for f in fields or ():
        if isinstance(f, dict):
            out += [str(f[k]) for k in ("name", "title") if f.get(k)]
    return tuple(dict.fromkeys(out))


def doc_regions(ds: Dataset, latest: Version | None) -> tuple[str, ...]:
    """Region ids a dataset covers: those its coverage metadata (`regions`, "00" for 전국: every
    시도) and free-text spatial coverage name, and those its latest version's region columns
    hold (only their 시도 for personal data, whose rows are private)."""
    declared = list(ds.regions or ())
    if NATIONWIDE_ID in declared:
        declared = [r for r in declared if r != NATIONWIDE_ID] + [s.code for s in sido_list()]
    found = (
        declared
        + region_ids(ds.spatial)
        + profile_regions(latest.profile if latest is not None else None)
    )
    if ds.access_level == "personal":
        found = [r.split(":")[0] for r in found]
    return sort_ids(found)


def profile_regions(profile: Any) -> list[str]:
    """The region ids ingest recorded in a version's profile (`coverage.regions`)."""
    coverage = profile.get("coverage") if isinstance(profile, dict) else None
    ids = coverage.get("regions") if isinstance(coverage, dict) else None
    return [str(i) for i in ids] if isinstance(ids, list) else []
