"""Pure logic of MyData: RRN normalisation, the linking identifier (CI) of one number or of a
whole column (vectorised in DuckDB), item and period checks, and picking one person's rows."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datanuri import errors
from datanuri.mydata import messages as M

CI_COLUMN = "_ci"
MAX_PERIOD_DAYS = 365
MAX_PAGE_SIZE = 10_000
FREQUENCIES = ("once", "periodic")
ITEM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_BLOCK = 64  # SHA-256's block size (HMAC, RFC 2104)


def normalise_rrn(rrn: str) -> str:
    """The 13 digits of a resident registration number, without '-' or spaces."""
    digits = re.sub(r"[\s-]", "", str(rrn))
    if not re.fullmatch(r"\d{13}", digits):
        raise errors.InvalidInput(M.MSG_BAD_RRN.format(digits=sum(c.isdigit() for c in digits)))
    return digits


def ci_of(key: bytes, rrn: str) -> str:
    """The linking identifier: hex HMAC-SHA-256 of the normalised RRN under the platform key."""
    return hmac.new(key, normalise_rrn(rrn).encode("ascii"), hashlib.sha256).hexdigest()


def _pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC's inner and outer padded keys (RFC 2104) for SHA-256."""
    padded = key if len(key) <= _BLOCK else hashlib.sha256(key).digest()
    padded = padded.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)


# The CI of each distinct well-formed number of column `s` of table `src` (HMAC once per person,
# not per row): DuckDB's sha256 in the HMAC construction, with $ipad/$opad bound.
_DISTINCT_CI = (
    "h AS (SELECT d, sha256($opad || unhex(sha256($ipad || encode(d)))) AS ci FROM "
    "(SELECT DISTINCT d FROM n WHERE regexp_full_match(d, '[0-9]{13}')))"
)


def _duck() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # never draw on the CLI's or server's output
    return con


