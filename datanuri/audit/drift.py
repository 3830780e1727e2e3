"""Drift of a model's inputs and predictions as pure functions over Arrow columns and NumPy
arrays: a reference window (the training data) against live inputs, per feature, with the
population stability index (PSI), Kolmogorov–Smirnov, Wasserstein and Jensen–Shannon figures
and thresholds that widen for small samples (so same-distribution windows rarely alarm), and
performance drift when outcomes arrive.

The figures follow scipy's definitions (`scipy.stats.ks_2samp`, `wasserstein_distance`,
`scipy.spatial.distance.jensenshannon` with natural logarithms); tests compare them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import stats

from datanuri.audit import messages as M
from datanuri.errors import InvalidInput

Kind = Literal["numeric", "categorical"]
PSI_EPS = 1e-4  # an empty bin's share, so that PSI stays finite (as Evidently does)
AUTO_KS_MAX = 1000  # numeric features with at most this many reference rows are judged by KS


@dataclass(frozen=True, kw_only=True)
class DriftOptions:
    """How drift is judged: `alpha` is the false-alarm rate of the tests when nothing changed;
    `bins` quantile bins of the reference for PSI and JS on numeric features; the effect
    floors (`psi_min`, `js_min`, `wasserstein_min` in reference standard deviations) keep
    large samples from alarming at differences too small to matter."""

    alpha: float = 0.01
    bins: int = 10
    psi_min: float = 0.1
    js_min: float = 0.1
    wasserstein_min: float = 0.1
    method: Literal["auto", "ks", "psi", "wasserstein", "js"] = "auto"


@dataclass(frozen=True)
class FeatureDrift:
    """One feature's (or the predictions') drift figures and the judgement."""

    feature: str
    kind: Kind
    n_reference: int
    n_current: int
    psi: float
    psi_threshold: float
    js: float  # Jensen–Shannon distance (square root of the divergence), natural log
    js_threshold: float
    ks: float | None = None  # two-sample KS statistic (numeric only)
    ks_pvalue: float | None = None
    wasserstein: float | None = None  # in the feature's units
    wasserstein_norm: float | None = None  # divided by the reference's standard deviation
    method: str = "psi"  # the figure the judgement used
    drifted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class PerformanceDrift:
    """A metric on the reference outcomes against the same metric on live outcomes."""

    metric: str
    reference: float
    current: float
    n_current: int
    threshold: float  # the largest drop taken as noise (two standard errors, at least `floor`)
    drifted: bool

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class DriftReport:
    """Every feature's drift and, when outcomes arrived, the performance drift."""

    features: tuple[FeatureDrift, ...]
    performance: tuple[PerformanceDrift, ...] = ()
    options: DriftOptions = field(default_factory=DriftOptions)

    @property
    def drifted(self) -> list[str]:
        """Names of the drifted features (and metrics, as "metric:NAME")."""
        out = [f.feature for f in self.features if f.drifted]
        return out + [f"metric:{p.metric}" for p in self.performance if p.drifted]

    def to_dict(self) -> dict[str, Any]:
        o = self.options
        return {
            "features": [f.to_dict() for f in self.features],
            "performance": [p.to_dict() for p in self.performance],
            "drifted": self.drifted,
            "options": {k: getattr(o, k) for k in o.__dataclass_fields__},
        }


def _values(col: pa.Array | pa.ChunkedArray | np.ndarray | Sequence[Any]) -> np.ndarray:
    """A column's non-null values as NumPy (floats for numbers, strings otherwise)."""
    if isinstance(col, pa.ChunkedArray | pa.Array):
        col = pc.drop_null(col)
        if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
            return np.asarray(col.to_numpy(zero_copy_only=False), dtype=float)
        if pa.types.is_boolean(col.type):
            return np.asarray(col.to_numpy(zero_copy_only=False), dtype=float)
        return np.asarray(pc.cast(col, pa.string()).to_numpy(zero_copy_only=False), dtype=object)
    arr = np.asarray(col)
    if arr.dtype.kind in "biuf":
        arr = arr.astype(float)
        return arr[~np.isnan(arr)]
    return arr.astype(object)


