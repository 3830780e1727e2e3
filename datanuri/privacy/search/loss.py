"""Loss models of a lattice node: precision, NCP, intensity, non-uniform entropy, discernibility.

For every loss but discernibility the loss without suppression is a sum over columns,
``Σ_q C_q[level_q]``, precomputed for the whole lattice (a lower bound, since suppression only
adds): *separable* losses. Suppressing a record replaces its cost at the node by its cost at the
top, which depends only on its generalised values (``gain``). Precision, NCP and intensity are
normalised per record and column; entropy and discernibility are totals. Discernibility is
``Σ |E|²`` over kept classes plus ``n`` per suppressed record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

import numpy as np
import numpy.typing as npt

from datanuri.privacy.criteria import Loss
from datanuri.privacy.search.frame import ClassCodes, Codes, ColumnCodes, EncodedTable, Floats

Bools = npt.NDArray[np.bool_]


def leaf_costs(col: ColumnCodes, loss: Loss) -> list[Floats]:
    """Per level, the cost of one record per leaf code of ``col`` (0 for discernibility)."""
    top = col.height - 1
    domain = len(col.leaf_freq)
    per_level: list[Floats] = []
    for j in range(col.height):
        if loss in ("precision", "intensity"):
            cost = np.full(domain, j / top if top else 0.0)
        elif loss == "ncp":
            leaves_under = np.bincount(col.maps[j], minlength=col.cards[j])[col.maps[j]]
            cost = (leaves_under - 1) / (domain - 1) if domain > 1 else np.zeros(domain)
        elif loss == "entropy":
            f_gen = np.bincount(col.maps[j], weights=col.leaf_freq, minlength=col.cards[j])
            f_leaf = f_gen[col.maps[j]]
            with np.errstate(divide="ignore", invalid="ignore"):
                cost = np.where(
                    col.leaf_freq > 0, -np.log2(col.leaf_freq / np.maximum(f_leaf, 1)), 0.0
                )
        else:
            cost = np.zeros(domain)
        per_level.append(np.asarray(cost, dtype=np.float64))
    return per_level


class LossModel:
    """The loss of nodes of one frequency table under one loss metric."""

    def __init__(self, frame: EncodedTable, loss: Loss) -> None:
        self.name = loss
        self.n = frame.n
        self.separable = loss != "discernibility"
        self._qcodes = frame.qcodes
        self._count = frame.count
        self._columns = frame.columns
        self.leaf_cost = [leaf_costs(col, loss) for col in frame.columns]
        # C[q][j] = total cost of column q at level j over all records (no suppression)
        self.column_cost: list[Floats] = [
            np.array([float((lv * col.leaf_freq).sum()) for lv in levels])
            for col, levels in zip(frame.columns, self.leaf_cost, strict=True)
        ]
        # per column and level: what suppressing a record adds, per generalised code
        self.supp_gain: list[list[Floats]] = []
        for col, costs in zip(frame.columns, self.leaf_cost, strict=True):
            per_level = []
            for j in range(col.height):
                gain = np.zeros(col.cards[j])
                gain[col.maps[j]] = costs[col.height - 1] - costs[j]
                per_level.append(gain)
            self.supp_gain.append(per_level)
        self._top_cost_rows: Floats | None = None

    @overload
    def normalise(self, total: float) -> float: ...
    @overload
    def normalise(self, total: Floats) -> Floats: ...
    def normalise(self, total: float | Floats) -> float | Floats:
        """Per record and column for precision, NCP and intensity; the total otherwise."""
        if self.name in ("precision", "ncp", "intensity"):
            return total / (self.n * len(self._columns))
        return total

    def bound(self, nodes: Codes) -> Floats:
        """Loss without suppression of every node (rows of levels): a lower bound of the loss
        of separable losses."""
        total = np.zeros(len(nodes))
        for q, cost in enumerate(self.column_cost):
            total += cost[nodes[:, q]]
        return self.normalise(total)

    def min_gain(self, nodes: Codes) -> Floats:
        """Per node, the least a suppressed record adds before normalising (separable)."""
        total = np.zeros(len(nodes))
        for q, gains in enumerate(self.supp_gain):
            per_level = np.array([g.min() if len(g) else 0.0 for g in gains])
            total += per_level[nodes[:, q]]
        return total

    def step_costs(self) -> list[list[float]]:
        """Per column and level, what raising the column by one level adds to the unsuppressed
        loss (before normalising)."""
        return [np.diff(cost).tolist() for cost in self.column_cost]

    def discernibility(self, sizes: Floats, ok: Bools, suppressed: int) -> float:
        """Σ |E|² over kept classes plus n per suppressed record."""
        kept = sizes[ok]
        return float((kept * kept).sum() + suppressed * self.n)

    def of_classes(
        self,
        levels: Sequence[int],
        class_codes: ClassCodes,
        sizes: Floats,
        ok: Bools,
        suppressed: int,
    ) -> float:
        """Loss of a node from its class table (per column, each class's generalised code)."""
        if not self.separable:
            return self.discernibility(sizes, ok, suppressed)
        total = float(sum(self.column_cost[q][level] for q, level in enumerate(levels)))
        if suppressed and self.name != "intensity":
            bad = np.flatnonzero(~ok)
            gain: Floats = sum(
                (self.supp_gain[q][level][class_codes[q][bad]] for q, level in enumerate(levels)),
                np.zeros(len(bad)),
            )
            total += float((gain * sizes[bad]).sum())
        return float(self.normalise(total))

    def of_rows(
        self, levels: Sequence[int], cls: Codes, sizes: Floats, ok: Bools, suppressed: int
    ) -> float:
        """Loss of a node from the class of every frequency-table row."""
        if not self.separable:
            return self.discernibility(sizes, ok, suppressed)
        total = float(sum(self.column_cost[q][lv] for q, lv in enumerate(levels)))
        if suppressed and self.name != "intensity":
            dropped = np.flatnonzero(~ok[cls])
            now: Floats = sum(
                (self.leaf_cost[q][lv][self._qcodes[q][dropped]] for q, lv in enumerate(levels)),
                np.zeros(len(dropped)),
            )
            total += float(((self.top_cost_rows()[dropped] - now) * self._count[dropped]).sum())
        return float(self.normalise(total))

    def top_cost_rows(self) -> Floats:
        """Per frequency-table row, the cost of a record at the top node."""
        if self._top_cost_rows is None:
            top = np.zeros(len(self._count))
            for q, col in enumerate(self._columns):
                top += self.leaf_cost[q][col.height - 1][self._qcodes[q]]
            self._top_cost_rows = top
        return self._top_cost_rows
