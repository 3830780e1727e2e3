"""The richer metadata in the exports' terms (pure): a Table Schema annotated with the column
notes (Frictionless `description`, a custom `unit` property and v2 `categories` for a code
table), region ids as named places, and the DOI as a resolvable URL."""

from __future__ import annotations

from typing import Any

from datanuri.catalog.columns import note_of
from datanuri.catalog.documents import SearchDoc
from datanuri.catalog.vocab import region_label


def annotated_schema(schema: dict[str, Any], notes: dict[str, Any]) -> dict[str, Any]:
    """`schema` with each noted column's description, `unit` and `categories` (a copy; the
    version's stored schema is never changed). A code table is `categories`, not an `enum`
    constraint: it explains codes without making unlisted values invalid."""
    if not notes:
        return schema
    fields = []
    for f in schema.get("fields", []):
        note = note_of(notes, str(f.get("name")))
        g = dict(f)
        if note.description:
            g["description"] = note.description
        if note.unit:
            g["unit"] = note.unit
        if note.codes:
            g["categories"] = [{"value": c, "label": m} for c, m in note.codes]
        fields.append(g)
    return {**schema, "fields": fields}


def doi_url(doc: SearchDoc) -> str | None:
    return f"https://doi.org/{doc.doi}" if doc.doi else None


def places(doc: SearchDoc, lang: str = "ko") -> list[tuple[str, str]]:
    """(region id, name) of the dataset's coverage."""
    return [(r, region_label(r, lang)) for r in doc.coverage]
