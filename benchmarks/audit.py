"""Model audit benchmark: intersectional groups and 1,000 bootstrap resamples over 10^6
predictions, against Fairlearn's MetricFrame on the same data in the same run.

    PYTHONPATH=. .venv/bin/python benchmarks/audit.py                      # 10^6 rows
    PYTHONPATH=. .venv/bin/python benchmarks/audit.py --rows 20000 --fairlearn-boot 2   # quick

Data: generated, `--rows` predictions with sex (2) × race (5) × age band (4) = 40 intersectional
groups (the smallest about 0.1 % of rows), a score, a thresholded prediction and a true outcome.

Figures (median of --repeat runs after one warm-up, in this process):

* datanuri point   `factorize` of the three group columns + `model_metrics` without bootstrap:
                   selection rate, TPR, FPR, PPV, AUC and calibration per group, differences and
                   ratios;
* datanuri boot    the same with `--boot` resamples (intervals of every difference and ratio,
                   AUC's included);
* fairlearn point  `MetricFrame` of the four rates (Fairlearn's `selection_rate`,
                   `true_positive_rate`, `false_positive_rate`, scikit-learn `precision_score`)
                   plus a second MetricFrame of `roc_auc_score` on the scores, `.difference()`
                   and `.ratio()` of both — the same figures but calibration;
* fairlearn boot   Fairlearn 0.15's own bootstrap (`MetricFrame(n_boot=…, ci_quantiles=[0.025,
                   0.975], random_state=…)`, both frames): it recomputes every metric per group
                   on each resampled DataFrame, about as long per resample as one point
                   estimate, so `--fairlearn-boot` resamples are run (default 5) and the time of
                   `--boot` resamples is extrapolated linearly from the time per resample
                   (reported as such, with the resamples actually run); `--fairlearn-boot 1000`
                   runs them all.

Every run checks that the point figures agree with Fairlearn's (to 1e-12) before timing.
Prints one line per figure with the machine's load average, then a JSON line with every figure.
Not part of the test suite (tests/audit/test_benchmark_smoke.py runs it on 20,000 rows).

Figures of 2026-12-04 on the shared 2-core build machine (load 5.6-14 during the run, so read
them as upper bounds), 10^6 predictions, 40 groups, median of 3: datanuri point 4.2 s, with
1,000 resamples 26.5 s (most of it the AUC intervals: 40 × 2 × 250 cells per resample);
Fairlearn MetricFrame point 132.5 s, its own bootstrap 15.8 s per resample (3 run: 179.9 s),
so about 15,900 s (4.4 h) for 1,000, extrapolated. datanuri: 0.032× Fairlearn's time for the
point estimates, 0.0017× for point + bootstrap. Unloaded (load ~2) the datanuri point figure was
1.6 s and the bootstrap 8 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._harness import loadavg  # noqa: E402
from datanuri.audit.metrics import RATES, factorize, model_metrics  # noqa: E402


def data(rows: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    sex = rng.choice(np.array(["F", "M"]), rows)
    race = rng.choice(np.array(["A", "B", "C", "D", "E"]), rows, p=[0.6, 0.2, 0.1, 0.07, 0.03])
    age = rng.choice(np.array(["<25", "25-44", "45-64", "65+"]), rows, p=[0.2, 0.4, 0.3, 0.1])
    logit = (
        0.3 * (sex == "M") - 0.4 * (race == "E") + 0.2 * (age == "45-64") + rng.normal(0, 1, rows)
    )
    score = 1 / (1 + np.exp(-logit))
    y_true = (rng.random(rows) < score).astype(np.int64)
    y_pred = (score > 0.5).astype(np.int64)
    return {"sex": sex, "race": race, "age": age, "score": score, "y": y_true, "pred": y_pred}


def ours(d: dict[str, np.ndarray], boot: int) -> Any:
    g = factorize([("sex", d["sex"]), ("race", d["race"]), ("age", d["age"])])
    return model_metrics(g, d["y"], d["pred"], d["score"], bootstrap=boot, seed=1)


def fairlearn(d: dict[str, np.ndarray], n_boot: int | None) -> tuple[Any, Any]:
    import pandas as pd
    from fairlearn.metrics import (
        MetricFrame,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import precision_score, roc_auc_score

    def ppv(yt: Any, yp: Any) -> float:
        return float(precision_score(yt, yp, zero_division=0))

    def auc(yt: Any, s: Any) -> float:
        return float(roc_auc_score(yt, s)) if 0 < yt.sum() < len(yt) else float("nan")

    sf = pd.DataFrame({"sex": d["sex"], "race": d["race"], "age": d["age"]})
    kw: dict[str, Any] = {}
    if n_boot:
        kw = {"n_boot": n_boot, "ci_quantiles": [0.025, 0.975], "random_state": 1}
    rates = MetricFrame(
        metrics={
            "selection_rate": selection_rate,
            "tpr": true_positive_rate,
            "fpr": false_positive_rate,
            "ppv": ppv,
        },
        y_true=d["y"],
        y_pred=d["pred"],
        sensitive_features=sf,
        **kw,
    )
    aucs = MetricFrame(
        metrics={"auc": auc}, y_true=d["y"], y_pred=d["score"], sensitive_features=sf, **kw
    )
    return (rates, rates.difference(), rates.ratio()), (aucs, aucs.difference(), aucs.ratio())


def check(d: dict[str, np.ndarray]) -> None:
    m = ours(d, 0)
    (rf, rd, rr), (af, ad, ar) = fairlearn(d, None)
    for k in RATES:
        assert abs(m.disparity(k).difference - rd[k]) < 1e-12, k
        assert abs(m.disparity(k).ratio - rr[k]) < 1e-12, k
    assert abs(m.disparity("auc").difference - ad["auc"]) < 1e-12
    assert abs(m.disparity("auc").ratio - ar["auc"]) < 1e-12


def timed(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--boot", type=int, default=1000)
    ap.add_argument("--fairlearn-boot", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    d = data(args.rows)
    check(d)
    fig: dict[str, Any] = {"rows": args.rows, "groups": 40, "boot": args.boot}
    fig["datanuri_point_s"] = timed(lambda: ours(d, 0), args.repeat)
    fig["datanuri_boot_s"] = timed(lambda: ours(d, args.boot), args.repeat)
    fig["fairlearn_point_s"] = timed(lambda: fairlearn(d, None), args.repeat)
    k = args.fairlearn_boot
    t = time.perf_counter()
    fairlearn(d, k)
    run = time.perf_counter() - t
    per = max(run - fig["fairlearn_point_s"], 0.0) / k
    fig["fairlearn_boot_run"] = {"resamples": k, "seconds": run}
    fig["fairlearn_boot_s"] = fig["fairlearn_point_s"] + per * args.boot
    fig["fairlearn_boot_extrapolated"] = k < args.boot
    fig["point_ratio"] = fig["datanuri_point_s"] / fig["fairlearn_point_s"]
    fig["boot_ratio"] = fig["datanuri_boot_s"] / fig["fairlearn_boot_s"]
    fig["load"] = loadavg()
    ext = f" (extrapolated from {k} resamples)" if k < args.boot else ""
    print(f"datanuri point   {fig['datanuri_point_s']:.3f} s   {fig['load']}")
    print(f"datanuri boot    {fig['datanuri_boot_s']:.3f} s   ({args.boot} resamples)")
    print(f"fairlearn point  {fig['fairlearn_point_s']:.3f} s")
    print(f"fairlearn boot   {fig['fairlearn_boot_s']:.1f} s{ext}")
    print(f"ratio point {fig['point_ratio']:.3f}x, boot {fig['boot_ratio']:.4f}x of Fairlearn")
    print(json.dumps(fig))


if __name__ == "__main__":
    main()
