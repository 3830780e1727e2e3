"""Every figure of a model audit equals Fairlearn's MetricFrame on the same data: generated data
with several groups, intersections and tiny groups, and the Adult census data with sex × race."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from datanuri.audit.metrics import RATES, binary, factorize, model_metrics
from tests.audit.fairlearn_ref import auc_frame, frame
from tests.privacy.adult import adult


def _key(label: Any) -> tuple[str, ...]:
    return tuple(label) if isinstance(label, tuple) else (label,)


def assert_equal_to_fairlearn(groups: dict[str, Any], yt: Any, yp: Any, score: Any = None) -> None:
    g = factorize(list(groups.items()))
    y_true, _ = binary(yt)
    y_pred, _ = binary(yp)
    ours = model_metrics(g, y_true, y_pred, None if score is None else np.asarray(score))
    ref = frame(y_true, y_pred, groups)
    # Fairlearn lists every combination of the columns' values, the absent ones as NaN rows
    everything = ref.by_group
    by_group = everything.dropna(how="all")
    assert everything.loc[everything.isna().all(axis=1)].shape[0] == len(everything) - len(
        ours.groups
    )
    mine = {f.label: f for f in ours.groups}
    for label, row in by_group.iterrows():
        f = mine[_key(label)]
        for m in RATES:
            assert f.values[m] == pytest.approx(row[m], abs=1e-12), (label, m)
    for m in RATES:
        d = ours.disparity(m)
        assert d.difference == pytest.approx(ref.difference()[m], abs=1e-12), m
        r = ref.ratio()[m]
        assert (math.isnan(d.ratio) and math.isnan(r)) or d.ratio == pytest.approx(r, abs=1e-12)
        assert ours.overall[m] == pytest.approx(ref.overall[m], abs=1e-12)
    assert {_key(k) for k in by_group.index} == set(mine)
    if score is not None:
        aref = auc_frame(y_true, score, groups)
        for label, row in aref.by_group.loc[by_group.index].iterrows():
            got, want = mine[_key(label)].values["auc"], row["auc"]
            assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want, abs=1e-12)
        d = ours.disparity("auc")
        assert d.difference == pytest.approx(aref.difference()["auc"], abs=1e-12)
        assert d.ratio == pytest.approx(aref.ratio()["auc"], abs=1e-12)


def generated(seed: int, n: int) -> tuple[dict[str, Any], Any, Any, Any]:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M", "X"], n, p=[0.48, 0.5, 0.02])
    region = rng.choice(["서울", "부산", "제주", "울릉"], n, p=[0.5, 0.3, 0.19, 0.01])
    age = rng.choice([20, 40, 60], n)
    logit = (sex == "F") * 0.4 - (region == "제주") * 0.5 + (age == 60) * 0.3 + rng.normal(0, 1, n)
    score = 1 / (1 + np.exp(-logit))
    y_true = (rng.random(n) < score).astype(int)
    y_pred = (score > 0.55).astype(int)
    return {"sex": sex, "region": region, "age": age}, y_true, y_pred, score


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generated_intersections_with_tiny_groups_equal_fairlearn(seed: int) -> None:
    groups, yt, yp, score = generated(seed, 3000)
    assert_equal_to_fairlearn(groups, yt, yp, score)  # 3 × 4 × 3 groups, some of 1-5 rows
    assert_equal_to_fairlearn({"sex": groups["sex"]}, yt, yp, score)


def test_degenerate_groups_equal_fairlearn() -> None:
    """Groups with no actual positive, no actual negative, no predicted positive, one row."""
    groups = {"g": np.array(["a", "a", "b", "b", "c", "d", "d", "e"])}
    yt = np.array([0, 0, 1, 1, 1, 0, 1, 1])
    yp = np.array([0, 1, 0, 0, 1, 0, 0, 1])
    assert_equal_to_fairlearn(groups, yt, yp, np.linspace(0, 1, 8))


def test_tiny_groups_are_kept_with_their_counts() -> None:
    groups, yt, yp, _ = generated(3, 3000)
    g = factorize([("sex", groups["sex"]), ("region", groups["region"])])
    m = model_metrics(g, binary(yt)[0], binary(yp)[0])
    small = [f for f in m.groups if f.count < 10]
    assert small, "the generated data has groups under 10 rows"
    assert sum(f.count for f in m.groups) == 3000


def test_arrow_columns_with_nulls_make_their_own_group() -> None:
    col = pa.array(["a", None, "b", None])
    g = factorize([("c", col)])
    assert g.labels == (("(missing)",), ("a",), ("b",))
    assert g.codes.tolist() == [1, 0, 2, 0]


def adult_predictions() -> tuple[dict[str, Any], Any, Any, Any]:
    from sklearn.linear_model import LogisticRegression

    t = adult()
    cols = {name: t.column(name).to_numpy(zero_copy_only=False) for name in t.column_names}
    y = np.array([s.strip().startswith(">50K") for s in cols["income"]], dtype=int)
    x = np.column_stack(
        [
            np.asarray(cols["age"], dtype=float),
            np.asarray(cols["education-num"], dtype=float),
            np.asarray(cols["hours-per-week"], dtype=float),
        ]
    )
    model = LogisticRegression(max_iter=200).fit(x, y)
    score = model.predict_proba(x)[:, 1]
    return {"sex": cols["sex"], "race": cols["race"]}, y, (score > 0.4).astype(int), score


def test_adult_sex_by_race_equals_fairlearn() -> None:
    groups, yt, yp, score = adult_predictions()
    assert_equal_to_fairlearn(groups, yt, yp, score)
    assert_equal_to_fairlearn({"sex": groups["sex"]}, yt, yp, score)
