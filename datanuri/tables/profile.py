"""Per-column profile of a Parquet file, computed by DuckDB.

Columns: name, type, count (non-null values), nulls, distinct (+ distinct_approximate), and by
type min/max, mean/std, p25/p50/p75 (+ quantiles_approximate), top values (up to 10, ties by
value) and a 20-bin histogram (numbers, dates, datetimes). Everything is exact up to
`EXACT_ROWS` rows. Above that: HyperLogLog distinct counts; quantiles still exact (one column
in memory, partial sort) up to `QUANTILE_EXACT_ROWS`, t-digest beyond; top values (+
top_values_approximate) exact for columns with few distinct values, otherwise the exact counts
of the values a space-saving sketch (`approx_top_k`) proposes. Mean and std are computed in
file order with Arrow, so the profile of the same file is always the same; past
`QUANTILE_EXACT_ROWS` one row group at a time (merged as they come), so no column is read whole.
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
# Above EXACT_ROWS, exact quantiles from one column in memory up to this.
QUANTILE_EXACT_ROWS = 25_000_000
QUANTILES = (0.25, 0.5, 0.75)
EXACT_TOP_DISTINCT = 100_000  # above EXACT_ROWS, exact top values only for columns this small


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _one_row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    """The row of an aggregate query without GROUP BY (SQL always returns exactly one)."""
    rows = con.execute(sql).fetchall()  # fetched to the end: the connection is free again
    assert len(rows) == 1, sql
    return tuple(rows[0])


def _json(v: Any) -> Any:
    """A JSON-safe value (dates ISO, NaN/inf as None)."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return v.isoformat()
    if isinstance(v, (int, str, bool)) or v is None:
        return v
    return str(v)


def profile_parquet(
    path: Path, types: dict[str, str] | None = None, *, threads: int | None = None
) -> dict:
    """Profile every column of the Parquet file at `path`.

    One query per column for its statistics (DuckDB reads only that column, and runs many
    narrow queries much faster than one wide one), then one for its histogram and one for its
    top values. Up to `EXACT_ROWS` rows the column is read once into Arrow with the file's footer
    parsed once (a query on the file re-reads a footer that grows with the columns, which made
    wide tables quadratic). The top values are: an exact GROUP BY up to `EXACT_ROWS` rows or for columns with at most
    `EXACT_TOP_DISTINCT` (estimated) distinct values, otherwise the exact counts of the values
    a space-saving sketch (`approx_top_k`) proposes.
    """
    import pyarrow.parquet as pq

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads={int(threads)}")
    src = "read_parquet(" + "'" + str(path).replace("'", "''") + "')"
    pf = pq.ParquetFile(path)
    schema, rows = pf.schema_arrow, pf.metadata.num_rows
    exact = rows <= EXACT_ROWS
    if not exact and rows <= QUANTILE_EXACT_ROWS:
        try:
            return _profile_mid(con, src, pf, types, rows)
        finally:
            con.close()
    cols = []
    for f in schema:
        kind = (types or {}).get(f.name) or frictionless_type(f.type)
        c = _q(f.name)
        column = None
        if exact:  # this column alone, read with the footer parsed once: linear in columns
            column = pf.read(columns=[f.name])
            con.register("_column", column)  # replaces the previous column's view
            src = "_column"
        parts = [f"count({c})"]
        if kind not in ("array", "object"):
            parts.append(f"count(DISTINCT {c})" if exact else f"approx_count_distinct({c})")
            if kind in ("integer", "number", "date", "datetime", "string", "time"):
                parts += [f"min({c})", f"max({c})"]
            if kind in _HIST_KINDS:
                fn = (
                    "quantile_cont"
                    if kind in ("integer", "number") and exact
                    else ("quantile_disc" if exact else "approx_quantile")
                )
                x = _hist_x(c, kind)
                parts += [
                    f"{fn}({c}, [0.25, 0.5, 0.75])"
                    if exact or rows > QUANTILE_EXACT_ROWS
                    else "NULL",
                    f"min({x}) FILTER (WHERE isfinite({x}))",
                    f"max({x}) FILTER (WHERE isfinite({x}))",
                ]
            if not exact:
                parts.append(f"approx_top_k({c}, {TOP})")
        it = iter(_one_row(con, f"SELECT {', '.join(parts)} FROM {src}"))
        count = int(next(it))
        col: dict[str, Any] = {"name": f.name, "type": kind, "count": count, "nulls": rows - count}
        cols.append(col)
        if kind in ("array", "object"):
            continue
        col["distinct"] = int(next(it))
        col["distinct_approximate"] = not exact
        if kind in ("integer", "number", "date", "datetime", "string", "time"):
            col["min"], col["max"] = _json(next(it)), _json(next(it))
        mid_size = not exact and rows <= QUANTILE_EXACT_ROWS
        if (kind in ("integer", "number") and (exact or mid_size)) or (
            kind in _HIST_KINDS and mid_size
        ):
            x_arrow = (column or pf.read(columns=[f.name])).column(f.name)
        if kind in ("integer", "number"):
            if column is None and not mid_size:  # past QUANTILE_EXACT_ROWS: never whole
                col["mean"], col["std"] = _moments_streamed(pf, f.name)
            else:
                col["mean"], col["std"] = _moments(x_arrow)
        lo = hi = None
        if kind in _HIST_KINDS:
            qs = next(it)
            if mid_size:
                qs = _exact_quantiles(x_arrow, kind)
            col["p25"], col["p50"], col["p75"] = (
                _json(v) for v in (qs if qs is not None else (None,) * 3)
            )
            col["quantiles_approximate"] = rows > QUANTILE_EXACT_ROWS
            lo, hi = next(it), next(it)
        top_k = None if exact else next(it)
        if exact or col["distinct"] <= EXACT_TOP_DISTINCT:
            top = con.execute(
                f"SELECT {c} AS v, count(*) AS n FROM {src} WHERE {c} IS NOT NULL "
                f"GROUP BY 1 ORDER BY n DESC, v LIMIT {TOP}"
            ).fetchall()
            if not exact:
                col["top_values_approximate"] = False
        else:
            col["top_values_approximate"] = True
            top = (
                con.execute(
                    f"SELECT {c} AS v, count(*) AS n FROM {src} WHERE {c} IN (SELECT unnest(?)) "
                    f"GROUP BY 1 ORDER BY n DESC, v LIMIT {TOP}",
                    [list(top_k or [])],
                ).fetchall()
                if top_k
                else []
            )
        col["top_values"] = [{"value": _json(v), "count": int(n)} for v, n in top]
        if kind in _HIST_KINDS and count:
            col["histogram"] = _histogram(con, src, c, kind, lo, hi)
        x_arrow = None
    con.close()
    return {"rows": rows, "columns": cols}


