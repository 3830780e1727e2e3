"""Benchmark: optimal full-domain generalisation on UCI Adult (and Adult upsampled 10×), anjana
for comparison, and a generated table of millions of rows.

    .venv/bin/python benchmarks/anonymize.py [--repeat 5] [--pycanon-nodes 20] [--adult PATH]
        [--skip-upsampled] [--skip-anjana] [--synthetic 10000000 [--skip-adult]]

For each setting it times, in the same process and run:

- ``datanuri``: ``Problem(...)`` (frequency table, code maps) + ``search()`` — the optimum;
- ``exhaustive``: the same vectorised node evaluation applied to every node of the lattice
  (the "plain vectorised exhaustive check" baseline);
- ``pycanon``: ``pycanon.anonymity.k_anonymity`` on the generalised table, per lattice node,
  timed on ``--pycanon-nodes`` random nodes and extrapolated to the whole lattice (running it on
  all 4,320 nodes takes many minutes); k-anonymity settings only.

and prints the ratios baseline / datanuri. Then ``anjana`` (greedy; run by
``benchmarks/anjana_adult.py`` in its own virtualenv ``benchmarks/.venv-anjana``, created on first
use because anjana pins exact numpy / pycanon versions) on the same data, quasi-identifiers and
hierarchies at 5-anonymity with 0% and 1% suppression; the loss of its release and of datanuri's
optima is measured with datanuri's own report functions (precision = generalisation intensity
with suppressed records fully generalised, discernibility). With ``--synthetic N``: a generated
table of N rows and 8 quasi-identifiers, frequency table and search timed (wall and CPU) and the
process's peak RSS.

The standard setting: rows with missing values dropped (30,162), quasi-identifiers age,
education, marital-status, native-country, race, sex, workclass, salary; hierarchy heights 5, 4,
3, 3, 2, 2, 3, 2 (4,320 nodes); the hierarchies are this repository's own test hierarchies, so
optima differ from ARX's published ones.
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
    return big.set_column(
        big.column_names.index("age"), "age", pa.array(jittered, big.schema.field("age").type)
    )


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
    levels = dict(zip(hier, best.levels, strict=True))
    print(
        f"\n== {name}  ({table.num_rows:,} rows, {p.F:,} distinct combinations, {p.size:,} nodes)"
    )
    print(
        f"   optimum   {levels}  suppressed {best.suppressed}  {kw.get('loss', 'precision')} {best.loss:.6g}"
    )
    print(f"   datanuri  {t_opt * 1000:9.1f} ms   nodes evaluated {p.evaluations:,}")
    print(
        f"   exhaustive{t_exh * 1000:9.1f} ms   (all nodes; same optimum: {same})   ratio {t_exh / t_opt:6.1f}x"
    )
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
            cols = {
                c: generalize(table.column(c), hier[c], int(lv), column=c)
                for c, lv in zip(qi, nodes[i], strict=True)
            }
            df = pa.table(cols).to_pandas()
            pyc_k(df, qi)
        per_node = (time.perf_counter() - t0) / len(pick)
        full = per_node * p.size
        print(
            f"   pycanon   {per_node * 1000:9.1f} ms per node → {full:8.1f} s for the lattice "
            f"(extrapolated from {len(pick)} nodes)   ratio {full / t_opt:8.0f}x"
        )


def synthetic(rows: int, seed: int = 0, batch: int = 1_000_000) -> tuple[pa.Table, dict]:
    """A generated table with 8 quasi-identifiers: Adult's categorical columns resampled
    independently from their Adult frequencies, ages 0-99, and Korean 읍면동 regions; text
    columns dictionary-encoded, as Parquet files are read. Independent columns make almost every
    record distinct (a hard case: the frequency table is nearly as long as the table).
    Generated in batches of compact integers, so the generator's scratch never dominates the
    process's peak memory."""
    from datanuri.privacy.hierarchies import age_hierarchy, korean_regions

    table, hier = load(None)
    rng = np.random.default_rng(seed)
    regions = korean_regions()
    names = ["age", "education", "marital-status", "race", "sex", "workclass", "income", "region"]
    dictionaries: dict[str, pa.Array] = {"region": pa.array(regions.leaves)}
    cdfs: dict[str, np.ndarray] = {}
    for c in names[1:-1]:
        vc = table.column(c).value_counts()
        dictionaries[c] = vc.field("values")
        cdfs[c] = np.cumsum(vc.field("counts").to_numpy() / table.num_rows)
    chunks: dict[str, list] = {c: [] for c in names}
    for start in range(0, rows, batch):
        b = min(batch, rows - start)
        chunks["age"].append(pa.array(rng.integers(0, 100, b, dtype=np.int16)).cast(pa.int64()))
        for c in names[1:-1]:
            idx = np.minimum(
                np.searchsorted(cdfs[c], rng.random(b), side="right"), len(cdfs[c]) - 1
            ).astype(np.int32)
            chunks[c].append(
                pa.DictionaryArray.from_arrays(pa.array(idx), dictionaries[c])
            )  # as Parquet reads it
        idx = rng.integers(0, len(regions.leaves), b, dtype=np.int32)
        chunks["region"].append(
            pa.DictionaryArray.from_arrays(pa.array(idx), dictionaries["region"])
        )
    out_hier = {"age": age_hierarchy(), **{c: hier[c] for c in names[1:-1]}, "region": regions}
    return pa.table({c: pa.chunked_array(chunks[c]) for c in names}), out_hier


