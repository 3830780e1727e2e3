"""Declared fairness thresholds (e.g. ratio ≥ 0.8, difference ≤ 0.1) and their verdicts."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from datanuri import errors
from datanuri.audit import messages as M
from datanuri.audit.metrics import RATES, Disparity

Kind = Literal["ratio", "difference"]
DEFAULT_METRICS = RATES  # a threshold without a metric applies to each of these


@dataclass(frozen=True)
class Threshold:
    """A bound on one metric's spread: ratio ≥ value or difference ≤ value."""

    metric: str
    kind: Kind
    value: float

    @property
    def text(self) -> str:
        op = "≥" if self.kind == "ratio" else "≤"
        return f"{self.metric} {self.kind} {op} {self.value:g}"


@dataclass(frozen=True)
class Verdict:
    threshold: Threshold
    observed: float
    passed: bool
    conclusive: bool  # the whole bootstrap interval is on the same side (True without one)

    def to_dict(self) -> dict[str, object]:
        return {
            "metric": self.threshold.metric,
            "kind": self.threshold.kind,
            "threshold": self.threshold.value,
            "observed": self.observed,
            "passed": self.passed,
            "conclusive": self.conclusive,
        }


def parse(texts: Iterable[str], metrics: Sequence[str] = DEFAULT_METRICS) -> list[Threshold]:
    """Thresholds from `ratio=0.8`, `difference=0.1` or `tpr.difference=0.05`."""
    out = []
    for text in texts:
        key, sep, raw = text.partition("=")
        metric, _, kind = key.strip().rpartition(".")
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not sep or kind not in ("ratio", "difference") or not math.isfinite(value):
            raise errors.InvalidInput(M.MSG_BAD_THRESHOLD.format(text=text))
        if metric and metric not in (*RATES, "auc"):
            raise errors.InvalidInput(
                M.MSG_BAD_METRIC.format(metric=metric, metrics=", ".join((*RATES, "auc")))
            )
        for m in [metric] if metric else metrics:
            out.append(Threshold(m, kind, value))  # type: ignore[arg-type]
    return out


def judge(thresholds: Sequence[Threshold], disparities: Sequence[Disparity]) -> list[Verdict]:
    """Each threshold against the observed spread (a NaN spread fails: it cannot be shown)."""
    by_metric = {d.metric: d for d in disparities}
    verdicts = []
    for t in thresholds:
        d = by_metric.get(t.metric)
        if d is None:
            continue
        observed = d.ratio if t.kind == "ratio" else d.difference
        ci = d.ratio_ci if t.kind == "ratio" else d.difference_ci

        def ok(x: float, t: Threshold = t) -> bool:
            return (x >= t.value) if t.kind == "ratio" else (x <= t.value)

        passed = math.isfinite(observed) and ok(observed)
        conclusive = ci is None or (ok(ci.low) == ok(ci.high) == passed)
        verdicts.append(Verdict(t, observed, passed, conclusive))
    return verdicts
