"""Integer encoding of table columns and the one helper that combines code columns into keys.

Columns become integer codes (Arrow dictionary encoding); several code columns become one
mixed-radix key per row (:class:`KeyCombiner`), compacted to dense group ids through a presence
table (linear, no sort) while the key space is small, by sorting only when it is not. Grouping,
frequency tables and every node evaluation of the lattice search build their keys this way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.privacy.hierarchies import _flat

IntArray = npt.NDArray[np.integer]
#: dense key spaces up to this many times the row count are compacted through presence tables
DENSE_FACTOR = 4
_SORT_ABOVE = 2**62  # key spaces this large are compacted by sorting before they overflow int64


def codes(values: pa.Array | pa.ChunkedArray) -> tuple[npt.NDArray[np.int32], pa.Array]:
    """Integer codes 0..m-1 (int32) of ``values`` and the dictionary of the m values; nulls get
    the last code, with a null entry in the dictionary. Dictionary-encoded input (as read from
    Parquet) is used as it is, without decoding the strings."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], values.type)
    elif not isinstance(values, pa.Array):
        values = pa.array(values)
    enc = None
    if pa.types.is_dictionary(values.type):
        d = values.dictionary
        if d.null_count == 0 and pc.count_distinct(d).as_py() == len(d):
            enc = values
    if enc is None:
        enc = pc.dictionary_encode(_flat(values))
    idx = enc.indices
    dictionary = enc.dictionary
    c = np.asarray(pc.fill_null(idx, len(dictionary)).to_numpy(zero_copy_only=False)).astype(
        np.int32, copy=False
    )
    if enc is values:
        # drop dictionary entries no row uses, keeping first-appearance order irrelevant
        used = np.bincount(c, minlength=len(dictionary) + 1)[: len(dictionary)] > 0
        if not used.all():
            remap = (np.cumsum(used) - 1).astype(np.int32)
            remap = np.append(remap, int(used.sum())).astype(np.int32)  # the null code is last
            c = remap[c]
            dictionary = dictionary.filter(pa.array(used))
    if idx.null_count:
        dictionary = pa.concat_arrays([dictionary, pa.array([None], dictionary.type)])
    return c, dictionary


def prefix_index(present: npt.NDArray[np.bool_]) -> IntArray:
    """Compact ids for a presence table: the index among present slots (int32 when it fits)."""
    dtype = np.int32 if len(present) < 2**31 - 1 else np.int64
    remap: IntArray = np.cumsum(present, dtype=dtype)
    return np.subtract(remap, 1, out=remap)


def compact_dtype(card: int) -> np.dtype[np.unsignedinteger]:
    """The narrowest unsigned integer type that holds codes 0..card-1."""
    if card <= 1 << 8:
        return np.dtype(np.uint8)
    if card <= 1 << 16:
        return np.dtype(np.uint16)
    if card <= 1 << 32:
        return np.dtype(np.uint32)
    return np.dtype(np.uint64)


_INT32, _INT64 = np.dtype(np.int32), np.dtype(np.int64)


def key_dtype(space: int) -> np.dtype[np.signedinteger]:
    """The integer type of keys in a space of ``space`` values (int32 while it fits)."""
    return _INT32 if space < 2**31 else _INT64


def append_column(
    ids: IntArray, space: int, column: IntArray, card: int, *, in_place: bool = False
) -> tuple[IntArray, int]:
    """Keys ``ids * card + column`` in a space of ``space * card`` (int32 while it fits and the
    inputs are no wider: converting costs more than wide arithmetic); with ``in_place``, ``ids``
    may be overwritten."""
    grown = space * card
    dt: np.dtype[np.signedinteger] = (
        _INT32
        if grown < 2**31 and ids.dtype.itemsize <= 4 and column.dtype.itemsize <= 4
        else _INT64
    )
    if in_place and ids.dtype == dt:
        ids *= dt.type(card)
    else:
        wide: IntArray = ids.astype(dt, copy=False)
        ids = wide * dt.type(card)
    ids += column
    return ids, grown