# ------------------------------------------------------------------------------------------
# anjana (greedy), in its own virtualenv: it pins exact numpy / pycanon versions

ANJANA_VENV = ROOT / "benchmarks" / ".venv-anjana"
ANJANA_HELPER = ROOT / "benchmarks" / "anjana_adult.py"


def anjana_python() -> tuple[Path | None, str]:
    """The anjana virtualenv's interpreter, created (python3 -m venv; pip install anjana) on
    first use; or None and the reason it is not available."""
    import shutil
    import subprocess

    py = ANJANA_VENV / "bin" / "python"
    check = [str(py), "-c", "import anjana.anonymity"]
    if py.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return py, ""
    base = shutil.which("python3") or sys.executable
    print(
        f"   creating {ANJANA_VENV.relative_to(ROOT)} (python3 -m venv; pip install anjana) ...",
        flush=True,
    )
    steps = [
        [base, "-m", "venv", str(ANJANA_VENV)],
        [str(py), "-m", "pip", "install", "-q", "anjana"],
    ]
    for cmd in steps:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as e:
            return None, f"{' '.join(cmd[:3])} failed: {e}"
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            return None, f"{' '.join(cmd[:4])} failed: {' / '.join(tail)}"
    if subprocess.run(check, capture_output=True).returncode != 0:
        return None, "anjana installed but cannot be imported"
    return py, ""


def release_loss(
    original: pa.Table, released: pa.Table, hier: dict, levels: dict, suppressed: int
) -> dict:
    """Loss of a release measured with datanuri's own report functions: precision (generalisation
    intensity; suppressed records count as fully generalised), discernibility, and the k the
    released table actually has."""
    from datanuri.privacy.models import group_ids, k_anonymity
    from datanuri.privacy.report import column_loss

    qi = list(hier)
    per_col = [column_loss(original, released, c, hier[c], int(levels[c]), suppressed) for c in qi]
    ids, g = group_ids(released, qi)
    sizes = np.bincount(ids, minlength=g).astype(float)
    return {
        "precision": float(np.mean([v["precision_with_suppression"] for v in per_col])),
        "discernibility": float((sizes * sizes).sum() + suppressed * original.num_rows),
        "k": k_anonymity(released, quasi_identifiers=qi) if released.num_rows else 0,
        "suppressed": suppressed,
    }


