"""Drift figures equal scipy's (generated data and the Adult census data), and the judgement
alarms on shifted windows and rarely on same-distribution ones (a small simulation)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from datanuri.audit import drift
from datanuri.audit.drift import DriftOptions, drift_report, feature_drift
from datanuri.errors import InvalidInput
from tests.privacy.adult import adult


def _check_against_scipy(ref: np.ndarray, cur: np.ndarray, kind: drift.Kind) -> None:
    f = feature_drift("x", ref, cur, kind=kind)
    hr, hc = drift.histograms(drift._values(ref), drift._values(cur), kind, DriftOptions().bins)
    assert f.js == pytest.approx(float(jensenshannon(hr, hc)), abs=1e-12)
    if kind == "numeric":
        want = stats.ks_2samp(ref, cur)
        assert f.ks == pytest.approx(want.statistic, abs=1e-12)
        assert f.ks_pvalue == pytest.approx(want.pvalue, rel=1e-9, abs=1e-300)
        assert f.wasserstein == pytest.approx(stats.wasserstein_distance(ref, cur), rel=1e-9)
        # the histogram itself: reference deciles hold a tenth of the reference each
        assert hr.sum() == len(ref) and hc.sum() == len(cur)
    p, q = hr / hr.sum(), hc / hc.sum()
    p, q = np.where(p == 0, 1e-4, p), np.where(q == 0, 1e-4, q)
    assert f.psi == pytest.approx(float(np.sum((q - p) * np.log(q / p))), rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_numeric_equals_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    ref = rng.normal(0, 1, 700)
    cur = rng.normal(0.3 * seed, 1 + 0.2 * seed, 450)
    _check_against_scipy(ref, cur, "numeric")
    # ties and integers
    _check_against_scipy(
        rng.integers(0, 30, 500).astype(float), rng.integers(2, 33, 300).astype(float), "numeric"
    )


def test_generated_categorical_equals_scipy() -> None:
    rng = np.random.default_rng(7)
    ref = rng.choice(["a", "b", "c"], 400, p=[0.5, 0.3, 0.2])
    cur = rng.choice(["a", "b", "c", "d"], 300, p=[0.3, 0.3, 0.3, 0.1])
    _check_against_scipy(ref, cur, "categorical")


def test_adult_equals_scipy() -> None:
    t = adult()
    male = pa.compute.equal(t.column("sex"), "Male")
    ref, cur = t.filter(male), t.filter(pa.compute.invert(male))
    for name in ("age", "hours-per-week", "education-num"):
        r = ref.column(name).to_numpy().astype(float)
        c = cur.column(name).to_numpy().astype(float)
        _check_against_scipy(r, c, "numeric")
    for name in ("race", "marital-status"):
        r = np.asarray(ref.column(name).to_pylist(), dtype=object)
        c = np.asarray(cur.column(name).to_pylist(), dtype=object)
        _check_against_scipy(r, c, "categorical")
    rep = drift_report(ref, cur, ["age", "hours-per-week", "marital-status", "race"])
    by = {f.feature: f for f in rep.features}
    # men and women in Adult differ in hours worked and marital status (relationship coding)
    assert by["hours-per-week"].drifted and by["marital-status"].drifted
    assert by["hours-per-week"].method == "wasserstein" and by["marital-status"].method == "psi"
    assert rep.to_dict()["drifted"] == rep.drifted


def test_simulation_alarm_rates() -> None:
    """At alpha = 0.05, same-distribution windows alarm at most at about the stated rate, and a
    half-standard-deviation shift is caught almost always (KS for small windows, PSI on
    categories)."""
    rng = np.random.default_rng(42)
    o = DriftOptions(alpha=0.05, psi_min=0.0, js_min=0.0)
    runs = 200
    same_ks = shifted_ks = same_psi = shifted_psi = 0
    for _ in range(runs):
        ref = rng.normal(0, 1, 300)
        same_ks += feature_drift("x", ref, rng.normal(0, 1, 200), o).drifted
        shifted_ks += feature_drift("x", ref, rng.normal(0.5, 1, 200), o).drifted
        cats = rng.choice(list("abcd"), 500, p=[0.4, 0.3, 0.2, 0.1])
        same = rng.choice(list("abcd"), 400, p=[0.4, 0.3, 0.2, 0.1])
        moved = rng.choice(list("abcd"), 400, p=[0.25, 0.3, 0.25, 0.2])
        same_psi += feature_drift("c", cats, same, o).drifted
        shifted_psi += feature_drift("c", cats, moved, o).drifted
    # binomial(200, 0.05): mean 10, sd ~3.1; 20 is three standard deviations above
    assert same_ks <= 20 and same_psi <= 20
    assert shifted_ks >= 0.95 * runs and shifted_psi >= 0.95 * runs


def test_large_samples_use_an_effect_floor() -> None:
    rng = np.random.default_rng(3)
    ref = rng.normal(0, 1, 5000)
    tiny = feature_drift("x", ref, rng.normal(0.03, 1, 5000))  # KS would reject; W is small
    big = feature_drift("x", ref, rng.normal(0.5, 1, 5000))
    assert tiny.method == "wasserstein" and not tiny.drifted
    assert big.drifted


def test_small_samples_widen_psi_threshold() -> None:
    f = feature_drift("c", np.array(["a", "b"] * 10), np.array(["a", "b", "b"] * 5))
    assert f.psi_threshold > 0.1  # chi-square bound at 20 and 15 rows is above the floor
    assert not f.drifted


def test_performance_drift() -> None:
    yt = np.array([1, 0] * 250)
    good = drift.performance_drift("accuracy", 0.9, yt, yt)
    bad = drift.performance_drift("accuracy", 0.9, yt, 1 - yt)
    assert good.current == 1.0 and not good.drifted
    assert bad.current == 0.0 and bad.drifted


def test_errors_say_what_is_missing() -> None:
    t = pa.table({"a": [1.0, 2.0]})
    with pytest.raises(InvalidInput, match="'b'"):
        drift_report(t, t, ["b"])
    with pytest.raises(InvalidInput):
        feature_drift("a", pa.array([None, None], pa.float64()), pa.array([1.0]))
