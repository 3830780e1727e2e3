"""How good and how safe a synthetic table is, against the real one (pure, vectorised).

- Fidelity: k-way marginal total-variation distances (TVD = ½ Σ |p − q| over the cells of k
  columns, both tables coded in the same domain), correlation differences, per-column histograms.
- Utility: a classifier trained on the synthetic rows and one trained on the real training rows,
  both tested on held-out real rows (train-synthetic-test-real against train-real-test-real).
- Privacy: distance to the closest record (DCR) in the training rows against the held-out rows,
  exact copies of training records against the rate of copies of held-out records, and a
  distance-based membership-inference attack's AUC (0.5: members and non-members look alike).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from datanuri.synth import domain as D
from datanuri.synth.mst import marginal

SAMPLE = 2000  # records per side for the distance-based privacy measures
MAX_TRIPLES = 60  # 3-way marginals measured (a seeded sample when there are more)


def tvd(a: np.ndarray, b: np.ndarray, cols: Sequence[int], sizes: Sequence[int]) -> float:
    """The total-variation distance of the ``cols`` marginals of code arrays ``a`` and ``b``."""
    p, q = marginal(a, cols, sizes), marginal(b, cols, sizes)
    return float(0.5 * np.abs(p / max(p.sum(), 1) - q / max(q.sum(), 1)).sum())


def k_way_tvd(
    a: np.ndarray,
    b: np.ndarray,
    sizes: Sequence[int],
    k: int,
    rng: np.random.Generator,
    limit: int | None = None,
) -> list[float]:
    """TVDs of all k-column marginals (a seeded sample of ``limit`` of them when there are more)."""
    combos = list(itertools.combinations(range(a.shape[1]), k))
    if limit is not None and len(combos) > limit:
        pick = rng.choice(len(combos), size=limit, replace=False)
        combos = [combos[i] for i in sorted(pick)]
    return [tvd(a, b, c, sizes) for c in combos]


def correlation_difference(real: pa.Table, synth: pa.Table) -> tuple[list[str], float]:
    """(numeric columns, mean absolute difference of their Pearson correlations)."""
    names = [f.name for f in real.schema if D.is_numeric(f.type)]
    if len(names) < 2:
        return names, 0.0

    def corr(t: pa.Table) -> np.ndarray:
        x = np.column_stack([D.as_float(t.column(n)) for n in names])
        x = np.where(np.isnan(x), np.nanmean(x, axis=0), x)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.nan_to_num(np.corrcoef(x, rowvar=False))

    diff = np.abs(corr(real) - corr(synth))[np.triu_indices(len(names), 1)]
    return names, float(diff.mean())


def histograms(
    a: np.ndarray, b: np.ndarray, sizes: Sequence[int]
) -> list[tuple[list[float], list[float]]]:
    """Per column: (real shares, synthetic shares) per code."""
    out = []
    for j, s in enumerate(sizes):
        p = np.bincount(a[:, j], minlength=s) / max(len(a), 1)
        q = np.bincount(b[:, j], minlength=s) / max(len(b), 1)
        out.append(([float(x) for x in p], [float(x) for x in q]))
    return out


@dataclass(frozen=True)
class Utility:
    """Train-on-synthetic/test-on-real against train-on-real accuracy for ``target``."""

    target: str
    real_accuracy: float
    synthetic_accuracy: float
    majority_accuracy: float  # always guessing the most common class (the floor)

    @property
    def gap(self) -> float:
        return self.real_accuracy - self.synthetic_accuracy


def utility(
    train: np.ndarray, synth: np.ndarray, test: np.ndarray, target: int, seed: int
) -> tuple[float, float, float]:
    """(train-real accuracy, train-synthetic accuracy, majority accuracy) on ``test``, all in
    codes (logistic regression over one-hot codes: fast, and the usual yardstick)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import OneHotEncoder

    feats = [j for j in range(train.shape[1]) if j != target]
    enc = OneHotEncoder(handle_unknown="ignore").fit(np.r_[train, synth, test][:, feats])

    def fit_score(x: np.ndarray) -> float:
        if len(np.unique(x[:, target])) < 2:
            return float(np.mean(test[:, target] == x[0, target]))
        clf = LogisticRegression(max_iter=300, random_state=seed)
        clf.fit(enc.transform(x[:, feats]), x[:, target])
        return float(np.mean(clf.predict(enc.transform(test[:, feats])) == test[:, target]))

    counts = np.bincount(train[:, target])
    majority = float(np.mean(test[:, target] == int(np.argmax(counts))))
    return fit_score(train), fit_score(synth), majority


