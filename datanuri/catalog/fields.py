"""The one validation of a dataset's metadata fields, a change note and an upload's file name,
used by every door (API, CLI, console) through the catalog service: known fields only, text
without NUL or other control characters, and a bound on every length and count, so no field can
grow the public catalogue documents without limit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from datanuri import errors
from datanuri.accounts.policy import check_access

EDITABLE_FIELDS = (
    "title",
    "description",
    "keywords",
    "theme",
    "license",
    "access_level",
    "language",
    "temporal_start",
    "temporal_end",
    "spatial",
    "contact_name",
    "contact_email",
    "metadata_public",
)
#: Fields that may hold line breaks and tabs (paragraphs); every other text is one line.
MULTILINE = frozenset({"description", "change_note"})
# Control characters (Unicode category Cc: C0, DEL, C1) and lone surrogates (Cs).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class FieldBounds:
    """Largest length (characters) of each text, and the most keywords a dataset has."""

    title: int = 300
    description: int = 20_000
    short: int = 300  # theme, license, spatial, contact name and e-mail
    language: int = 20
    temporal: int = 40
    keyword: int = 100
    keywords: int = 50
    change_note: int = 2_000
    filename: int = 255

    def limit(self, field: str) -> int:
        if field in ("temporal_start", "temporal_end"):
            return self.temporal
        return int(getattr(self, field, self.short))


BOUNDS = FieldBounds()

MSG_UNKNOWN = "Unknown dataset field(s): {unknown}. Known: {known}."
MSG_TOO_LONG = "The {field} is too long ({n:,} characters); keep it to {limit:,}."
MSG_CONTROL = (
    "The {field} contains a control character ({char}) at position {at}; remove it "
    "(line breaks are allowed only in the description and the change note)."
)
MSG_NOT_TEXT = "The {field} must be text; got {kind}."
MSG_EMPTY_TITLE = "A dataset title cannot be empty."
MSG_TOO_MANY_KEYWORDS = "{n:,} keywords given; a dataset takes at most {limit}. Keep the main ones."
MSG_FLAG = "metadata_public must be true or false; got {value!r}."


def check_text(value: Any, field: str, bounds: FieldBounds = BOUNDS) -> str:
    """`value` as text of at most its field's length, without control characters (NUL among
    them) or lone surrogates; line breaks and tabs only in multi-line fields."""
    if not isinstance(value, str):
        raise errors.InvalidInput(MSG_NOT_TEXT.format(field=field, kind=type(value).__name__))
    limit = bounds.limit(field)
    if len(value) > limit:
        raise errors.InvalidInput(MSG_TOO_LONG.format(field=field, n=len(value), limit=limit))
    found = (_CONTROL_MULTILINE if field in MULTILINE else _CONTROL).search(value)
    if found is not None:
        char, at = found.group(), found.start() + 1
        raise errors.InvalidInput(MSG_CONTROL.format(field=field, char=f"U+{ord(char):04X}", at=at))
    return value


def clean_fields(fields: dict[str, Any], bounds: FieldBounds = BOUNDS) -> dict[str, Any]:
    """Dataset metadata as given, checked and normalised (keywords as a list); None values are
    left out (not changed)."""
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise errors.InvalidInput(
            MSG_UNKNOWN.format(unknown=", ".join(unknown), known=", ".join(EDITABLE_FIELDS))
        )
    out = {k: v for k, v in fields.items() if v is not None}
    if "access_level" in out:
        check_access(out["access_level"])
    if "metadata_public" in out and not isinstance(out["metadata_public"], bool):
        raise errors.InvalidInput(MSG_FLAG.format(value=out["metadata_public"]))
    if "keywords" in out:
        kw = out["keywords"]
        if isinstance(kw, str):
            kw = kw.split(",")
        if not isinstance(kw, (list, tuple)):
            raise errors.InvalidInput(MSG_NOT_TEXT.format(field="keywords", kind=type(kw).__name__))
        if len(kw) > bounds.keywords:
            raise errors.InvalidInput(
                MSG_TOO_MANY_KEYWORDS.format(n=len(kw), limit=bounds.keywords)
            )
        out["keywords"] = [
            k for k in (check_text(str(x), "keyword", bounds).strip() for x in kw) if k
        ]
    for key, value in out.items():
        if key not in ("keywords", "metadata_public", "access_level"):
            out[key] = check_text(value, key, bounds)
    if "title" in out and not out["title"].strip():
        raise errors.InvalidInput(MSG_EMPTY_TITLE)
    return out


def clean_title(title: str | None, default: str, bounds: FieldBounds = BOUNDS) -> str:
    """A dataset's title on creation: the given one checked, or `default` (its name)."""
    if title is None:
        return default
    title = check_text(title, "title", bounds).strip()
    if not title:
        raise errors.InvalidInput(MSG_EMPTY_TITLE)
    return title