def radix_key(columns: Sequence[tuple[IntArray, int]]) -> tuple[IntArray, int]:
    """One key per row from (codes, cardinality) columns, not compacted: for small key spaces
    (below 2**62), where the combiner's bookkeeping would cost more than the keys."""
    ids, space = columns[0]
    for i, (column, card) in enumerate(columns[1:]):
        ids, space = append_column(ids, space, column, card, in_place=i > 0)
    return ids, space


def split_key(keys: IntArray, cards: Sequence[int]) -> list[IntArray]:
    """The codes of mixed-radix ``keys`` of columns with ``cards`` (the inverse of combining)."""
    rest = keys.astype(np.int64)
    out: list[IntArray] = []
    for card in reversed(cards):
        out.append(rest % card)
        rest //= card
    out.reverse()
    return out


class KeyCombiner:
    """One mixed-radix key per row, built a code column at a time.

    ``ids`` are keys in a space of ``space`` values. Before a column would take the space past
    ``limit``, the keys are compacted to dense ids 0..g-1 (key order is kept, so the final ids
    rank the rows' code tuples): through a presence table while the space is at most
    ``presence_limit``, else by sorting. ``compact`` says the ids are dense and every one occurs.
    With ``record``, each compaction keeps its distinct keys so :meth:`decode` can give every
    group's code per column without reading the rows again."""

    __slots__ = (
        "rows",
        "limit",
        "presence_limit",
        "ids",
        "space",
        "compact",
        "combined",
        "_owned",
        "_record",
        "_pending",
        "_steps",
    )

    def __init__(
        self,
        rows: int,
        *,
        limit: int | None = None,
        presence_limit: int | None = None,
        record: bool = False,
    ) -> None:
        self.rows = rows
        self.limit = max(DENSE_FACTOR * rows, 1 << 16) if limit is None else limit
        self.presence_limit = self.limit if presence_limit is None else presence_limit
        self.ids: IntArray | None = None
        self.space = 1
        self.compact = True
        self.combined: list[int] = []  # tags of the columns in the key, in order
        self._owned = False  # ids is our own array (may be changed in place)
        self._record = record
        self._pending: list[tuple[int, int]] = []  # (tag, card) since the last recorded step
        self._steps: list[tuple[IntArray, list[tuple[int, int]]]] = []

    def needs_compaction(self, card: int) -> bool:
        """Whether adding a column of ``card`` codes compacts the keys first."""
        return self.ids is not None and not self.compact and self.space * card > self.limit

    def add(self, column: IntArray, card: int, *, tag: int = -1, dense: bool = False) -> None:
        """Append a column of codes 0..card-1 (``dense``: every code occurs; it is the first)."""
        card = max(int(card), 1)
        if self.ids is not None and not self.compact and self.space * card > self.limit:
            self.compact_ids()
        if self.space * card >= _SORT_ABOVE:
            self.compact_ids(sort=True)
        if self.ids is None:
            self.ids, self._owned, self.compact = column, False, dense
            self.space = card
        else:
            self.ids, self.space = append_column(
                self.ids, self.space, column, card, in_place=self._owned
            )
            self._owned, self.compact = True, False
        self.combined.append(tag)
        self._pending.append((tag, card))

    def compact_ids(self, *, sort: bool = False) -> None:
        """Renumber the keys to dense ids 0..g-1, keeping their order."""
        if self.ids is None:
            self.ids, self.space = np.zeros(self.rows, dtype=np.int32), 1
        elif self.space <= self.presence_limit and not sort:
            present = np.zeros(self.space, dtype=bool)
            present[self.ids] = True
            uniq = np.flatnonzero(present) if self._record else None
            remap = prefix_index(present)
            del present
            self.ids = remap[self.ids]
            self.space = int(remap[-1]) + 1
        else:
            uniq, inv = np.unique(self.ids, return_inverse=True)
            self.ids = inv.reshape(-1).astype(key_dtype(len(uniq)), copy=False)
            self.space = len(uniq)
        self._owned, self.compact = True, True
        if self._record and self._pending:
            assert uniq is not None
            self._steps.append((uniq, self._pending))
        self._pending = []

    def result(self) -> tuple[IntArray, int]:
        """Dense group ids 0..g-1 of every row and g."""
        if not self.compact or self.ids is None:
            self.compact_ids()
        assert self.ids is not None
        return self.ids, self.space

    def decode(self, dtypes: Sequence[np.dtype[np.integer]]) -> list[IntArray]:
        """Per tag 0..len(dtypes)-1, the code of every group (after :meth:`result`; ``record``)."""
        out: list[IntArray] = [np.zeros(self.space, dtype=dt) for dt in dtypes]
        node: IntArray = np.arange(self.space, dtype=np.int64)
        for uniq, cols in reversed(self._steps):
            cards = [card for _, card in cols]
            key = uniq[node]
            for (tag, _), part in zip(cols, split_key(key, cards), strict=True):
                out[tag] = part.astype(dtypes[tag], copy=False)
            node = key // math.prod(cards)  # the group of the previous step
        return out