def kind_of(values: np.ndarray) -> Kind:
    """Numeric for numbers with more than a handful of distinct values, categorical otherwise."""
    if values.dtype.kind == "f" and len(np.unique(values[:10_000])) > 5:
        return "numeric"
    return "categorical"


def ks(reference: np.ndarray, current: np.ndarray) -> tuple[float, float]:
    """The two-sample Kolmogorov–Smirnov statistic and p-value (scipy's, two-sided, auto)."""
    r = stats.ks_2samp(reference, current)
    return float(r.statistic), float(r.pvalue)


def wasserstein(reference: np.ndarray, current: np.ndarray) -> float:
    """The first Wasserstein distance between two samples: the area between their CDFs."""
    a, b = np.sort(reference), np.sort(current)
    allv = np.sort(np.concatenate([a, b]))
    deltas = np.diff(allv)
    ca = np.searchsorted(a, allv[:-1], side="right") / len(a)
    cb = np.searchsorted(b, allv[:-1], side="right") / len(b)
    return float(np.sum(np.abs(ca - cb) * deltas))


def js_distance(p: np.ndarray, q: np.ndarray) -> float:
    """The Jensen–Shannon distance of two histograms (normalised here), natural logarithm."""
    p = np.asarray(p, dtype=float) / np.sum(p)
    q = np.asarray(q, dtype=float) / np.sum(q)
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.where(p > 0, p * np.log(p / m), 0.0)
        right = np.where(q > 0, q * np.log(q / m), 0.0)
    return float(np.sqrt(max(np.sum(left) + np.sum(right), 0.0) / 2))


def psi(p: np.ndarray, q: np.ndarray) -> float:
    """Population stability index of two histograms: sum((q - p) * ln(q / p)), empty bins as
    a share of 1e-4."""
    p = np.asarray(p, dtype=float) / np.sum(p)
    q = np.asarray(q, dtype=float) / np.sum(q)
    p, q = np.where(p == 0, PSI_EPS, p), np.where(q == 0, PSI_EPS, q)
    return float(np.sum((q - p) * np.log(q / p)))


def histograms(
    reference: np.ndarray, current: np.ndarray, kind: Kind, bins: int
) -> tuple[np.ndarray, np.ndarray]:
    """Counts of both samples in the same bins: the reference's quantile bins for numbers (the
    outer bins open-ended), the union of categories otherwise."""
    if kind == "numeric":
        edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1))[1:-1])
        ri = np.searchsorted(edges, reference, side="right")
        ci = np.searchsorted(edges, current, side="right")
        n = len(edges) + 1
        return np.bincount(ri, minlength=n), np.bincount(ci, minlength=n)
    cats, inverse = np.unique(
        np.concatenate([reference.astype(str), current.astype(str)]), return_inverse=True
    )
    ri, ci = inverse[: len(reference)], inverse[len(reference) :]
    return np.bincount(ri, minlength=len(cats)), np.bincount(ci, minlength=len(cats))


def chi2_floor(n_bins: int, n_ref: int, n_cur: int, alpha: float) -> float:
    """What sum((q - p)^2 / p) reaches by chance with probability `alpha` when both samples
    come from one distribution: chi-square(bins - 1) quantile times (1/n + 1/m)."""
    if n_bins < 2:
        return 0.0
    return float(stats.chi2.ppf(1 - alpha, n_bins - 1) * (1 / n_ref + 1 / n_cur))


