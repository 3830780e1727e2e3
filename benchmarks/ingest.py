"""Ingestion benchmark: datanuri.tables.ingest vs polars (baseline) and DuckDB (reference).

    .venv/bin/python benchmarks/ingest.py            # 10 million rows (~1 GB CSV)
    .venv/bin/python benchmarks/ingest.py --rows 2000000 --repeat 3

Generates UTF-8 and CP949 CSVs under benchmarks/_data/ (reused when present), then runs each
contender in its own subprocess (--repeat N times, interleaved, best time shown: the machine is
shared) and prints wall time, the ratio to the polars baseline on the UTF-8 file, the
subprocess's peak RSS and, for datanuri, the share of the time spent profiling. Not part of
the test suite.
"""

from __future__ import annotations

import argparse
import codecs
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
CHUNK = 1_000_000


def generate(rows: int) -> tuple[Path, Path]:
    """UTF-8 and CP949 CSVs with integers, decimals, Korean and ASCII strings, dates and datetimes."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    DATA.mkdir(exist_ok=True)
    utf8, cp949 = DATA / f"bench_{rows}_utf8.csv", DATA / f"bench_{rows}_cp949.csv"
    if not utf8.exists():
        rng = np.random.default_rng(2024)
        gu = np.array(
            [
                "서울특별시 종로구",
                "서울특별시 중구",
                "부산광역시 해운대구",
                "대구광역시 수성구",
                "인천광역시 남동구",
                "광주광역시 북구",
                "대전광역시 유성구",
                "경기도 수원시 영통구",
                "강원특별자치도 춘천시",
                "제주특별자치도 제주시",
            ]
        )
        tmp = utf8.with_suffix(".part")
        with pacsv.CSVWriter(
            str(tmp),
            pa.schema(
                [
                    ("id", pa.int64()),
                    ("count", pa.int64()),
                    ("amount", pa.string()),
                    ("ratio", pa.float64()),
                    ("region", pa.string()),
                    ("code", pa.string()),
                    ("day", pa.string()),
                    ("measured_at", pa.string()),
                ]
            ),
            write_options=pacsv.WriteOptions(quoting_style="needed"),
        ) as w:
            for start in range(0, rows, CHUNK):
                n = min(CHUNK, rows - start)
                days = rng.integers(0, 3650, n).astype("timedelta64[D]") + np.datetime64(
                    "2015-01-01"
                )
                secs = rng.integers(0, 86400, n).astype("timedelta64[s]")
                cols = {
                    "id": pa.array(np.arange(start, start + n)),
                    "count": pa.array(rng.integers(-50_000, 1_000_000, n)),
                    "amount": pc.cast(pa.array(np.round(rng.gamma(2, 5000, n), 2)), pa.string()),
                    "ratio": pa.array(np.round(rng.random(n), 6)),
                    "region": pa.array(gu[rng.integers(0, len(gu), n)]),
                    "code": pa.array(
                        np.char.add("A", rng.integers(10_000_000, 99_999_999, n).astype(str))
                    ),
                    "day": pc.strftime(pa.array(days), format="%Y-%m-%d"),
                    "measured_at": pc.strftime(
                        pa.array(days.astype("datetime64[s]") + secs), format="%Y-%m-%d %H:%M:%S"
                    ),
                }
                w.write_batch(
                    pa.record_batch(
                        {
                            k: v.combine_chunks() if isinstance(v, pa.ChunkedArray) else v
                            for k, v in cols.items()
                        }
                    )
                )
        tmp.rename(utf8)
    if not cp949.exists():
        tmp = cp949.with_suffix(".part")
        dec, enc = codecs.getincrementaldecoder("utf-8")(), codecs.getincrementalencoder("cp949")()
        with open(utf8, "rb") as src, open(tmp, "wb") as dst:
            while chunk := src.read(1 << 24):
                dst.write(enc.encode(dec.decode(chunk)))
        tmp.rename(cp949)
    return utf8, cp949


def child(kind: str, src: str, out: str) -> None:
    """Run one contender in this process and print its time and peak RSS as JSON."""
    t0 = time.perf_counter()
    extra = {}
    if kind == "datanuri":
        import importlib

        mod = importlib.import_module("datanuri.tables.ingest")
        real, spent = mod.profile_parquet, []

        def timed(*a, **k):
            t = time.perf_counter()
            try:
                return real(*a, **k)
            finally:
                spent.append(time.perf_counter() - t)

        mod.profile_parquet = timed
        res = mod.ingest(Path(src), Path(out))
        extra = {
            "rows": res.rows,
            "encoding": res.encoding,
            "types": [f["type"] for f in res.schema["fields"]],
            "profile_seconds": sum(spent),
        }
    elif kind == "polars":
        import polars as pl

        pl.scan_csv(src, try_parse_dates=True).sink_parquet(out)
    elif kind == "duckdb":
        import duckdb

        duckdb.execute(f"COPY (SELECT * FROM read_csv_auto('{src}')) TO '{out}' (FORMAT parquet)")
    secs = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": secs, "rss": rss, **extra}))


def run(kind: str, src: Path) -> dict:
    """One contender in a fresh subprocess."""
    out = DATA / f"out_{kind}_{src.stem}.parquet"
    p = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(src), str(out)],
        capture_output=True,
        text=True,
    )
    if p.returncode:
        raise SystemExit(f"{kind} on {src.name} failed:\n{p.stderr}")
    r = json.loads(p.stdout.strip().splitlines()[-1])
    r["out_mb"] = out.stat().st_size / 1e6
    out.unlink()
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument(
        "--repeat", type=int, default=1, help="runs per contender (interleaved); the best is shown"
    )
    ap.add_argument("--child", nargs=3, metavar=("KIND", "SRC", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(*args.child)
    utf8, cp949 = generate(args.rows)
    print(
        f"rows={args.rows:,}  utf8={utf8.stat().st_size / 1e6:.0f} MB  cp949={cp949.stat().st_size / 1e6:.0f} MB"
    )
    contenders = [
        ("polars scan_csv→sink_parquet (baseline)", "polars", utf8),
        ("duckdb COPY read_csv_auto", "duckdb", utf8),
        ("datanuri ingest", "datanuri", utf8),
        ("datanuri ingest", "datanuri", cp949),
    ]
    runs: list[list[dict]] = [[] for _ in contenders]
    for _ in range(max(1, args.repeat)):
        for i, (_, kind, src) in enumerate(contenders):
            runs[i].append(run(kind, src))
    best = [min(rs, key=lambda r: r["seconds"]) for rs in runs]
    base = best[0]
    for (label, _, src), r, rs in zip(contenders, best, runs, strict=True):
        enc = "cp949" if src == cp949 else "utf8"
        times = "/".join(f"{x['seconds']:.1f}" for x in rs)
        print(
            f"{label:44s} {enc:6s} {r['seconds']:7.2f} s  {r['seconds'] / base['seconds']:5.2f}×  "
            f"peak RSS {max(x['rss'] for x in rs) / 2**20:6.0f} MiB  out {r['out_mb']:6.0f} MB"
            + (f"  profile {r['profile_seconds']:.1f} s" if "profile_seconds" in r else "")
            + (f"  runs {times}" if len(rs) > 1 else "")
            + (f"  types={r['types']}" if "types" in r else "")
        )


if __name__ == "__main__":
    main()
