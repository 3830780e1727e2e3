"""The part of CKAN's Solr query syntax that CKAN clients send: `fq` filters, `field:value` in `q`,
and `sort`. Pure; anything it cannot honour is a `QuerySyntaxError` with a message saying why."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# CKAN field → datanuri facet.
FIELDS = {
    "organization": "organization",
    "owner_org": "organization",
    "tags": "keyword",
    "groups": "theme",
    "res_format": "format",
    "license_id": "license",
    "language": "language",
    "access_level": "access_level",
    "region": "region",
}
IGNORED = {"capacity", "dataset_type", "type", "state", "site_id", "+site_id", "entity_type"}
SORTS = {
    "score": "relevance",
    "metadata_modified": "newest",
    "metadata_created": "newest",
    "title_string": "title",
    "title": "title",
    "name": "title",
}
CLAUSE_RE = re.compile(r'([+-]?)([A-Za-z_]+):("(?:[^"\\]|\\.)*"|\[[^\]]*\]|\([^)]*\)|[^\s()]+)')


class QuerySyntaxError(ValueError):
    """A query CKAN clients might send that datanuri cannot answer."""


@dataclass
class Parsed:
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    updated_from: str | None = None
    updated_to: str | None = None


def _values(raw: str) -> list[str]:
    raw = raw.strip()
    if raw.startswith("(") and raw.endswith(")"):
        return [v for part in re.split(r"\s+OR\s+", raw[1:-1]) for v in _values(part)]
    if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
        return [raw[1:-1].replace('\\"', '"')]
    return [raw]


def _range(raw: str, out: Parsed) -> None:
    m = re.fullmatch(r"\[\s*(\S+)\s+TO\s+(\S+)\s*\]", raw)
    if not m:
        raise QuerySyntaxError(
            f"Cannot read the date range {raw!r}; write it as [2024-01-01T00:00:00Z TO *]."
        )
    lo, hi = m.groups()
    out.updated_from = None if lo == "*" else lo[:10]
    out.updated_to = None if hi in ("*", "NOW") else hi[:10]


def parse(q: str = "", fq: str = "") -> Parsed:
    """Split CKAN's `q` and `fq` into free text, facet filters and an update-date range."""
    out = Parsed()
    for source, strict in ((fq or "", True), (q or "", False)):
        rest = []
        pos = 0
        for m in CLAUSE_RE.finditer(source):
            sign, name, raw = m.groups()
            key = name.lower()
            if key in FIELDS or key in IGNORED or key == "metadata_modified" or strict:
                rest.append(source[pos : m.start()])
                pos = m.end()
                if key in IGNORED:
                    continue
                if sign == "-":
                    raise QuerySyntaxError(
                        f"Negative filters ('-{name}:...') are not supported; filter on the values you want."
                    )
                if key == "metadata_modified":
                    _range(raw, out)
                elif key in FIELDS:
                    out.filters.setdefault(FIELDS[key], []).extend(_values(raw))
                else:
                    raise QuerySyntaxError(
                        f"Cannot filter on {name!r}; use one of: {', '.join(sorted(FIELDS))}, metadata_modified."
                    )
        rest.append(source[pos:])
        leftover = " ".join("".join(rest).split())
        if strict:
            if leftover.strip("+ ") and leftover not in ("*:*",):
                raise QuerySyntaxError(
                    f"Cannot read this part of fq: {leftover!r}; write filters as field:value."
                )
        else:
            out.text = "" if leftover in ("*:*", "*") else leftover
    return out


def parse_sort(sort: str | None) -> str:
    """The datanuri sort for a CKAN sort string such as 'score desc, metadata_modified desc'."""
    if not sort or not sort.strip():
        return "relevance"
    first = sort.split(",")[0].split()
    key = first[0] if first else ""
    if key not in SORTS:
        raise QuerySyntaxError(
            f"Cannot sort by {key!r}; use score, metadata_modified, metadata_created, title_string or name."
        )
    return SORTS[key]
