"""The dataset read model: one plain record per dataset, shared by search (what the index
holds) and metadata (what the CKAN, DCAT, schema.org, Croissant and Data Package exports read)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from datanuri.accounts.policy import decide
from datanuri.accounts.principal import SYSTEM


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
    regions: tuple[str, ...]  # region ids: "11" (a 시도 code) or "11:종로구" (a 시군구)
    latest_version: int | None
    created_at: str
    updated_at: str
    # The latest version's files: format, media_type, byte_size, sha256 (None if made on download).
    resources: tuple[dict[str, Any], ...] = ()
    version_created_at: str | None = None
    row_count: int | None = None
    source: str | None = None  # where a harvested dataset came from
    columns: tuple[str, ...] = ()  # names (and titles) of the latest version's schema fields
    official: bool = False  # the holder is an organisation the admins marked official
    downloads: int = 0  # how often the dataset's files were downloaded (a ranking signal)
    # The richer metadata (migration 0012) that the exports carry: coverage as region ids
    # (catalog/vocab.py; "11", "11:종로구", "00"), 갱신주기, contact, 제공형태, citation, DOI and
    # the per-column notes (catalog/columns.py).
    coverage: tuple[str, ...] = ()
    update_frequency: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    provision_type: str | None = None
    citation: str | None = None
    doi: str | None = None
    column_notes: dict[str, Any] = dataclasses.field(default_factory=dict)
    # The dataset's published market listings (market/listings.py `ListingSummary.to_dict`:
    # id, title, price, licence_path, licence_sha256): the "for sale" facet, CKAN and DCAT.
    listings: tuple[dict[str, Any], ...] = ()

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
        out += [("region", r.split(":")[0]) for r in self.regions]
        out += [("sigungu", r) for r in self.regions if ":" in r]
        if self.listings:
            out.append(("for_sale", "yes"))
        return list(dict.fromkeys(out))

    def to_dict(self) -> dict[str, Any]:
        # What dataclasses.asdict gives (the only nested values are the resources' flat dicts),
        # without its recursive deep copy: this runs once per record on every (re)index.
        d = {name: getattr(self, name) for name in _FIELD_NAMES}
        d["resources"] = tuple(dict(r) for r in self.resources)
        d["listings"] = tuple(dict(x) for x in self.listings)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SearchDoc:
        vals: dict[str, Any] = {
            k: (tuple(v) if isinstance(v, list) else v) for k, v in d.items() if k in _FIELD_SET
        }
        return cls(**vals)


def rows_obtainable(access_level: str) -> bool:
    """Whether anyone at all may download a dataset's rows under the access policy (no one may
    for personal data; for restricted data its members and entitled users): only then are its
    files listed as formats, in facets and as CKAN/DCAT distributions."""
    return decide(SYSTEM, "read_rows", access_level=access_level).allowed


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(SearchDoc))
_FIELD_SET = frozenset(_FIELD_NAMES)
