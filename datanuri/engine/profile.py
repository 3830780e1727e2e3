"""The column profile of a (large) Parquet file as engine SQL, written once for DuckDB and Spark.

The statistics are those of :func:`datanuri.tables.profile.profile_parquet` computed exactly
(as it does for files up to ``EXACT_ROWS`` rows, where the two agree): count, nulls, distinct,
min/max, mean/std, p25/p50/p75 (linear interpolation for numbers, the value at rank ceil(n·q)
for dates and date-times), the top values and the 20-bin histogram. Quantiles come from the
order statistics (one ``GROUP BY`` value with a running count, then the interpolation here), so
both engines give the same figures; mean and std are the engine's (equal up to rounding in the
last bits, since the engines add in different orders). Nothing proportional to rows is held
in Python.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from datanuri.engine.base import Engine, Parquet, quote
from datanuri.tables.profile import _HIST_KINDS, BINS, QUANTILES, TOP, _json
from datanuri.tables.schema import frictionless_type

SOURCE = "__src"
ORDERED = ("integer", "number", "date", "datetime", "string", "time")
_FINITE = "BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308"


def _x(c: str, kind: str) -> str:
    """The column as a double for binning (seconds since the epoch for dates and date-times)."""
    if kind in ("integer", "number"):
        return f"CAST({c} AS DOUBLE)"
    return f"epoch_us(CAST({c} AS TIMESTAMP)) / CAST(1000000 AS DOUBLE)"


def _double(v: float) -> str:
    """A double literal both dialects read as a double (not a decimal)."""
    return f"CAST('{float(v)!r}' AS DOUBLE)"


def _plain(v: Any) -> Any:
    """A value as the in-process profile reports it (date-times without a time zone)."""
    if hasattr(v, "tzinfo") and getattr(v, "tzinfo", None) is not None:
        v = v.replace(tzinfo=None)
    return _json(v)


def profile_on_engine(
    engine: Engine, path: Path, types: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The profile of every column of the Parquet file at `path`, computed by `engine`."""
    schema = pq.read_schema(path)
    rows = pq.ParquetFile(path).metadata.num_rows
    inputs = {SOURCE: Parquet(path)}
    kinds = [(f, (types or {}).get(f.name) or frictionless_type(f.type)) for f in schema]
    parts: list[str] = []
    for i, (f, kind) in enumerate(kinds):
        c = quote(f.name)
        parts.append(f"count({c}) AS n{i}")
        if kind in ("array", "object"):
            continue
        parts.append(f"count(DISTINCT {c}) AS d{i}")
        if kind in ORDERED:
            parts += [f"min({c}) AS lo{i}", f"max({c}) AS hi{i}"]
        if kind in ("integer", "number"):
            parts += [
                f"avg(CAST({c} AS DOUBLE)) AS m{i}",
                f"stddev_samp(CAST({c} AS DOUBLE)) AS s{i}",
            ]
        if kind in _HIST_KINDS:
            x = _x(c, kind)
            parts += [
                f"min({x}) FILTER (WHERE {x} {_FINITE}) AS xl{i}",
                f"max({x}) FILTER (WHERE {x} {_FINITE}) AS xh{i}",
            ]
    first = engine.query(f"SELECT {', '.join(parts)} FROM {SOURCE}", inputs).to_pylist()[0]
    cols = []
    for i, (f, kind) in enumerate(kinds):
        c = quote(f.name)
        count = int(first[f"n{i}"])
        col: dict[str, Any] = {"name": f.name, "type": kind, "count": count, "nulls": rows - count}
        cols.append(col)
        if kind in ("array", "object"):
            continue
        col["distinct"] = int(first[f"d{i}"])
        col["distinct_approximate"] = False
        if kind in ORDERED:
            col["min"], col["max"] = _plain(first[f"lo{i}"]), _plain(first[f"hi{i}"])
        if kind in ("integer", "number"):
            col["mean"], col["std"] = _json(first[f"m{i}"]), _json(first[f"s{i}"])
        if kind in _HIST_KINDS:
            qs = _quantiles(engine, inputs, c, kind, count)
            col["p25"], col["p50"], col["p75"] = (_plain(v) for v in qs)
            col["quantiles_approximate"] = False
        top = engine.query(
            f"SELECT {c} AS v, count(*) AS n FROM {SOURCE} WHERE {c} IS NOT NULL "
            f"GROUP BY {c} ORDER BY n DESC, v LIMIT {TOP}",
            inputs,
        )
        col["top_values"] = [
            {"value": _plain(r["v"]), "count": int(r["n"])} for r in top.to_pylist()
        ]
        if kind in _HIST_KINDS and count:
            col["histogram"] = _histogram(engine, inputs, c, kind, first[f"xl{i}"], first[f"xh{i}"])
    return {"rows": rows, "columns": cols}


