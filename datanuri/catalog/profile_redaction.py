"""Profile values that are row data in disguise, withheld from viewers who may not read the rows.

A column whose values are mostly distinct (a 접수번호, an exact 접수시각) shows, in its top
values, minimum, maximum, quantiles and histogram edges, values of single rows. For restricted
and personal datasets, viewers who may not read the rows get such columns with counts, nulls,
distinct count and type only. Pure functions over the stored profile (a JSON dict).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datanuri.catalog.guards import PROFILE_SAFE_KEYS

# A column is row-like when more than this share of its values are distinct.
HIGH_CARDINALITY_RATIO = 0.5
# Types whose values at full precision point at single rows (an exact time of an event).
FULL_PRECISION_TYPES = frozenset({"datetime", "time"})
ROW_LIKE_KEY = "row_like_withheld"  # the profile's record of the columns withheld here
# Access levels whose profiles are screened for viewers who may not read the rows.
SCREENED_LEVELS = frozenset({"restricted", "personal"})


def is_row_like(column: Mapping[str, Any]) -> bool:
    """Whether a profiled column's values would show single rows: mostly distinct, any frequent
    value seen only once, or a timestamp at full precision."""
    if column.get("type") in FULL_PRECISION_TYPES:
        return True
    count = column.get("count") or 0
    distinct = column.get("distinct", column.get("distinct_count"))
    if isinstance(distinct, (int, float)) and count and distinct / count > HIGH_CARDINALITY_RATIO:
        return True
    tops = column.get("top_values") or ()
    return any(isinstance(t, Mapping) and t.get("count") == 1 for t in tops)


def withhold_row_like(profile: Mapping[str, Any]) -> dict[str, Any]:
    """`profile` with row-like columns reduced to counts and types (marked `withheld`), and the
    names of those columns recorded under `row_like_withheld`."""
    cols: list[dict[str, Any]] = []
    names: list[str] = []
    for c in profile.get("columns", []):
        if is_row_like(c) and not c.get("withheld"):  # (a screened column has no values left)
            cols.append({k: c[k] for k in PROFILE_SAFE_KEYS if k in c} | {"withheld": True})
            names.append(str(c.get("name")))
        else:
            cols.append(dict(c))
    return {
        **{k: v for k, v in profile.items() if k != "columns"},
        "columns": cols,
        ROW_LIKE_KEY: names,
    }
