"""Per-column profile of a Parquet file, computed by DuckDB.

Columns: name, type, count (non-null values), nulls, distinct (+ distinct_approximate), and by
type min/max, mean/std, p25/p50/p75 (+ quantiles_approximate), top values (up to 10, ties by
value) and a 20-bin histogram (numbers, dates, datetimes). Exact distinct counts and
quantiles up to `EXACT_ROWS` rows; above that HyperLogLog and t-digest approximations.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import duckdb

from datanuri.tables.schema import frictionless_type

EXACT_ROWS = 1_000_000
BINS = 20
TOP = 10


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _json(v: Any) -> Any:
    """A JSON-safe value (dates ISO, NaN/inf as None)."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return v.isoformat()
    if isinstance(v, (int, str, bool)) or v is None:
        return v
    return str(v)


def profile_parquet(path: Path, types: dict[str, str] | None = None, *, threads: int | None = None) -> dict:
    """Profile every column of the Parquet file at `path`."""
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads={int(threads)}")
    src = "read_parquet(" + "'" + str(path).replace("'", "''") + "')"
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    schema, rows = pf.schema_arrow, pf.metadata.num_rows
    exact = rows <= EXACT_ROWS
    cols = []
    parts: list[str] = []
    kinds: dict[str, str] = {}
    for f in schema:
        kind = (types or {}).get(f.name) or frictionless_type(f.type)
        kinds[f.name] = kind
        c = _q(f.name)
        parts += [f"count({c})"]
        if kind in ("array", "object"):
            continue
        parts.append(f"count(DISTINCT {c})" if exact else f"approx_count_distinct({c})")
        if kind in ("integer", "number", "date", "datetime", "string", "time"):
            parts += [f"min({c})", f"max({c})"]
        if kind in ("integer", "number"):
            parts += [f"avg({c}::DOUBLE)", f"stddev_samp({c}::DOUBLE)"]
        if kind in ("integer", "number", "date", "datetime"):
            fn = (lambda p: f"quantile_cont({c}, {p})") if kind in ("integer", "number") and exact else (
                (lambda p: f"quantile_disc({c}, {p})") if exact else (lambda p: f"approx_quantile({c}, {p})"))
            parts += [fn(0.25), fn(0.5), fn(0.75)]
    values = list(con.execute(f"SELECT {', '.join(parts)} FROM {src}").fetchone()) if parts else []
    it = iter(values)
    for f in schema:
        kind = kinds[f.name]
        c = _q(f.name)
        count = int(next(it))
        col: dict[str, Any] = {"name": f.name, "type": kind, "count": count, "nulls": rows - count}
        if kind in ("array", "object"):
            cols.append(col)
            continue
        col["distinct"] = int(next(it))
        col["distinct_approximate"] = not exact
        if kind in ("integer", "number", "date", "datetime", "string", "time"):
            col["min"], col["max"] = _json(next(it)), _json(next(it))
        if kind in ("integer", "number"):
            col["mean"], col["std"] = _json(next(it)), _json(next(it))
        if kind in ("integer", "number", "date", "datetime"):
            col["p25"], col["p50"], col["p75"] = (_json(next(it)) for _ in range(3))
            col["quantiles_approximate"] = not exact
        top = con.execute(f"SELECT {c} AS v, count(*) AS n FROM {src} WHERE {c} IS NOT NULL "
                      f"GROUP BY 1 ORDER BY n DESC, v LIMIT {TOP}").fetchall()
        col["top_values"] = [{"value": _json(v), "count": int(n)} for v, n in top]
        if kind in ("integer", "number", "date", "datetime") and count:
            col["histogram"] = _histogram(con, src, c, kind)
        cols.append(col)
    con.close()
    return {"rows": rows, "columns": cols}


def _histogram(con: duckdb.DuckDBPyConnection, src: str, c: str, kind: str) -> dict:
    """Equal-width bins over [min, max]: edges (BINS+1) and counts (BINS)."""
    x = f"{c}::DOUBLE" if kind in ("integer", "number") else f"epoch({c})"
    lo, hi = con.execute(f"SELECT min({x}), max({x}) FROM {src} WHERE isfinite({x})").fetchone()
    if lo is None:
        return {"edges": [], "counts": []}
    width = (hi - lo) / BINS if hi > lo else 1.0
    rows = con.execute(f"SELECT least(greatest(floor(({x} - {lo!r}) / {width!r}), 0), {BINS - 1})::INT AS b, count(*) "
                   f"FROM {src} WHERE isfinite({x}) GROUP BY 1").fetchall()
    counts = [0] * BINS
    for b, n in rows:
        counts[int(b)] += int(n)
    edges: list[Any] = [lo + i * width for i in range(BINS + 1)]
    if kind == "date":
        edges = [dt.datetime.fromtimestamp(e, dt.timezone.utc).date().isoformat() if i in (0, BINS) else
                 dt.datetime.fromtimestamp(e, dt.timezone.utc).replace(tzinfo=None).isoformat() for i, e in enumerate(edges)]
    elif kind == "datetime":
        edges = [dt.datetime.fromtimestamp(e, dt.timezone.utc).replace(tzinfo=None).isoformat() for e in edges]
    return {"edges": edges, "counts": counts}
