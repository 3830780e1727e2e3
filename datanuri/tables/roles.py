"""Identifiers and codes among a table's columns (pure functions over names and profile stats).

A 사고번호 or 접수번호 is stored as an integer but is not a quantity: its mean and histogram say
nothing. A column is an identifier (one value per row) or a code (a category written in
digits: 법정동코드, a zip code) when its name says so, or its values do: unique integers in an
almost gapless run (1, 2, 3, ... or 2023000101, 2023000102, ...), or digit strings of one width
with leading zeros. The role goes into the schema field (`role`), and the profile treats the
column as categories: counts, distinct values and top values, no mean, quantiles or histogram.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

IDENTIFIER = "identifier"
CODE = "code"
# name parts that mark a column as an identifier or code
KO_HINTS = ("번호", "코드", "식별", "우편", "일련", "순번", "연번", "아이디")
EN_HINTS = frozenset({"id", "no", "code", "cd", "key", "zip", "zipcode", "postal", "seq", "sn"})
YEAR_HINTS = ("연도", "년도", "year")
NEAR_UNIQUE = 0.95  # an identifier with a hint: at least this share of its values distinct
RUN_MIN_VALUES = 20  # a gapless run is only telling in a column this long
RUN_SLACK = 1.1  # a run: (max - min + 1) at most this many times the number of values
# the profile keys of a quantity, dropped for identifiers and codes
QUANTITY_KEYS = ("mean", "std", "p25", "p50", "p75", "quantiles_approximate", "histogram")

_WORD_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def name_hint(name: str) -> bool:
    """Whether a column name says identifier or code (사고번호, 법정동코드, station_id, zipCode)."""
    if any(h in name for h in KO_HINTS):
        return True
    words = {w.lower() for w in _WORD_RE.findall(name)}
    return bool(words & EN_HINTS) or "id" in name.lower().split("_")


def _year_like(name: str, lo: Any, hi: Any) -> bool:
    if any(h in name.lower() for h in YEAR_HINTS):
        return True
    return isinstance(lo, int) and isinstance(hi, int) and 1900 <= lo <= hi <= 2100


def column_role(name: str, stats: Mapping[str, Any]) -> str | None:
    """`identifier`, `code` or None for one profiled column (its `type`, `count`, `distinct`,
    `min`, `max`); `digit_codes` in `stats` is true for text columns of one-width digit strings."""
    kind, count = stats.get("type"), int(stats.get("count") or 0)
    distinct = int(stats.get("distinct") or 0)
    if count == 0:
        return None
    hint = name_hint(name)
    if kind not in ("integer", "string"):
        return None
    if hint:
        return IDENTIFIER if count >= 2 and distinct >= NEAR_UNIQUE * count else CODE
    if kind == "string":
        return CODE if stats.get("digit_codes") else None
    lo, hi = stats.get("min"), stats.get("max")
    if not isinstance(lo, int) or not isinstance(hi, int) or lo < 0 or _year_like(name, lo, hi):
        return None
    run = hi - lo + 1 <= RUN_SLACK * count
    if distinct == count and count >= RUN_MIN_VALUES and run:
        return IDENTIFIER
    return None


def digit_codes(chunks: Iterable[Any]) -> bool:
    """Whether a text column (Arrow arrays, read a part at a time) holds only digit strings of
    one width, some with a leading zero (05510, 00123): codes, never numbers."""
    import pyarrow.compute as pc

    widths: set[int] = set()
    leading_zero = False
    for values in chunks:
        v = values.drop_null()
        if not len(v):
            continue
        if not pc.all(pc.utf8_is_digit(v)).as_py():
            return False
        width = pc.min_max(pc.utf8_length(v)).as_py()
        widths.update((width["min"], width["max"]))
        if len(widths) > 1:
            return False
        leading_zero = leading_zero or bool(pc.any(pc.starts_with(v, "0")).as_py())
    return len(widths) == 1 and leading_zero


def apply_roles(schema: dict, profile: dict, roles: Mapping[str, str]) -> tuple[dict, dict]:
    """The schema with each role on its field, and the profile with those columns as categories."""
    fields = [
        {**f, "role": roles[f["name"]]} if f.get("name") in roles else f
        for f in schema.get("fields", [])
    ]
    columns = [
        {k: v for k, v in c.items() if k not in QUANTITY_KEYS} | {"role": roles[c["name"]]}
        if c.get("name") in roles
        else c
        for c in profile.get("columns", [])
    ]
    return {**schema, "fields": fields}, {**profile, "columns": columns}