def ci_column(key: bytes, values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`ci_of` of every value of a column at once, in order; values that are not a 13-digit
    number give null (rows that name nobody)."""
    ipad, opad = _pads(key)
    src = pa.table({"v": pc.cast(values, pa.string())})  # noqa: F841 (read by DuckDB)
    con = _duck()
    try:
        out = con.sql(
            "WITH n AS (SELECT row_number() OVER () AS i, regexp_replace(v, '[\\s-]', '', 'g') "
            f"AS d FROM src), {_DISTINCT_CI} "
            "SELECT h.ci FROM n LEFT JOIN h USING (d) ORDER BY n.i",
            params={"ipad": ipad, "opad": opad},
        ).to_arrow_table()
    finally:
        con.close()
    return out.column("ci").combine_chunks()


def index_table(key: bytes, table: pa.Table, subject_column: str) -> pa.Table:
    """A version's rows for MyData: the subject column replaced by `_ci`, sorted by it, rows
    without a person left out (never the raw number outside the personal dataset); one DuckDB
    query (HMAC once per distinct number, a parallel sort)."""
    rest = [c for c in table.column_names if c != subject_column]
    src = table.rename_columns([f"c{i}" for i in range(table.num_columns)])  # noqa: F841
    subject = f"c{table.column_names.index(subject_column)}"
    keep = ", ".join(f"n.c{table.column_names.index(c)}" for c in rest)
    ipad, opad = _pads(key)
    con = _duck()
    try:
        out = con.sql(
            f"WITH n AS (SELECT *, regexp_replace(CAST({subject} AS VARCHAR), '[\\s-]', '', 'g') "
            f"AS d FROM src), {_DISTINCT_CI} "
            f"SELECT {keep + ', ' if keep else ''}h.ci AS {CI_COLUMN} FROM n JOIN h USING (d) "
            f"ORDER BY {CI_COLUMN}",
            params={"ipad": ipad, "opad": opad},
        ).to_arrow_table()
    finally:
        con.close()
    return out.rename_columns([*rest, CI_COLUMN])


@dataclass(frozen=True)
class Item:
    """A named group of columns a holder offers, with its Korean and English labels."""

    name: str
    columns: tuple[str, ...]
    label_ko: str
    label_en: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "columns": list(self.columns),
            "label_ko": self.label_ko,
            "label_en": self.label_en,
        }

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> Item:
        return cls(
            name=str(obj["name"]),
            columns=tuple(str(c) for c in obj["columns"]),
            label_ko=str(obj["label_ko"]),
            label_en=str(obj["label_en"]),
        )


def check_items(
    items: Sequence[Item], *, dataset: str, columns: Sequence[str], subject_column: str
) -> tuple[Item, ...]:
    """The offer's items if each has a good name, existing columns, both labels and no subject."""
    if subject_column not in columns:
        raise errors.InvalidInput(
            M.MSG_NO_SUBJECT.format(name=dataset, column=subject_column, columns=", ".join(columns))
        )
    if not items:
        raise errors.InvalidInput(M.MSG_BAD_ITEM.format(problem="no items"))
    seen: set[str] = set()
    for item in items:
        if not ITEM_NAME.match(item.name) or item.name in seen:
            raise errors.InvalidInput(M.MSG_BAD_ITEM.format(problem=f"name {item.name!r}"))
        seen.add(item.name)
        if not item.columns or not item.label_ko.strip() or not item.label_en.strip():
            raise errors.InvalidInput(M.MSG_BAD_ITEM.format(problem=item.name))
        for col in item.columns:
            if col == subject_column:
                raise errors.InvalidInput(M.MSG_SUBJECT_IN_ITEM.format(item=item.name, column=col))
            if col not in columns:
                raise errors.InvalidInput(
                    M.MSG_NO_COLUMN.format(
                        item=item.name, column=col, name=dataset, columns=", ".join(columns)
                    )
                )
    return tuple(items)


def unknown_items(asked: Iterable[str], offered: Iterable[str]) -> list[str]:
    """The asked item names that are not offered (in the order asked)."""
    have = set(offered)
    return [i for i in dict.fromkeys(asked) if i not in have]


def columns_of(items: Iterable[str], offered: Sequence[Item]) -> list[str]:
    """The columns of the named items, each once, in the offer's order."""
    wanted = set(items)
    return list(dict.fromkeys(c for it in offered if it.name in wanted for c in it.columns))


def check_period(days: int) -> int:
    """A consent period: 1 to 365 days."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_PERIOD_DAYS:
        raise errors.InvalidInput(M.MSG_PERIOD.format(max_days=MAX_PERIOD_DAYS, days=days))
    return days


def check_page(page: int, page_size: int) -> None:
    """Pages from 1, of 1 to MAX_PAGE_SIZE rows."""
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise errors.InvalidInput(M.MSG_PAGE.format(max_size=MAX_PAGE_SIZE))


def rows_of(table: pa.Table, ci: str, columns: Sequence[str]) -> pa.Table:
    """One person's rows (by `_ci`) and only `columns`, from an index table sorted by `_ci`:
    a binary search for the run of that CI, so the cost is O(log n + their rows)."""
    col = table.column(CI_COLUMN)
    lo = _bisect(col, ci, left=True)
    hi = _bisect(col, ci, left=False)
    return table.slice(lo, hi - lo).select(list(columns))


def read_person(source: Any, ci: str, columns: Sequence[str]) -> pa.Table:
    """One person's rows from an index Parquet file (`source`: path or file): only the row
    groups whose `_ci` statistics can hold `ci` are read, then the run is found by bisection."""
    pf = pq.ParquetFile(source)
    pos = pf.schema_arrow.get_field_index(CI_COLUMN)
    groups = []
    for g in range(pf.metadata.num_row_groups):
        st = pf.metadata.row_group(g).column(pos).statistics
        if st is None or not st.has_min_max or st.min <= ci <= st.max:
            groups.append(g)
    if not groups:
        return pf.schema_arrow.empty_table().select(list(columns))
    table = pf.read_row_groups(groups, columns=[*columns, CI_COLUMN])
    return rows_of(table, ci, columns)


def _bisect(col: pa.ChunkedArray, value: str, *, left: bool) -> int:
    lo, hi = 0, len(col)
    while lo < hi:
        mid = (lo + hi) // 2
        v = col[mid].as_py()
        if v < value or (not left and v == value):
            lo = mid + 1
        else:
            hi = mid
    return lo