def _moments_streamed(pf: Any, name: str) -> tuple[Any, Any]:
    """Mean and sample standard deviation of a column read one row group at a time, in file
    order, the groups' moments merged as they come (Chan et al.): the memory of one row group,
    and the same result for the same file."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n, mean, m2 = 0, 0.0, 0.0
    for i in range(pf.num_row_groups):
        x = pc.cast(pf.read_row_group(i, columns=[name]).column(0), pa.float64())
        k = len(x) - x.null_count
        if not k:
            continue
        mk = pc.mean(x).as_py()
        m2k = pc.variance(x, ddof=0).as_py() * k
        total = n + k
        delta = mk - mean
        mean += delta * k / total
        m2 += m2k + delta * delta * n * k / total
        n = total
    if not n:
        return None, None
    return _json(mean), _json(math.sqrt(m2 / (n - 1)) if n > 1 else None)


def _moments(x: Any) -> tuple[Any, Any]:
    """Mean and sample standard deviation, computed in file order (DuckDB's parallel sums vary in the last bits)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    x = pc.cast(x, pa.float64())
    return _json(pc.mean(x).as_py()), _json(pc.stddev(x, ddof=1).as_py())


def _exact_quantiles(x: Any, kind: str) -> list[Any] | None:
    """Exact p25/p50/p75 with DuckDB's definitions: linear interpolation for numbers (quantile_cont),
    the value at rank ceil(n·q) for dates and date-times (quantile_disc). One partial sort."""
    import numpy as np

    chunks = [c.to_numpy(zero_copy_only=False) for c in x.drop_null().chunks if len(c)]
    if not chunks:
        return None
    v = np.concatenate(chunks)
    n = len(v)
    if kind in ("integer", "number"):
        # integers are partitioned as they are (the order is the same as of their doubles)
        pos = [(n - 1) * q for q in QUANTILES]
        los = sorted({int(math.floor(p)) for p in pos})
        v = np.partition(
            v, los
        )  # each next order statistic is the minimum of the segment after its kth
        out = []
        for p in pos:
            lo, frac = int(math.floor(p)), p - math.floor(p)
            a = float(v[lo])
            if frac == 0:
                out.append(a)
                continue
            later = [k for k in los if k > lo]
            b = float(v[lo + 1 : later[0] + 1 if later else n].min())
            out.append(a * (1 - frac) + b * frac)
        return out
    idx = [max(math.ceil(n * q) - 1, 0) for q in QUANTILES]
    dtype = v.dtype
    if dtype.kind == "M":  # numpy partitions plain integers much faster than datetime64
        v = v.view(np.int64)
    v = np.partition(v, sorted(set(idx)))
    return [v[idx].view(dtype)[j].item() for j in range(len(idx))]


_HIST_KINDS = ("integer", "number", "date", "datetime")


def _hist_x(c: str, kind: str) -> str:
    """The column as a double for binning (seconds since the epoch for dates and date-times)."""
    return f"{c}::DOUBLE" if kind in ("integer", "number") else f"epoch({c})"


def _histogram(
    con: duckdb.DuckDBPyConnection, src: str, c: str, kind: str, lo: float | None, hi: float | None
) -> dict:
    """Equal-width bins over the finite [min, max]: edges (BINS+1) and counts (BINS)."""
    if lo is None or hi is None:
        return {"edges": [], "counts": []}
    x = _hist_x(c, kind)
    width = (hi - lo) / BINS if hi > lo else 1.0
    rows = con.execute(
        f"SELECT least(greatest(floor(({x} - {lo!r}) / {width!r}), 0), {BINS - 1})::INT AS b, count(*) "
        f"FROM {src} WHERE isfinite({x}) GROUP BY 1"
    ).fetchall()
    counts = [0] * BINS
    for b, n in rows:
        counts[int(b)] += int(n)
    edges: list[Any] = [lo + i * width for i in range(BINS + 1)]
    if kind == "date":
        edges = [
            dt.datetime.fromtimestamp(e, dt.UTC).date().isoformat()
            if i in (0, BINS)
            else dt.datetime.fromtimestamp(e, dt.UTC).replace(tzinfo=None).isoformat()
            for i, e in enumerate(edges)
        ]
    elif kind == "datetime":
        edges = [
            dt.datetime.fromtimestamp(e, dt.UTC).replace(tzinfo=None).isoformat() for e in edges
        ]
    return {"edges": edges, "counts": counts}


def _profile_mid(
    con: duckdb.DuckDBPyConnection, src: str, pf: Any, types: dict[str, str] | None, rows: int
) -> dict:
    """Above `EXACT_ROWS`, up to `QUANTILE_EXACT_ROWS`: one DuckDB query for every column's count,
    HyperLogLog distinct count and min/max, one more for the `approx_top_k` candidates of the
    columns that need them; quantiles, moments, histograms and (for integers, dates and date-times
    over a narrow range) exact top values from each column in memory with NumPy."""

    kinds = [(f, (types or {}).get(f.name) or frictionless_type(f.type)) for f in pf.schema_arrow]
    parts = []
    for f, kind in kinds:
        c = _q(f.name)
        parts.append(f"count({c})")
        if kind not in ("array", "object"):
            parts.append(f"approx_count_distinct({c})")
            if kind in ("integer", "number", "date", "datetime", "string", "time"):
                parts += [f"min({c})", f"max({c})"]
    import concurrent.futures as cf

    def sketches() -> tuple[list, dict]:
        """The DuckDB work, in a thread beside the NumPy work (both release the GIL)."""
        cur = con.cursor()
        first = list(_one_row(cur, f"SELECT {', '.join(parts)} FROM {src}"))
        it = iter(first)
        need = []
        for f, kind in kinds:
            count = next(it)
            if kind in ("array", "object"):
                continue
            distinct = next(it)
            lo = hi = None
            if kind in ("integer", "number", "date", "datetime", "string", "time"):
                lo, hi = next(it), next(it)
            if not _bincount_ok(f.type, kind, lo, hi, count) and distinct > EXACT_TOP_DISTINCT:
                need.append(f.name)
        tops = {}
        if need:
            sel = ", ".join(f"approx_top_k({_q(n)}, {TOP})" for n in need)
            for n, top_k in zip(need, _one_row(cur, f"SELECT {sel} FROM {src}"), strict=True):
                c = _q(n)
                tops[n] = (
                    cur.execute(
                        f"SELECT {c} AS v, count(*) AS n FROM {src} WHERE {c} IN (SELECT unnest(?)) "
                        f"GROUP BY 1 ORDER BY n DESC, v LIMIT {TOP}",
                        [list(top_k or [])],
                    ).fetchall()
                    if top_k
                    else []
                )
        cur.close()
        return first, tops

    pool = cf.ThreadPoolExecutor(1)
    fut = pool.submit(sketches)
    numeric: dict[str, dict] = {}
    try:
        for f, kind in kinds:
            if kind not in _HIST_KINDS:
                continue
            d: dict[str, Any] = {}
            x_arrow = pf.read(columns=[f.name]).column(f.name)
            if kind in ("integer", "number"):
                d["mean"], d["std"] = _moments(x_arrow)
            v = _values(x_arrow)
            qs = _exact_quantiles(x_arrow, kind) if v is None else _exact_quantiles_np(v, kind)
            d["p25"], d["p50"], d["p75"] = (
                _json(q) for q in (qs if qs is not None else (None,) * 3)
            )
            d["quantiles_approximate"] = False
            x_arrow = None
            d["_top"] = _top_bincount(v, f.type, kind) if v is not None else None
            d["_hist"] = _histogram_np(v, kind) if v is not None else None
            numeric[f.name] = d
            v = None
        first, tops = fut.result()
    finally:
        pool.shutdown(wait=True)
    it = iter(first)
    cols = []
    for f, kind in kinds:
        count = int(next(it))
        col: dict[str, Any] = {"name": f.name, "type": kind, "count": count, "nulls": rows - count}
        cols.append(col)
        if kind in ("array", "object"):
            continue
        col["distinct"] = int(next(it))
        col["distinct_approximate"] = True
        if kind in ("integer", "number", "date", "datetime", "string", "time"):
            col["min"], col["max"] = _json(next(it)), _json(next(it))
        d = numeric.get(f.name, {})
        top = d.pop("_top", None)
        hist = d.pop("_hist", None)
        col.update(d)
        if f.name in tops:
            col["top_values_approximate"] = True
            col["top_values"] = [{"value": _json(v), "count": int(n)} for v, n in tops[f.name]]
        else:
            col["top_values_approximate"] = False
            col["top_values"] = top if top is not None else _top_exact(con, src, _q(f.name))
        if kind in _HIST_KINDS and count:
            col["histogram"] = hist
    # Histograms the NumPy path could not compute (e.g. decimals), and the keys' order.
    for col in cols:
        if "histogram" in col:
            h = col.pop("histogram")
            if h is None:
                c, kind = _q(col["name"]), col["type"]
                x = _hist_x(c, kind)
                lo, hi = _one_row(
                    con,
                    f"SELECT min({x}) FILTER (WHERE isfinite({x})),"
                    f" max({x}) FILTER (WHERE isfinite({x})) FROM {src}",
                )
                h = _histogram(con, src, c, kind, lo, hi)
            col["histogram"] = h
        elif "top_values" in col:
            col["top_values"] = col.pop("top_values")
    return {"rows": rows, "columns": cols}


def _top_exact(con: duckdb.DuckDBPyConnection, src: str, c: str) -> list[dict]:
    top = con.execute(
        f"SELECT {c} AS v, count(*) AS n FROM {src} WHERE {c} IS NOT NULL "
        f"GROUP BY 1 ORDER BY n DESC, v LIMIT {TOP}"
    ).fetchall()
    return [{"value": _json(v), "count": int(n)} for v, n in top]


def _values(x: Any) -> Any:
    """The non-null values as one NumPy array (integers, floats, datetime64), or None for other types."""
    import numpy as np
    import pyarrow as pa

    t = x.type
    if not (
        pa.types.is_integer(t)
        or pa.types.is_floating(t)
        or pa.types.is_date(t)
        or pa.types.is_timestamp(t)
    ):
        return None
    if pa.types.is_timestamp(t) and t.unit == "ns":
        return None
    chunks = [c.to_numpy(zero_copy_only=False) for c in x.drop_null().chunks if len(c)]
    if not chunks:
        return None
    v = np.concatenate(chunks)
    return v if v.dtype.kind in "iufM" else None


def _exact_quantiles_np(v: Any, kind: str) -> list[Any] | None:
    import pyarrow as pa

    return (
        _exact_quantiles(pa.chunked_array([pa.array(v)]), kind)
        if kind in ("integer", "number")
        else _exact_quantiles_dt(v)
    )


def _exact_quantiles_dt(v: Any) -> list[Any]:
    import numpy as np

    n = len(v)
    idx = [max(math.ceil(n * q) - 1, 0) for q in QUANTILES]
    dtype = v.dtype
    w = np.partition(v.view(np.int64), sorted(set(idx)))
    return [w[idx].view(dtype)[j].item() for j in range(len(idx))]


def _bincount_ok(t: Any, kind: str, lo: Any, hi: Any, count: int) -> bool:
    """Whether exact top values come from counting every value of the range (integers, dates)."""
    import pyarrow as pa

    if lo is None or hi is None:
        return False
    if kind == "integer" and pa.types.is_integer(t):
        span = int(hi) - int(lo)
    elif kind == "date" and t == pa.date32():
        span = (hi - lo).days
    else:
        return False
    return span + 1 <= max(2 * count, 1 << 16)


def _top_bincount(v: Any, t: Any, kind: str) -> list[dict] | None:
    """Exact top values by counting every value of a narrow range (see `_bincount_ok`)."""
    import numpy as np

    if v.dtype.kind not in "iM" or not len(v):
        return None
    w = v.view(np.int64) if v.dtype.kind == "M" else v
    lo, hi = int(w.min()), int(w.max())
    if v.dtype.kind == "M":
        if v.dtype != np.dtype("datetime64[D]"):
            return None
        ok = _bincount_ok(
            t,
            kind,
            dt.date(1970, 1, 1) + dt.timedelta(days=lo),
            dt.date(1970, 1, 1) + dt.timedelta(days=hi),
            len(w),
        )
    else:
        ok = _bincount_ok(t, kind, lo, hi, len(w))
    if not ok:
        return None
    counts = np.bincount(
        (w - lo).astype(np.int64, copy=False) if lo else w.astype(np.int64, copy=False)
    )
    k = min(TOP, int(np.count_nonzero(counts)))
    if k == 0:
        return []
    c10 = int(np.partition(counts, len(counts) - k)[len(counts) - k])
    idx = np.flatnonzero(counts > c10)
    idx = np.concatenate([idx, np.flatnonzero(counts == c10)[: k - len(idx)]])
    order = sorted(idx.tolist(), key=lambda i: (-int(counts[i]), i))
    out = []
    for i in order:
        val = i + lo
        if v.dtype.kind == "M":
            val = np.array([val], dtype=np.int64).view(v.dtype)[0].item()
        out.append({"value": _json(val), "count": int(counts[i])})
    return out


def _histogram_np(v: Any, kind: str) -> dict:
    """`_histogram` computed from the values in memory, with the same arithmetic."""
    import numpy as np

    if v.dtype.kind == "M":
        unit = np.datetime_data(v.dtype)[0]
        per = {"D": None, "s": 1, "ms": 1_000, "us": 1_000_000}[unit]
        w = v.view(np.int64).astype(np.float64)
        x = w * 86400.0 if per is None else (w / per if per != 1 else w)
    else:
        x = v.astype(np.float64, copy=False)
        if v.dtype.kind == "f":
            x = x[np.isfinite(x)]
    if not len(x):
        return {"edges": [], "counts": []}
    lo, hi = float(x.min()), float(x.max())
    width = (hi - lo) / BINS if hi > lo else 1.0
    b = np.subtract(x, lo) if x is v or x.base is v else np.subtract(x, lo, out=x)
    np.divide(b, width, out=b)
    np.floor(b, out=b)
    np.clip(b, 0, BINS - 1, out=b)
    counts = np.bincount(b.astype(np.int64), minlength=BINS)[:BINS].tolist()
    edges: list[Any] = [lo + i * width for i in range(BINS + 1)]
    if kind == "date":
        edges = [
            dt.datetime.fromtimestamp(e, dt.UTC).date().isoformat()
            if i in (0, BINS)
            else dt.datetime.fromtimestamp(e, dt.UTC).replace(tzinfo=None).isoformat()
            for i, e in enumerate(edges)
        ]
    elif kind == "datetime":
        edges = [
            dt.datetime.fromtimestamp(e, dt.UTC).replace(tzinfo=None).isoformat() for e in edges
        ]
    return {"edges": edges, "counts": [int(n) for n in counts]}
