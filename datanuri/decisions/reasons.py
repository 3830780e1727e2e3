"""Exact reasons for one decision, as pure functions (no database).

Methods, each named in the decision record it produces:

- ``linear-exact`` (linear and logistic models): contribution of feature i is
  ``coef_i * (x_i - baseline_i)``; with ``base = intercept + sum(coef_i * baseline_i)`` the base
  plus the contributions is exactly the model's decision function (the log-odds for logistic
  regression).
- ``saabas-path`` (scikit-learn decision trees and random forests): along the path the input
  takes from the root to its leaf, each split on feature f adds ``value(child) - value(parent)``
  to f's contribution (Saabas 2014, "treeinterpreter"); the base is the root's value, so base
  plus contributions is exactly the tree's prediction (averaged over a forest's trees). For a
  classifier the value is the probability of the class `positive`. TreeSHAP would be the
  alternative if a maintained library (``shap``) were installed; it is not.
- other models: the caller computes contributions with a documented method, names it, and the
  record checks only that base plus contributions equals the score.

Reason codes come from the system's declared catalogue (code -> Korean and English text and the
feature it explains); `render` turns them into sentences for the person.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LINEAR = "linear-exact"
SAABAS = "saabas-path"
KINDS = ("linear", "logistic", "tree", "other")
TOLERANCE = 1e-6  # relative: base + contributions must give the score to this precision


@dataclass(frozen=True)
class Explanation:
    """Per-feature contributions that, added to `base`, give the model's `score` exactly."""

    base: float
    contributions: Mapping[str, float]
    method: str

    @property
    def score(self) -> float:
        return self.base + math.fsum(self.contributions.values())


@dataclass(frozen=True)
class Reason:
    """One reason code as the person reads it."""

    code: str
    text: str
    feature: str | None
    contribution: float | None


def linear(
    inputs: Mapping[str, float],
    coefficients: Mapping[str, float],
    intercept: float,
    baseline: Mapping[str, float],
) -> Explanation:
    """Exact contributions of a linear or logistic model (see the module's ``linear-exact``)."""
    missing = sorted(set(coefficients) - set(inputs))
    if missing:
        raise ValueError(f"inputs lack the model's features: {', '.join(missing)}")
    contrib = {
        f: float(c) * (float(inputs[f]) - float(baseline.get(f, 0.0)))
        for f, c in coefficients.items()
    }
    base = float(intercept) + math.fsum(
        float(c) * float(baseline.get(f, 0.0)) for f, c in coefficients.items()
    )
    return Explanation(base, contrib, LINEAR)


def _tree_path(tree: Any, x: Sequence[float], positive: int | None) -> tuple[float, list[float]]:
    """(root value, per-feature contributions) of one scikit-learn `tree_` for input `x`."""

    def value(node: int) -> float:
        v = tree.value[node]
        if positive is None:
            return float(v[0][0])
        row = v[0]
        total = float(sum(row))
        return float(row[positive]) / total if total else 0.0

    contrib = [0.0] * len(x)
    node = 0
    while tree.children_left[node] != tree.children_right[node]:  # not a leaf
        f = int(tree.feature[node])
        child = (
            tree.children_left[node] if x[f] <= tree.threshold[node] else tree.children_right[node]
        )
        contrib[f] += value(child) - value(node)
        node = child
    return value(0), contrib


def tree(
    model: Any, inputs: Mapping[str, float], features: Sequence[str], *, positive: int = 1
) -> Explanation:
    """Saabas path contributions of a fitted scikit-learn decision tree or random forest
    (regressor: its prediction; classifier: the probability of class index `positive`)."""
    x = [float(inputs[f]) for f in features]
    is_classifier = hasattr(model, "classes_")
    trees = [e.tree_ for e in getattr(model, "estimators_", [model])]
    base, total = 0.0, [0.0] * len(x)
    for t in trees:
        b, c = _tree_path(t, x, positive if is_classifier else None)
        base += b
        total = [a + d for a, d in zip(total, c, strict=True)]
    n = len(trees)
    return Explanation(base / n, {f: v / n for f, v in zip(features, total, strict=True)}, SAABAS)


def check_additive(base: float, contributions: Mapping[str, float], score: float) -> bool:
    """Whether base plus contributions gives `score` (to `TOLERANCE`, relative)."""
    got = base + math.fsum(contributions.values())
    return math.isclose(got, score, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def top_codes(
    contributions: Mapping[str, float], catalogue: Mapping[str, Mapping[str, Any]], k: int = 3
) -> list[str]:
    """The catalogue's codes of the `k` features that moved the score most (largest absolute
    contribution first; features without a code are skipped)."""
    by_feature = {str(v.get("feature")): c for c, v in catalogue.items() if v.get("feature")}
    ranked = sorted(contributions.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
    return [by_feature[f] for f, v in ranked if f in by_feature and v != 0][:k]


def render(
    codes: Sequence[str],
    catalogue: Mapping[str, Mapping[str, Any]],
    contributions: Mapping[str, float],
    lang: str,
) -> list[Reason]:
    """The reason codes in plain Korean (`lang` "ko") or English, each with the contribution of
    the feature it explains."""
    out = []
    for code in codes:
        entry = catalogue.get(code, {})
        text = str(entry.get("ko" if lang == "ko" else "en") or code)
        feature = entry.get("feature")
        value = contributions.get(feature) if isinstance(feature, str) else None
        out.append(Reason(code, text, feature if isinstance(feature, str) else None, value))
    return out
