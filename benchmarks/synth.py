"""Benchmark: synthetic versions of UCI Adult (30,162 rows, 15 columns) at ε = 1 and ε = 10.

    .venv/bin/python benchmarks/synth.py [--epsilons 1 10] [--repeat 1] [--peer-timeout 1200]
        [--rows N] [--skip-peers]

Same run, same 80/20 split, same metrics for everyone (datanuri's own, in the data's domain:
16 bins between the 2% and 98% quantiles, every category):

- ``datanuri-mst``: :mod:`datanuri.synth` MST-style synthesizer, δ = 1e-6;
- ``snsynth-mst`` / ``snsynth-aim``: smartnoise-synth, δ = 1e-6, 10% of ε on its preprocessor;
- ``sdv-copula``: SDV GaussianCopula (no privacy), and ``datanuri-copula`` (no privacy).

Peers run in the scratch virtualenv /work/synthpeer (``benchmarks/synth_peer.py``), never the
project's; a peer that is missing or exceeds ``--peer-timeout`` seconds is reported as such.
Printed: mean 2-way TVD (fidelity; lower is better), the accuracy gap of a logistic regression
for ``income`` trained on synthetic vs real rows, both tested on the held-out rows (utility; lower
is better), and the median wall time with its ratio to the fastest DP synthesizer measured.

One run (2026-12-04, 2 cores shared with other work; peers run alone, --peer-timeout 2400):

    ε = 1:  datanuri-mst TVD 0.130, gap 0.086, 7.7 s | snsynth-mst 0.276, 0.146, 485 s |
            sdv-copula 0.271, 0.085, 60 s (no guarantee) | datanuri-copula 0.071, 0.067, 1.2 s
    ε = 10: datanuri-mst TVD 0.047, gap 0.066, 7.9 s | snsynth-mst 0.538, 0.159, 409 s
    snsynth-aim: not finished within 480 s at either ε (not measured).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from datanuri.synth import domain as D  # noqa: E402
from datanuri.synth import metrics as X  # noqa: E402
from datanuri.synth.report import split  # noqa: E402
from datanuri.synth.synthesize import SynthOptions, synthesize  # noqa: E402
from tests.privacy.adult import adult  # noqa: E402

PEER_PY = Path("/work/synthpeer/bin/python")
PEER = Path(__file__).with_name("synth_peer.py")
TARGET = "income"


def scores(train: pa.Table, hold: pa.Table, syn: pa.Table) -> tuple[float, float]:
    """(mean 2-way TVD, accuracy gap) of ``syn`` in the data's own domain."""
    rng = np.random.default_rng(0)
    view = D.build(
        train, {}, bins=16, min_category_count=1, bound_scale=None, rng=rng, exact_bounds=True
    )
    syn = syn.select(train.column_names).cast(train.schema, safe=False)
    a, b, h = (D.encode(t, view) for t in (train, syn, hold))
    t2 = float(np.mean(X.k_way_tvd(a, b, view.sizes, 2, rng)))
    real, synth, _ = X.utility(a, b, h, view.names.index(TARGET), 0)
    return t2, real - synth


def peer(
    method: str, eps: float, train: pa.Table, timeout: float, seed: int
) -> tuple[pa.Table, float] | str:
    """A peer's synthetic table and its own fit+sample seconds, or why there is none."""
    if not PEER_PY.exists():
        return "not installed"
    with tempfile.TemporaryDirectory() as d:
        src, dst = Path(d) / "in.csv", Path(d) / "out.csv"
        pacsv.write_csv(train, src)
        try:
            p = subprocess.run(
                [str(PEER_PY), str(PEER), method, str(eps), str(src), str(dst), str(seed)],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"timed out after {timeout:.0f} s"
        if p.returncode != 0:
            return "failed: " + (p.stderr.strip().splitlines() or ["?"])[-1][:120]
        secs = float(p.stdout.strip().splitlines()[-1])
        return pacsv.read_csv(dst), secs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epsilons", type=float, nargs="+", default=[1.0, 10.0])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--peer-timeout", type=float, default=1200.0)
    ap.add_argument("--rows", type=int, default=None, help="use the first N rows (smoke runs)")
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--peers", nargs="+", default=["snsynth-mst", "snsynth-aim", "sdv-copula"])
    args = ap.parse_args()
    data = adult() if args.rows is None else adult().slice(0, args.rows)
    train, hold = split(data, 0.2, 0)
    print(
        f"Adult: {train.num_rows} training rows, {hold.num_rows} held out, "
        f"{train.num_columns} columns; target {TARGET!r}"
    )
    for eps in args.epsilons:
        rows: list[tuple[str, float, float, float | None, str]] = []
        for method in ("mst", "copula"):
            times, last = [], None
            for r in range(args.repeat):
                t = time.perf_counter()
                last = synthesize(train, SynthOptions(method=method, epsilon=eps, seed=r))  # type: ignore[arg-type]
                times.append(time.perf_counter() - t)
            assert last is not None
            t2, gap = scores(train, hold, last.table)
            rows.append(
                (
                    f"datanuri-{method}",
                    t2,
                    gap,
                    statistics.median(times),
                    "DP" if method == "mst" else "no guarantee",
                )
            )
        if not args.skip_peers:
            for m in args.peers:
                got = peer(m, eps, train, args.peer_timeout, 0)
                kind = "no guarantee" if m == "sdv-copula" else "DP"
                if isinstance(got, str):
                    rows.append((m, float("nan"), float("nan"), None, got))
                else:
                    t2, gap = scores(train, hold, got[0])
                    rows.append((m, t2, gap, got[1], kind))
        dp_times = [r[3] for r in rows if r[4] == "DP" and r[3] is not None]
        fastest = min(dp_times) if dp_times else None
        print(f"\nε = {eps:g} (δ = 1e-6)")
        print(
            f"{'synthesizer':<18}{'2-way TVD':>11}{'acc. gap':>10}{'time s':>10}{'× fastest DP':>14}  note"
        )
        for name, t2, gap, secs, note in rows:
            ratio = f"{secs / fastest:.1f}" if secs is not None and fastest else "-"
            st = f"{secs:.2f}" if secs is not None else "-"
            print(f"{name:<18}{t2:>11.4f}{gap:>10.4f}{st:>10}{ratio:>14}  {note}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