def feature_drift(
    name: str,
    reference: Any,
    current: Any,
    options: DriftOptions | None = None,
    *,
    kind: Kind | None = None,
) -> FeatureDrift:
    """Drift of one feature: every figure, and the judgement by `options.method` ("auto": KS
    for numeric features with a small reference, normalised Wasserstein for large ones, PSI
    for categorical ones)."""
    o = options or DriftOptions()
    r, c = _values(reference), _values(current)
    if len(r) == 0 or len(c) == 0:
        raise InvalidInput(M.MSG_DRIFT_EMPTY.format(feature=name))
    k: Kind = kind or kind_of(r)
    if k == "numeric" and (r.dtype.kind != "f" or c.dtype.kind != "f"):
        k = "categorical"
    hr, hc = histograms(r, c, k, o.bins)
    chi = chi2_floor(int(np.count_nonzero(hr + hc)), len(r), len(c), o.alpha)
    # PSI ≈ sum((q-p)^2/p) and JS divergence ≈ that / 8 for small differences
    psi_t, js_t = max(o.psi_min, chi), max(o.js_min, float(np.sqrt(chi / 8)))
    f = {
        "psi": psi(hr, hc),
        "psi_threshold": psi_t,
        "js": js_distance(hr, hc),
        "js_threshold": js_t,
    }
    ks_s = ks_p = w = wn = None
    if k == "numeric":
        ks_s, ks_p = ks(r, c)
        w = wasserstein(r, c)
        sd = float(np.std(r))
        wn = w / sd if sd > 0 else (0.0 if w == 0 else float("inf"))
    method = o.method
    if method == "auto":
        method = "psi" if k == "categorical" else ("ks" if len(r) <= AUTO_KS_MAX else "wasserstein")
    if k == "categorical" and method in ("ks", "wasserstein"):
        method = "psi"
    drifted = {
        "psi": f["psi"] > psi_t,
        "js": f["js"] > js_t,
        "ks": ks_p is not None and ks_p < o.alpha,
        "wasserstein": wn is not None and wn > o.wasserstein_min,
    }[method]
    return FeatureDrift(
        feature=name,
        kind=k,
        n_reference=len(r),
        n_current=len(c),
        ks=ks_s,
        ks_pvalue=ks_p,
        wasserstein=w,
        wasserstein_norm=wn,
        method=method,
        drifted=bool(drifted),
        **f,
    )


def performance_drift(
    metric: str,
    reference: float,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    alpha: float = 0.01,
    floor: float = 0.02,
) -> PerformanceDrift:
    """Accuracy (or positive rate) on live outcomes against the reference figure: drifted when
    it fell by more than the one-sided binomial bound at `alpha`, and by at least `floor`."""
    yt, yp = np.asarray(y_true), np.asarray(y_pred)
    n = len(yt)
    if n == 0:
        raise InvalidInput(M.MSG_DRIFT_NO_OUTCOMES)
    if metric == "accuracy":
        current = float(np.mean(yt == yp))
    elif metric == "positive_rate":
        current = float(np.mean(yp.astype(float) > 0))
    else:
        raise ValueError(f"unknown metric {metric!r}")
    se = float(np.sqrt(max(reference * (1 - reference), 1e-12) / n))
    threshold = max(floor, float(stats.norm.ppf(1 - alpha)) * se)
    return PerformanceDrift(
        metric, reference, current, n, threshold, reference - current > threshold
    )


def drift_report(
    reference: pa.Table,
    current: pa.Table,
    features: Sequence[str],
    options: DriftOptions | None = None,
    *,
    kinds: Mapping[str, Kind] | None = None,
) -> DriftReport:
    """Drift of each feature present in both tables (a missing one is an error)."""
    o = options or DriftOptions()
    kinds = kinds or {}
    for t in (reference, current):
        for f in features:
            if f not in t.column_names:
                raise InvalidInput(
                    M.MSG_NO_COLUMN.format(column=f, columns=", ".join(t.column_names))
                )
    return DriftReport(
        tuple(
            feature_drift(f, reference.column(f), current.column(f), o, kind=kinds.get(f))
            for f in features
        ),
        options=o,
    )