def compare_anjana(table: pa.Table, hier: dict, args) -> None:
    """datanuri's optimum vs anjana's greedy result on Adult, 5-anonymity, 0% and 1% suppression."""
    import json
    import shutil
    import subprocess
    import tempfile

    import pyarrow.csv as pacsv

    print("\n== anjana (greedy, pandas + pycanon) vs datanuri (optimal), Adult, 5-anonymity")
    py, why = anjana_python()
    if py is None:
        print(f"   anjana not measured: {why}")
        return
    qi = list(hier)
    work = Path(tempfile.mkdtemp(prefix="anjana-"))
    table.select(qi).to_pandas().to_csv(work / "data.csv", index=False)
    levels_json = {}
    for c in qi:
        distinct = pa.chunked_array(table.column(c)).unique()
        col = {0: distinct.to_pylist()}
        for lv in range(1, hier[c].height):
            col[lv] = hier[c].generalize(distinct, lv, column=c).to_pylist()
        levels_json[c] = col
    (work / "hierarchies.json").write_text(
        json.dumps(levels_json, ensure_ascii=False), encoding="utf-8"
    )
    rows = []
    for supp in (0.0, 0.01):
        for loss in ("precision", "discernibility"):

            def optimum(supp: float = supp, loss: str = loss):
                p = Problem(table, quasi_identifiers=hier, k=5, max_suppression=supp, loss=loss)
                return p, p.search()

            t, (p, best) = timed(optimum, args.repeat)
            rel, suppressed, _ = p.release(best.levels)
            rows.append(
                (
                    supp,
                    f"datanuri optimum by {loss}",
                    t,
                    dict(zip(qi, best.levels, strict=True)),
                    release_loss(
                        table, rel, hier, dict(zip(qi, best.levels, strict=True)), suppressed
                    ),
                )
            )
        try:
            done = subprocess.run(
                [
                    str(py),
                    str(ANJANA_HELPER),
                    str(work),
                    "--k",
                    "5",
                    "--suppression",
                    f"{supp * 100:g}",
                ],
                capture_output=True,
                text=True,
                timeout=1800,
            )
        except subprocess.TimeoutExpired:
            print(f"   anjana at {supp:.0%} suppression: no answer within 30 minutes")
            continue
        if done.returncode != 0:
            tail = " / ".join(done.stderr.strip().splitlines()[-3:])
            print(f"   anjana at {supp:.0%} suppression failed: {tail}")
            continue
        out = json.loads(done.stdout.strip().splitlines()[-1])
        opts = pacsv.ConvertOptions(column_types={c: pa.string() for c in qi})
        released = pacsv.read_csv(out["output"], convert_options=opts)
        rows.append(
            (
                supp,
                "anjana (greedy)",
                out["seconds"],
                out["levels"],
                release_loss(table, released, hier, out["levels"], out["suppressed"]),
            )
        )
    shutil.rmtree(work, ignore_errors=True)
    print(
        f"   {'suppr.':>6}  {'':36} {'time':>10}  {'precision':>9}  {'DM':>12}  {'k':>3}  "
        f"{'suppr.':>6}  levels ({', '.join(qi)})"
    )
    for supp, who, t, levels, m in rows:
        print(
            f"   {supp:6.0%}  {who:36} {t * 1000:8.1f} ms  {m['precision']:9.4f}  "
            f"{m['discernibility']:12,.0f}  {m['k']:3d}  {m['suppressed']:6d}  "
            f"{tuple(int(levels[c]) for c in qi)}"
        )
    print(
        "   ratios anjana / datanuri optimum (the optimum for each metric; > 1: anjana slower or loses more):"
    )
    for supp in (0.0, 0.01):
        by = {who: (t, m) for s, who, t, _, m in rows if s == supp}
        if "anjana (greedy)" not in by:
            continue
        ta, ma = by["anjana (greedy)"]
        tp, mp = by["datanuri optimum by precision"]
        td, md = by["datanuri optimum by discernibility"]
        print(
            f"   {supp:6.0%}  time {ta / tp:7.1f}x (vs precision optimum), {ta / td:7.1f}x (vs DM optimum)"
            f"   precision {ma['precision'] / mp['precision']:5.2f}x"
            f"   DM {ma['discernibility'] / md['discernibility']:5.2f}x"
        )


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pycanon-nodes", type=int, default=20)
    ap.add_argument("--adult", type=Path, default=None)
    ap.add_argument("--skip-upsampled", action="store_true")
    ap.add_argument(
        "--skip-adult", action="store_true", help="only the generated table (with --synthetic)"
    )
    ap.add_argument(
        "--skip-anjana",
        action="store_true",
        help="do not compare with anjana (its virtualenv is made on first use)",
    )
    ap.add_argument(
        "--synthetic", type=int, default=0, help="also time a generated table of this many rows"
    )
    args = ap.parse_args()
    table, hier = load(args.adult)
    settings = [
        (
            "5-anonymity, 0% suppression, precision",
            dict(k=5, max_suppression=0.0, loss="precision"),
        ),
        (
            "5-anonymity, 1% suppression, precision",
            dict(k=5, max_suppression=0.01, loss="precision"),
        ),
        (
            "5-anonymity, 1% suppression, discernibility",
            dict(k=5, max_suppression=0.01, loss="discernibility"),
        ),
        (
            "5-anonymity + recursive-(4,3)-diversity on occupation, 1% suppression, precision",
            dict(
                k=5,
                model="recursive-cl-diversity",
                l=3,
                c=4,
                sensitive="occupation",
                max_suppression=0.01,
                loss="precision",
            ),
        ),
    ]
    qi_table = table
    for name, kw in settings if not args.skip_adult else []:
        run_setting(f"Adult: {name}", qi_table, hier, args, **kw)
    if not args.skip_anjana and not args.skip_adult:
        compare_anjana(table, hier, args)
    if not args.skip_upsampled and not args.skip_adult:
        big = upsample(table, 10)
        for name, kw in settings[:2]:
            run_setting(f"Adult ×10: {name}", big, hier, args, **kw)
    if args.synthetic:
        t0 = time.perf_counter()
        table_s, hier_s = synthetic(args.synthetic)
        t_gen = time.perf_counter() - t0
        rss_table = peak_rss_mb()
        print(
            f"\n== generated {args.synthetic:,} rows, 8 quasi-identifiers (generation {t_gen:.1f} s, "
            f"not timed; peak RSS with the table {rss_table:,.0f} MB)"
        )
        print("   goal: frequency table + optimal search under 60 s, peak RSS under 2,000 MB")
        for name, kw in settings[:2]:
            t0, c0 = time.perf_counter(), time.process_time()
            p = Problem(table_s, quasi_identifiers=hier_s, **kw)
            t_prep, c_prep = time.perf_counter() - t0, time.process_time() - c0
            best = p.search()
            t_search, c_search = (
                time.perf_counter() - t0 - t_prep,
                time.process_time() - c0 - c_prep,
            )
            print(f"   {name}")
            print(
                f"     frequency table {t_prep:6.2f} s (cpu {c_prep:5.2f}; {p.F:,} combinations)"
                f"   search {t_search:6.2f} s (cpu {c_search:5.2f}; {p.evaluations} nodes)"
                f"   total {t_prep + t_search:6.2f} s   optimum {best.levels if best else None}"
            )
            del p  # the next setting's problem is built without this one alive
        print(f"   peak RSS of the process {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
