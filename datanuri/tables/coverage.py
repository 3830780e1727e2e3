"""Which Korean regions a table covers, found in its region columns.

A region column holds 시도/시군구 names in their common forms ("서울", "서울시", "서울특별시",
"경기도 수원시 장안구", road addresses) or 행정구역/법정동 codes ("11", "11110", "1111010100").
Regions are named by id: "11" for a 시도 (its two-digit code), "11:종로구" for a 시군구.
The classification and the counting are pure functions of values and counts; `table_coverage`
and `region_counts` read them from a Parquet file with DuckDB.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from datanuri import regions
from datanuri.regions.ids import region_ids, sido_of_code, sort_ids

#: Rows read to decide whether a column holds regions.
SAMPLE_ROWS = 10_000
#: Share of sampled non-null rows that must name a region (or be a code) for a region column.
MIN_SHARE = 0.8
#: Without a telling column name, values must be region names this often.
MIN_SHARE_UNNAMED = 0.95
#: Distinct combinations of region values read to compute coverage (beyond: the most frequent).
MAX_COMBINATIONS = 200_000
#: Distinct values of a sampled column judged (the most frequent), and the first few that
#: turn away a column plainly not holding regions.
MAX_VALUES = 200
QUICK_VALUES = 20
#: Words of each value kept: "경기도 수원시 장안구 ..." → its first three.
PREFIX_WORDS = 3

NAME_HINT = re.compile(
    r"시도|시군구|시·도|지역|주소|소재지|행정구역|관할|region|sido|sigungu|province|city|district|"
    r"address|addr|location",
    re.IGNORECASE,
)
CODE_HINT = re.compile(
    r"코드|code|_cd\b|\bcd_|행정|법정|adm|sido|sgg|시도|시군구|region|지역", re.IGNORECASE
)
NOT_REGION = re.compile(r"우편|zip|post|전화|phone|tel\b|번호판", re.IGNORECASE)

ColumnKind = Literal["name", "code"]


@dataclass(frozen=True)
class RegionColumn:
    """A column found to hold regions, and how: names (and addresses) or codes."""

    name: str
    kind: ColumnKind


@dataclass(frozen=True)
class Coverage:
    """The region columns of a table and the regions (ids) their values name."""

    columns: tuple[RegionColumn, ...] = ()
    regions: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    def to_profile(self) -> dict[str, object]:
        """The part of a version's profile that records it (no row counts: ids only)."""
        return {
            "columns": [{"name": c.name, "kind": c.kind} for c in self.columns],
            "regions": list(self.regions),
        }


# ----- values ------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _sigungu_names() -> frozenset[str]:
    return frozenset(g for s in regions.sido_list() for g in s.sigungu)


@lru_cache(maxsize=65_536)
def _looks_like_region(value: str) -> bool:
    """Names a region, or is a 시군구 name that another column's 시도 places ("중구")."""
    return bool(region_ids(value)) or value.split(" ")[0] in _sigungu_names()


def _prefix(value: object) -> str:
    return " ".join(str(value).split()[:PREFIX_WORDS])


def classify_column(
    name: str, samples: Iterable[tuple[object, int]], *, integer: bool = False
) -> ColumnKind | None:
    """Whether a column holds region names, region codes or neither, from its name and the
    (value, rows) counts of a sample of its values (its `MAX_VALUES` most frequent are read;
    the first `QUICK_VALUES` of them decide quickly for columns plainly not regions)."""
    if NOT_REGION.search(name):
        return None
    pairs = sorted(
        ((v, int(n)) for v, n in samples if v is not None and str(v).strip()),
        key=lambda p: -p[1],
    )[:MAX_VALUES]
    total = sum(n for _, n in pairs)
    if not total:
        return None
    if CODE_HINT.search(name):
        coded = sum(n for v, n in pairs if sido_of_code(v) is not None)
        if coded / total >= MIN_SHARE_UNNAMED:
            return "code"
    if integer:
        return None
    need = MIN_SHARE if NAME_HINT.search(name) else MIN_SHARE_UNNAMED
    quick = pairs[:QUICK_VALUES]
    if sum(1 for v, _ in quick if _looks_like_region(_prefix(v))) < len(quick) * need / 2:
        return None
    named = sum(n for v, n in pairs if _looks_like_region(_prefix(v)))
    return "name" if named / total >= need else None


def _sido_first(kind_share: tuple[RegionColumn, float]) -> float:
    return -kind_share[1]


def count_regions(
    columns: Sequence[RegionColumn], rows: Iterable[tuple[Sequence[object], int]]
) -> dict[str, int]:
    """Rows per region id over (values of `columns`, rows) combinations.

    Names of all name columns are read together, in order, so a 시군구 column is placed in the
    시도 of the column before it; a 시도 counts the rows of its 시군구 too (each row once).
    """
    counts: dict[str, int] = {}
    for values, n in rows:
        ids: set[str] = set()
        words = []
        for col, v in zip(columns, values, strict=True):
            if v is None:
                continue
            if col.kind == "code":
                code = sido_of_code(v)
                if code:
                    ids.add(code)
            else:
                words.append(_prefix(v))
        ids.update(_ids_of(" , ".join(words)) if words else ())
        ids.update({i.split(":")[0] for i in ids})
        for i in ids:
            counts[i] = counts.get(i, 0) + int(n)
    return counts


