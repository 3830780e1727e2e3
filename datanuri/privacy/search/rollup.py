"""The roll-up cache: class tables of evaluated nodes, to count their successors' classes from.

A node's classes are unions of the classes of any predecessor, so they can be counted from the
predecessor's class table (usually far shorter than the frequency table) by mapping each class's
codes up to the node's levels. The cache keeps class tables within a budget of integers and
floats, replacing the oldest first, and serves the cached predecessor with the fewest classes.
On large frequency tables a node with no cached predecessor first *seeds* the cache with a lower
node whose class space is at most an eighth of the table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from datanuri.privacy.encoding import KeyCombiner, prefix_index
from datanuri.privacy.search.checks import DENSE_MATRIX_LIMIT, Bools, ClassTest
from datanuri.privacy.search.classes import (
    CannotPass,
    NodeClasses,
    active_columns,
    count_classes,
    witness,
)
from datanuri.privacy.search.frame import Codes, EncodedTable, Floats, weighted_counts

CACHE_SLOTS = 256
CACHE_BUDGET = 30_000_000  # integers and floats kept in the cache, at most
_NOT_BELOW = np.iinfo(np.int64).max  # the class count of a cached table that is no predecessor


class LazyCodes:
    """Per column, the generalised code of every class of a rolled-up table, gathered from the
    finer table's codes on first use (most evaluated nodes never serve as a base)."""

    __slots__ = ("_source", "_first", "_codes")

    def __init__(self, source: list[Codes | None], first: Codes) -> None:
        self._source = source  # per column: the code of every row of the finer table (None: all 0)
        self._first = first  # per class: a row of the finer table in it
        self._codes: list[Codes | None] = [None] * len(source)

    def __len__(self) -> int:
        return len(self._codes)

    def held(self) -> int:
        """Integers held (the finer table's codes until gathered, at most)."""
        return len(self._first) + sum(len(src) for src in self._source if src is not None)

    def __getitem__(self, q: int) -> Codes:
        c = self._codes[q]
        if c is None:
            src = self._source[q]
            c = np.zeros(len(self._first), dtype=np.int64) if src is None else src[self._first]
            self._codes[q] = c
            self._source[q] = None
        return c


@dataclass(slots=True)
class ClassTable:
    """The classes of a node: per column each class's generalised code, sizes, and the
    (classes × sensitive values) counts of sensitive models."""

    levels: tuple[int, ...]
    codes: list[Codes] | LazyCodes
    sizes: Floats
    matrix: Floats | None

    def held(self) -> int:
        """Integers and floats held (lazy codes hold fewer once gathered)."""
        g = len(self.sizes)
        held = self.codes.held() if isinstance(self.codes, LazyCodes) else g * len(self.codes)
        return held + g * (1 + (self.matrix.shape[1] if self.matrix is not None else 0))


@dataclass(slots=True)
class RolledUp:
    """Classes of a node counted from a cached class table."""

    table: ClassTable
    ok: Bools

    def suppressed(self) -> int:
        """Records in failing classes."""
        return int(round(self.table.sizes[~self.ok].sum()))


def roll_up(
    frame: EncodedTable,
    test: ClassTest,
    base: ClassTable,
    levels: Sequence[int],
    *,
    most: float | None = None,
) -> RolledUp:
    """Classes of ``levels`` counted from a predecessor's class table. With ``most``, raise
    :class:`CannotPass` as soon as the columns combined so far give more classes than that."""
    mapped: list[Codes | None] = [
        None
        if frame.columns[q].cards[lv] == 1  # every class has code 0
        else base.codes[q]
        if base.levels[q] == lv
        else frame.up(q, base.levels[q], lv)[base.codes[q]]
        for q, lv in enumerate(levels)
    ]
    n_rows = len(base.sizes)
    key = KeyCombiner(n_rows, limit=max(4 * n_rows, 1 << 16))
    for card, q, _ in active_columns(frame, levels):
        if key.needs_compaction(card):
            key.compact_ids()
            if most is not None and key.space > most:
                raise CannotPass(witness(levels, key.combined, frame.heights))
        column = mapped[q]
        assert column is not None
        key.add(column, card, tag=q)
    ids, g = key.result()
    if most is not None and g > most:
        raise CannotPass(witness(levels, key.combined, frame.heights))
    sizes = weighted_counts(ids, base.sizes, g)
    first = np.empty(g, dtype=np.int64)
    first[ids] = frame.arange(n_rows)  # a row of the base table in every class
    matrix = None
    if base.matrix is not None:
        m = base.matrix.shape[1]
        flat = (ids.astype(np.int64)[:, None] * m + np.arange(m)[None, :]).ravel()
        matrix = weighted_counts(flat, base.matrix.ravel(), g * m).reshape(g, m)
        ok = test.passes_matrix(matrix, sizes)
    else:
        ok = test.passes_sizes(sizes)
    return RolledUp(ClassTable(tuple(levels), LazyCodes(mapped, first), sizes, matrix), ok)


