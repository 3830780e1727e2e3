"""Dataset audit, pure: how protected groups (and their intersections) are represented against a
reference distribution, label balance and missing values per group, and proxy features.

- Representation: each group's rows and share next to the reference share the auditor supplies
  (e.g. census shares, keyed by the group's label "F" or "F × 서울"); a G test (log-likelihood
  ratio, `scipy.stats.power_divergence`) of the observed counts against the reference shares,
  renormalised over the groups the reference names. Every group is listed with its count, the
  smallest too: nothing is hidden.
- Label balance: each group's share of the positive label (with its count).
- Missingness: per column and group, the share of missing values.
- Proxies: how well each other column predicts the protected attribute(s): the normalised mutual
  information between the column (numbers in `PROXY_BINS` quantile bins, nulls as a value) and
  the group (scikit-learn's `normalized_mutual_info_score`, 0 = independent, 1 = determines it),
  and the balanced accuracy of a depth-3 decision tree over that one column (3-fold
  cross-validated, on at most `PROXY_SAMPLE` rows), against 1/groups for chance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri import errors
from datanuri.audit import messages as M
from datanuri.audit.metrics import Groups, binary, factorize

PROXY_BINS = 10
PROXY_SAMPLE = 50_000
PROXY_FLAG = 0.1  # normalised mutual information above which a column is flagged as a proxy


@dataclass(frozen=True)
class Representation:
    label: tuple[str, ...]
    count: int
    share: float
    reference: float | None  # the auditor's share, None when the reference does not name it


@dataclass(frozen=True)
class GoodnessOfFit:
    statistic: float  # G
    dof: int
    p_value: float


@dataclass(frozen=True)
class LabelBalance:
    label: tuple[str, ...]
    count: int
    positives: int
    positive_rate: float


@dataclass(frozen=True)
class Missingness:
    column: str
    by_group: tuple[float, ...]  # share missing, in group order
    overall: float


@dataclass(frozen=True)
class Proxy:
    column: str
    mutual_information: float  # normalised, 0..1
    balanced_accuracy: float  # of a depth-3 tree predicting the group from this column alone
    chance: float
    flagged: bool


@dataclass(frozen=True)
class DatasetAudit:
    columns: tuple[str, ...]
    rows: int
    groups: tuple[Representation, ...]
    fit: GoodnessOfFit | None
    labels: tuple[LabelBalance, ...] | None
    label_column: str | None
    pos_label: str | None
    missing: tuple[Missingness, ...]
    proxies: tuple[Proxy, ...]


def _codes_of(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A feature as integer codes: numbers in quantile bins, others by value; nulls a code."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        x = arr.cast(pa.float64()).to_numpy(zero_copy_only=False)
        finite = np.isfinite(x)
        codes = np.full(len(x), PROXY_BINS, dtype=np.int64)
        if finite.any():
            edges = np.unique(np.quantile(x[finite], np.linspace(0, 1, PROXY_BINS + 1)[1:-1]))
            codes[finite] = np.searchsorted(edges, x[finite], side="right")
        return codes
    return factorize([("c", arr)]).codes


def _proxy(feature: np.ndarray, group: np.ndarray, seed: int) -> tuple[float, float]:
    from sklearn.metrics import normalized_mutual_info_score
    from sklearn.model_selection import cross_val_score
    from sklearn.tree import DecisionTreeClassifier

    nmi = float(normalized_mutual_info_score(group, feature))
    rng = np.random.default_rng(seed)
    keep = np.ones(len(group), bool)
    if len(group) > PROXY_SAMPLE:
        keep = np.zeros(len(group), bool)
        keep[rng.choice(len(group), PROXY_SAMPLE, replace=False)] = True
    x, y = feature[keep].reshape(-1, 1), group[keep]
    counts = np.bincount(y)
    if (counts[counts > 0] < 3).any() or (counts > 0).sum() < 2:
        return nmi, float("nan")  # too few rows of some group for 3 folds
    tree = DecisionTreeClassifier(max_depth=3, random_state=seed)
    scores = cross_val_score(tree, x, y, cv=3, scoring="balanced_accuracy")
    return nmi, float(np.mean(scores))


def _check_columns(table: pa.Table, names: Sequence[str]) -> None:
    for name in names:
        if name not in table.column_names:
            raise errors.InvalidInput(
                M.MSG_NO_COLUMN.format(column=name, columns=", ".join(table.column_names))
            )


def audit_dataset(
    table: pa.Table,
    group_columns: Sequence[str],
    *,
    reference: Mapping[str, float] | None = None,
    label: str | None = None,
    pos_label: object = None,
    proxies: bool = True,
    seed: int = 0,
) -> DatasetAudit:
    """Audit `table` for the protected attributes `group_columns` (several: intersections)."""
    if not group_columns:
        raise errors.InvalidInput(M.MSG_NO_GROUP)
    _check_columns(table, [*group_columns, *([label] if label else [])])
    if table.num_rows == 0:
        raise errors.InvalidInput(M.MSG_EMPTY_TABLE)
    groups: Groups = factorize([(c, table.column(c)) for c in group_columns])
    counts = np.bincount(groups.codes, minlength=groups.count)
    n = int(table.num_rows)
    names = [groups.name(g) for g in range(groups.count)]
    ref = dict(reference or {})
    for key, share in ref.items():
        if key not in names or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise errors.InvalidInput(M.MSG_BAD_REFERENCE.format(group=key))
    rep = tuple(
        Representation(groups.labels[g], int(counts[g]), float(counts[g] / n), ref.get(names[g]))
        for g in range(groups.count)
    )
    fit = None
    named = [g for g in range(groups.count) if names[g] in ref]
    if len(named) >= 2:
        from scipy.stats import power_divergence  # type: ignore[import-untyped]

        obs = counts[named].astype(float)
        exp_share = np.array([ref[names[g]] for g in named], dtype=float)
        if exp_share.sum() > 0:
            exp = exp_share / exp_share.sum() * obs.sum()
            ok = exp > 0
            res = power_divergence(obs[ok], exp[ok], lambda_="log-likelihood")
            fit = GoodnessOfFit(float(res.statistic), int(ok.sum() - 1), float(res.pvalue))
    labels = None
    used_pos = None
    if label is not None:
        col = table.column(label)
        if col.null_count:
            raise errors.InvalidInput(M.MSG_MISSING_LABELS.format(column=label))
        y, used = binary(col, pos_label)
        used_pos = str(used)
        pos = np.bincount(groups.codes, weights=y, minlength=groups.count)
        labels = tuple(
            LabelBalance(groups.labels[g], int(counts[g]), int(pos[g]), float(pos[g] / counts[g]))
            for g in range(groups.count)
        )
    others = [c for c in table.column_names if c not in group_columns and c != label]
    missing = []
    for c in table.column_names:
        if c in group_columns:
            continue
        nulls = pc.is_null(table.column(c), nan_is_null=True).to_numpy(zero_copy_only=False)
        per = np.bincount(groups.codes, weights=nulls.astype(float), minlength=groups.count)
        missing.append(
            Missingness(c, tuple(float(x) for x in per / counts), float(nulls.sum() / n))
        )
    found = []
    if proxies and groups.count >= 2:
        for c in others:
            nmi, bacc = _proxy(_codes_of(table.column(c)), groups.codes, seed)
            found.append(Proxy(c, nmi, bacc, 1 / groups.count, nmi >= PROXY_FLAG))
    found.sort(key=lambda p: -p.mutual_information)
    return DatasetAudit(
        columns=tuple(group_columns),
        rows=n,
        groups=rep,
        fit=fit,
        labels=labels,
        label_column=label,
        pos_label=used_pos,
        missing=tuple(missing),
        proxies=tuple(found),
    )
