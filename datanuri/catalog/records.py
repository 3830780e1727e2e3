"""Plain frozen records the catalog hands out (the ORM rows stay inside the service)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from datanuri.catalog.documents import rows_obtainable
from datanuri.catalog.models import Dataset, Version


@dataclass(frozen=True)
class WithdrawalInfo:
    """Why, by whom (a principal reference) and when a version was withdrawn, and its entry."""

    reason: str
    withdrawn_by: str
    withdrawn_at: str
    ledger_index: int | None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class VersionInfo:
    dataset: str
    number: int
    content_hash: str
    source_hash: str
    source_name: str
    source_format: str
    source_encoding: str | None
    byte_size: int
    row_count: int
    column_count: int
    change_note: str
    published_by: str
    ledger_index: int | None
    created_at: str
    problem_count: int
    formats: tuple[str, ...]
    withdrawn: WithdrawalInfo | None = None  # a tombstone: its rows are no longer served

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    organization: str
    title: str
    description: str
    keywords: tuple[str, ...]
    theme: str | None
    license: str | None
    access_level: str
    language: str
    temporal_start: str | None
    temporal_end: str | None
    spatial: str | None
    contact_name: str | None
    contact_email: str | None
    created_at: str
    updated_at: str
    latest_version: int | None
    versions: tuple[VersionInfo, ...] = ()
    # Migration 0012 (catalog/vocab.py, catalog/columns.py): coverage as region ids, 갱신주기,
    # contact phone, 제공형태, citation, DOI and the notes of each column.
    regions: tuple[str, ...] = ()
    update_frequency: str | None = None
    contact_phone: str | None = None
    provision_type: str | None = None
    citation: str | None = None
    doi: str | None = None
    column_notes: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def version_info(v: Version, dataset_name: str) -> VersionInfo:
    return VersionInfo(
        dataset=dataset_name,
        number=v.number,
        content_hash=v.content_hash,
        source_hash=v.source_hash,
        source_name=v.source_name,
        source_format=v.source_format,
        source_encoding=v.source_encoding,
        byte_size=v.byte_size,
        row_count=v.row_count,
        column_count=len(v.schema.get("fields", [])),
        change_note=v.change_note,
        published_by=v.published_by,
        ledger_index=v.ledger_index,
        created_at=v.created_at.isoformat(),
        problem_count=int(v.problems.get("count", 0)),
        # only files someone may download (none of a personal dataset)
        formats=tuple(d.format for d in v.distributions)
        if rows_obtainable(v.dataset.access_level)
        else (),
        withdrawn=withdrawal_info(v),
    )


def withdrawal_info(v: Version) -> WithdrawalInfo | None:
    w = v.withdrawal
    if w is None:
        return None
    return WithdrawalInfo(w.reason, w.withdrawn_by, w.withdrawn_at.isoformat(), w.ledger_index)


def dataset_info(d: Dataset, *, with_versions: bool = True) -> DatasetInfo:
    versions = tuple(version_info(v, d.name) for v in d.versions) if with_versions else ()
    latest = max((v.number for v in d.current_versions), default=None)  # newest not withdrawn
    return DatasetInfo(
        name=d.name,
        organization=d.organization.name,
        title=d.title,
        description=d.description,
        keywords=tuple(d.keywords or ()),
        theme=d.theme,
        license=d.license,
        access_level=d.access_level,
        language=d.language,
        temporal_start=d.temporal_start,
        temporal_end=d.temporal_end,
        spatial=d.spatial,
        contact_name=d.contact_name,
        contact_email=d.contact_email,
        created_at=d.created_at.isoformat(),
        updated_at=d.updated_at.isoformat(),
        latest_version=latest,
        versions=versions,
        regions=tuple(d.regions or ()),
        update_frequency=d.update_frequency,
        contact_phone=d.contact_phone,
        provision_type=d.provision_type,
        citation=d.citation,
        doi=d.doi,
        column_notes=dict(d.column_notes or {}),
    )
