"""Exploring a version's rows before download: filter, sort and page them, chart one column,
and find the points or regions to map, with DuckDB over the version's Parquet file.

Column names are checked against the file's schema and quoted; values are bound parameters,
never formatted into SQL. The functions over a path are the logic; `explore_*` put the
catalog's access check (and the access log) in front of them, the same as the preview.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from datanuri import errors
from datanuri.accounts.principal import Principal
from datanuri.catalog import messages as M
from datanuri.catalog.export import read_slice
from datanuri.tables.coverage import find_region_columns, region_counts

if TYPE_CHECKING:
    from datanuri.catalog.service import CatalogService

Op = Literal["eq", "contains", "range"]
OPS: tuple[str, ...] = ("eq", "contains", "range")
Kind = Literal["number", "temporal", "text", "other"]
MAX_ROWS = 1000
BINS = 20
TOP = 10
MAX_POINTS = 2000
#: South Korea, with its islands: points outside are not drawn.
KOREA_BOX = (33.0, 38.9, 124.5, 131.9)  # lat min, lat max, lon min, lon max
LAT_NAME = re.compile(r"^(위도|lat|latitude|y좌표|gps_?lat|.*_lat|lat_.*|.*위도)$", re.IGNORECASE)
LON_NAME = re.compile(
    r"^(경도|lon|lng|long|longitude|x좌표|gps_?lon|.*_(lon|lng)|(lon|lng)_.*|.*경도)$",
    re.IGNORECASE,
)
Pair = tuple[str, str]


@dataclass(frozen=True)
class RowFilter:
    """One condition on a column: equals `value`, contains `value`, or lies in [low, high]."""

    column: str
    op: Op = "eq"
    value: str | None = None
    low: str | None = None
    high: str | None = None


@dataclass(frozen=True)
class RowQuery:
    """Which rows to show: all `filters` apply, sorted by `sort` (file order if None)."""

    filters: tuple[RowFilter, ...] = ()
    sort: str | None = None
    descending: bool = False
    offset: int = 0
    limit: int = 20


@dataclass(frozen=True)
class RowPage:
    columns: list[str]
    rows: list[list[Any]]
    matched: int  # rows that pass the filters
    offset: int
    limit: int


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    low: Any = None  # a histogram bin's edges
    high: Any = None


@dataclass(frozen=True)
class ColumnChart:
    """A histogram of a number or date column, or the most frequent values of another."""

    column: str
    kind: Literal["histogram", "top"]
    bars: tuple[Bar, ...]
    distinct: int | None = None  # of a "top" chart: how many values there are in all


@dataclass(frozen=True)
class MapData:
    """What to draw on a map of a table: its points, or its rows per region."""

    lat: str | None = None
    lon: str | None = None
    points: tuple[tuple[float, float], ...] = ()
    points_total: int = 0  # rows with a position in Korea (only MAX_POINTS are drawn)
    region_columns: tuple[str, ...] = ()
    regions: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.points and not self.regions


# ----- columns -------------------------------------------------------------------------------
def column_kinds(path: Path) -> dict[str, Kind]:
    """Each column of the file and what it can be filtered and charted as."""
    return {f.name: _kind(f.type) for f in pq.read_schema(path)}


def _kind(t: pa.DataType) -> Kind:
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "number"
    if pa.types.is_date(t) or pa.types.is_timestamp(t):
        return "temporal"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_boolean(t):
        return "text"
    return "other"


def check_query(query: RowQuery, kinds: dict[str, Kind]) -> Pair | None:
    """What is wrong with `query` for a table with these columns, as (Korean, English), or None."""
    for f in query.filters:
        if f.column not in kinds:
            return _fmt(M.EXPLORE_NO_COLUMN, column=f.column)
        if f.op not in OPS:
            return _fmt(M.EXPLORE_BAD_OP, op=f.op)
        bounds = (f.low, f.high) if f.op == "range" else (f.value,)
        if not any(b not in (None, "") for b in bounds):
            return _fmt(M.EXPLORE_NO_VALUE, column=f.column)
        if f.op != "contains" and kinds[f.column] in ("number", "temporal"):
            for b in bounds:
                if b not in (None, "") and _parse(b, kinds[f.column]) is None:
                    return _fmt(
                        M.EXPLORE_BAD_NUMBER if kinds[f.column] == "number" else M.EXPLORE_BAD_DATE,
                        column=f.column,
                        value=b,
                    )
        if f.op == "range" and kinds[f.column] == "other":
            return _fmt(M.EXPLORE_NO_RANGE, column=f.column)
    if query.sort is not None and query.sort not in kinds:
        return _fmt(M.EXPLORE_NO_COLUMN, column=query.sort)
    if query.offset < 0 or not 1 <= query.limit <= MAX_ROWS:
        return _fmt(M.EXPLORE_BAD_PAGE, limit=MAX_ROWS)
    return None


def _fmt(pair: Pair, **kw: Any) -> Pair:
    return (pair[0].format(**kw), pair[1].format(**kw))


def _parse(text: str, kind: Kind) -> Any:
    text = text.strip()
    try:
        if kind == "number":
            v = float(text.replace(",", ""))
            return v if math.isfinite(v) else None
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _where(filters: Sequence[RowFilter], kinds: dict[str, Kind]) -> tuple[str, list[Any]]:
    """The WHERE clause of the filters (names quoted from the schema, values bound)."""
    parts: list[str] = []
    params: list[Any] = []
    for f in filters:
        c, kind = _q(f.column), kinds[f.column]
        if f.op == "contains" or kind in ("text", "other"):
            text = f"CAST({c} AS VARCHAR)"
            if f.op == "contains":
                parts.append(f"contains(lower({text}), lower(?))")
                params.append(f.value or "")
            elif f.op == "eq":
                parts.append(f"{text} = ?")
                params.append(f.value or "")
            else:
                for b, cmp in ((f.low, ">="), (f.high, "<=")):
                    if b not in (None, ""):
                        parts.append(f"{text} {cmp} ?")
                        params.append(b)
            continue
        x = f"CAST({c} AS DOUBLE)" if kind == "number" else f"CAST({c} AS TIMESTAMP)"
        bounds = [(f.value, "=")] if f.op == "eq" else [(f.low, ">="), (f.high, "<=")]
        for b, cmp in bounds:
            if b in (None, ""):
                continue
            v = _parse(b, kind)
            if kind == "temporal" and cmp == "<=" and len(b.strip()) <= 10:
                v = v + dt.timedelta(days=1)  # an end date includes its whole day
                cmp = "<"
            if isinstance(v, dt.datetime) and v.tzinfo is not None:
                v = v.astimezone(dt.UTC).replace(tzinfo=None)
            if kind == "temporal" and cmp == "=" and len(b.strip()) <= 10:
                parts.append(f"CAST({c} AS DATE) = ?")
                params.append(v.date())
                continue
            parts.append(f"{x} {cmp} ?")
            params.append(v)
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def _connect() -> Any:
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads=1")
    return con


# ----- rows ----------------------------------------------------------------------------------
def query_rows(path: Path, query: RowQuery) -> RowPage:
    """One page of the rows of the file that pass the filters, in the order asked."""
    kinds = column_kinds(path)
    problem = check_query(query, kinds)
    if problem is not None:
        raise errors.InvalidInput(problem[1])
    cols = list(kinds)
    if not query.filters and query.sort is None:  # file order: read only the row groups needed
        table = read_slice(path, query.offset, query.limit)
        rows = [list(r.values()) for r in table.to_pylist()]
        total = pq.ParquetFile(path).metadata.num_rows
        return RowPage(cols, rows, total, query.offset, query.limit)
    where, params = _where(query.filters, kinds)
    select = ", ".join(_q(c) for c in cols)
    src = "read_parquet(?, file_row_number = true)"
    order = "file_row_number"
    if query.sort is not None:
        direction = "DESC" if query.descending else "ASC"
        order = f"{_q(query.sort)} {direction} NULLS LAST, file_row_number"
    con = _connect()
    try:
        matched = con.execute(
            f"SELECT count(*) FROM read_parquet(?){where}", [str(path), *params]
        ).fetchone()[0]
        rows = con.execute(
            f"SELECT {select} FROM {src}{where} ORDER BY {order} LIMIT ? OFFSET ?",
            [str(path), *params, query.limit, query.offset],
        ).fetchall()
    finally:
        con.close()
    return RowPage(cols, [list(r) for r in rows], int(matched), query.offset, query.limit)


# ----- a quick chart -------------------------------------------------------------------------
def chart_column(path: Path, column: str, filters: Sequence[RowFilter] = ()) -> ColumnChart:
    """A histogram (numbers, dates) or the top values (others) of a column, over the rows that
    pass the filters."""
    kinds = column_kinds(path)
    problem = check_query(RowQuery(tuple(filters), sort=column), kinds)
    if problem is not None:
        raise errors.InvalidInput(problem[1])
    where, params = _where(filters, kinds)
    kind = kinds[column]
    c = _q(column)
    con = _connect()
    try:
        if kind in ("number", "temporal"):
            x = f"CAST({c} AS DOUBLE)" if kind == "number" else f"epoch(CAST({c} AS TIMESTAMP))"
            cond = f"{x} IS NOT NULL AND isfinite({x})"
            where_x = f"{where} AND {cond}" if where else f" WHERE {cond}"
            lo, hi = con.execute(
                f"SELECT min({x}), max({x}) FROM read_parquet(?){where_x}", [str(path), *params]
            ).fetchone()
            if lo is None:
                return ColumnChart(column, "histogram", ())
            width = (hi - lo) / BINS if hi > lo else 1.0
            counts = dict(
                con.execute(
                    f"SELECT least(CAST(floor(({x} - ?) / ?) AS BIGINT), {BINS - 1}) AS b, "
                    f"count(*) FROM read_parquet(?){where_x} GROUP BY b",
                    [lo, width, str(path), *params],
                ).fetchall()
            )
            n_bins = BINS if hi > lo else 1
            bars = tuple(
                Bar(
                    f"{_edge(lo + i * width, kind)} – {_edge(edge_hi, kind)}",
                    int(counts.get(i, 0)),
                    _edge(lo + i * width, kind),
                    _edge(edge_hi, kind),
                )
                for i in range(n_bins)
                for edge_hi in (hi if i == n_bins - 1 else lo + (i + 1) * width,)
            )
            return ColumnChart(column, "histogram", bars)
        text = f"CAST({c} AS VARCHAR)"
        rows = con.execute(
            f"SELECT {text} AS v, count(*) AS n FROM read_parquet(?){where} "
            f"GROUP BY v ORDER BY n DESC, v NULLS LAST LIMIT {TOP}",
            [str(path), *params],
        ).fetchall()
        distinct = con.execute(
            f"SELECT count(DISTINCT {text}) FROM read_parquet(?){where}", [str(path), *params]
        ).fetchone()[0]
    finally:
        con.close()
    return ColumnChart(
        column,
        "top",
        tuple(Bar("∅" if v is None else str(v), int(n)) for v, n in rows),
        int(distinct),
    )


def _edge(v: float, kind: Kind) -> Any:
    if kind == "temporal":
        return dt.datetime.fromtimestamp(v, dt.UTC).strftime("%Y-%m-%d")
    return int(v) if float(v).is_integer() else round(v, 6)


# ----- a map -------------------------------------------------------------------------------
def coordinate_columns(kinds: dict[str, Kind]) -> tuple[str, str] | None:
    """The latitude and longitude columns of a table (numbers named so), if it has both."""
    lat = next((c for c, k in kinds.items() if k == "number" and LAT_NAME.match(c)), None)
    lon = next((c for c, k in kinds.items() if k == "number" and LON_NAME.match(c)), None)
    return (lat, lon) if lat and lon else None


def map_data(path: Path, filters: Sequence[RowFilter] = ()) -> MapData:
    """The points of a table with coordinates (those that pass the filters, in Korea, at most
    `MAX_POINTS` in file order), else its rows per region for a table with region columns."""
    kinds = column_kinds(path)
    problem = check_query(RowQuery(tuple(filters)), kinds)
    if problem is not None:
        raise errors.InvalidInput(problem[1])
    coords = coordinate_columns(kinds)
    if coords is not None:
        lat, lon = coords
        where, params = _where(filters, kinds)
        la, lo = f"CAST({_q(lat)} AS DOUBLE)", f"CAST({_q(lon)} AS DOUBLE)"
        inside = f"{la} BETWEEN ? AND ? AND {lo} BETWEEN ? AND ?"
        where = f"{where} AND {inside}" if where else f" WHERE {inside}"
        params = [*params, *KOREA_BOX]
        con = _connect()
        try:
            total = con.execute(
                f"SELECT count(*) FROM read_parquet(?){where}", [str(path), *params]
            ).fetchone()[0]
            pts = con.execute(
                f"SELECT {la}, {lo} FROM read_parquet(?, file_row_number = true){where} "
                f"ORDER BY file_row_number LIMIT {MAX_POINTS}",
                [str(path), *params],
            ).fetchall()
        finally:
            con.close()
        return MapData(lat, lon, tuple((float(a), float(b)) for a, b in pts), int(total))
    return _region_map(path)


@lru_cache(maxsize=64)
def _region_map(path: Path) -> MapData:
    """Rows per region of a whole file (files are named by their content: safe to keep)."""
    columns = find_region_columns(path)
    if not columns:
        return MapData()
    counts = region_counts(path, columns)
    return MapData(region_columns=tuple(c.name for c in columns), regions=counts)


# ----- with the catalog's access check -------------------------------------------------------
def _path(catalog: CatalogService, name: str, number: int | None, principal: Principal) -> Path:
    return catalog.parquet_path(name, number, principal=principal, purpose="preview")


def explore_rows(
    catalog: CatalogService,
    name: str,
    number: int | None,
    query: RowQuery,
    *,
    principal: Principal,
) -> RowPage:
    """`query_rows` of a version, if `principal` may read its rows (logged as a preview)."""
    return query_rows(_path(catalog, name, number, principal), query)


def explore_chart(
    catalog: CatalogService,
    name: str,
    number: int | None,
    column: str,
    filters: Sequence[RowFilter] = (),
    *,
    principal: Principal,
) -> ColumnChart:
    """`chart_column` of a version, if `principal` may read its rows."""
    return chart_column(_path(catalog, name, number, principal), column, filters)


def explore_map(
    catalog: CatalogService,
    name: str,
    number: int | None,
    filters: Sequence[RowFilter] = (),
    *,
    principal: Principal,
) -> MapData:
    """`map_data` of a version, if `principal` may read its rows."""
    return map_data(_path(catalog, name, number, principal), filters)
