"""Group fairness metrics of a binary classifier, pure NumPy, defined exactly as Fairlearn's.

The group of each row comes from one factorisation of the (intersectional) group columns
(`factorize`). Every count-based metric then depends only on how many rows of each group fall in
each of the four cells (true label, predicted label), counted with `np.bincount`:

- `selection_rate` = predicted positives / rows (Fairlearn's `selection_rate`);
- `tpr` = true positives / actual positives, 0 when a group has no actual positive (Fairlearn's
  `true_positive_rate`, i.e. scikit-learn's normalised confusion matrix with NaN made 0);
- `fpr` = false positives / actual negatives, 0 without actual negatives (`false_positive_rate`);
- `ppv` = true positives / predicted positives, 0 without predicted positives (scikit-learn's
  `precision_score`, `zero_division` "warn", which returns 0);
- `difference` = max − min over groups and `ratio` = min / max (MetricFrame's `between_groups`,
  NaN groups skipped as pandas does).

Bootstrap: resampling N rows with replacement (what Fairlearn's `n_boot` does, one
`DataFrame.sample(frac=1, replace=True)` per resample) gives, for the cell counts, exactly a
multinomial draw of N over the cells with the observed cell shares. A statistic of the cell
counts therefore has the same bootstrap distribution when the counts are drawn directly, which
costs B × cells random numbers instead of B × N. Intervals are percentile intervals at the
given quantiles (as Fairlearn's `ci_quantiles`).

AUC per group is the Mann–Whitney statistic over average ranks (ties count one half), equal to
scikit-learn's `roc_auc_score`; NaN for a group with one class. Its bootstrap draws cells of
(group, label, score bin) — the scores' distinct values, or `AUC_BINS` quantile bins when there
are more — so ties inside a bin count one half; each resample's AUC is then shifted by the
point estimate's binning error (exact AUC − binned AUC of the data), per group.
Calibration: per group and per score bin (`CALIBRATION_BINS` equal-width bins on [0, 1]), the
mean predicted score and the observed positive rate.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

RATES = ("selection_rate", "tpr", "fpr", "ppv")
AUC_BINS = 250  # score bins of the AUC bootstrap (its point estimate is exact)
CALIBRATION_BINS = 10
MISSING = "(missing)"
DEFAULT_QUANTILES = (0.025, 0.975)


@dataclass(frozen=True)
class Groups:
    """Each row's group code (0..n-1) and each group's label, one value per group column."""

    columns: tuple[str, ...]
    codes: np.ndarray  # int64, one per row
    labels: tuple[tuple[str, ...], ...]  # sorted by label

    @property
    def count(self) -> int:
        return len(self.labels)

    def name(self, g: int) -> str:
        return " × ".join(self.labels[g])


def _as_arrow(values: Any) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    return pa.array(np.asarray(values))


def _column_codes(values: Any) -> tuple[np.ndarray, list[str]]:
    """Codes 0..k-1 of one column (nulls as their own value `MISSING`) and the values as text."""
    arr = _as_arrow(values)
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    enc = (
        pc.dictionary_encode(arr).combine_chunks()
        if isinstance(arr, pa.ChunkedArray)
        else (pc.dictionary_encode(arr))
    )
    idx = enc.indices.to_numpy(zero_copy_only=False)
    words = [MISSING if v is None else str(v) for v in enc.dictionary.to_pylist()]
    if enc.null_count:
        idx = np.where(enc.is_null().to_numpy(zero_copy_only=False), len(words), idx)
        words.append(MISSING)
    return np.asarray(idx, dtype=np.int64), words


def factorize(columns: Sequence[tuple[str, Any]]) -> Groups:
    """One group per combination of values of the `(name, values)` columns that occurs."""
    if not columns:
        raise ValueError("at least one group column is needed")
    combined: np.ndarray | None = None
    words_of: list[list[str]] = []
    radix: list[int] = []
    for _, values in columns:
        idx, words = _column_codes(values)
        words_of.append(words)
        radix.append(len(words))
        combined = idx if combined is None else combined * len(words) + idx
    assert combined is not None
    present, codes = np.unique(combined, return_inverse=True)
    labels = []
    for key in present.tolist():
        parts = []
        for size, words in zip(reversed(radix), reversed(words_of), strict=True):
            parts.append(words[key % size])
            key //= size
        labels.append(tuple(reversed(parts)))
    order = sorted(range(len(labels)), key=lambda i: labels[i])
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return Groups(
        columns=tuple(n for n, _ in columns),
        codes=rank[codes.reshape(-1)],
        labels=tuple(labels[i] for i in order),
    )


def binary(values: Any, pos_label: Any = None) -> tuple[np.ndarray, Any]:
    """Values as 0/1 (1 = `pos_label`; by default 1 or True if present, else the largest value,
    as Fairlearn's default) and the positive label used."""
    arr = _as_arrow(values)
    if arr.null_count:
        raise ValueError("labels must not be missing")
    v = arr.to_numpy(zero_copy_only=False)
    if pos_label is None:
        uniq = np.unique(v)
        if v.dtype == bool:
            pos_label = True
        elif len(uniq) and np.issubdtype(uniq.dtype, np.number) and (uniq == 1).any():
            pos_label = 1
        else:
            pos_label = uniq[-1] if len(uniq) else 1
    elif np.issubdtype(v.dtype, np.number) and isinstance(pos_label, str):
        pos_label = float(pos_label)
    elif not np.issubdtype(v.dtype, np.number) and not isinstance(pos_label, str):
        pos_label = str(pos_label)
    return (v == pos_label).astype(np.int64), pos_label


# ----- counts and rates ------------------------------------------------------------------------
def cell_counts(groups: Groups, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Rows per (group, true, predicted) cell, shape (groups, 4); cell = 2·true + predicted."""
    cells = groups.codes * 4 + y_true * 2 + y_pred
    return np.bincount(cells, minlength=groups.count * 4).reshape(groups.count, 4)


def _div(num: np.ndarray, den: np.ndarray, empty: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den
    return np.where(den > 0, out, empty)


def rates(counts: np.ndarray) -> dict[str, np.ndarray]:
    """The four rates from cell counts of shape (..., groups, 4); a group without rows is NaN."""
    counts = counts.astype(np.float64)
    tn, fp, fn, tp = (counts[..., i] for i in range(4))
    n = tn + fp + fn + tp
    out = {
        "selection_rate": _div(fp + tp, n, np.nan),
        "tpr": _div(tp, fn + tp, 0.0),
        "fpr": _div(fp, tn + fp, 0.0),
        "ppv": _div(tp, fp + tp, 0.0),
    }
    absent = n == 0
    return {k: np.where(absent, np.nan, v) for k, v in out.items()}


def spread(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(max − min, min / max) over the last axis, NaN groups skipped (as pandas' min/max)."""
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a resample may leave groups empty
        hi = np.nanmax(values, axis=-1)
        lo = np.nanmin(values, axis=-1)
        ratio = np.where(hi != 0, lo / np.where(hi != 0, hi, 1), np.nan)
    return hi - lo, ratio


# ----- AUC and calibration ----------------------------------------------------------------------
def _ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks (1-based), ties sharing their mean rank (as scipy's `rankdata`)."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    ends = np.r_[starts[1:], len(xs)]
    block = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    out = np.empty(len(x), dtype=np.float64)
    out[order] = block
    return out


def auc_by_group(groups: Groups, y_true: np.ndarray, score: np.ndarray) -> np.ndarray:
    """AUC per group by the rank-sum statistic; NaN for a group with a single class."""
    out = np.full(groups.count, np.nan)
    order = np.argsort(groups.codes, kind="stable")
    bounds = np.searchsorted(groups.codes[order], np.arange(groups.count + 1))
    for g in range(groups.count):
        rows = order[bounds[g] : bounds[g + 1]]
        yt = y_true[rows]
        pos = int(yt.sum())
        neg = len(rows) - pos
        if pos and neg:
            r = _ranks(score[rows])
            out[g] = (r[yt == 1].sum() - pos * (pos + 1) / 2) / (pos * neg)
    return out


def score_bins(score: np.ndarray, bins: int = AUC_BINS) -> np.ndarray:
    """Each score's bin, ordered as the scores: distinct values if few, else quantile bins."""
    uniq, inv = np.unique(score, return_inverse=True)
    if len(uniq) <= bins:
        return inv.reshape(-1)
    edges = np.unique(np.quantile(score, np.linspace(0, 1, bins + 1)[1:-1]))
    return np.searchsorted(edges, score, side="right")


def auc_from_counts(pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    """AUC from counts per ordered score bin, shape (..., bins): ties in a bin count one half."""
    below = np.cumsum(neg, axis=-1) - neg
    wins = (pos * (below + 0.5 * neg)).sum(axis=-1)
    p, n = pos.sum(axis=-1), neg.sum(axis=-1)
    return _div(wins, p * n, np.nan).astype(np.float64) * np.where((p > 0) & (n > 0), 1, np.nan)


def calibration(
    groups: Groups, y_true: np.ndarray, score: np.ndarray, bins: int = CALIBRATION_BINS
) -> list[list[dict[str, float | int]]]:
    """Per group, per equal-width score bin with rows: mean score, observed rate, rows."""
    b = np.clip((score * bins).astype(np.int64), 0, bins - 1)
    key = groups.codes * bins + b
    size = groups.count * bins
    n = np.bincount(key, minlength=size).reshape(groups.count, bins)
    s = np.bincount(key, weights=score, minlength=size).reshape(groups.count, bins)
    y = np.bincount(key, weights=y_true, minlength=size).reshape(groups.count, bins)
    return [
        [
            {
                "bin": j,
                "rows": int(n[g, j]),
                "mean_score": float(s[g, j] / n[g, j]),
                "observed_rate": float(y[g, j] / n[g, j]),
            }
            for j in range(bins)
            if n[g, j]
        ]
        for g in range(groups.count)
    ]


# ----- the audit --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Disparity:
    """One metric's spread over the groups, with bootstrap intervals (None without bootstrap)."""

    metric: str
    difference: float
    ratio: float
    difference_ci: Interval | None = None
    ratio_ci: Interval | None = None


@dataclass(frozen=True)
class GroupFigures:
    label: tuple[str, ...]
    count: int
    positives: int  # actual positives
    predicted_positives: int
    values: dict[str, float]  # metric -> value (rates, and auc with scores)


@dataclass(frozen=True)
class ModelMetrics:
    columns: tuple[str, ...]
    rows: int
    pos_label: str
    groups: tuple[GroupFigures, ...]
    overall: dict[str, float]
    disparities: tuple[Disparity, ...]
    bootstrap: int
    quantiles: tuple[float, float]
    seed: int | None
    calibration: list[list[dict[str, float | int]]] | None = field(default=None)
    auc_bins: int | None = None

    def disparity(self, metric: str) -> Disparity:
        return next(d for d in self.disparities if d.metric == metric)


def _nan(x: float) -> float:
    return float(x)


def _percentiles(samples: np.ndarray, quantiles: tuple[float, float]) -> Interval:
    good = samples[np.isfinite(samples)]
    if not len(good):
        return Interval(float("nan"), float("nan"))
    lo, hi = np.quantile(good, quantiles)
    return Interval(float(lo), float(hi))


def model_metrics(
    groups: Groups,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    score: np.ndarray | None = None,
    *,
    bootstrap: int = 0,
    quantiles: tuple[float, float] = DEFAULT_QUANTILES,
    seed: int | None = None,
    pos_label: Any = 1,
) -> ModelMetrics:
    """Every figure of a model audit: per group, overall, and the spreads with intervals."""
    counts = cell_counts(groups, y_true, y_pred)
    per = rates(counts)
    overall = {k: float(v) for k, v in rates(counts.sum(axis=0)).items()}
    auc = None
    if score is not None:
        score = np.asarray(score, dtype=np.float64)
        auc = auc_by_group(groups, y_true, score)
        everyone = Groups(groups.columns, np.zeros(len(y_true), dtype=np.int64), ((),))
        overall["auc"] = float(auc_by_group(everyone, y_true, score)[0])
    figures = []
    for g in range(groups.count):
        values = {k: float(per[k][g]) for k in RATES}
        if auc is not None:
            values["auc"] = float(auc[g])
        c = counts[g]
        figures.append(
            GroupFigures(groups.labels[g], int(c.sum()), int(c[2] + c[3]), int(c[1] + c[3]), values)
        )
    point = {k: spread(per[k]) for k in RATES}
    if auc is not None:
        point["auc"] = spread(auc)
    cis: dict[str, tuple[Interval, Interval]] = {}
    bins_used = None
    if bootstrap > 0:
        rng = np.random.default_rng(seed)
        n = len(y_true)
        flat = counts.reshape(-1)
        draws = rng.multinomial(n, flat / n, size=bootstrap).reshape(bootstrap, groups.count, 4)
        boot = rates(draws)
        for k in RATES:
            d, r = spread(boot[k])
            cis[k] = (_percentiles(d, quantiles), _percentiles(r, quantiles))
        if score is not None:
            sb = score_bins(score)
            nb = int(sb.max()) + 1
            bins_used = nb
            key = (groups.codes * 2 + y_true) * nb + sb
            cellc = np.bincount(key, minlength=groups.count * 2 * nb)
            point_binned = auc_from_counts(
                cellc.reshape(groups.count, 2, nb)[:, 1, :],
                cellc.reshape(groups.count, 2, nb)[:, 0, :],
            )
            shift = np.nan_to_num(auc - point_binned)  # the bins' ties, put back per group
            nz = np.flatnonzero(cellc)  # only cells with rows can be drawn
            d_auc = np.empty(bootstrap)
            r_auc = np.empty(bootstrap)
            step = max(1, int(5e6 // len(cellc)))
            full = np.zeros((step, len(cellc)), dtype=np.int64)
            for start in range(0, bootstrap, step):
                m = min(step, bootstrap - start)
                full[:m, nz] = rng.multinomial(n, cellc[nz] / n, size=m)
                dr = full[:m].reshape(m, groups.count, 2, nb)
                a = auc_from_counts(dr[:, :, 1, :], dr[:, :, 0, :]) + shift
                d_auc[start : start + m], r_auc[start : start + m] = spread(a)
            cis["auc"] = (_percentiles(d_auc, quantiles), _percentiles(r_auc, quantiles))
    disparities = tuple(
        Disparity(
            k,
            float(d),
            float(r),
            cis[k][0] if k in cis else None,
            cis[k][1] if k in cis else None,
        )
        for k, (d, r) in point.items()
    )
    return ModelMetrics(
        columns=groups.columns,
        rows=len(y_true),
        pos_label=str(pos_label),
        groups=tuple(figures),
        overall=overall,
        disparities=disparities,
        bootstrap=bootstrap,
        quantiles=quantiles,
        seed=seed,
        calibration=calibration(groups, y_true, score) if score is not None else None,
        auc_bins=bins_used,
    )
