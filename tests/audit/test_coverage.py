"""The bootstrap intervals cover the true difference and ratio at their stated rate."""

from __future__ import annotations

import numpy as np

from datanuri.audit.metrics import factorize, model_metrics

SIMS = 200


def test_intervals_cover_the_true_spread_at_95_percent() -> None:
    p = {"a": 0.30, "b": 0.42}  # true selection rates; difference 0.12, ratio 0.714...
    true_diff, true_ratio = 0.12, 0.30 / 0.42
    rng = np.random.default_rng(2026)
    cover_d = cover_r = 0
    for sim in range(SIMS):
        n = 1500
        g = np.where(rng.random(n) < 0.6, "a", "b")
        pred = (rng.random(n) < np.where(g == "a", p["a"], p["b"])).astype(int)
        truth = rng.integers(0, 2, n)
        m = model_metrics(
            factorize([("g", g)]), truth, pred, bootstrap=400, seed=sim, quantiles=(0.025, 0.975)
        )
        d = m.disparity("selection_rate")
        assert d.difference_ci is not None and d.ratio_ci is not None
        cover_d += d.difference_ci.low <= true_diff <= d.difference_ci.high
        cover_r += d.ratio_ci.low <= true_ratio <= d.ratio_ci.high
    # 95% nominal; binomial sd over 200 sims is 1.5 points: accept within 3 sd
    tolerance = 3 * np.sqrt(0.95 * 0.05 / SIMS)
    assert abs(cover_d / SIMS - 0.95) <= tolerance, cover_d
    assert abs(cover_r / SIMS - 0.95) <= tolerance, cover_r


def test_bootstrap_is_reproducible_with_a_seed() -> None:
    rng = np.random.default_rng(1)
    g = factorize([("g", rng.choice(["a", "b", "c"], 500))])
    yt, yp = rng.integers(0, 2, 500), rng.integers(0, 2, 500)
    a = model_metrics(g, yt, yp, bootstrap=100, seed=7)
    b = model_metrics(g, yt, yp, bootstrap=100, seed=7)
    assert a.disparities == b.disparities


def test_intervals_agree_with_fairlearns_own_bootstrap() -> None:
    """Fairlearn 0.15's `n_boot` resamples rows; ours draws the same distribution of cell
    counts. Different random streams: the interval ends agree within Monte Carlo error."""
    from tests.audit.fairlearn_ref import frame

    rng = np.random.default_rng(11)
    n = 3000
    g = rng.choice(["a", "b", "c"], n, p=[0.5, 0.35, 0.15])
    yt = rng.integers(0, 2, n)
    yp = (rng.random(n) < np.where(g == "a", 0.3, np.where(g == "b", 0.4, 0.45))).astype(int)
    ref = frame(yt, yp, {"g": g}, n_boot=150, ci_quantiles=[0.025, 0.975], random_state=3)
    lo, hi = ref.difference_ci()
    ours = model_metrics(factorize([("g", g)]), yt, yp, bootstrap=4000, seed=3)
    for m in ("selection_rate", "tpr", "fpr"):
        ci = ours.disparity(m).difference_ci
        assert ci is not None
        assert abs(ci.low - lo[m]) < 0.03 and abs(ci.high - hi[m]) < 0.03, (m, ci, lo[m], hi[m])
