"""Benchmark: de-identification of a large synthetic Parquet file on the compute engine.

    .venv/bin/python benchmarks/engine_anonymize.py generate ROWS PATH
    .venv/bin/python benchmarks/engine_anonymize.py run PATH [--engine duckdb|spark] [--k 5]
        [--suppression 0.05] [--memory 2GB] [--check]

`generate` writes ROWS rows with 8 quasi-identifiers (the distributions of
`benchmarks/anonymize.py --synthetic`: Adult's categorical columns resampled, ages 0-99,
Korean 읍면동 regions) plus an id and a measure, batch by batch (its memory does not grow with
ROWS). `run` times `datanuri.privacy.scale.anonymize_file` (frequency table on the engine,
lattice search, release streamed to Parquet) and prints the wall time, the distinct combinations
and the process's peak RSS (DuckDB runs in the process; Spark's JVM is a process of its own,
not counted). `--check` also runs the in-memory `anonymize` on the same file and compares
(small files only).

    .venv/bin/python benchmarks/engine_anonymize.py service PATH [--engine duckdb|spark]
        [--k 5] [--suppression 0.05] [--memory 2GB]

`service` runs the whole `PrivacyService.release` on PATH: a Platform in a temporary data
directory (SQLite), PATH published as a personal dataset, then, in a child process (so its
peak RSS is the release's alone, read with wait4), the release of a k-anonymity policy (the
id deleted, the 8 quasi-identifiers generalised) into an open dataset through the large-table
path: frequency table, search, streamed release, the gate's engine counts, the report from
the class table, and the publish of the written file. Prints the wall time and peak RSS at
each step (0 start, 1 source checked, 2 release written and assessed, 4 published), the child's
peak RSS and the load average.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NAMES = ["age", "education", "marital-status", "race", "sex", "workclass", "income", "region"]


def hierarchies() -> dict:
    from datanuri.privacy.hierarchies import age_hierarchy, korean_regions
    from tests.privacy.adult import hierarchies as adult_hierarchies

    h = adult_hierarchies()
    return {
        "age": age_hierarchy(),
        **{c: h[c] for c in NAMES[1:-1]},
        "region": korean_regions(),
    }


def generate(rows: int, path: Path, batch: int = 1_000_000, seed: int = 0) -> None:
    """ROWS synthetic rows into the Parquet file at PATH, one batch at a time."""
    from tests.privacy.adult import adult

    table = adult()
    rng = np.random.default_rng(seed)
    regions = hierarchies()["region"].leaves
    values = {c: table.column(c).value_counts() for c in NAMES[1:-1]}
    writer = None
    for start in range(0, rows, batch):
        b = min(batch, rows - start)
        cols: dict[str, pa.Array] = {"id": pa.array(np.arange(start, start + b, dtype=np.int64))}
        cols["age"] = pa.array(rng.integers(0, 100, b, dtype=np.int64))
        for c in NAMES[1:-1]:
            vc = values[c]
            cdf = np.cumsum(vc.field("counts").to_numpy() / table.num_rows)
            idx = np.minimum(np.searchsorted(cdf, rng.random(b), side="right"), len(cdf) - 1)
            cols[c] = vc.field("values").take(pa.array(idx))
        cols["region"] = pa.array(regions).take(pa.array(rng.integers(0, len(regions), b)))
        cols["amount"] = pa.array(np.round(rng.gamma(2.0, 50_000.0, b), 2))
        chunk = pa.table(cols)
        if writer is None:
            writer = pq.ParquetWriter(path, chunk.schema, compression="zstd")
        writer.write_table(chunk, row_group_size=batch)
    if writer is not None:
        writer.close()


def run(args: argparse.Namespace) -> None:
    from datanuri.engine import EngineSettings, make_engine
    from datanuri.privacy.scale import anonymize_file

    tmp = Path(tempfile.mkdtemp(prefix="engine-bench-"))
    engine = make_engine(
        EngineSettings(
            engine=args.engine,
            tmp_dir=tmp,
            duckdb_memory_limit=args.memory,
            spark_conf=(("spark.sql.shuffle.partitions", "4"),),
        )
    )
    out = tmp / "release.parquet"
    kw = {"k": args.k, "max_suppression": args.suppression}
    started = time.perf_counter()
    result = anonymize_file(engine, args.path, out, quasi_identifiers=hierarchies(), **kw)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.engine}: {result.records:,} rows, {result.distinct_combinations:,} distinct "
        f"combinations, levels {result.levels}, suppressed {result.suppressed:,}, "
        f"released {result.released:,}; {result.nodes_evaluated} of {result.lattice_size} nodes "
        f"evaluated; {wall:.1f} s; peak RSS {peak:.0f} MB"
    )
    if args.check:
        from datanuri.privacy.anonymize import anonymize

        expected = anonymize(pq.read_table(args.path), quasi_identifiers=hierarchies(), **kw)
        got = pq.read_table(out)
        same = got.cast(expected.table.schema).equals(expected.table)
        print(f"same release as the in-memory anonymize: {same}")
    engine.close()


def service_policy(k: int, suppression: float) -> dict:
    """The benchmark's policy for `PrivacyService` (hierarchy files relative to the repository)."""
    data = "tests/privacy/data"
    return {
        "direct_identifiers": {"id": "delete"},
        "quasi_identifiers": {
            "age": "age",
            **{c: {"csv": f"{data}/adult_{c}.csv"} for c in NAMES[1:-1]},
            "region": {"korean_regions": "읍면동"},
        },
        "insensitive": {"amount": "an amount of money, no identifier"},
        "acknowledge": {"amount": "amounts are near-unique by nature; no identifier"},
        "model": "k-anonymity",
        "k": k,
        "max_suppression": suppression,
    }


