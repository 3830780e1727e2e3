"""The roll-up cache: classes counted from a predecessor's class table equal a direct recount
from the frequency table (and pandas), sensitive counts included; the cache keeps its budget."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from datanuri.privacy.search.checks import build_test
from datanuri.privacy.search.classes import count_classes
from datanuri.privacy.search.frame import EncodedTable
from datanuri.privacy.search.lattice import Lattice
from datanuri.privacy.search.rollup import ClassTable, RollupCache, roll_up
from tests.privacy.random_tables import random_table


def setup(seed: int, *, sensitive: bool):
    rng = np.random.default_rng(seed)
    table, hier = random_table(
        rng, int(rng.integers(100, 800)), int(rng.integers(3, 6)), sensitive_values=4
    )
    frame = EncodedTable(table, hier, "s" if sensitive else None)
    overall = None
    if sensitive:
        assert frame.scode is not None
        overall = np.bincount(frame.scode, weights=frame.count, minlength=frame.m).astype(np.int64)
    test = build_test(
        "distinct-l-diversity" if sensitive else "k-anonymity",
        k=int(rng.integers(2, 6)),
        diversity=2,
        c=None,
        t=None,
        values=frame.s_values,
        value_type=None,
        overall=overall,
        distance=None,
        order=None,
        sensitive_hierarchy=None,
    )
    return rng, table, hier, frame, test


def by_codes(codes, sizes, ok, matrix=None):
    """{class codes: (size, passes, sensitive counts)} of a class table."""
    out = {}
    for i in range(len(sizes)):
        if sizes[i] == 0:
            continue
        key = tuple(int(c[i]) for c in codes)
        out[key] = (float(sizes[i]), bool(ok[i]), None if matrix is None else tuple(matrix[i]))
    return out


@pytest.mark.parametrize("sensitive", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_rolled_up_classes_equal_a_direct_recount(seed, sensitive):
    rng, table, hier, frame, test = setup(seed, sensitive=sensitive)
    nodes = Lattice(frame.heights).nodes()
    cache = RollupCache(frame, test)
    df = table.to_pandas()
    for _ in range(12):
        base_levels = nodes[rng.integers(len(nodes))]
        # a random successor of the base (every level at least the base's)
        node = tuple(
            int(rng.integers(b, h)) for b, h in zip(base_levels, frame.heights, strict=True)
        )
        base = cache.class_table(base_levels, count_classes(frame, test, base_levels), force=True)
        assert base is not None
        rolled = roll_up(frame, test, base, node)
        direct = count_classes(frame, test, node)
        first = np.zeros(len(direct.sizes), dtype=np.int64)  # (classes of size 0 are skipped)
        first[direct.cls] = frame.rows()
        matrix = frame.value_matrix(direct.cls, len(direct.sizes)) if sensitive else None
        want = by_codes(frame.class_codes(node, first), direct.sizes, direct.ok, matrix)
        got_codes = [rolled.table.codes[q] for q in range(frame.width)]
        got = by_codes(got_codes, rolled.table.sizes, rolled.ok, rolled.table.matrix)
        assert got == want
        assert rolled.suppressed() == direct.suppressed()
        # and pandas agrees on the class sizes
        gen = pd.DataFrame(
            {
                c: df[c].map(dict(zip(h.levels[0], h.levels[lv], strict=True)))
                for (c, h), lv in zip(hier.items(), node, strict=True)
            }
        )
        sizes = sorted(gen.groupby(list(gen.columns)).size().tolist())
        assert sorted(v[0] for v in got.values()) == sizes


def test_rollup_through_a_chain_of_cached_tables():
    """Nodes rolled up from tables that were themselves rolled up (lazy codes) stay exact."""
    rng, _, _, frame, test = setup(11, sensitive=True)
    cache = RollupCache(frame, test)
    bottom = (0,) * frame.width
    assert cache.seed(bottom)
    levels = list(bottom)
    for q in rng.permutation(np.repeat(np.arange(frame.width), frame.heights - 1)):
        levels[q] += 1
        base = cache.base_for(levels)
        assert base is not None and all(b <= lv for b, lv in zip(base.levels, levels, strict=True))
        rolled = roll_up(frame, test, base, levels)
        cache.remember(rolled.table, force=True)
        direct = count_classes(frame, test, levels)
        assert sorted(rolled.table.sizes) == sorted(direct.sizes[direct.sizes > 0])
        assert rolled.suppressed() == direct.suppressed()


def test_cache_serves_the_smallest_predecessor_and_keeps_its_budget():
    _, _, _, frame, test = setup(3, sensitive=False)
    nodes = Lattice(frame.heights).nodes()
    cache = RollupCache(frame, test, budget=10**9)
    tables = []
    for lv in nodes[: min(len(nodes), 20)]:
        t = cache.class_table(lv, count_classes(frame, test, lv), force=True)
        assert t is not None
        cache.remember(t, force=True)
        tables.append(t)
    assert cache.budget == 10**9  # forcing a table in never changes the budget
    top = tuple(int(h) - 1 for h in frame.heights)
    best = cache.base_for(top)
    assert best is not None and len(best.sizes) == min(len(t.sizes) for t in tables)
    assert cache.base_for((-1,) * frame.width) is None  # nothing below the bottom


def test_cache_replaces_the_oldest_table_when_full():
    _, _, _, frame, test = setup(4, sensitive=False)
    top = tuple(int(h) - 1 for h in frame.heights)  # one class: small enough to cache
    one = cache_table(frame, test, top)
    cache = RollupCache(frame, test, budget=8 * one.held())
    tables = [cache_table(frame, test, top) for _ in range(9)]
    for t in tables:
        cache.remember(t)
    assert len(cache) == 8  # the ninth replaced the first
    assert cache.base_for(top) is tables[8]  # in the first slot, first in first out


def cache_table(frame, test, levels) -> ClassTable:
    t = RollupCache(frame, test).class_table(levels, count_classes(frame, test, levels), force=True)
    assert t is not None
    return t
