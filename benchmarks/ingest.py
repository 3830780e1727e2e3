"""Ingestion benchmark: datanuri.tables.ingest against the fastest of DuckDB, polars and pyarrow.

    .venv/bin/python benchmarks/ingest.py            # 10 million rows (~1 GB CSV)
    .venv/bin/python benchmarks/ingest.py --rows 2000000 --repeat 3

Generates UTF-8 and CP949 CSVs under benchmarks/_data/ (reused when present), then runs each
contender in its own subprocess, --repeat times interleaved (the machine is shared), and prints
for each the median wall time and CPU time (user + sys) with every run, the peak RSS, the
output size and the load average. All write zstd Parquet:

- DuckDB `COPY (SELECT * FROM read_csv_auto(...)) TO ... (FORMAT parquet, COMPRESSION zstd)`;
- polars `scan_csv(try_parse_dates=True).sink_parquet(...)` (zstd is its default);
- pyarrow `csv.read_csv` then `parquet.write_table` (the whole table in memory);
- datanuri `tables.ingest` (Parquet, schema and profile; the profile's share is printed).

The baseline is the fastest streaming peer of the same run (DuckDB or polars; pyarrow holds
the whole table) by median; the fastest peer overall is named too. The CP949 file is given to
each peer the way a user of that peer would read it: `iconv -f CP949 -t UTF-8` to a file,
then the peer, timed together; datanuri reads CP949 itself. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import codecs
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from benchmarks._harness import loadavg  # noqa: E402

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


PEERS = ("duckdb", "polars", "pyarrow")
STREAMING = ("duckdb", "polars")  # bounded memory, like datanuri's ingest


def child(kind: str, src: str, out: str) -> None:
    """Run one contender in this process and print its time and peak RSS as JSON."""
    t0 = time.perf_counter()
    extra: dict[str, object] = {}
    if src.endswith("_cp949.csv") and kind != "datanuri":  # the peer's CP949 pipeline
        utf8 = out + ".utf8.csv"
        with open(utf8, "wb") as f:
            subprocess.run(["iconv", "-f", "CP949", "-t", "UTF-8", src], stdout=f, check=True)
        try:
            _peer(kind, utf8, out)
        finally:
            Path(utf8).unlink()
    elif kind == "datanuri":
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
    else:
        _peer(kind, src, out)
    secs = time.perf_counter() - t0
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    # this process's own high-water mark: ru_maxrss would keep the forking parent's
    status = Path("/proc/self/status").read_text().splitlines()
    rss = int(next(x for x in status if x.startswith("VmHWM")).split()[1]) * 1024
    print(json.dumps({"seconds": secs, "cpu": cpu, "rss": rss, **extra}))


def _peer(kind: str, src: str, out: str) -> None:
    """CSV (UTF-8) to zstd Parquet with a peer, as its documentation suggests."""
    if kind == "polars":
        import polars as pl

        pl.scan_csv(src, try_parse_dates=True).sink_parquet(out, compression="zstd")
    elif kind == "duckdb":
        import duckdb

        duckdb.execute(
            f"COPY (SELECT * FROM read_csv_auto('{src}')) TO '{out}' "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
    elif kind == "pyarrow":
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        pq.write_table(pacsv.read_csv(src), out, compression="zstd")
    else:
        raise SystemExit(f"unknown contender {kind}")


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
    r["load"] = loadavg()
    out.unlink()
    return r


def median(runs: list[dict], key: str) -> float:
    return float(statistics.median(r[key] for r in runs))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument(
        "--repeat", type=int, default=3, help="runs per contender (interleaved); medians shown"
    )
    ap.add_argument("--child", nargs=3, metavar=("KIND", "SRC", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(*args.child)
    if shutil.which("iconv") is None:
        raise SystemExit("iconv is needed for the peers' CP949 pipeline")
    utf8, cp949 = generate(args.rows)
    print(
        f"rows={args.rows:,}  utf8={utf8.stat().st_size / 1e6:.0f} MB  "
        f"cp949={cp949.stat().st_size / 1e6:.0f} MB  repeats={args.repeat} (interleaved)"
    )
    for label, src in (("UTF-8", utf8), ("CP949", cp949)):
        contenders = (*PEERS, "datanuri")
        runs: dict[str, list[dict]] = {k: [] for k in contenders}
        for _ in range(max(1, args.repeat)):
            for kind in contenders:
                runs[kind].append(run(kind, src))
        secs = {k: median(rs, "seconds") for k, rs in runs.items()}
        base = min(STREAMING, key=lambda k: secs[k])
        fastest = min(PEERS, key=lambda k: secs[k])
        cpu_base = median(runs[base], "cpu")
        how = "iconv to UTF-8, then " if src == cp949 else ""
        print(
            f"== {label}: baseline = fastest streaming peer of this run: {how}{base}; "
            f"fastest peer overall: {fastest}"
        )
        for kind in contenders:
            rs = runs[kind]
            r = rs[len(rs) // 2]
            times = "/".join(f"{x['seconds']:.1f}" for x in rs)
            loads = " | ".join(x["load"].removeprefix("load ") for x in rs)
            print(
                f"   {kind:9s} median {secs[kind]:7.2f} s  cpu {median(rs, 'cpu'):7.2f} s  "
                f"{secs[kind] / secs[base]:5.2f}× baseline ({median(rs, 'cpu') / cpu_base:5.2f}× "
                f"its cpu)  {secs[kind] / secs[fastest]:5.2f}× fastest  "
                f"peak RSS {max(x['rss'] for x in rs) / 2**20:6.0f} MiB  out {r['out_mb']:5.0f} MB"
                + (
                    f"  profile {statistics.median(x['profile_seconds'] for x in rs):.1f} s"
                    if kind == "datanuri"
                    else ""
                )
                + f"  runs {times}  load {loads}"
            )
        print(f"   datanuri types: {runs['datanuri'][0]['types']}")


if __name__ == "__main__":
    main()
