"""The lattice search finds the optimum an exhaustive scan finds, on random lattices with
synthetic node evaluations: monotone or not, separable loss bounds or propagated ones."""

from __future__ import annotations

import numpy as np
import pytest

from datanuri.privacy.search.lattice import Evaluated, Lattice, LatticeSearch, NodeResult, rank


def test_lattice_indexes_its_nodes_in_row_major_order():
    lattice = Lattice([3, 1, 4, 2])
    nodes = lattice.nodes()
    assert lattice.size == len(nodes) == 24
    assert [lattice.index(lv) for lv in nodes] == list(range(24))
    for q in range(lattice.width):  # raising column q by one moves the index by radix[q]
        for i, lv in enumerate(nodes):
            if lv[q] + 1 < lattice.heights[q]:
                up = lv.copy()
                up[q] += 1
                assert lattice.index(up) == i + lattice.radix[q]
    assert lattice.top() == (2, 0, 3, 1)


def synthetic(seed: int, *, monotone: bool, separable: bool):
    rng = np.random.default_rng(seed)
    lattice = Lattice(rng.integers(1, 5, int(rng.integers(2, 6))))
    nodes = lattice.nodes()
    weights = rng.random((lattice.width, int(lattice.heights.max())))
    # column cost per level, increasing with the level
    cost = np.cumsum(weights, axis=1)
    unsuppressed = cost[np.arange(lattice.width), nodes].sum(axis=1)
    if not separable:
        unsuppressed = np.prod(1 + cost[np.arange(lattice.width), nodes], axis=1)
    extra = rng.random(lattice.size) * rng.integers(0, 2, lattice.size)  # suppression adds
    if monotone:
        anonymous = nodes @ rng.integers(1, 4, lattice.width) >= rng.integers(0, 3 * lattice.width)
    else:
        anonymous = rng.random(lattice.size) < 0.4
    suppressed = rng.integers(0, 3, lattice.size)
    results = [
        NodeResult(tuple(int(x) for x in lv), bool(a), int(s), float(u + e))
        for lv, a, s, u, e in zip(nodes, anonymous, suppressed, unsuppressed, extra, strict=True)
    ]
    return lattice, results, unsuppressed


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize(
    ("monotone", "separable"), [(True, True), (False, True), (True, False), (False, False)]
)
def test_search_finds_the_exhaustive_optimum(seed, monotone, separable):
    lattice, results, unsuppressed = synthetic(seed, monotone=monotone, separable=separable)
    evaluated: list[tuple[int, ...]] = []

    def evaluate(levels):
        r = results[lattice.index(levels)]
        evaluated.append(r.levels)
        # for the propagated bound: the "unsuppressed discernibility" of the node
        sizes = np.array([np.sqrt(unsuppressed[lattice.index(levels)])])
        return Evaluated(r, sizes)

    search = LatticeSearch(
        lattice,
        evaluate,
        bound=unsuppressed.copy() if separable else np.zeros(lattice.size),
        floor=np.zeros(lattice.size),
        status=np.zeros(lattice.size, dtype=np.int8),
        separable=separable,
        monotone=monotone,
        allowed=1,
        step_costs=[list(map(float, range(h))) for h in lattice.heights] if separable else None,
    )
    got = search.run()
    candidates = [r for r in results if r.anonymous]
    want = min(candidates, key=rank) if candidates else None
    assert got == want
    assert len(evaluated) == len(set(evaluated))  # no node is evaluated twice


def test_witness_tags_a_coarser_node_and_everything_below():
    lattice = Lattice([3, 3])
    top = lattice.top()
    seen = []

    def evaluate(levels):
        lv = tuple(int(x) for x in levels)
        seen.append(lv)
        if lv == (0, 0):  # stops early, naming (1, 2) as failing too
            return Evaluated(NodeResult(lv, False, -1, np.inf), None, (1, 2))
        anonymous = lv[0] >= 2
        return Evaluated(NodeResult(lv, anonymous, 0, float(sum(lv))), np.ones(1))

    search = LatticeSearch(
        lattice,
        evaluate,
        bound=lattice.nodes().sum(axis=1).astype(float),
        floor=np.zeros(lattice.size),
        status=np.zeros(lattice.size, dtype=np.int8),
        separable=True,
        monotone=False,  # only the witness tags nodes
        allowed=0,
    )
    assert search.run() == NodeResult((2, 0), True, 0, 2.0)
    assert not {(1, 0), (1, 1), (1, 2), (0, 1), (0, 2)} & set(seen)  # below the witness
    assert top not in seen  # the bound stopped the search before it
