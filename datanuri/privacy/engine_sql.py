"""The SQL of de-identification on the compute engine, written once (DuckDB dialect; the Spark
engine transpiles it). Pure: text from column names.

Inputs the statements read: ``__src`` (the source Parquet, with its row position ``__row``),
``__code<i>`` (quasi-identifier i: leaf value ``v`` -> integer code ``c``), ``__map<i>``
(quasi-identifier i: leaf value ``v`` -> generalised value ``g``) and ``__fail`` (the
generalised classes that fail: ``q<i>`` per quasi-identifier, and ``__failed``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from datanuri.engine import quote

SOURCE = "__src"
ROW = "__row"
COUNT = "__count"
FIRST = "__first"
FAIL = "__fail"
FAILED = "__failed"


def map_name(i: int) -> str:
    """The mapping table of the i-th quasi-identifier."""
    return f"__map{i}"


def fail_column(i: int) -> str:
    """The column of the i-th quasi-identifier in the table of failing classes."""
    return f"q{i}"


def code_name(i: int) -> str:
    """The coding table of the i-th quasi-identifier (leaf value ``v`` -> code ``c``)."""
    return f"__code{i}"


def code_column(i: int) -> str:
    """The column of the i-th quasi-identifier's code in the coded frequency table."""
    return f"__q{i}"


def values_sql(column: str) -> str:
    """Records per distinct value ``v`` of ``column`` (a null counting as one value), as
    ``__count``, and the value's first source row ``__first``."""
    c = quote(column)
    return (
        f"SELECT {c} AS v, count(*) AS {quote(COUNT)}, min({quote(ROW)}) AS {quote(FIRST)} "
        f"FROM {SOURCE} GROUP BY {c}"
    )


def coded_frequency_sql(quasi_identifiers: Sequence[str], extra: Sequence[str] = ()) -> str:
    """Records per distinct combination of the quasi-identifiers' codes (``__q<i>``: the value's
    code in ``__code<i>``, null for a null value) and the ``extra`` columns, as ``__count``, in
    the order the combinations first occur in the source (sorted by the engine, which spills to
    disk, rather than in this process)."""
    codes = [f"c{i}.c AS {quote(code_column(i))}" for i in range(len(quasi_identifiers))]
    keys = [quote(code_column(i)) for i in range(len(quasi_identifiers))] + [
        f"s.{quote(c)}" for c in extra
    ]
    joins = " ".join(
        f"LEFT JOIN {code_name(i)} AS c{i} ON s.{quote(c)} = c{i}.v"
        for i, c in enumerate(quasi_identifiers)
    )
    select = ", ".join(codes + [f"s.{quote(c)} AS {quote(c)}" for c in extra])
    return (
        f"SELECT {select}, count(*) AS {quote(COUNT)} FROM {SOURCE} AS s {joins} "
        f"GROUP BY {', '.join(keys)} ORDER BY min(s.{quote(ROW)})"
    )


def release_sql(
    columns: Sequence[str],
    quasi_identifiers: Sequence[str],
    *,
    suppression: Literal["remove", "mask"] = "remove",
) -> str:
    """Every source column, the quasi-identifiers replaced by their generalised values; records
    of failing classes removed (or their quasi-identifiers set to ``*``), in source order."""
    qi = {name: i for i, name in enumerate(quasi_identifiers)}
    failed = f"f.{quote(FAILED)}"
    select = []
    for c in columns:
        if c in qi:
            g = f"m{qi[c]}.g"
            value = (
                g
                if suppression == "remove"
                else f"CASE WHEN {failed} IS NULL THEN {g} ELSE '*' END"
            )
            select.append(f"{value} AS {quote(c)}")
        else:
            select.append(f"s.{quote(c)}")
    joins = [f"LEFT JOIN {map_name(i)} AS m{i} ON s.{quote(c)} = m{i}.v" for c, i in qi.items()]
    match = " AND ".join(
        f"m{i}.g IS NOT DISTINCT FROM f.{fail_column(i)}" for i in range(len(quasi_identifiers))
    )
    joins.append(f"LEFT JOIN {FAIL} AS f ON {match}")
    where = f" WHERE {failed} IS NULL" if suppression == "remove" else ""
    return (
        f"SELECT {', '.join(select)} FROM {SOURCE} AS s {' '.join(joins)}{where} "
        f"ORDER BY s.{quote(ROW)}"
    )


# ----- the release gate's inputs on the engine (datanuri.privacy.large_gate) ----------------
RELEASE = "__rel"


def class_table_sql(columns: Sequence[str]) -> str:
    """Records per distinct combination of ``columns`` in the release (column ``__count``)."""
    cols = ", ".join(quote(c) for c in columns)
    return f"SELECT {cols}, count(*) AS {quote(COUNT)} FROM {RELEASE} GROUP BY {cols}"


def unique_share_sql(column: str) -> str:
    """Of ``column`` in the release: its distinct non-null values (``d``) and how many records
    hold a value no other record holds (``u``)."""
    c = quote(column)
    return (
        f"SELECT count(*) AS d, coalesce(sum(CASE WHEN n = 1 THEN 1 ELSE 0 END), 0) AS u "
        f"FROM (SELECT {c}, count(*) AS n FROM {RELEASE} WHERE {c} IS NOT NULL GROUP BY {c}) AS v"
    )


def distinct_counts_sql(columns: Sequence[str]) -> str:
    """Distinct values of each of ``columns`` in the source, a null counting as one value
    (columns ``d0``, ``d1``...), and the records ``n``."""
    parts = [
        f"count(DISTINCT {quote(c)}) + max(CASE WHEN {quote(c)} IS NULL THEN 1 ELSE 0 END) AS d{i}"
        for i, c in enumerate(columns)
    ]
    return f"SELECT {', '.join(parts)}, count(*) AS n FROM {SOURCE}"


def pair_check_sql(a: str, b: str) -> str:
    """Of columns ``a`` and ``b`` in the source: their distinct pairs (nulls included, ``p``)
    and the records whose two values differ as text (``x``; 0: an exact copy)."""
    qa, qb = quote(a), quote(b)
    same = (
        f"(({qa} IS NULL AND {qb} IS NULL) OR "
        f"coalesce(CAST({qa} AS VARCHAR) = CAST({qb} AS VARCHAR), false))"
    )
    return (
        f"SELECT (SELECT count(*) FROM (SELECT DISTINCT {qa}, {qb} FROM {SOURCE}) AS d) AS p, "
        f"(SELECT count(*) FROM {SOURCE} WHERE NOT {same}) AS x"
    )