@lru_cache(maxsize=65_536)
def _ids_of(text: str) -> tuple[str, ...]:
    return tuple(region_ids(text))


def _order(columns: Sequence[tuple[RegionColumn, float]]) -> tuple[RegionColumn, ...]:
    """Name columns holding 시도 alone first, so the 시군구 after them are placed."""
    return tuple(c for c, _ in sorted(columns, key=_sido_first))


def sido_share(samples: Iterable[tuple[object, int]]) -> float:
    """Share of the sampled rows whose value is a 시도 name alone ("서울", "경기도")."""
    pairs = [(v, int(n)) for v, n in samples if v is not None]
    total = sum(n for _, n in pairs) or 1
    alone = sum(n for v, n in pairs if (ids := region_ids(str(v))) and ":" not in ids[0])
    return alone / total


# ----- files -------------------------------------------------------------------------------
def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _may_hold_regions(name: str, head: Sequence[object], integer: bool) -> bool:
    """A cheap first look at a column's first values: could it hold regions at all?"""
    if NOT_REGION.search(name):
        return False
    if not head:  # empty so far: the sample decides
        return not integer or bool(CODE_HINT.search(name))
    if CODE_HINT.search(name) and any(sido_of_code(v) is not None for v in head):
        return True
    return not integer and any(_looks_like_region(_prefix(v)) for v in head)


def find_region_columns(path: Path) -> tuple[RegionColumn, ...]:
    """The region columns of a Parquet file, judged on its first `SAMPLE_ROWS` rows (after a
    look at the first `QUICK_VALUES` rows of every column turns most columns away, so wide
    tables cost little)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    types = {
        f.name: pa.types.is_integer(f.type)
        for f in pf.schema_arrow
        if pa.types.is_string(f.type)
        or pa.types.is_large_string(f.type)
        or pa.types.is_integer(f.type)
    }
    if not types or pf.metadata.num_rows == 0:
        return ()
    head = next(pf.iter_batches(batch_size=QUICK_VALUES, columns=list(types)), None)
    if head is None:
        return ()
    candidates = [
        name
        for i, name in enumerate(head.schema.names)
        if _may_hold_regions(name, head.column(i).drop_null().to_pylist(), types[name])
    ]
    if not candidates:
        return ()
    batch = next(pf.iter_batches(batch_size=SAMPLE_ROWS, columns=candidates))
    found: list[tuple[RegionColumn, float]] = []
    for i, name in enumerate(batch.schema.names):
        column = batch.column(i)
        counted = pc.value_counts(column.drop_null())
        top = pa.table({"v": counted.field("values"), "n": counted.field("counts")})
        order = pc.sort_indices(top, sort_keys=[("n", "descending"), ("v", "ascending")])
        top = top.take(order[:MAX_VALUES])  # the most frequent, in a stable order
        samples = list(zip(top.column("v").to_pylist(), top.column("n").to_pylist(), strict=True))
        kind = classify_column(name, samples, integer=types[name])
        if kind is not None:
            share = sido_share(samples) if kind == "name" else 1.0
            found.append((RegionColumn(name, kind), share))
    return _order(found)


def region_counts(path: Path, columns: Sequence[RegionColumn]) -> dict[str, int]:
    """Rows per region id of the whole Parquet file, over the given region columns."""
    import duckdb

    if not columns:
        return {}
    exprs = [
        f"regexp_extract(CAST({_q(c.name)} AS VARCHAR), "
        f"'^\\s*(\\S+(\\s+\\S+){{0,{PREFIX_WORDS - 1}}})', 1)"
        if c.kind == "name"
        else f"CAST({_q(c.name)} AS VARCHAR)"
        for c in columns
    ]
    keys = ", ".join(f"{e} AS k{i}" for i, e in enumerate(exprs))
    groups = ", ".join(f"k{i}" for i in range(len(exprs)))
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"SELECT {groups}, count(*) AS n FROM (SELECT {keys} FROM read_parquet(?)) "
            f"GROUP BY {groups} ORDER BY n DESC, {groups} LIMIT {MAX_COMBINATIONS}",
            [str(path)],
        ).fetchall()
    finally:
        con.close()
    return count_regions(columns, ((r[:-1], r[-1]) for r in rows))


def table_coverage(path: Path) -> Coverage:
    """The region columns of a Parquet file and the regions they name (ids, shipped order)."""
    columns = find_region_columns(path)
    counts = region_counts(path, columns)
    return Coverage(columns, sort_ids(counts), counts)


def sido_coverage(coverage: dict[str, object]) -> dict[str, object]:
    """A profile's coverage with only the 시도 of its regions (for data whose rows are private:
    a 시군구 list of, say, patients' homes says more than a 시도 does)."""
    ids = coverage.get("regions")
    regions = [str(i).split(":")[0] for i in ids] if isinstance(ids, list) else []
    return {**coverage, "regions": list(sort_ids(regions))}
