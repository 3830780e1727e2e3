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
from datanuri.catalog import vocab

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
    "regions",
    "update_frequency",
    "contact_phone",
    "provision_type",
    "citation",
    "doi",
)
#: Fields that may hold line breaks and tabs (paragraphs); every other text is one line.
MULTILINE = frozenset({"description", "change_note", "citation"})
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
    regions: int = 300
    citation: int = 2_000
    doi: int = 200
    contact_phone: int = 30

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
MSG_DATE = (
    "The {field} {value!r} is not a date. Write it as YYYY-MM-DD (or YYYY-MM, or YYYY), "
    "e.g. 2024-01-31."
)
MSG_PERIOD = "The temporal coverage ends ({end}) before it starts ({start}); swap or fix the dates."
MSG_DOI = (
    "{value!r} is not a DOI. A DOI looks like 10.1234/abc-5678 (https://doi.org/ and doi: "
    "prefixes are accepted)."
)
MSG_PHONE = (
    "The contact phone {value!r} may hold only digits, spaces, +, -, ( and ), e.g. 02-123-4567."
)
MSG_EMAIL = "The contact e-mail {value!r} is not an e-mail address (name@example.org)."

_DATE = re.compile(
    r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?)?)?$"
)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(https?://(dx\.)?doi\.org/|doi:)", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{1,28}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: Fields emptied by an empty text (optional single values), stored as None.
OPTIONAL = frozenset(
    {
        "theme",
        "license",
        "update_frequency",
        "provision_type",
        "doi",
        "contact_phone",
        "temporal_start",
        "temporal_end",
    }
)


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
    if "regions" in out:
        regions = out["regions"]
        if isinstance(regions, str):
            regions = [r.strip() for r in regions.split(",") if r.strip()]
        if not isinstance(regions, (list, tuple)):
            raise errors.InvalidInput(
                MSG_NOT_TEXT.format(field="regions", kind=type(regions).__name__)
            )
        out["regions"] = vocab.check_regions(list(regions), bounds.regions)
    for key, value in out.items():
        if key not in ("keywords", "metadata_public", "access_level", "regions"):
            out[key] = check_text(value, key, bounds)
    for key in OPTIONAL & set(out):
        out[key] = out[key].strip() or None
    _check_values(out)
    if "title" in out and not out["title"].strip():
        raise errors.InvalidInput(MSG_EMPTY_TITLE)
    return out


def _check_values(out: dict[str, Any]) -> None:
    """The vocabularies and syntaxes of the fields that have them (normalising a DOI)."""
    if out.get("theme"):
        vocab.check_choice("theme", out["theme"], vocab.THEMES)
    if out.get("license"):
        vocab.check_license(out["license"])
    if out.get("update_frequency"):
        vocab.check_choice("update_frequency", out["update_frequency"], vocab.FREQUENCIES)
    if out.get("provision_type"):
        vocab.check_choice("provision_type", out["provision_type"], vocab.PROVISION_TYPES)
    for key in ("temporal_start", "temporal_end"):
        if out.get(key) and not _DATE.match(out[key]):
            raise errors.InvalidInput(MSG_DATE.format(field=key, value=out[key]))
    check_period(out.get("temporal_start"), out.get("temporal_end"))
    if out.get("doi"):
        doi = _DOI_PREFIX.sub("", out["doi"])
        if not _DOI.match(doi):
            raise errors.InvalidInput(MSG_DOI.format(value=out["doi"]))
        out["doi"] = doi
    if out.get("contact_phone") and not _PHONE.match(out["contact_phone"]):
        raise errors.InvalidInput(MSG_PHONE.format(value=out["contact_phone"]))
    if out.get("contact_email") and not _EMAIL.match(out["contact_email"].strip()):
        raise errors.InvalidInput(MSG_EMAIL.format(value=out["contact_email"]))


def check_period(start: str | None, end: str | None) -> None:
    """Refuse a temporal coverage that ends before it starts (dates compared at their common
    precision, so 2024 .. 2024-06 is fine)."""
    if start and end:
        n = min(len(start), len(end), 10)
        if end[:n] < start[:n]:
            raise errors.InvalidInput(MSG_PERIOD.format(start=start, end=end))


def clean_title(title: str | None, default: str, bounds: FieldBounds = BOUNDS) -> str:
    """A dataset's title on creation: the given one checked, or `default` (its name)."""
    if title is None:
        return default
    title = check_text(title, "title", bounds).strip()
    if not title:
        raise errors.InvalidInput(MSG_EMPTY_TITLE)
    return title


def fit_fields(fields: dict[str, Any], bounds: FieldBounds = BOUNDS) -> dict[str, Any]:
    """Fields another catalogue gave (harvest), without the values this one would refuse (a
    theme outside the vocabulary, a malformed date or e-mail), so a record is kept with what
    fits rather than refused whole; a period that ends before it starts loses its end."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        try:
            out.update(clean_fields({key: value}, bounds))
        except errors.InvalidInput:
            continue
    try:
        check_period(out.get("temporal_start"), out.get("temporal_end"))
    except errors.InvalidInput:
        out.pop("temporal_end")
    return out
