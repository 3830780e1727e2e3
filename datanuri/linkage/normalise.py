"""Normalise identifiers before keying: the same person written differently becomes the same text.

Every function takes a column (Arrow array, chunked array or list) and returns a ``pa.string()``
array of the same length, null where the value cannot be read as its kind. All work is Arrow
compute over the whole column (NFKC, regular expressions, casts); no loop runs per row.

- names: NFKC (full-width letters and digits become ASCII, decomposed Hangul jamo compose into
  syllables), lower case, every space and punctuation mark removed ("홍 길동" = "홍길동");
- dates: ``1990-01-02``, ``1990.1.2``, ``1990/01/02``, ``1990. 1. 2.``, ``1990년 1월 2일``,
  ``19900102``, six digits with the RRN's seventh digit for the century (``900102-1``,
  ``900102-1******``), a whole RRN, and plain six digits (``900102``, century by a pivot year);
  the result is ISO ``YYYY-MM-DD`` and impossible dates (Feb 30) are null;
- phones: digits only; a ``+82`` or ``0082`` country prefix becomes the leading ``0`` (a bare
  ``82...`` is not taken for one, and without a leading ``0`` it is no phone: null);
- RRN (주민등록번호): the 13 digits, hyphen and spaces removed;
- text (addresses and anything else): NFKC, lower case, runs of spaces collapsed to one.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Literal, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

Kind = Literal["name", "date", "phone", "rrn", "text"]
KINDS: tuple[Kind, ...] = ("name", "date", "phone", "rrn", "text")
ArrayLike: TypeAlias = pa.Array | pa.ChunkedArray | list[Any]


def _strings(values: ArrayLike) -> pa.Array:
    """A flat string array, NFKC-normalised and trimmed (full-width forms become ASCII)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.string())
    elif not isinstance(values, pa.Array):
        values = pa.array(values)
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if pa.types.is_date(values.type) or pa.types.is_timestamp(values.type):
        values = pc.strftime(values, format="%Y-%m-%d")
    if not pa.types.is_string(values.type):
        values = pc.cast(values, pa.string())
    return pc.utf8_trim_whitespace(pc.utf8_normalize(values, "NFKC"))


def _blank_to_null(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def normalise_name(values: ArrayLike) -> pa.Array:
    """Names compared as written by anyone: NFKC, lower case, no spaces or punctuation."""
    s = pc.utf8_lower(_strings(values))
    s = pc.replace_substring_regex(s, r"[\s\p{P}\p{S}]+", "")
    return _blank_to_null(s)


def normalise_text(values: ArrayLike) -> pa.Array:
    """Free text (an address): NFKC, lower case, runs of spaces collapsed to one."""
    s = pc.utf8_lower(_strings(values))
    s = pc.replace_substring_regex(s, r"\s+", " ")
    return _blank_to_null(s)


def normalise_phone(values: ArrayLike) -> pa.Array:
    """Phone numbers as national digits: ``+82 10-1234-5678`` = ``010 1234 5678`` = ``01012345678``."""
    s = _strings(values)
    intl = pc.match_substring_regex(s, r"^\s*(\+|00)\s*82")
    d = pc.replace_substring_regex(s, r"\D+", "")
    d = pc.if_else(intl, pc.replace_substring_regex(d, r"^(00)?82", "0"), d)
    d = pc.replace_substring_regex(d, r"^00", "0")  # "+82 010...": one leading zero
    ok = pc.match_substring_regex(d, r"^0\d{8,10}$")
    return pc.if_else(ok, d, pa.scalar(None, pa.string()))


def normalise_rrn(values: ArrayLike) -> pa.Array:
    """Resident registration numbers as their 13 digits (hyphens, spaces removed); else null."""
    d = pc.replace_substring_regex(_strings(values), r"[\s\-]+", "")
    ok = pc.match_substring_regex(d, r"^\d{13}$")
    return pc.if_else(ok, d, pa.scalar(None, pa.string()))


def _pad2(values: pa.Array) -> pa.Array:
    return pc.utf8_lpad(values, 2, "0")


def normalise_date(values: ArrayLike, *, pivot_year: int | None = None) -> pa.Array:
    """Dates in the common Korean and ISO forms as ``YYYY-MM-DD``; impossible dates are null.

    Six digits take the century from a following RRN seventh digit (1, 2, 5, 6: 1900s; 3, 4, 7,
    8: 2000s; 9, 0: 1800s); alone, a two-digit year above ``pivot_year % 100`` (default: this
    year) is in the 1900s, else in the 2000s.
    """
    s = _strings(values)
    s = pc.replace_substring_regex(s, r"\s+", "")
    null = pa.scalar(None, pa.string())
    # (1) year, month, day with separators: 1990-01-02, 1990.1.2., 1990/1/2, 1990년1월2일
    sep = pc.extract_regex(s, r"^(?P<y>\d{4})[-./년](?P<m>\d{1,2})[-./월](?P<d>\d{1,2})[.일]?$")
    # (2) eight digits
    eight = pc.extract_regex(s, r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
    # (3) six digits, optionally followed by the RRN's seventh digit (and the rest, or a mask)
    six = pc.extract_regex(s, r"^(?P<yy>\d{2})(?P<m>\d{2})(?P<d>\d{2})(?:-?(?P<g>\d)[\d*]{0,6})?$")
    yy, g = pc.struct_field(six, "yy"), pc.struct_field(six, "g")
    pivot = (pivot_year or _dt.date.today().year) % 100
    century_by_g = pc.if_else(
        pc.is_in(g, pa.array(["1", "2", "5", "6"])),
        "19",
        pc.if_else(pc.is_in(g, pa.array(["3", "4", "7", "8"])), "20", "18"),
    )
    yy_num = pc.cast(pc.if_else(pc.is_null(yy), "0", yy), pa.int32())
    century_by_pivot = pc.if_else(pc.greater(yy_num, pivot), "19", "20")
    has_g = pc.and_(pc.is_valid(g), pc.not_equal(pc.fill_null(g, ""), ""))
    year6 = pc.binary_join_element_wise(pc.if_else(has_g, century_by_g, century_by_pivot), yy, "")

    def field(name: str) -> pa.Array:
        return pc.coalesce(
            pc.struct_field(sep, name), pc.struct_field(eight, name), pc.struct_field(six, name)
        )

    year = pc.coalesce(pc.struct_field(sep, "y"), pc.struct_field(eight, "y"), year6)
    iso = pc.binary_join_element_wise(year, _pad2(field("m")), _pad2(field("d")), "-")
    # a real calendar date reads back as itself (strptime rolls Feb 30 over to March)
    parsed = pc.strptime(iso, format="%Y-%m-%d", unit="s", error_is_null=True)
    back = pc.strftime(parsed, format="%Y-%m-%d")
    ok = pc.fill_null(pc.equal(back, iso), False)
    return pc.if_else(ok, iso, null)


def normalise(values: ArrayLike, kind: Kind) -> pa.Array:
    """Normalise a column as ``kind``."""
    if kind == "name":
        return normalise_name(values)
    if kind == "date":
        return normalise_date(values)
    if kind == "phone":
        return normalise_phone(values)
    if kind == "rrn":
        return normalise_rrn(values)
    return normalise_text(values)


#: The detection kinds of `privacy.detect` and the normalisation each gets.
DETECTED_KINDS: dict[str, Kind] = {
    "name": "name",
    "rrn": "rrn",
    "foreigner_rn": "rrn",
    "mobile_phone": "phone",
    "landline_phone": "phone",
    "phone": "phone",
    "birth_date": "date",
    "date": "date",
}
