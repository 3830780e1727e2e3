"""The equivalence classes of one lattice node, counted from the frequency table.

Columns are combined widest first (at the node's levels) into one mixed-radix key, compacted
only when the next column would take it past a few times the frequency table's length; the
class count grows fastest that way. Classes only split as columns are added, and an anonymous
node has at most n / k + (suppression limit) classes, so a count can stop early: the node that
keeps the levels of the columns combined so far and takes every other column to its top level
(the *witness*) already has too many classes, and so does every node below it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from datanuri.privacy.encoding import KeyCombiner, prefix_index
from datanuri.privacy.search.checks import DENSE_MATRIX_LIMIT, Bools, ClassTest
from datanuri.privacy.search.frame import Codes, EncodedTable, Floats, weighted_counts


class CannotPass(Exception):
    """A node evaluation stopped because the node cannot be anonymous; ``witness`` is a coarser
    node that fails too, with every node below it, whatever the model."""

    def __init__(self, witness: tuple[int, ...]) -> None:
        super().__init__(f"node {witness} has too many classes")
        self.witness = witness


def witness(
    levels: Sequence[int], combined: Collection[int], heights: npt.NDArray[np.int64]
) -> tuple[int, ...]:
    """``levels`` with every column not in ``combined`` taken to its top level."""
    return tuple(int(lv) if q in combined else int(heights[q]) - 1 for q, lv in enumerate(levels))


def active_columns(frame: EncodedTable, levels: Sequence[int]) -> list[tuple[int, int, int]]:
    """(cardinality, column, level) of the columns with more than one code at ``levels``,
    widest first."""
    return sorted(
        (
            (frame.columns[q].cards[lv], q, lv)
            for q, lv in enumerate(levels)
            if frame.columns[q].cards[lv] > 1
        ),
        key=lambda t: (-t[0], t[1]),
    )


@dataclass(slots=True)
class NodeClasses:
    """Classes of a node: the class of every frequency-table row, class sizes, pass flags.
    Class ids may be sparse (classes of size 0 never fail anyone)."""

    cls: Codes
    sizes: Floats
    ok: Bools

    def suppressed(self) -> int:
        """Records in failing classes."""
        return int(round(self.sizes[~self.ok].sum()))


def count_classes(
    frame: EncodedTable,
    test: ClassTest,
    levels: Sequence[int],
    *,
    most: float | None = None,
    dense: bool = True,
) -> NodeClasses:
    """The classes of ``levels``. With ``most``, raise :class:`CannotPass` as soon as the
    columns combined so far give more classes than that. ``dense`` allows (classes × values)
    count matrices for sensitive models when they are small enough."""
    limit = max(4 * frame.F, 1 << 16)
    key = KeyCombiner(frame.F, limit=limit, presence_limit=64 * limit)
    for card, q, lv in active_columns(frame, levels):
        if key.ids is None:
            key.add(frame.gather(q, lv), card, tag=q, dense=True)
            continue
        if key.needs_compaction(card):
            key.compact_ids()
            if most is not None and key.space > most:
                raise CannotPass(witness(levels, key.combined, frame.heights))
        # the previous keys are copied before the scratch buffer is reused
        key.add(frame.gather_scratch(q, lv), card, tag=q)
    if key.ids is None:
        key.compact_ids()  # one class
    elif key.space > limit:
        key.compact_ids(sort=True)
    assert key.ids is not None
    ids, g = key.ids, key.space
    if most is not None and key.compact and g > most:
        raise CannotPass(witness(levels, key.combined, frame.heights))
    sizes = weighted_counts(ids, frame.count_f, g)
    if not key.compact:
        present = sizes > 0
        if most is not None and g > most and int(np.count_nonzero(present)) > most:
            raise CannotPass(witness(levels, key.combined, frame.heights))
        if test.sensitive:  # the sensitive statistics need dense class ids
            remap = prefix_index(present)
            ids, sizes, g = remap[ids], sizes[present], int(remap[-1]) + 1
    if not test.sensitive:
        return NodeClasses(ids, sizes, test.passes_sizes(sizes))
    if dense and g * test.m <= DENSE_MATRIX_LIMIT:
        matrix = frame.value_matrix(ids, g)
        return NodeClasses(ids, sizes, test.passes_matrix(matrix, sizes))
    pairs, pair_ids = np.unique(frame.value_cells(ids), return_inverse=True)
    pair_count: npt.NDArray[np.int64] = np.bincount(
        pair_ids.reshape(-1), weights=frame.count_f, minlength=len(pairs)
    ).astype(np.int64)
    ok = test.passes_pairs(sizes, pairs // test.m, pairs % test.m, pair_count)
    return NodeClasses(ids, sizes, ok)
