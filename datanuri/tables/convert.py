"""Vectorised parsing of string columns into typed Arrow arrays (nulls where a value fails).

Every parser takes a string array whose null tokens are already nulls and returns an array of
the target type with a null wherever a non-null input value could not be parsed. Fast paths
use Arrow casts (which validate the whole array at once); only when a fast path raises do we
fall back to regular expressions and per-element validation.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

NULL_TOKENS = ("", "-", "NA", "N/A", "null", "NULL")
_NULLS = pa.array(NULL_TOKENS, pa.string())

TRUE_WORDS = {"true": "true/false", "y": "y/n", "예": "예/아니오"}
FALSE_WORDS = {"false": "true/false", "n": "y/n", "아니오": "예/아니오"}
_BOOL_TRUE = pa.array(["true", "True", "TRUE", "y", "Y", "예"], pa.string())
_BOOL_FALSE = pa.array(["false", "False", "FALSE", "n", "N", "아니오"], pa.string())
_BOOL_ALL = pa.concat_arrays([_BOOL_TRUE, _BOOL_FALSE])

INT_RE = r"^[+-]?(0|[1-9][0-9]*|[1-9][0-9]{0,2}(,[0-9]{3})+)$"
NUM_RE = (
    r"^[+-]?((0|[1-9][0-9]*|[1-9][0-9]{0,2}(,[0-9]{3})+)(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
)
LEADING_ZERO_RE = r"^[+-]?0[0-9]"
DATE_SEP_RE = r"^(?P<y>[0-9]{4})\s*[-./]\s*(?P<m>[0-9]{1,2})\s*[-./]\s*(?P<d>[0-9]{1,2})\.?$"
DATE_KO_RE = r"^(?P<y>[0-9]{4})\s*년\s*(?P<m>[0-9]{1,2})\s*월\s*(?P<d>[0-9]{1,2})\s*일$"
DATETIME_RE = (
    r"^(?P<y>[0-9]{4})[-./](?P<m>[0-9]{1,2})[-./](?P<d>[0-9]{1,2})[ T]+(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})"
    r"(?::(?P<S>[0-9]{2})(?P<f>\.[0-9]{1,6})?)?$"
)


def nullify_tokens(a: pa.Array) -> pa.Array:
    """Replace the null tokens ("", "-", "NA", "N/A", "null", "NULL") by nulls."""
    mask = pc.is_in(a, value_set=_NULLS)
    if not pc.any(mask).as_py():
        return a
    return pc.if_else(mask, pa.scalar(None, a.type), a)


def has_leading_zero(a: pa.Array) -> bool:
    """True if any value is a zero-padded code like "00123" (which must stay text)."""
    # the regex only on values starting with an optionally signed zero not followed by "."
    # (cheap prefix tests first: most numbers start otherwise, decimals mostly with "0.")
    zero = pc.or_(pc.starts_with(a, "0"), pc.or_(pc.starts_with(a, "+0"), pc.starts_with(a, "-0")))
    if not pc.any(zero).as_py():
        return False
    point = pc.or_(
        pc.starts_with(a, "0."), pc.or_(pc.starts_with(a, "+0."), pc.starts_with(a, "-0."))
    )
    rest = pc.filter(a, pc.and_not(zero, point))
    return bool(len(rest)) and bool(pc.any(pc.match_substring_regex(rest, LEADING_ZERO_RE)).as_py())


def parse_integer(a: pa.Array) -> pa.Array:
    """Integers, with optional thousands separators ("1,234"), as int64."""
    try:
        return pc.cast(a, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    t = pc.utf8_trim_whitespace(a)
    ok = pc.match_substring_regex(t, INT_RE)
    t = pc.if_else(ok, pc.replace_substring(t, ",", ""), pa.scalar(None, pa.string()))
    try:
        return pc.cast(t, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # out of int64 range
        return pa.nulls(len(a), pa.int64())


def parse_number(a: pa.Array) -> pa.Array:
    """Decimal numbers, with optional thousands separators ("1,234.5"), as float64."""
    # Arrow's cast accepts letters only in inf/nan spellings: a cast with every value finite
    # is what the checked path below would give, without its per-value regex
    try:
        out = pc.cast(a, pa.float64())
        if pc.all(pc.is_finite(out)).as_py() is not False:
            return out
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    if not pc.any(pc.match_substring_regex(a, "[^0-9eE.+-]")).as_py():
        try:
            return pc.cast(a, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    t = pc.utf8_trim_whitespace(a)
    ok = pc.match_substring_regex(t, NUM_RE)
    t = pc.if_else(ok, pc.replace_substring(t, ",", ""), pa.scalar(None, pa.string()))
    return pc.cast(t, pa.float64())


def parse_boolean(a: pa.Array) -> pa.Array:
    """true/false, Y/N, 예/아니오 (any case) as booleans."""
    ok = pc.is_in(a, value_set=_BOOL_ALL)
    return pc.if_else(ok, pc.is_in(a, value_set=_BOOL_TRUE), pa.scalar(None, pa.bool_()))


def bool_vocabularies(a: pa.Array) -> set[str]:
    """The lower-cased boolean words present in `a` (assumes `a` parses as boolean)."""
    return {str(v).lower() for v in pc.unique(a.drop_null()).to_pylist()}


def _validated_date(iso: pa.Array) -> pa.Array:
    """ISO yyyy-mm-dd strings to date32, null where the date does not exist (e.g. 2023-02-29)."""
    try:
        return pc.cast(iso, pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    ts = pc.strptime(iso, format="%Y-%m-%d", unit="s", error_is_null=True)
    same = pc.equal(pc.strftime(ts, format="%Y-%m-%d"), iso)
    return pc.if_else(
        pc.fill_null(same, False), pc.cast(ts, pa.date32()), pa.scalar(None, pa.date32())
    )


def _join_ymd(y: pa.Array, m: pa.Array, d: pa.Array) -> pa.Array:
    """Zero-padded ISO date strings from year, month and day strings."""
    return pc.binary_join_element_wise(y, pc.utf8_lpad(m, 2, "0"), pc.utf8_lpad(d, 2, "0"), "-")


def _from_regex(a: pa.Array, regex: str) -> pa.Array:
    """Dates from a regex with groups y, m, d."""
    parts = pc.extract_regex(pc.utf8_trim_whitespace(a), regex)
    return _validated_date(_join_ymd(*(pc.struct_field(parts, k) for k in ("y", "m", "d"))))


def parse_date_sep(a: pa.Array) -> pa.Array:
    """Dates like 2024-01-05, 2024.01.05, 2024/01/05, 2024. 1. 5. as date32."""
    s = a
    for sep in (".", "/"):
        if pc.any(pc.match_substring(s, sep)).as_py():
            s = pc.replace_substring(s, sep, "-")
    try:
        return pc.cast(s, pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _from_regex(a, DATE_SEP_RE)


def parse_date_compact(a: pa.Array) -> pa.Array:
    """Dates written yyyymmdd (20240105) as date32; other values become null."""
    ok = pc.and_(pc.equal(pc.utf8_length(a), 8), pc.utf8_is_digit(a))
    s = pc.if_else(ok, a, pa.scalar(None, pa.string()))
    iso = _join_ymd(
        pc.utf8_slice_codeunits(s, 0, 4),
        pc.utf8_slice_codeunits(s, 4, 6),
        pc.utf8_slice_codeunits(s, 6, 8),
    )
    out = _validated_date(iso)
    year = pc.cast(pc.utf8_slice_codeunits(s, 0, 4), pa.int32())
    plausible = pc.and_(pc.greater_equal(year, 1000), pc.less(year, 3000))
    return pc.if_else(pc.fill_null(plausible, False), out, pa.scalar(None, pa.date32()))


def parse_date_korean(a: pa.Array) -> pa.Array:
    """Dates written 2024년 1월 5일 as date32."""
    return _from_regex(a, DATE_KO_RE)


def parse_datetime(a: pa.Array) -> pa.Array:
    """Date-times like 2024-01-05 13:45:00, 2024-01-05T13:45:00(.123), 2024.01.05 13:45 as timestamp[us]."""
    try:
        return pc.cast(a, pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    p = pc.extract_regex(pc.utf8_trim_whitespace(a), DATETIME_RE)
    f = {k: pc.struct_field(p, k) for k in ("y", "m", "d", "H", "M", "S", "f")}
    sec = pc.fill_null(pc.if_else(pc.equal(f["S"], ""), "00", f["S"]), "00")
    hms = pc.binary_join_element_wise(pc.utf8_lpad(f["H"], 2, "0"), f["M"], sec, ":")
    base = pc.binary_join_element_wise(_join_ymd(f["y"], f["m"], f["d"]), hms, " ")
    ts = pc.strptime(base, format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True)
    same = pc.fill_null(pc.equal(pc.strftime(ts, format="%Y-%m-%d %H:%M:%S"), base), False)
    full = pc.binary_join_element_wise(base, pc.fill_null(f["f"], ""), "")
    return pc.cast(pc.if_else(same, full, pa.scalar(None, pa.string())), pa.timestamp("us"))


# candidate name -> (Frictionless type, parser, format for the schema)
PARSERS = {
    "boolean": ("boolean", parse_boolean, None),
    "date_compact": ("date", parse_date_compact, "%Y%m%d"),
    "integer": ("integer", parse_integer, None),
    "number": ("number", parse_number, None),
    "date": ("date", parse_date_sep, None),
    "date_korean": ("date", parse_date_korean, "%Y년 %m월 %d일"),
    "datetime": ("datetime", parse_datetime, None),
}
ORDER = tuple(PARSERS)  # preference: the first candidate with no failures wins
ARROW_TYPES = {
    "boolean": pa.bool_(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us"),
    "string": pa.string(),
}


def failures(src: pa.Array, parsed: pa.Array) -> pa.Array:
    """Boolean mask: the value was present in `src` but did not parse."""
    return pc.and_(pc.is_valid(src), pc.is_null(parsed))


def convert(a: pa.Array, candidate: str | None) -> pa.Array:
    """Convert a string column to its inferred candidate type (string if None)."""
    if candidate is None:
        return a
    return PARSERS[candidate][1](a)
