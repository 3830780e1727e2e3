"""Benchmark: generation throughput and peak memory of the synthetic developer datasets.

    .venv/bin/python benchmarks/synth_samples.py [--rows 100000 1000000 10000000]
        [--kinds queries traces cards sns] [--repeat 1] [--peer-max 10000000] [--quick]

Each run is a fresh process (so its peak RSS is its own) that generates one kind at one size:

- ``streamed``: datanuri's path, `synth.samples.writer.write_sample`: batches written to Parquet
  as they are made, one batch in memory;
- ``in-memory`` (the peer): the same batches collected into one Arrow table, then written with
  `pyarrow.parquet.write_table`: what generating "all then save" costs.

Printed per kind and size: median seconds, rows per second and peak RSS (MB) of each, the RSS
the process had before generating (imports), and the ratios streamed / in-memory. Memory is
flat when the streamed peak stays near the baseline as rows grow tenfold.

One run (2026-12-04, 2 cores shared with other work, load 9.5-14), streamed / in-memory:

    kind     rows        streamed s   rows/s     peak MB | in-memory s  peak MB
    queries  10^5 / 10^6 / 10^7   0.30 / 1.31 / 19.7   0.34-0.76 M  208 / 222 / 224 | 20.9 s, 1,142 MB at 10^7
    traces   10^5 / 10^6 / 10^7   0.13 / 0.80 / 8.15   0.79-1.25 M  198 / 215 / 215 |  8.3 s, 1,035 MB at 10^7
    cards    10^5 / 10^6 / 10^7   0.25 / 2.90 / 26.9   0.34-0.40 M  216 / 220 / 220 | 45.6 s, 1,721 MB at 10^7
    sns      10^5 / 10^6 / 10^7   0.85 / 4.41 / 60.2   0.12-0.23 M  229 / 244 / 247 | 83.7 s, 1,353 MB at 10^7

(the process holds 166-197 MB before generating: imports and the vocabularies).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def loadavg() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def child(kind: str, rows: int, mode: str, out: Path) -> None:
    """Generate in this process and print seconds, RSS before and peak RSS (KB) as JSON."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from datanuri.synth.samples import KINDS
    from datanuri.synth.samples.model import exact_batches
    from datanuri.synth.samples.writer import write_sample

    k = KINDS[kind]
    list(exact_batches(k, 10_000, 0))  # warm up lazily built tables (vocabularies, places)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    if mode == "streamed":
        write_sample(k, rows, 1, out)
    else:
        table = pa.Table.from_batches(list(exact_batches(k, rows, 1)), schema=k.schema)
        pq.write_table(table, str(out), compression="zstd")
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    n = pq.ParquetFile(str(out)).metadata.num_rows
    print(json.dumps({"seconds": seconds, "before_kb": before, "peak_kb": peak, "rows": n}))


def measure(kind: str, rows: int, mode: str, tmp: Path) -> dict[str, float]:
    out = tmp / f"{kind}-{rows}-{mode}.parquet"
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(rows), mode, str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    out.unlink(missing_ok=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rows"] == rows, result
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    ap.add_argument("--kinds", nargs="+", default=["queries", "traces", "cards", "sns"])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--peer-max", type=int, default=10_000_000, help="largest in-memory run")
    ap.add_argument("--quick", action="store_true", help="10^4 and 10^5 rows, for a smoke test")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, rows, mode, out = a.child
        return child(kind, int(rows), mode, Path(out))
    sizes = [10_000, 100_000] if a.quick else a.rows
    print(f"synthetic developer datasets; {loadavg()}")
    print(
        f"{'kind':8} {'rows':>11} | {'streamed s':>10} {'rows/s':>10} {'peak MB':>8} "
        f"{'base MB':>8} | {'in-mem s':>9} {'peak MB':>8} | {'time x':>6} {'RSS x':>6}"
    )
    results = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for kind in a.kinds:
            for rows in sizes:
                runs = {
                    mode: [measure(kind, rows, mode, tmp) for _ in range(a.repeat)]
                    for mode in ("streamed", "in-memory")
                    if mode == "streamed" or rows <= a.peer_max
                }
                med = {
                    mode: {
                        key: statistics.median(r[key] for r in rs)
                        for key in ("seconds", "before_kb", "peak_kb")
                    }
                    for mode, rs in runs.items()
                }
                s, m = med["streamed"], med.get("in-memory")
                line = (
                    f"{kind:8} {rows:>11,} | {s['seconds']:>10.2f} {rows / s['seconds']:>10,.0f} "
                    f"{s['peak_kb'] / 1024:>8.0f} {s['before_kb'] / 1024:>8.0f} | "
                )
                if m is not None:
                    line += (
                        f"{m['seconds']:>9.2f} {m['peak_kb'] / 1024:>8.0f} | "
                        f"{s['seconds'] / m['seconds']:>6.2f} {s['peak_kb'] / m['peak_kb']:>6.2f}"
                    )
                else:
                    line += f"{'-':>9} {'-':>8} | {'-':>6} {'-':>6}"
                print(line, flush=True)
                results.append({"kind": kind, "rows": rows, **{k: v for k, v in med.items()}})
    print(loadavg())
    print(json.dumps(results))


if __name__ == "__main__":
    main()
