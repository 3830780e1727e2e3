"""An MST-style differentially private synthesizer over a discrete domain (pure, NumPy).

The steps, each a measurement whose ρ :mod:`datanuri.synth.accounting` reads from OpenDP:

1. every 1-way marginal with Gaussian noise (a third of ρ, split evenly);
2. a maximum spanning tree over the columns, one edge at a time (Kruskal's order): among the pairs
   that join two components, the exponential mechanism (Gumbel noisy max) picks the pair whose
   2-way counts are farthest, in L1, from what the noisy 1-way marginals predict under
   independence (a third of ρ; one more or one fewer record moves a score by at most 1);
3. the 2-way marginals of the tree's edges with Gaussian noise (the last third).

The model is the tree-structured graphical model those marginals define, which is exact for a
tree: each column's marginal is the inverse-variance average of its noisy 1-way counts and the
sums of its incident noisy 2-way tables, made non-negative; each edge's conditional is its noisy
2-way table made non-negative and normalised row by row, shrunk toward the child's marginal
in proportion to the noise (a row with no mass is the child's marginal). Sampling draws the
root from its marginal and every other column from its conditional given its parent, in
breadth-first order. All of this is post-processing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from datanuri.synth import accounting as A


@dataclass(frozen=True)
class Step:
    """One noisy measurement: what it measured, its noise scale and the ρ (and, for a threshold,
    the δ) it spent (OpenDP)."""

    kind: str  # "1-way", "select", "2-way", "bounds", "categories"
    columns: tuple[str, ...]
    scale: float
    rho: float
    delta: float = 0.0  # only the categories' thresholded counts are approximate


@dataclass(frozen=True)
class TreeModel:
    """The fitted model: per-column marginals, the tree's edges (parent, child) and conditionals."""

    marginals: tuple[np.ndarray, ...]
    edges: tuple[tuple[int, int], ...]  # (parent, child) in sampling order
    conditionals: tuple[np.ndarray, ...]  # per edge: P(child | parent), rows = parent codes
    root: int
    total: float  # the noisy number of records


@dataclass(frozen=True)
class MSTResult:
    """The fitted model and the measurements that made it."""

    model: TreeModel
    steps: tuple[Step, ...]
    selected: tuple[tuple[int, int], ...]  # the tree's edges in selection order


def marginal(codes: np.ndarray, cols: Sequence[int], sizes: Sequence[int]) -> np.ndarray:
    """The exact count table of ``cols`` (a flattened cell index, bincount: vectorised)."""
    idx = np.zeros(len(codes), dtype=np.int64)
    shape = []
    for c in cols:
        idx = idx * sizes[c] + codes[:, c]
        shape.append(sizes[c])
    return np.bincount(idx, minlength=int(np.prod(shape))).astype(np.float64).reshape(shape)


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def fit(
    codes: np.ndarray,
    sizes: Sequence[int],
    names: Sequence[str],
    rho: float,
    rng: np.random.Generator,
) -> MSTResult:
    """Measure, select and fit the tree model of ``codes`` spending ``rho`` (zCDP)."""
    n, d = codes.shape
    steps: list[Step] = []
    # 1. one-way marginals
    r1 = rho / 3 / d
    s1 = A.gaussian_scale(r1)
    one = []
    for j in range(d):
        noisy = marginal(codes, [j], sizes) + rng.normal(0.0, s1, sizes[j])
        one.append(noisy)
        steps.append(Step("1-way", (names[j],), s1, A.gaussian_rho(s1)))
    total = float(np.mean([m.sum() for m in one]))
    total = max(total, 1.0)
    probs = [_normalise(np.clip(m, 0, None)) for m in one]
    # 2. the spanning tree, by noisy max over L1 dependence scores
    pairs = [(i, j) for i in range(d) for j in range(i + 1, d)]
    scores = np.array(
        [
            np.abs(marginal(codes, [i, j], sizes) - total * np.outer(probs[i], probs[j])).sum()
            for i, j in pairs
        ]
    )
    selected: list[tuple[int, int]] = []
    if d > 1:
        rs = rho / 3 / (d - 1)
        gs = A.noisy_max_scale(rs)
        comp = list(range(d))
        for _ in range(d - 1):
            ok = np.array([_find(comp, i) != _find(comp, j) for i, j in pairs])
            noisy = np.where(ok, scores + rng.gumbel(0.0, gs, len(pairs)), -np.inf)
            i, j = pairs[int(np.argmax(noisy))]
            comp[_find(comp, i)] = _find(comp, j)
            selected.append((i, j))
            steps.append(Step("select", (names[i], names[j]), gs, A.noisy_max_rho(gs)))
    # 3. two-way marginals of the tree's edges
    two: dict[tuple[int, int], np.ndarray] = {}
    s2 = A.gaussian_scale(rho / 3 / (d - 1)) if d > 1 else 0.0
    for i, j in selected:
        two[(i, j)] = marginal(codes, [i, j], sizes) + rng.normal(0.0, s2, (sizes[i], sizes[j]))
        steps.append(Step("2-way", (names[i], names[j]), s2, A.gaussian_rho(s2)))
    model = _tree(one, two, sizes, s1, s2, total)
    return MSTResult(model=model, steps=tuple(steps), selected=tuple(selected))


