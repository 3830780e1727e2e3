"""Projection suppression bounds are sound: never above the records a node really suppresses
(counted by pandas from the generalised table), on random tables; exact on projections."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from datanuri.privacy.search import bounds
from datanuri.privacy.search.frame import EncodedTable
from datanuri.privacy.search.lattice import Lattice
from tests.privacy.random_tables import random_table


def true_suppression(df: pd.DataFrame, hier, node, k: int) -> int:
    """Records in classes smaller than k at ``node``, from pandas."""
    g = pd.DataFrame(
        {
            c: df[c].map(dict(zip(h.levels[0], h.levels[lv], strict=True)))
            for (c, h), lv in zip(hier.items(), node, strict=True)
        }
    )
    sizes = g.groupby(list(g.columns)).size()
    return int(sizes[sizes < k].sum())


@pytest.mark.parametrize("seed", range(10))
def test_bounds_never_exceed_the_true_suppression(seed):
    rng = np.random.default_rng(seed)
    table, hier = random_table(rng, int(rng.integers(50, 600)), int(rng.integers(3, 6)))
    k = int(rng.integers(2, 9))
    frame = EncodedTable(table, hier)
    lattice = Lattice(frame.heights)
    nodes = lattice.nodes()
    pair = bounds.pair_suppression_bound(frame, k, nodes)
    triple = bounds.triple_suppression_bound(frame, k, nodes)
    df = table.to_pandas()
    tight = 0
    for i in rng.choice(len(nodes), min(len(nodes), 40), replace=False):
        true = true_suppression(df, hier, nodes[i], k)
        assert pair[i] <= true and triple[i] <= true
        tight += max(pair[i], triple[i]) == true
    assert tight > 0  # not vacuous


@pytest.mark.parametrize("seed", range(6))
def test_bounds_are_exact_on_projections(seed):
    """A node with at most two (three) columns below the top is its own projection: the pair
    (triple) bound is its true suppression."""
    rng = np.random.default_rng(50 + seed)
    table, hier = random_table(rng, int(rng.integers(50, 400)), 4)
    k = int(rng.integers(2, 6))
    frame = EncodedTable(table, hier)
    nodes = Lattice(frame.heights).nodes()
    pair = bounds.pair_suppression_bound(frame, k, nodes)
    triple = bounds.triple_suppression_bound(frame, k, nodes)
    df = table.to_pandas()
    top = frame.heights - 1
    for i, node in enumerate(nodes):
        below = int((node < top).sum())
        if below <= 3:
            true = true_suppression(df, hier, node, k)
            assert (pair[i] if below <= 2 else triple[i]) == true


def test_distinct_combinations_count_every_record():
    rng = np.random.default_rng(9)
    table, hier = random_table(rng, 300, 3)
    frame = EncodedTable(table, hier)
    cnt, leaves = bounds.distinct_combinations(frame, [0, 2])
    df = table.to_pandas()
    want = df.groupby(["q0", "q2"]).size()
    names = [frame.columns[q].dictionary.to_pylist() for q in (0, 2)]
    got = {(names[0][a], names[1][b]): c for a, b, c in zip(leaves[0], leaves[1], cnt, strict=True)}
    assert got == want.to_dict() and cnt.sum() == 300