class RollupCache:
    """Class tables of evaluated nodes, kept within a budget, first in first out."""

    def __init__(self, frame: EncodedTable, test: ClassTest, *, budget: int = CACHE_BUDGET) -> None:
        self.frame = frame
        self.test = test
        self.budget = budget
        self._levels = np.zeros((CACHE_SLOTS, frame.width), dtype=np.int64)
        self._g = np.zeros(CACHE_SLOTS, dtype=np.int64)
        self._tables: list[ClassTable] = []
        self._next = 0  # the slot replaced next, counted from the first replacement
        self._held: list[int] = []  # per slot: elements counted when its table was cached
        self._elements = 0
        self.unseedable: set[tuple[int, ...]] = set()

    def __len__(self) -> int:
        return len(self._tables)

    def base_for(self, levels: Sequence[int]) -> ClassTable | None:
        """The cached class table of a predecessor of ``levels`` with the fewest classes."""
        used = len(self._tables)
        if not used:
            return None
        fits = np.all(self._levels[:used] <= np.asarray(levels), axis=1)
        if not fits.any():
            return None
        sizes = np.where(fits, self._g[:used], _NOT_BELOW)
        return self._tables[int(np.argmin(sizes))]

    def remember(self, table: ClassTable, *, force: bool = False) -> None:
        """Cache ``table`` unless it is not much smaller than the frequency table or would take
        more than a quarter of the budget (``force``: whatever its size)."""
        g = len(table.sizes)
        if not force and g > self.frame.F // 2:
            return
        elements = table.held()
        budget = self.budget
        if force:
            budget = max(budget, 4 * elements)
        elif elements > budget // 4:
            return
        used = len(self._tables)
        if used < CACHE_SLOTS and self._elements + elements <= budget:
            slot = used
            self._tables.append(table)
            self._held.append(elements)
        elif used == 0:
            slot = 0
            self._next += 1
            self._tables.append(table)
            self._held.append(elements)
        else:  # replace the slot after the last one replaced (first in, first out)
            slot = self._next % used
            self._next += 1
            self._elements -= self._held[slot]
            self._tables[slot], self._held[slot] = table, elements
        self._levels[slot] = table.levels
        self._g[slot] = g
        self._elements += elements

    def class_table(
        self, levels: Sequence[int], classes: NodeClasses, *, force: bool
    ) -> ClassTable | None:
        """The class table of ``levels`` from its frequency-table classes (None when it is not
        much smaller than the frequency table, or its count matrix too large, unless ``force``
        and the matrix fits)."""
        frame = self.frame
        cls, sizes = classes.cls, classes.sizes
        present = sizes > 0
        if not present.all():
            remap = prefix_index(present)  # sparse id space: compact it
            cls, sizes = remap[cls], sizes[present]
        g = len(sizes)
        if self.test.sensitive and g * self.test.m > DENSE_MATRIX_LIMIT:
            return None
        if not force and (g > frame.F // 2 or self._table_size(g) > self.budget // 4):
            return None  # `remember` would not keep it: not built
        first = np.empty(g, dtype=np.int64)
        first[cls] = frame.rows()  # a row of every class
        matrix = frame.value_matrix(cls, g) if self.test.sensitive else None
        return ClassTable(
            tuple(int(x) for x in levels), frame.class_codes(levels, first), sizes, matrix
        )

    def _table_size(self, g: int) -> int:
        """What a class table of ``g`` classes holds, as :meth:`ClassTable.held` counts it."""
        return g * (self.frame.width + 1 + (self.test.m if self.test.sensitive else 0))

    def seed_below(self, levels: Sequence[int]) -> tuple[int, ...] | None:
        """A predecessor of ``levels`` to cache before evaluating it on a large frequency table:
        columns are lowered (widening the class space least first) while the product of the
        cardinalities stays within an eighth of the frequency table, so the seed is cheap to roll
        up from and lies below many of the nodes the search tries next. None when ``levels``
        itself is not that small or cannot be lowered."""
        cap = self.frame.F // 8
        lv = [int(x) for x in levels]
        cards = [self.frame.columns[q].cards for q in range(len(lv))]
        space = math.prod(cards[q][lv[q]] for q in range(len(lv)))
        if space > cap:
            return None
        changed = False
        for q in sorted(range(len(lv)), key=lambda q: (cards[q][0] / cards[q][lv[q]], q)):
            for target in range(lv[q]):  # the lowest level that still fits
                grown = space // cards[q][lv[q]] * cards[q][target]
                if grown <= cap:
                    space, lv[q], changed = grown, target, True
                    break
        return tuple(lv) if changed else None

    def seed(self, levels: Sequence[int]) -> bool:
        """Put the class table of ``levels`` in the cache whatever its size (False when its
        sensitive-value matrix would be too large to keep)."""
        classes = count_classes(self.frame, self.test, levels)
        table = self.class_table(levels, classes, force=True)
        if table is None:
            return False
        self.remember(table, force=True)
        return True
