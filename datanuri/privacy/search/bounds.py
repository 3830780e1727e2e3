"""Lower bounds on the records a node must suppress, from projections onto few columns.

The projection of a node onto some quasi-identifiers is the node that keeps their levels and
takes every other column to its top level: a coarser node, whose classes are unions of the
node's classes. A record in a class of size at least k stays in one when classes merge, so the
records in classes smaller than k only become fewer: a projection suppresses at most as many
records as the node, whatever the privacy model (every model includes k-anonymity). Each
combination of columns costs one pass over its distinct combinations of leaf codes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from datanuri.privacy.encoding import KeyCombiner, radix_key, split_key
from datanuri.privacy.search.frame import (
    Codes,
    ColumnCodes,
    EncodedTable,
    Floats,
    weighted_counts,
)


def column_bound(col: ColumnCodes, k: int) -> Floats:
    """Per level of ``col``, the records in its values (at that level) held by fewer than ``k``
    records: what any node with the column at that level suppresses at least."""
    per_level = np.zeros(col.height)
    for level in range(col.height):
        sizes = np.bincount(col.maps[level], weights=col.leaf_freq)
        per_level[level] = float(sizes[sizes < k].sum())
    return per_level


def single_column_bound(frame: EncodedTable, k: int, nodes: Codes) -> Floats:
    """Per node, the most records suppressed by any of its projections onto one column."""
    bound = np.zeros(len(nodes))
    for q, col in enumerate(frame.columns):
        bound = np.maximum(bound, column_bound(col, k)[nodes[:, q]])
    return bound


def projection_bound(frame: EncodedTable, k: int, nodes: Codes, width: int) -> Floats:
    """Per node, the most records suppressed by any of its projections onto ``width`` columns
    that are all below their top levels (0 where there is none)."""
    bound = np.zeros(len(nodes))
    for cols in itertools.combinations(range(frame.width), width):
        group = [frame.columns[q] for q in cols]
        if any(col.height < 2 for col in group):
            continue
        cnt, leaves = distinct_combinations(frame, cols)
        # per column, its generalised codes of the distinct combinations at each level below top
        gen = [
            [(col.maps[lv][leaf], col.cards[lv]) for lv in range(col.height - 1)]
            for col, leaf in zip(group, leaves, strict=True)
        ]
        table = np.zeros([col.height for col in group])
        for combo in itertools.product(*[range(col.height - 1) for col in group]):
            sizes = projected_sizes([gen[d][level] for d, level in enumerate(combo)], cnt)
            table[combo] = sizes[sizes < k].sum()
        bound = np.maximum(bound, table[tuple(nodes[:, q] for q in cols)])
    return bound


def distinct_combinations(frame: EncodedTable, cols: Sequence[int]) -> tuple[Floats, list[Codes]]:
    """The records of each distinct combination of the columns' leaf codes, and the codes."""
    domains = [frame.columns[q].domain for q in cols]
    space = math.prod(domains)
    if space >= 2**62:  # too wide for one key: compact while combining
        key = KeyCombiner(frame.F, record=True)
        for tag, q in enumerate(cols):
            key.add(frame.qcodes[q], domains[tag], tag=tag)
        key.compact_ids()
        ids, g = key.result()
        cnt = weighted_counts(ids, frame.count_f, g)
        return cnt, key.decode([np.dtype(np.int64)] * len(cols))
    keys, _ = radix_key(
        [(frame.qcodes[q], domain) for q, domain in zip(cols, domains, strict=True)]
    )
    if space <= max(4 * frame.F, 1 << 20):
        dense_cnt = weighted_counts(keys, frame.count_f, space)
        uniq = np.flatnonzero(dense_cnt)
        cnt = dense_cnt[uniq]
    else:
        uniq, inv = np.unique(keys, return_inverse=True)
        cnt = weighted_counts(inv.reshape(-1), frame.count_f, len(uniq))
    return cnt, split_key(uniq, domains)


def projected_sizes(columns: list[tuple[Codes, int]], weights: Floats) -> Floats:
    """Class sizes (some may be 0) of rows with the given (codes, cardinality) columns."""
    key, space = radix_key(columns)
    return weighted_counts(key, weights, space)


def pair_suppression_bound(frame: EncodedTable, k: int, nodes: Codes) -> Floats:
    """A lower bound on the records every node must suppress: the most over its projections
    onto single columns and onto pairs of columns below their top levels."""
    return np.maximum(single_column_bound(frame, k, nodes), projection_bound(frame, k, nodes, 2))


def triple_suppression_bound(frame: EncodedTable, k: int, nodes: Codes) -> Floats:
    """Like :func:`pair_suppression_bound`, over projections onto three columns below their top
    levels (0 for a node with fewer, which the pair bound covers)."""
    return projection_bound(frame, k, nodes, 3)