def _normalise(p: np.ndarray) -> np.ndarray:
    s = p.sum()
    return p / s if s > 0 else np.full(p.shape, 1.0 / p.size)


def _tree(
    one: list[np.ndarray],
    two: dict[tuple[int, int], np.ndarray],
    sizes: Sequence[int],
    s1: float,
    s2: float,
    total: float,
) -> TreeModel:
    """The tree model from noisy marginals: averaged non-negative marginals, row conditionals."""
    d = len(one)
    est = []
    for j in range(d):  # inverse-variance average of every noisy estimate of column j's counts
        num, den = one[j] / s1**2, np.full(sizes[j], 1.0 / s1**2)
        for (a, b), t in two.items():
            if j in (a, b):
                other = sizes[b] if j == a else sizes[a]
                var = other * s2**2
                num = num + (t.sum(axis=1) if j == a else t.sum(axis=0)) / var
                den = den + 1.0 / var
        est.append(_normalise(np.clip(num / den, 0, None)))
    adj: dict[int, list[tuple[int, int]]] = {j: [] for j in range(d)}
    for a, b in two:
        adj[a].append((a, b))
        adj[b].append((a, b))
    root = max(range(d), key=lambda j: len(adj[j])) if two else 0
    edges, conds, seen, queue = [], [], {root}, [root]
    while queue:
        p = queue.pop(0)
        for a, b in adj[p]:
            c = b if a == p else a
            if c in seen:
                continue
            t = np.clip(two[(a, b)] if a == p else two[(a, b)].T, 0, None)
            # rows thin next to the noise lean on the child's marginal (weight: the noise mass
            # clipping leaves in a row, about s2·√cells), rows with many records keep their own
            lam = s2 * np.sqrt(sizes[c])
            cond = (t + lam * est[c][None, :]) / (t.sum(axis=1, keepdims=True) + lam)
            edges.append((p, c))
            conds.append(cond)
            seen.add(c)
            queue.append(c)
    return TreeModel(tuple(est), tuple(edges), tuple(conds), root, total)


def sample(model: TreeModel, rows: int, rng: np.random.Generator) -> np.ndarray:
    """``rows`` records of codes drawn from the tree model (root, then conditionals; vectorised
    inverse-CDF draws)."""
    d = len(model.marginals)
    out = np.zeros((rows, d), dtype=np.int64)
    out[:, model.root] = _draw(
        np.cumsum(model.marginals[model.root])[None, :], np.zeros(rows, dtype=np.int64), rng
    )
    for (p, c), cond in zip(model.edges, model.conditionals, strict=True):
        out[:, c] = _draw(np.cumsum(cond, axis=1), out[:, p], rng)
    return out


def _draw(cdf: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per entry of ``rows`` from the row of ``cdf`` it names."""
    u = rng.random(len(rows))
    out = np.empty(len(rows), dtype=np.int64)
    for r in np.unique(rows):  # one vectorised search per parent code
        sel = rows == r
        out[sel] = np.searchsorted(cdf[r], u[sel] * cdf[r][-1], side="right")
    return np.minimum(out, cdf.shape[1] - 1)
