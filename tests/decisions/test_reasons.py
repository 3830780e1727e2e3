"""Reasons are exact: base plus contributions equals scikit-learn's own output for logistic
regression (decision function), decision trees and random forests (predict / predict_proba)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from datanuri.decisions import reasons

FEATURES = ("a", "b", "c", "d")
RNG = np.random.default_rng(7)
X = RNG.normal(size=(300, 4))
Y = X[:, 0] - 2 * X[:, 1] + 0.5 * X[:, 2] * X[:, 3] + RNG.normal(scale=0.3, size=300) > 0


def _row(i: int) -> dict[str, float]:
    return {f: float(v) for f, v in zip(FEATURES, X[i], strict=True)}


def test_logistic_contributions_sum_to_decision_function() -> None:
    m = LogisticRegression().fit(X, Y)
    coef = dict(zip(FEATURES, map(float, m.coef_[0]), strict=True))
    baseline = dict(zip(FEATURES, map(float, X.mean(axis=0)), strict=True))
    for i in range(0, 300, 17):
        ex = reasons.linear(_row(i), coef, float(m.intercept_[0]), baseline)
        assert ex.method == "linear-exact"
        assert ex.score == pytest.approx(float(m.decision_function(X[i : i + 1])[0]), abs=1e-9)


@pytest.mark.parametrize(
    "model, out",
    [
        (DecisionTreeRegressor(max_depth=5, random_state=0), "predict"),
        (RandomForestRegressor(n_estimators=15, max_depth=4, random_state=0), "predict"),
        (DecisionTreeClassifier(max_depth=5, random_state=0), "proba"),
        (RandomForestClassifier(n_estimators=15, max_depth=4, random_state=0), "proba"),
    ],
    ids=["tree-reg", "forest-reg", "tree-clf", "forest-clf"],
)
def test_tree_path_contributions_sum_to_prediction(model: object, out: str) -> None:
    y = X[:, 0] * 2 + X[:, 1] if out == "predict" else Y
    model.fit(X, y)  # type: ignore[attr-defined]
    for i in range(0, 300, 23):
        ex = reasons.tree(model, _row(i), FEATURES)
        if out == "predict":
            want = float(model.predict(X[i : i + 1])[0])  # type: ignore[attr-defined]
        else:
            want = float(model.predict_proba(X[i : i + 1])[0][1])  # type: ignore[attr-defined]
        assert ex.method == "saabas-path"
        assert ex.score == pytest.approx(want, abs=1e-9)
        assert reasons.check_additive(ex.base, ex.contributions, want)
    # the feature the target depends on most moves the prediction most on average
    total = {f: 0.0 for f in FEATURES}
    for i in range(300):
        for f, v in reasons.tree(model, _row(i), FEATURES).contributions.items():
            total[f] += abs(v)
    assert max(total, key=total.__getitem__) in ("a", "b")


def test_render_in_korean_and_english() -> None:
    cat = {"R1": {"ko": "소득이 낮습니다.", "en": "Low income.", "feature": "a"}}
    ko = reasons.render(["R1"], cat, {"a": -0.5}, "ko")
    en = reasons.render(["R1"], cat, {"a": -0.5}, "en")
    assert (ko[0].text, en[0].text, en[0].contribution) == ("소득이 낮습니다.", "Low income.", -0.5)
    assert reasons.top_codes({"a": -0.5, "b": 2.0}, cat) == ["R1"]