def service(args: argparse.Namespace) -> None:
    import os

    from datanuri.accounts import SYSTEM
    from datanuri.config import Config
    from datanuri.platform import Platform

    data = Path(tempfile.mkdtemp(prefix="engine-service-"))
    config = Config(
        data_dir=data,
        engine=args.engine,
        duckdb_memory_limit=args.memory,
        privacy_inmemory_rows=0,  # whatever the size: the engine path
        second_factor_policy="off",
    )
    platform = Platform(config)
    platform.accounts.create_organization("bench", title="Bench", principal=SYSTEM)
    platform.catalog.create_dataset(
        "people", organization="bench", title="People", access_level="personal", principal=SYSTEM
    )
    started = time.perf_counter()
    platform.catalog.publish("people", args.path, principal=SYSTEM)
    print(f"published the source: {time.perf_counter() - started:.1f} s")
    platform.close()
    pid = os.fork()
    if pid == 0:  # the release, alone in this process
        code = 1
        try:
            p = Platform(config)
            t0 = time.perf_counter()

            def phase(done: int, total: int | None) -> None:  # wall time and peak RSS so far
                hwm = next(
                    line.split()[1]
                    for line in Path("/proc/self/status").read_text().splitlines()
                    if line.startswith("VmHWM")
                )
                print(
                    f"  step {done}/{total}: {time.perf_counter() - t0:.1f} s, "
                    f"peak RSS so far {int(hwm) / 1024:.0f} MB",
                    flush=True,
                )

            info = p.privacy.release(
                "people",
                service_policy(args.k, args.suppression),
                target_name="people-open",
                principal=SYSTEM,
                base_dir=ROOT,
                progress=phase,
            )
            wall = time.perf_counter() - t0
            r = info.report
            print(
                f"release ({args.engine}): {r.records.original:,} rows -> {r.records.released:,} "
                f"released, {r.records.suppressed:,} suppressed, levels {r.levels}, k "
                f"{r.privacy.measured.k}, {r.search.nodes_evaluated} of {r.search.lattice_size} "
                f"nodes; {wall:.1f} s"
            )
            p.close()
            code = 0
        finally:
            os._exit(code)
    _, status, usage = os.wait4(pid, 0)
    import shutil

    shutil.rmtree(data, ignore_errors=True)
    print(
        f"release process: exit {os.waitstatus_to_exitcode(status)}, peak RSS "
        f"{usage.ru_maxrss / 1024:.0f} MB; load average {os.getloadavg()}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("rows", type=int)
    g.add_argument("path", type=Path)
    r = sub.add_parser("run")
    r.add_argument("path", type=Path)
    r.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    r.add_argument("--k", type=int, default=5)
    r.add_argument("--suppression", type=float, default=0.05)
    r.add_argument("--memory", default="2GB")
    r.add_argument("--check", action="store_true")
    v = sub.add_parser("service")
    v.add_argument("path", type=Path)
    v.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    v.add_argument("--k", type=int, default=5)
    v.add_argument("--suppression", type=float, default=0.05)
    v.add_argument("--memory", default="2GB")
    args = ap.parse_args()
    if args.command == "generate":
        generate(args.rows, args.path)
    elif args.command == "service":
        service(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
