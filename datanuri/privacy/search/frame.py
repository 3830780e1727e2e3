"""The table as the lattice search sees it: the frequency table of quasi-identifier codes.

Each quasi-identifier becomes leaf codes plus, per hierarchy level, a map from leaf code to
generalised code (hierarchies run on the distinct values only). The records are compressed once
to their distinct combinations of codes (and sensitive value) with counts, so every later step
costs in distinct combinations, not rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from datanuri.privacy.encoding import codes, compact_dtype, frequency_table, sorted_distinct
from datanuri.privacy.hierarchies import Hierarchy

Codes = npt.NDArray[np.integer]
Floats = npt.NDArray[np.float64]
GATHER_BUDGET = 20_000_000  # keep every gathered (column, level) code array when F × levels fits


class ClassCodes(Protocol):
    """Per column, the generalised code of every class of a class table."""

    def __getitem__(self, q: int, /) -> Codes: ...

    def __len__(self) -> int: ...


def weighted_counts(ids: Codes, weights: Floats, size: int) -> Floats:
    """The sum of ``weights`` per id 0..size-1 (records per class from counts per row)."""
    return cast(Floats, np.bincount(ids, weights=weights, minlength=size))


@dataclass(frozen=True)
class ColumnCodes:
    """One quasi-identifier: its leaf values and, per level, the leaf-to-generalised code map."""

    name: str
    height: int
    maps: list[npt.NDArray[np.int32]]  # per level: leaf code -> generalised code
    cards: list[int]  # per level: number of generalised codes
    leaf_freq: npt.NDArray[np.int64]  # records per leaf code
    dictionary: pa.Array  # leaf values

    @property
    def domain(self) -> int:
        """Number of leaf codes (at least 1)."""
        return max(len(self.leaf_freq), 1)


def encode_column(
    values: pa.ChunkedArray | pa.Array,
    name: str,
    hierarchy: Hierarchy,
    weights: Floats | None = None,
) -> tuple[Codes, ColumnCodes]:
    """Leaf code of every record (narrowest integer type) and the column's code maps;
    ``weights`` are the records each row stands for (a frequency table's counts)."""
    leaf, dictionary = codes(values)
    leaf_codes = leaf.astype(compact_dtype(len(dictionary) + 1), copy=False)
    maps, cards = [], []
    for level in range(hierarchy.height):
        gen_codes, gen_dict = codes(hierarchy.generalize(dictionary, level, column=name))
        maps.append(gen_codes.astype(np.int32, copy=False))
        cards.append(max(len(gen_dict), 1))
    freq = np.bincount(leaf_codes, weights=weights, minlength=len(dictionary)).astype(np.int64)
    return leaf_codes, ColumnCodes(name, hierarchy.height, maps, cards, freq, dictionary)


class EncodedTable:
    """The frequency table of a table's quasi-identifiers (and sensitive column), with the
    generalised codes of its rows gathered per column and level on demand.

    With ``weights``, each row of ``table`` stands for that many records (``table`` is itself a
    frequency table, e.g. computed by the compute engine); ``row_group`` then maps its rows."""

    def __init__(
        self,
        table: pa.Table,
        quasi_identifiers: Mapping[str, Hierarchy],
        sensitive: str | None = None,
        weights: npt.NDArray[np.int64] | None = None,
    ) -> None:
        w = None if weights is None else weights.astype(np.float64)
        self.n = table.num_rows if weights is None else int(weights.sum())
        self.columns: list[ColumnCodes] = []
        leaf_codes: list[Codes] = []
        for name, hierarchy in quasi_identifiers.items():
            lc, column = encode_column(table.column(name), name, hierarchy, w)
            leaf_codes.append(lc)
            self.columns.append(column)
        self.heights = np.array([col.height for col in self.columns], dtype=np.int64)
        cards = [col.domain for col in self.columns]
        self.m = 0  # number of sensitive values (0: no sensitive column)
        self.s_values: pa.Array | None = None
        if sensitive is not None:
            s_codes, self.s_values = codes(table.column(sensitive))
            self.m = max(len(self.s_values), 1)
            leaf_codes.append(s_codes.astype(compact_dtype(self.m + 1), copy=False))
            cards.append(self.m)
        # A frequency table from the engine holds each combination once: sorted, not regrouped
        # (the same groups in the same order, without the regrouping's memory).
        found = sorted_distinct(leaf_codes, cards) if weights is not None else None
        if found is not None and weights is not None:
            row_group, group_codes, perm = found
            count = weights[perm].astype(np.int64, copy=False)
        else:
            row_group, group_codes, count = frequency_table(leaf_codes, cards)
            if w is not None:
                count = np.bincount(row_group, weights=w, minlength=len(count)).astype(np.int64)
        del leaf_codes, found
        self.row_group = row_group  # frequency-table row of every record
        self.count = count
        self.count_f: Floats = count.astype(np.float64)  # bincount weights, converted once
        self.qcodes: list[Codes] = group_codes[: len(self.columns)]
        self.scode: npt.NDArray[np.int64] | None = (
            group_codes[-1].astype(np.int64) if sensitive is not None else None
        )
        self.F = len(count)
        self._gathered: list[list[Codes | None]] | None = None
        if self.F * int(self.heights.sum()) <= GATHER_BUDGET:
            self._gathered = [[None] * col.height for col in self.columns]
        self._scratch: npt.NDArray[np.int32] | None = None
        self._up: dict[tuple[int, int, int], npt.NDArray[np.int64]] = {}
        self._rows: Codes | None = None
        self._range: npt.NDArray[np.int64] | None = None

    @property
    def width(self) -> int:
        """Number of quasi-identifiers."""
        return len(self.columns)

    def gather(self, q: int, level: int) -> Codes:
        """Level-``level`` codes of column ``q`` for every frequency-table row."""
        if self._gathered is not None:
            return self._kept(q, level)
        return np.take(self.columns[q].maps[level], self.qcodes[q], mode="clip")

    def gather_scratch(self, q: int, level: int) -> Codes:
        """Like :meth:`gather`, into a buffer reused across calls (valid until the next call)."""
        if self._gathered is not None:
            return self._kept(q, level)
        if self._scratch is None:
            self._scratch = np.empty(self.F, dtype=np.int32)
        # mode="clip" lets take write into `out` without a temporary
        return np.take(self.columns[q].maps[level], self.qcodes[q], out=self._scratch, mode="clip")

    def _kept(self, q: int, level: int) -> Codes:
        assert self._gathered is not None
        arr = self._gathered[q][level]
        if arr is None:
            arr = self._gathered[q][level] = self.columns[q].maps[level][self.qcodes[q]]
        return arr

    def up(self, q: int, a: int, b: int) -> npt.NDArray[np.int64]:
        """Map from level-``a`` codes to level-``b`` codes of column ``q`` (a <= b)."""
        key = (q, a, b)
        arr = self._up.get(key)
        if arr is None:
            col = self.columns[q]
            arr = np.zeros(col.cards[a], dtype=np.int64)
            arr[col.maps[a]] = col.maps[b]
            self._up[key] = arr
        return arr

    def rows(self) -> Codes:
        """0..F-1, kept (a row of every class is looked up often)."""
        if self._rows is None:
            self._rows = np.arange(self.F, dtype=np.int32 if self.F < 2**31 else np.int64)
        return self._rows

    def arange(self, n: int) -> npt.NDArray[np.int64]:
        """0..n-1 (a view of a kept range)."""
        if self._range is None or len(self._range) < n:
            self._range = np.arange(max(n, 1 << 12), dtype=np.int64)
        return self._range[:n]

    def class_codes(self, levels: Sequence[int], first: Codes) -> list[Codes]:
        """Per column, the generalised code at ``levels`` of the frequency-table rows ``first``."""
        return [
            self.columns[q].maps[int(level)][self.qcodes[q][first]]
            for q, level in enumerate(levels)
        ]

    def value_cells(self, cls: Codes) -> npt.NDArray[np.int64]:
        """Per frequency-table row, its (class, sensitive value) cell: ``class * m + value``."""
        assert self.scode is not None
        return cls.astype(np.int64, copy=False) * self.m + self.scode

    def value_matrix(self, cls: Codes, g: int) -> Floats:
        """Records per (class, sensitive value) for classes ``cls`` of the rows (g × m)."""
        return weighted_counts(self.value_cells(cls), self.count_f, g * self.m).reshape(g, self.m)