def sorted_distinct(
    columns: Sequence[IntArray], cards: Sequence[int]
) -> tuple[IntArray, list[IntArray], IntArray] | None:
    """:func:`frequency_table` of rows that are already distinct combinations (a frequency table
    computed elsewhere), without combining keys: the rows in the order :func:`frequency_table`
    gives its groups, found by one lexicographic sort. Returns (group of every row, each
    column's code per group, the row of each group), or None if two rows are equal after all."""
    n = len(columns[0]) if columns else 0
    if not columns or n == 0:
        return None
    order = sorted(range(len(columns)), key=lambda i: (-int(cards[i]), i))
    perm = np.lexsort([columns[i] for i in reversed(order)])  # the last key sorts first
    groups = [np.asarray(c)[perm] for c in columns]
    same = np.ones(n - 1, dtype=bool)
    for g in groups:
        same &= g[1:] == g[:-1]
    if same.any():
        return None
    row_group: IntArray = np.empty(n, dtype=np.int32 if n < 2**31 else np.int64)
    row_group[perm] = np.arange(n, dtype=row_group.dtype)
    return row_group, groups, perm


def combine_codes(columns: Sequence[IntArray], cards: Sequence[int]) -> tuple[IntArray, int]:
    """Group ids 0..g-1 for rows, given per-column integer codes and cardinalities (groups in
    the order of the rows' code tuples)."""
    n = len(columns[0]) if columns else 0
    key = KeyCombiner(n, limit=DENSE_FACTOR * max(n, 1))
    for c, m in zip(columns, cards, strict=True):
        key.add(c, m)
    ids, g = key.result()
    return ids.astype(np.int64, copy=False), g


def frequency_table(
    columns: Sequence[IntArray], cards: Sequence[int]
) -> tuple[IntArray, list[IntArray], npt.NDArray[np.int64]]:
    """Compress rows of integer codes to their distinct combinations: (group of every row,
    int32; each column's code per group, in the column's dtype; record count per group).

    Columns are combined widest first, so the key space grows fastest before each compaction;
    a group's codes are decoded from the compacted keys of each step, never by scanning the
    rows again."""
    n = len(columns[0]) if columns else 0
    if not columns:
        return np.zeros(n, dtype=np.int32), [], np.array([n], dtype=np.int64)
    key = KeyCombiner(n, record=True)
    for i in sorted(range(len(columns)), key=lambda i: (-int(cards[i]), i)):
        key.add(columns[i], cards[i], tag=i)
    key.compact_ids()  # also records the last step
    ids, g = key.result()
    groups = key.decode([c.dtype for c in columns])
    return ids, groups, np.bincount(ids, minlength=g).astype(np.int64)