@dataclass(frozen=True)
class PrivacyChecks:
    """Distance- and match-based privacy measures of a synthetic table against real records."""

    dcr_train_median: float
    dcr_holdout_median: float
    closer_to_train: float  # share of synthetic records closer to training than held-out rows
    exact_train: int  # synthetic records (of the sample) equal to some training record
    exact_holdout: int  # ... equal to some held-out record (as many of each compared)
    mia_auc: float
    compared: int


def _features(codes: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    """One-hot codes (every column weighs the same in the distance)."""
    offs = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    x = np.zeros((len(codes), int(sum(sizes))), dtype=np.float32)
    x[np.arange(len(codes))[:, None], codes + offs] = 1.0
    return x


def _nearest(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from each row of ``a`` to its nearest row of ``b`` (one-hot Hamming)."""
    ones = a[0].sum() if len(a) else 0.0  # every row has one 1 per column
    best = np.full(len(a), -np.inf, dtype=np.float32)
    for i in range(0, len(b), 4096):  # shared ones by one matrix product, in blocks
        best = np.maximum(best, (a @ b[i : i + 4096].T).max(axis=1))
    return np.asarray(ones - best, dtype=np.float64)


def exact_matches(synth: pa.Table, real: pa.Table) -> int:
    """Synthetic records equal, in every column, to some real record (DuckDB semi-join)."""
    cols = [f'"{c}"' for c in real.column_names]
    on = " AND ".join(f"s.{c} IS NOT DISTINCT FROM r.{c}" for c in cols)
    con = duckdb.connect()
    con.register("s_t", synth)
    con.register("r_t", real)
    q = f"SELECT count(*) FROM s_t s WHERE EXISTS (SELECT 1 FROM r_t r WHERE {on})"
    row = con.execute(q).fetchone()
    con.close()
    return int(row[0]) if row else 0


def privacy_checks(
    train: pa.Table, holdout: pa.Table, synth: pa.Table, dom: D.Domain, rng: np.random.Generator
) -> PrivacyChecks:
    """DCR, exact copies and the membership-inference AUC on equal-size samples of training and
    held-out records (at most ``SAMPLE`` each)."""
    from sklearn.metrics import roc_auc_score

    m = min(SAMPLE, train.num_rows, holdout.num_rows, synth.num_rows)
    pick = lambda t: t.take(pa.array(np.sort(rng.choice(t.num_rows, m, replace=False))))  # noqa: E731
    tr, ho, sy = pick(train), pick(holdout), pick(synth)
    ftr, fho, fsy = (_features(D.encode(t, dom), dom.sizes) for t in (tr, ho, sy))
    d_tr, d_ho = _nearest(fsy, ftr), _nearest(fsy, fho)
    closer = float(np.mean(d_tr < d_ho) + 0.5 * np.mean(d_tr == d_ho))
    # membership inference: a record closer to the synthetic data is guessed a member
    s_mem, s_non = -_nearest(ftr, fsy), -_nearest(fho, fsy)
    labels = np.r_[np.ones(m), np.zeros(m)]
    auc = float(roc_auc_score(labels, np.r_[s_mem, s_non]))
    return PrivacyChecks(
        dcr_train_median=float(np.median(d_tr)),
        dcr_holdout_median=float(np.median(d_ho)),
        closer_to_train=closer,
        exact_train=exact_matches(sy, tr),
        exact_holdout=exact_matches(sy, ho),
        mia_auc=auc,
        compared=m,
    )
