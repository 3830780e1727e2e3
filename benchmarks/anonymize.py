"""Benchmark: optimal full-domain generalisation on UCI Adult (and Adult upsampled 10×).

    .venv/bin/python benchmarks/anonymize.py [--repeat 5] [--pycanon-nodes 20] [--adult PATH]

For each setting it times, in the same process and run:

- ``datanuri``: ``Problem(...)`` (frequency table, code maps) + ``search()`` — the optimum;
- ``exhaustive``: the same vectorised node evaluation applied to every node of the lattice
  (the "plain vectorised exhaustive check" baseline);
- ``pycanon``: ``pycanon.anonymity.k_anonymity`` on the generalised table, per lattice node,
  timed on ``--pycanon-nodes`` random nodes and extrapolated to the whole lattice (running it on
  all 4,320 nodes takes many minutes); k-anonymity settings only.

and prints the ratios baseline / datanuri. The standard setting: rows with missing values
dropped (30,162), quasi-identifiers age, education, marital-status, native-country, race, sex,
workclass, salary; hierarchy heights 5, 4, 3, 3, 2, 2, 3, 2 (4,320 nodes); the hierarchies are
this repository's own test hierarchies, so optima differ from ARX's published ones.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from datanuri.privacy.anonymize import Problem  # noqa: E402
from datanuri.privacy.transforms import generalize  # noqa: E402


def load(path: Path | None) -> tuple[pa.Table, dict]:
    import tests.privacy.adult as adult_mod

    if path is not None:
        adult_mod.ADULT = path
    return adult_mod.adult(), adult_mod.hierarchies()


def upsample(table: pa.Table, factor: int, seed: int = 0) -> pa.Table:
    """``factor`` × the rows, resampled with replacement, ages jittered by up to ±3 years (clipped
    to the observed range) so the copies are not exact duplicates (plain copies would make the
    bottom node trivially k-anonymous for k ≤ factor)."""
    rng = np.random.default_rng(seed)
    n = table.num_rows * factor
    big = table.take(pa.array(rng.integers(0, table.num_rows, n)))
    age = big.column("age").to_numpy()
    lo, hi = int(age.min()), int(age.max())
    jittered = np.clip(age + rng.integers(-3, 4, n), lo, hi)
    return big.set_column(big.column_names.index("age"), "age", pa.array(jittered, big.schema.field("age").type))


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def run_setting(name: str, table: pa.Table, hier: dict, args, **kw) -> None:
    def optimum():
        p = Problem(table, quasi_identifiers=hier, **kw)
        return p, p.search()

    t_opt, (p, best) = timed(optimum, args.repeat)

    def exhaustive():
        q = Problem(table, quasi_identifiers=hier, **kw)
        nodes = [r for r in q.evaluate_lattice() if r.anonymous]
        return min(nodes, key=lambda r: (round(r.loss, 9), r.suppressed, sum(r.levels), r.levels))

    t_exh, ex_best = timed(exhaustive, 1)
    same = ex_best.levels == best.levels
    levels = dict(zip(hier, best.levels))
    print(f"\n== {name}  ({table.num_rows:,} rows, {p.F:,} distinct combinations, {p.size:,} nodes)")
    print(f"   optimum   {levels}  suppressed {best.suppressed}  {kw.get('loss', 'precision')} {best.loss:.6g}")
    print(f"   datanuri  {t_opt * 1000:9.1f} ms   nodes evaluated {p.evaluations:,}")
    print(f"   exhaustive{t_exh * 1000:9.1f} ms   (all nodes; same optimum: {same})   ratio {t_exh / t_opt:6.1f}x")
    if kw.get("model", "k-anonymity") == "k-anonymity" and args.pycanon_nodes > 0:
        try:
            from pycanon.anonymity import k_anonymity as pyc_k
        except ImportError:
            print("   pycanon   not installed")
            return
        rng = np.random.default_rng(0)
        nodes = p.all_nodes()
        pick = rng.choice(len(nodes), size=min(args.pycanon_nodes, len(nodes)), replace=False)
        qi = list(hier)
        t0 = time.perf_counter()
        for i in pick:
            cols = {c: generalize(table.column(c), hier[c], int(lv), column=c) for c, lv in zip(qi, nodes[i])}
            df = pa.table(cols).to_pandas()
            pyc_k(df, qi)
        per_node = (time.perf_counter() - t0) / len(pick)
        full = per_node * p.size
        print(f"   pycanon   {per_node * 1000:9.1f} ms per node → {full:8.1f} s for the lattice (extrapolated from {len(pick)} nodes)   ratio {full / t_opt:8.0f}x")


def synthetic(rows: int, seed: int = 0) -> tuple[pa.Table, dict]:
    """A generated table with 8 quasi-identifiers: Adult's categorical columns resampled
    independently from their Adult frequencies, ages 0-99, and Korean 읍면동 regions; text
    columns dictionary-encoded, as Parquet files are read. Independent columns make almost every
    record distinct (a hard case: the frequency table is nearly as long as the table)."""
    from datanuri.privacy.hierarchies import age_hierarchy, korean_regions

    table, hier = load(None)
    rng = np.random.default_rng(seed)
    cols = {"age": pa.array(rng.integers(0, 100, rows))}
    out_hier = {"age": age_hierarchy()}
    for c in ["education", "marital-status", "race", "sex", "workclass", "income"]:
        vc = table.column(c).value_counts()
        values = vc.field("values").to_numpy(zero_copy_only=False)
        p = vc.field("counts").to_numpy() / table.num_rows
        idx = rng.choice(len(values), rows, p=p).astype(np.int32)
        cols[c] = pa.DictionaryArray.from_arrays(pa.array(idx), pa.array(values))  # as Parquet reads it
        out_hier[c] = hier[c]
    regions = korean_regions()
    idx = rng.integers(0, len(regions.leaves), rows).astype(np.int32)
    cols["region"] = pa.DictionaryArray.from_arrays(pa.array(idx), pa.array(regions.leaves))
    out_hier["region"] = regions
    return pa.table(cols), out_hier


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pycanon-nodes", type=int, default=20)
    ap.add_argument("--adult", type=Path, default=None)
    ap.add_argument("--skip-upsampled", action="store_true")
    ap.add_argument("--synthetic", type=int, default=0, help="also time a generated table of this many rows")
    args = ap.parse_args()
    table, hier = load(args.adult)
    settings = [
        ("5-anonymity, 0% suppression, precision", dict(k=5, max_suppression=0.0, loss="precision")),
        ("5-anonymity, 1% suppression, precision", dict(k=5, max_suppression=0.01, loss="precision")),
        ("5-anonymity, 1% suppression, discernibility", dict(k=5, max_suppression=0.01, loss="discernibility")),
        (
            "5-anonymity + recursive-(4,3)-diversity on occupation, 1% suppression, precision",
            dict(k=5, model="recursive-cl-diversity", l=3, c=4, sensitive="occupation", max_suppression=0.01, loss="precision"),
        ),
    ]
    qi_table = table
    for name, kw in settings:
        run_setting(f"Adult: {name}", qi_table, hier, args, **kw)
    if not args.skip_upsampled:
        big = upsample(table, 10)
        for name, kw in settings[:2]:
            run_setting(f"Adult ×10: {name}", big, hier, args, **kw)
    if args.synthetic:
        t0 = time.perf_counter()
        table_s, hier_s = synthetic(args.synthetic)
        t_gen = time.perf_counter() - t0
        for name, kw in settings[:2]:
            t0 = time.perf_counter()
            p = Problem(table_s, quasi_identifiers=hier_s, **kw)
            t_prep = time.perf_counter() - t0
            best = p.search()
            t_search = time.perf_counter() - t0 - t_prep
            print(f"\n== generated {args.synthetic:,} rows, 8 quasi-identifiers: {name}  (generation {t_gen:.1f} s, not timed)")
            print(f"   frequency table {t_prep:6.2f} s ({p.F:,} combinations)   search {t_search:6.2f} s ({p.evaluations} nodes)   optimum {best.levels if best else None}")
        print(f"   peak RSS of the process {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
