"""The generalisation lattice and the best-first search for its optimal anonymous node.

A node picks one level per quasi-identifier; nodes are numbered in row-major order of their
levels. The search takes nodes in ascending *lower bound* of the loss and stops when the bound
reaches the best loss found (separable losses), or walks the lattice in breadth-first order
propagating the unsuppressed discernibility of evaluated nodes upward as the bound. With a
monotone model, a failing node's predecessors fail too: they are tagged without evaluation,
and a binary search up a cheapest-first path finds the highest failing node to tag below
(Flash-style predictive tagging). Ties are broken by (loss, suppressed records, sum of levels,
levels), as in the exhaustive reference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Levels = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
UNKNOWN, ANONYMOUS, FAILS = 0, 1, -1


@dataclass(frozen=True)
class NodeResult:
    """One evaluated lattice node."""

    levels: tuple[int, ...]
    anonymous: bool
    suppressed: int
    loss: float


def rank(r: NodeResult) -> tuple[float, int, int, tuple[int, ...]]:
    """The order of optimality: loss, then suppressed records, sum of levels, levels."""
    return (round(r.loss, 9), r.suppressed, sum(r.levels), r.levels)


@dataclass(slots=True)
class Evaluated:
    """A node evaluation: its result, its class sizes (None when it stopped early) and, when it
    stopped early, a coarser node that fails too with every node below it."""

    result: NodeResult
    sizes: Floats | None = None
    witness: tuple[int, ...] | None = None


class Lattice:
    """The nodes of a lattice of given heights (levels per column)."""

    def __init__(self, heights: Sequence[int] | npt.NDArray[np.integer]) -> None:
        self.heights = np.asarray(heights, dtype=np.int64)
        self.width = len(self.heights)
        self.size = int(np.prod(self.heights))
        # index step of raising column q by one level
        self.radix = np.array(
            [int(np.prod(self.heights[q + 1 :])) for q in range(self.width)], dtype=np.int64
        )

    def nodes(self) -> Levels:
        """Every node as a (size × width) array of levels, in index order."""
        return np.indices(tuple(self.heights)).reshape(self.width, -1).T

    def index(self, levels: Sequence[int]) -> int:
        """The index of the node with ``levels``."""
        return int(np.ravel_multi_index(tuple(levels), tuple(self.heights)))

    def top(self) -> tuple[int, ...]:
        """The most general node."""
        return tuple(int(h) - 1 for h in self.heights)


class LatticeSearch:
    """One search of a lattice for the optimal anonymous node.

    ``evaluate`` evaluates a node; ``bound`` is a lower bound of every node's loss (zeros to be
    raised from evaluations for discernibility), ``floor`` a further lower bound that is not
    propagated upward, ``status`` the nodes already known to fail. ``step_costs[q][level]``, the
    loss added by raising column q from ``level``, orders the climb of separable losses.
    ``monotone``: a failing node's predecessors fail too."""

    def __init__(
        self,
        lattice: Lattice,
        evaluate: Callable[[Sequence[int]], Evaluated],
        *,
        bound: Floats,
        floor: Floats,
        status: npt.NDArray[np.int8],
        separable: bool,
        monotone: bool,
        allowed: int,
        step_costs: Sequence[Sequence[float]] | None = None,
    ) -> None:
        self.lattice = lattice
        self.nodes = lattice.nodes()
        self.evaluate = evaluate
        self.bound = bound
        self.floor = floor
        self.status = status
        self.separable = separable
        self.monotone = monotone
        self.allowed = allowed
        self.step_costs = step_costs
        self.best: NodeResult | None = None

    def run(self) -> NodeResult | None:
        """The optimal anonymous node (None if there is none)."""
        status, lb, floor, nodes = self.status, self.bound, self.floor, self.nodes
        separable, monotone = self.separable, self.monotone
        width, heights, radix = self.lattice.width, self.lattice.heights, self.lattice.radix
        levelsum = nodes.sum(axis=1)
        index = np.arange(self.lattice.size)
        if separable:
            order = np.lexsort((index, levelsum, lb))
            order = order[status[order] != FAILS]  # ruled out already (the bound stays sorted)
        else:
            order = np.lexsort((index, levelsum))
        for i in order.tolist():
            best = self.best
            if best is not None and max(lb[i], floor[i]) > best.loss + 1e-9:
                if separable:
                    break  # every later node has a bound at least this high
            elif status[i] == UNKNOWN:
                result, sizes = self._evaluate(i)
                if not separable and sizes is not None:
                    lb[i] = max(lb[i], float((sizes * sizes).sum()))  # unsuppressed DM
                if not result.anonymous and monotone:
                    self._tag_down(i)
                    self._climb(i)
            if not separable:
                # discernibility bound: unsuppressed DM never decreases upward
                lv = nodes[i]
                for q in range(width):
                    if lv[q] + 1 < heights[q]:
                        j = i + radix[q]
                        lb[j] = max(lb[j], lb[i])
        return self.best

    def _consider(self, r: NodeResult) -> None:
        if r.anonymous and (self.best is None or rank(r) < rank(self.best)):
            self.best = r

    def _tag_down(self, idx: int) -> None:
        """Tag every predecessor of a failing node as failing; nodes already failing have all
        their predecessors tagged, so each node is visited once overall."""
        status, radix = self.status, self.lattice.radix
        stack = [idx]
        while stack:
            i = stack.pop()
            lv = self.nodes[i]
            for q in range(self.lattice.width):
                if lv[q] > 0:
                    j = i - radix[q]
                    if status[j] == UNKNOWN:
                        status[j] = FAILS
                        stack.append(j)

    def _evaluate(self, i: int) -> tuple[NodeResult, Floats | None]:
        out = self.evaluate(self.nodes[i])
        self.status[i] = ANONYMOUS if out.result.anonymous else FAILS
        self._consider(out.result)
        if out.witness is not None:
            # a coarser node already has too many classes: it and all below it fail
            w = self.lattice.index(out.witness)
            if self.status[w] == UNKNOWN or w == i:
                self.status[w] = FAILS
                self._tag_down(w)
        return out.result, out.sizes

    def _climb(self, i: int) -> None:
        """After node i failed: binary-search the highest failing node on a cheapest-first path
        upward and tag all its predecessors as failing."""
        heights, radix = self.lattice.heights, self.lattice.radix
        path = []
        lv = self.nodes[i].copy()
        j = i
        while True:
            steps = [q for q in range(self.lattice.width) if lv[q] + 1 < heights[q]]
            if not steps:
                break
            if self.step_costs is not None:
                cost = self.step_costs
                q = min(steps, key=lambda q: (cost[q][lv[q]], q))
            else:
                q = steps[0]
            lv[q] += 1
            j += int(radix[q])
            path.append(j)
        lo, hi = 0, len(path) - 1  # find the last failing node on the path
        last_fail = -1
        while lo <= hi:
            mid = (lo + hi) // 2
            idx = path[mid]
            if self.status[idx] == UNKNOWN:
                self._evaluate(idx)
            if self.status[idx] == FAILS:
                last_fail = mid
                lo = mid + 1
            else:
                hi = mid - 1
        if last_fail >= 0:
            self._tag_down(path[last_fail])