def _order_statistics(
    engine: Engine, inputs: Mapping[str, Parquet], c: str, ranks: list[int]
) -> dict[int, Any]:
    """The values at 1-based `ranks` of the column's non-null values in ascending order."""
    values = ", ".join(f"({r})" for r in sorted(set(ranks)))
    sql = (
        f"WITH c AS (SELECT {c} AS x, count(*) AS n FROM {SOURCE} WHERE {c} IS NOT NULL "
        f"GROUP BY {c}), w AS (SELECT x, sum(n) OVER (ORDER BY x ROWS BETWEEN UNBOUNDED "
        f"PRECEDING AND CURRENT ROW) AS cum FROM c) "
        f"SELECT r.k AS k, min(w.x) AS v FROM (VALUES {values}) AS r(k) JOIN w ON w.cum >= r.k "
        f"GROUP BY r.k"
    )
    return {int(r["k"]): r["v"] for r in engine.query(sql, inputs).to_pylist()}


def _quantiles(
    engine: Engine, inputs: Mapping[str, Parquet], c: str, kind: str, n: int
) -> list[Any]:
    """p25/p50/p75 with DuckDB's definitions: linear interpolation between order statistics for
    numbers (quantile_cont), the value at rank ceil(n·q) otherwise (quantile_disc)."""
    if n == 0:
        return [None] * len(QUANTILES)
    if kind in ("integer", "number"):
        pos = [(n - 1) * q for q in QUANTILES]
        ranks = [int(math.floor(p)) + 1 for p in pos] + [
            min(int(math.floor(p)) + 2, n) for p in pos
        ]
        stats = _order_statistics(engine, inputs, c, ranks)
        out = []
        for p in pos:
            lo, frac = int(math.floor(p)), p - math.floor(p)
            a = float(stats[lo + 1])
            out.append(a if frac == 0 else a * (1 - frac) + float(stats[lo + 2]) * frac)
        return out
    ranks = [max(math.ceil(n * q), 1) for q in QUANTILES]
    stats = _order_statistics(engine, inputs, c, ranks)
    return [stats[r] for r in ranks]


def _histogram(
    engine: Engine,
    inputs: Mapping[str, Parquet],
    c: str,
    kind: str,
    lo: float | None,
    hi: float | None,
) -> dict[str, Any]:
    """Equal-width bins over the finite [min, max], as the in-process profile draws them."""
    if lo is None or hi is None:
        return {"edges": [], "counts": []}
    x = _x(c, kind)
    width = (hi - lo) / BINS if hi > lo else 1.0
    table: pa.Table = engine.query(
        f"SELECT CAST(least(greatest(floor(({x} - {_double(lo)}) / {_double(width)}), 0), "
        f"{BINS - 1}) AS INT)"
        f" AS b, count(*) AS n FROM {SOURCE} WHERE {x} {_FINITE} GROUP BY 1",
        inputs,
    )
    counts = [0] * BINS
    for r in table.to_pylist():
        counts[int(r["b"])] += int(r["n"])
    return {"edges": _edges(lo, width, kind), "counts": counts}


def _edges(lo: float, width: float, kind: str) -> list[Any]:
    """The BINS + 1 edges, dates and date-times as ISO text (as the in-process profile writes)."""
    edges: list[Any] = [lo + i * width for i in range(BINS + 1)]
    if kind == "date":
        return [
            dt.datetime.fromtimestamp(e, dt.UTC).date().isoformat()
            if i in (0, BINS)
            else dt.datetime.fromtimestamp(e, dt.UTC).replace(tzinfo=None).isoformat()
            for i, e in enumerate(edges)
        ]
    if kind == "datetime":
        return [
            dt.datetime.fromtimestamp(e, dt.UTC).replace(tzinfo=None).isoformat() for e in edges
        ]
    return edges
