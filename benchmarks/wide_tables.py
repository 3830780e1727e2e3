"""Wide-table profiling: datanuri's profile vs DuckDB's SUMMARIZE (the fastest peer here), by
column count, to show the cost grows linearly with the columns.

    .venv/bin/python benchmarks/wide_tables.py                 # 500 … 4,000 columns, 1,000 rows
    .venv/bin/python benchmarks/wide_tables.py --columns 500 1000 2000 --rows 10000 --repeat 5

Each table is half integer and half short-text columns, written as one Parquet file. Both
contenders read that same file in the same process, interleaved, --repeat times; the medians are
printed with the ratio datanuri / DuckDB and, for each doubling of the columns, how much longer
each took (2.0 is linear). DuckDB's SUMMARIZE computes fewer statistics (no exact distinct
counts, no top values or histograms), so the ratio is an upper bound on what the extra work
costs. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from datanuri.tables.profile import profile_parquet


def make(path: Path, columns: int, rows: int) -> None:
    half = columns // 2
    ints = {f"n{i}": pa.array([(r * 7 + i) % 1000 for r in range(rows)]) for i in range(half)}
    texts = {
        f"t{i}": pa.array([f"값{(r + i) % 50}" for r in range(rows)]) for i in range(columns - half)
    }
    pq.write_table(pa.table({**ints, **texts}), path)


def summarize(path: Path) -> None:
    con = duckdb.connect()
    try:
        con.execute(f"SUMMARIZE SELECT * FROM read_parquet('{path}')").fetchall()
    finally:
        con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--columns", type=int, nargs="+", default=[500, 1000, 2000, 4000])
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    results: list[tuple[int, float, float]] = []
    with tempfile.TemporaryDirectory() as d:
        print(f"{'columns':>8} {'datanuri s':>11} {'ms/col':>7} {'duckdb s':>9} {'ratio':>6}")
        for n in args.columns:
            path = Path(d) / f"w{n}.parquet"
            make(path, n, args.rows)
            ours, peer = [], []
            for _ in range(args.repeat):
                t = time.perf_counter()
                profile_parquet(path)
                ours.append(time.perf_counter() - t)
                t = time.perf_counter()
                summarize(path)
                peer.append(time.perf_counter() - t)
            a, b = statistics.median(ours), statistics.median(peer)
            results.append((n, a, b))
            print(f"{n:>8} {a:>11.2f} {a / n * 1000:>7.2f} {b:>9.2f} {a / b:>6.1f}")
    print("growth per doubling of the columns (2.0 = linear):")
    for (n0, a0, b0), (n1, a1, b1) in zip(results, results[1:], strict=False):
        if n1 == 2 * n0:
            print(f"  {n0} → {n1}: datanuri ×{a1 / a0:.2f}, duckdb ×{b1 / b0:.2f}")


if __name__ == "__main__":
    main()
