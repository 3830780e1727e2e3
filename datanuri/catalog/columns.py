"""Column notes of a dataset (pure): per column a description, a unit and a code table
(코드정의서: code → meaning), checked and bounded.

Notes are stored per dataset, keyed by column name, not per version: a new version keeps the
notes of the columns it still has (a version is immutable, its notes are the dataset's current
explanation of a column), and the notes of a column a version drops stay until edited away."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datanuri import errors
from datanuri.catalog.fields import check_text


@dataclass(frozen=True)
class ColumnBounds:
    description: int = 2_000
    unit: int = 50
    code: int = 100
    meaning: int = 300
    codes: int = 500
    columns: int = 2_000


COLUMN_BOUNDS = ColumnBounds()

MSG_TOO_MANY_CODES = "{n:,} codes given for column {column!r}; a code table takes at most {limit}."
MSG_TOO_MANY_COLUMNS = "Notes for {n:,} columns given; a dataset takes at most {limit}."
MSG_CODE_EMPTY = (
    "Column {column!r}: a code table row has an empty code; fill it in or remove the row."
)
MSG_CODE_TWICE = "Column {column!r}: the code {code!r} is defined twice; keep one meaning per code."
MSG_SHAPE = (
    "Column notes must be description, unit and codes (a list of [code, meaning]); got {kind}."
)


@dataclass(frozen=True)
class ColumnNote:
    """What a publisher says about one column."""

    description: str = ""
    unit: str = ""
    codes: tuple[tuple[str, str], ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.description or self.unit or self.codes)

    def to_json(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "unit": self.unit,
            "codes": [list(c) for c in self.codes],
        }


def _bounded(value: Any, field: str, limit: int) -> str:
    text = check_text(str(value or ""), field)
    if len(text) > limit:
        raise errors.InvalidInput(
            f"The {field} is too long ({len(text):,} characters); keep it to {limit:,}."
        )
    return text.strip()


def clean_note(
    column: str, raw: dict[str, Any], bounds: ColumnBounds = COLUMN_BOUNDS
) -> ColumnNote:
    """One column's note, checked: bounded texts, a code table of distinct non-empty codes."""
    if not isinstance(raw, dict):
        raise errors.InvalidInput(MSG_SHAPE.format(kind=type(raw).__name__))
    codes_raw = raw.get("codes") or []
    if isinstance(codes_raw, dict):
        codes_raw = list(codes_raw.items())
    if not isinstance(codes_raw, (list, tuple)):
        raise errors.InvalidInput(MSG_SHAPE.format(kind=type(codes_raw).__name__))
    if len(codes_raw) > bounds.codes:
        raise errors.InvalidInput(
            MSG_TOO_MANY_CODES.format(n=len(codes_raw), column=column, limit=bounds.codes)
        )
    codes: dict[str, str] = {}
    for row in codes_raw:
        if not isinstance(row, (list, tuple)) or len(row) != 2:
            raise errors.InvalidInput(MSG_SHAPE.format(kind=type(row).__name__))
        code = _bounded(row[0], "code", bounds.code)
        meaning = _bounded(row[1], "meaning", bounds.meaning)
        if not code and not meaning:
            continue
        if not code:
            raise errors.InvalidInput(MSG_CODE_EMPTY.format(column=column))
        if code in codes:
            raise errors.InvalidInput(MSG_CODE_TWICE.format(column=column, code=code))
        codes[code] = meaning
    return ColumnNote(
        description=_bounded(raw.get("description"), "description", bounds.description),
        unit=_bounded(raw.get("unit"), "unit", bounds.unit),
        codes=tuple(codes.items()),
    )


def merge_notes(
    stored: dict[str, Any] | None,
    column: str,
    note: ColumnNote,
    bounds: ColumnBounds = COLUMN_BOUNDS,
) -> dict[str, Any]:
    """The dataset's notes with `column`'s replaced (removed when the note is empty)."""
    out = dict(stored or {})
    if note.empty:
        out.pop(column, None)
    else:
        out[column] = note.to_json()
    if len(out) > bounds.columns:
        raise errors.InvalidInput(MSG_TOO_MANY_COLUMNS.format(n=len(out), limit=bounds.columns))
    return out


def note_of(stored: dict[str, Any] | None, column: str) -> ColumnNote:
    """The stored note of `column` (an empty note if there is none)."""
    raw = (stored or {}).get(column)
    if not isinstance(raw, dict):
        return ColumnNote()
    return ColumnNote(
        description=str(raw.get("description") or ""),
        unit=str(raw.get("unit") or ""),
        codes=tuple((str(c), str(m)) for c, m in raw.get("codes") or ()),
    )
