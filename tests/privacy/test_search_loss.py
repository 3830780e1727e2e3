"""Loss models against hand computations on a four-record table, through both ways a node's
loss is computed (from frequency-table rows and from a rolled-up class table)."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from datanuri.privacy.hierarchies import TableHierarchy
from datanuri.privacy.search.loss import leaf_costs
from datanuri.privacy.search.problem import Problem

# a: x, x, y, z with x, y -> "xy", z -> "z", then "*";  b: p, q, p, p -> "*"
TABLE = pa.table({"a": ["x", "x", "y", "z"], "b": ["p", "q", "p", "p"]})
HIER = {
    "a": TableHierarchy.from_rows([["x", "xy", "*"], ["y", "xy", "*"], ["z", "z", "*"]]),
    "b": TableHierarchy.from_rows([["p", "*"], ["q", "*"]]),
}
L = math.log2

# (loss, node, k, expected). With k=2, node (1, 0) has classes (xy,p)=2, (xy,q)=1, (z,p)=1: the
# records x,q and z,p are suppressed (a suppressed record costs what it costs at the top node).
# Node (1, 1) with k=1 keeps everyone in (xy,*)=3 and (z,*)=1.
CASES = [
    ("precision", (1, 0), 1, (4 * 0.5) / 8),
    ("precision", (1, 0), 2, (2 * 0.5 + 2 * 2) / 8),
    ("precision", (1, 1), 1, 4 * 1.5 / 8),
    ("intensity", (1, 0), 2, (4 * 0.5) / 8),  # suppression adds nothing
    ("ncp", (1, 1), 1, (3 * (1 / 2 + 1) + (0 + 1)) / 8),  # "z" alone under "z": no loss
    ("ncp", (1, 0), 2, (2 * (1 / 2) + 2 * 2) / 8),
    ("entropy", (1, 0), 1, 2 * L(3 / 2) + L(3)),
    # kept x,p and y,p; suppressed x,q: -log2(2/4) - log2(1/4); z,p: -log2(1/4) - log2(3/4)
    ("entropy", (1, 0), 2, L(3 / 2) + L(3) + (1 + 2) + (2 + L(4 / 3))),
    ("discernibility", (1, 0), 2, 2**2 + 2 * 4),
    ("discernibility", (1, 1), 1, 3**2 + 1**2),
]


@pytest.mark.parametrize(("loss", "node", "k", "expected"), CASES)
def test_loss_from_rows_and_from_rolled_up_classes(loss, node, k, expected):
    p = Problem(TABLE, quasi_identifiers=HIER, k=k, max_suppression=0.5, loss=loss)
    assert p.evaluate(node).loss == pytest.approx(expected)
    rows = p.node(node, rollup=False, early=False)
    assert rows.result.loss == pytest.approx(expected)
    assert p.cache.seed((0, 0))  # then the node is counted from the bottom node's classes
    rolled = p.node(node, rollup=True, early=False)
    assert rolled.result.loss == pytest.approx(expected)
    assert rolled.result.suppressed == rows.result.suppressed == (2 if k == 2 else 0)


@pytest.mark.parametrize("loss", ["precision", "ncp", "intensity", "entropy"])
def test_bound_is_the_loss_without_suppression(loss):
    p = Problem(TABLE, quasi_identifiers=HIER, k=1, max_suppression=0.0, loss=loss)
    nodes = p.all_nodes()
    exact = np.array([p.evaluate(lv).loss for lv in nodes])
    np.testing.assert_allclose(p.loss_model.bound(nodes), exact)
    # with k=2 suppression only adds to the loss
    q = Problem(TABLE, quasi_identifiers=HIER, k=2, max_suppression=1.0, loss=loss)
    assert all(q.evaluate(lv).loss >= b - 1e-12 for lv, b in zip(nodes, exact, strict=True))


def test_leaf_costs_by_hand():
    p = Problem(TABLE, quasi_identifiers=HIER, k=1, max_suppression=0.0)
    a = p.frame.columns[0]
    order = a.dictionary.to_pylist()  # leaf code -> value
    ncp = {v: c for v, c in zip(order, leaf_costs(a, "ncp")[1], strict=True)}
    assert ncp == {"x": 0.5, "y": 0.5, "z": 0.0}
    ent = {v: c for v, c in zip(order, leaf_costs(a, "entropy")[2], strict=True)}
    assert ent == pytest.approx({"x": 1.0, "y": 2.0, "z": 2.0})
    assert [list(c) for c in leaf_costs(a, "precision")] == [[0.0] * 3, [0.5] * 3, [1.0] * 3]
    assert all(not c.any() for c in leaf_costs(a, "discernibility"))
