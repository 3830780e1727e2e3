"""A table prepared for the lattice search: the parts put together, node evaluation, release.

:class:`Problem` validates the parameters before any work, encodes the frequency table, and
evaluates nodes from cached predecessors' class tables (roll-up) or from the frequency table.
Its :meth:`Problem.search` rules nodes out by projection bounds, then runs the best-first
lattice search; :meth:`Problem.evaluate_lattice` is the exhaustive reference.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.criteria import DEFAULT_K, LOSSES, Criterion, Loss
from datanuri.privacy.encoding import codes
from datanuri.privacy.hierarchies import TOP, Hierarchy, TableHierarchy
from datanuri.privacy.models import EMD, Model, validate_parameters
from datanuri.privacy.search import bounds
from datanuri.privacy.search.checks import build_test
from datanuri.privacy.search.classes import CannotPass, NodeClasses, count_classes
from datanuri.privacy.search.frame import EncodedTable, Floats
from datanuri.privacy.search.lattice import (
    FAILS,
    Evaluated,
    Lattice,
    LatticeSearch,
    Levels,
    NodeResult,
)
from datanuri.privacy.search.loss import LossModel
from datanuri.privacy.search.rollup import RollupCache, roll_up

LATTICE_LIMIT = 2_000_000
SEED_MIN_ROWS = 200_000  # frequency tables at least this long get seeded roll-up caches
TRIPLE_BUDGET = 20_000_000  # three-column projections when F × C(Q, 3) stays within this


class Problem:
    """A table prepared for the lattice search: the frequency table, per-level code maps and loss
    tables. Build once, then :meth:`evaluate` nodes or :meth:`search`.

    ``dense`` allows (classes × values) count matrices for sensitive models, ``rollup`` evaluates
    nodes from cached predecessors' classes, ``prefilter`` rules nodes out by projection bounds
    before the search; none of them changes the optimum."""

    def __init__(
        self,
        table: pa.Table,
        *,
        quasi_identifiers: Mapping[str, Hierarchy],
        model: Model = "k-anonymity",
        k: int = DEFAULT_K,
        l: int | None = None,  # noqa: E741 (the model's published parameter name)
        c: float | None = None,
        t: float | None = None,
        sensitive: str | None = None,
        distance: EMD | None = None,
        order: Sequence[Any] | None = None,
        sensitive_hierarchy: TableHierarchy | None = None,
        max_suppression: float = 0.05,
        loss: Loss = "precision",
        dense: bool = True,
        rollup: bool = True,
        prefilter: bool = True,
        counts: str | None = None,
    ) -> None:
        weights = None
        if counts is not None:  # `table` is a frequency table: column `counts` has its counts
            weights = np.asarray(table.column(counts).to_numpy(), dtype=np.int64)
        rows = table.num_rows if weights is None else int(weights.sum())
        self.criteria = _validate(
            table,
            quasi_identifiers,
            model=model,
            k=k,
            l=l,
            c=c,
            t=t,
            sensitive=sensitive,
            max_suppression=max_suppression,
            loss=loss,
            rows=rows,
        )
        # a frequency table is only read here: not kept through the search (nor released)
        self.table: pa.Table | None = table if counts is None else None
        self.names = list(quasi_identifiers)
        self.hierarchies = dict(quasi_identifiers)
        self.model, self.k = model, k
        self.sensitive = sensitive if model != "k-anonymity" else None
        self.max_suppression = float(max_suppression)
        self.loss_name = loss
        self.n = rows
        self.weights = weights
        self.dense = dense
        self.rollup = rollup
        self.prefilter = prefilter
        self.allowed = int(math.floor(self.max_suppression * self.n + 1e-9))

        self.frame = EncodedTable(table, self.hierarchies, self.sensitive, weights)
        self.lattice = Lattice(self.frame.heights)
        overall = None
        if self.frame.scode is not None:
            overall = np.bincount(
                self.frame.scode, weights=self.frame.count_f, minlength=self.frame.m
            ).astype(np.int64)
        self.test = build_test(
            model,
            k=k,
            diversity=l,
            c=c,
            t=t,
            values=self.frame.s_values,
            value_type=table.column(self.sensitive).type if self.sensitive else None,
            overall=overall,
            distance=distance,
            order=order,
            sensitive_hierarchy=sensitive_hierarchy,
        )
        self.distance = self.test.distance
        self.loss_model = LossModel(self.frame, loss)
        self.cache = RollupCache(self.frame, self.test)
        # k-anonymity and distinct l-diversity are monotone even with suppression (merging a
        # passing class with anything passes); every model is monotone without suppression
        self.monotone = model in ("k-anonymity", "distinct-l-diversity") or self.allowed == 0
        self.separable = self.loss_model.separable
        self.evaluations = 0

    # ------------------------------------------------------------------------------------
    # the lattice

    @property
    def F(self) -> int:
        """Rows of the frequency table (distinct combinations)."""
        return self.frame.F

    @property
    def size(self) -> int:
        """Nodes in the lattice."""
        return self.lattice.size

    @property
    def heights(self) -> Levels:
        """Levels per quasi-identifier."""
        return self.lattice.heights

    def all_nodes(self) -> Levels:
        """Every node as a (size × Q) array of levels, in index order."""
        return self.lattice.nodes()

    def bound(self, nodes: Levels) -> Floats:
        """Loss without suppression (a lower bound of the loss) for separable losses."""
        return self.loss_model.bound(nodes)

    def pair_suppression_bound(self, nodes: Levels) -> Floats:
        """A lower bound on the records every node must suppress (single columns and pairs)."""
        return bounds.pair_suppression_bound(self.frame, self.k, nodes)

    def triple_suppression_bound(self, nodes: Levels) -> Floats:
        """A lower bound on the records every node must suppress (triples of columns)."""
        return bounds.triple_suppression_bound(self.frame, self.k, nodes)

    # ------------------------------------------------------------------------------------
    # evaluation of one node

    def classes(self, levels: Sequence[int]) -> NodeClasses:
        """The classes of ``levels`` counted from the frequency table."""
        return count_classes(self.frame, self.test, levels, dense=self.dense)

    def evaluate(self, levels: Sequence[int]) -> NodeResult:
        """A node's exact suppression and loss (also when it is not anonymous)."""
        self.evaluations += 1
        found = self.classes(levels)
        suppressed = found.suppressed()
        loss = self.loss_model.of_rows(levels, found.cls, found.sizes, found.ok, suppressed)
        return NodeResult(
            tuple(int(x) for x in levels), suppressed <= self.allowed, suppressed, loss
        )

    def node(
        self, levels: Sequence[int], *, rollup: bool | None = None, early: bool = True
    ) -> Evaluated:
        """Evaluate a node (from a cached predecessor when ``rollup``, by default when the
        problem was built with roll-up). The loss of a node that
        is not anonymous is not computed (infinite). With ``early``, a node that cannot be
        anonymous is reported failing without its exact suppression (``suppressed=-1``) and
        sizes, with a coarser node that fails too."""
        self.evaluations += 1
        if rollup is None:
            rollup = self.rollup
        lv = tuple(int(x) for x in levels)
        # an anonymous node has at most this many classes
        most = self.n / self.k + self.allowed if early else None
        base = self.cache.base_for(lv) if rollup else None
        if base is None and rollup and self.F >= SEED_MIN_ROWS:
            seed = self.cache.seed_below(lv)
            if seed is not None and seed not in self.cache.unseedable:
                if self.cache.seed(seed):
                    base = self.cache.base_for(lv)
                else:
                    self.cache.unseedable.add(seed)  # too large to cache: never again
        try:
            if base is None:
                return self._node_from_rows(lv, rollup=rollup, most=most)
            rolled = roll_up(self.frame, self.test, base, lv, most=most)
        except CannotPass as e:
            return Evaluated(NodeResult(lv, False, -1, math.inf), None, e.witness)
        table = rolled.table
        suppressed = rolled.suppressed()
        loss = math.inf
        if suppressed <= self.allowed:
            loss = self.loss_model.of_classes(lv, table.codes, table.sizes, rolled.ok, suppressed)
        self.cache.remember(table)
        return Evaluated(NodeResult(lv, suppressed <= self.allowed, suppressed, loss), table.sizes)

    def _node_from_rows(
        self, lv: tuple[int, ...], *, rollup: bool, most: float | None
    ) -> Evaluated:
        found = count_classes(self.frame, self.test, lv, most=most, dense=self.dense)
        suppressed = found.suppressed()
        anonymous = suppressed <= self.allowed
        loss = math.inf  # the search never uses the loss of a node that is not anonymous
        if anonymous:
            loss = self.loss_model.of_rows(lv, found.cls, found.sizes, found.ok, suppressed)
        if rollup and (self.sensitive is None or self.dense):
            table = self.cache.class_table(lv, found, force=False)
            if table is not None:
                self.cache.remember(table)
        return Evaluated(NodeResult(lv, anonymous, suppressed, loss), found.sizes)

    # ------------------------------------------------------------------------------------
    # search

    def search(self, start: Sequence[int] | None = None) -> NodeResult | None:
        """The optimal anonymous node (None if even the top node is not anonymous). ``start``:
        levels every anonymous node is known to reach (the nodes not above them fail unseen;
        the table may then hold a value per class of those levels instead of per leaf)."""
        nodes = self.lattice.nodes()
        status = np.zeros(self.size, dtype=np.int8)
        if start is not None:
            status[(nodes < np.asarray(start, dtype=np.int64)).any(axis=1)] = FAILS
        lb = self.bound(nodes) if self.separable else np.zeros(self.size)
        floor = np.zeros(self.size)
        if self.prefilter:
            must_suppress = self.pair_suppression_bound(nodes)
            if self.allowed > 0 and self.F * math.comb(self.frame.width, 3) <= TRIPLE_BUDGET:
                # with suppression, monotone tagging prunes little: rule more nodes out first
                must_suppress = np.maximum(must_suppress, self.triple_suppression_bound(nodes))
            status[must_suppress > self.allowed] = FAILS  # never evaluated
            if self.separable and self.loss_name != "intensity":
                # each record that must go adds at least the smallest suppression gain
                lb = lb + self.loss_model.normalise(must_suppress * self.loss_model.min_gain(nodes))
            elif not self.separable:
                # each suppressed record costs n; kept apart from the bound propagated upward,
                # since successors may suppress less
                floor = must_suppress * self.n
        if self.rollup and (self.sensitive is None or self.dense):
            # every node still in play lies above the meet of those nodes: aggregate the
            # frequency table to that meet once, so evaluations start from fewer rows
            alive = status != FAILS
            if alive.any():
                meet = nodes[alive].min(axis=0)
                if meet.any():
                    self.cache.seed(meet)
        search = LatticeSearch(
            self.lattice,
            self.node,
            bound=lb,
            floor=floor,
            status=status,
            separable=self.separable,
            monotone=self.monotone,
            allowed=self.allowed,
            step_costs=self.loss_model.step_costs() if self.separable else None,
        )
        return search.run()

    def evaluate_lattice(self) -> list[NodeResult]:
        """Every node, evaluated (the exhaustive reference and the benchmark baseline)."""
        return [self.evaluate(lv) for lv in self.all_nodes()]

    # ------------------------------------------------------------------------------------
    # the release

    def release(
        self, levels: Sequence[int], *, suppression: Literal["remove", "mask"] = "remove"
    ) -> tuple[pa.Table, int, npt.NDArray[np.bool_]]:
        """The table generalised to ``levels`` with failing classes suppressed; also the number
        suppressed and the per-record keep mask."""
        found = self.classes(levels)
        keep_row = found.ok[found.cls][self.frame.row_group]
        table = self.table
        if table is None:
            raise ValueError("a problem built on a frequency table has no records to release")
        for col, lv in zip(self.frame.columns, levels, strict=True):
            name = col.name
            gen = self.hierarchies[name].generalize(col.dictionary, lv, column=name)
            out = pc.take(gen, pa.array(codes(table.column(name))[0]))
            if suppression == "mask":
                out = pc.if_else(pa.array(keep_row), out, pa.scalar(TOP))
            table = table.set_column(table.column_names.index(name), name, out)
        if suppression == "remove":
            table = table.filter(pa.array(keep_row))
        return table, int((~keep_row).sum()), keep_row


def check_enough_values(table: pa.Table, sensitive: str | None, l: int | None) -> None:  # noqa: E741
    """Refuse l-diversity when the sensitive attribute has fewer than ``l`` distinct values in
    the whole table: no class can then be l-diverse, at any generalisation."""
    if sensitive is None or l is None:
        return
    distinct = int(pc.count_distinct(table.column(sensitive), mode="all").as_py())
    if distinct < l:
        raise InvalidInput(M.MSG_L_TOO_FEW_VALUES.format(column=sensitive, distinct=distinct, l=l))


def _validate(
    table: pa.Table,
    quasi_identifiers: Mapping[str, Hierarchy],
    *,
    model: Model,
    k: int,
    l: int | None,  # noqa: E741 (the model's published parameter name)
    c: float | None,
    t: float | None,
    sensitive: str | None,
    max_suppression: float,
    loss: Loss,
    rows: int | None = None,
) -> tuple[Criterion, ...]:
    """Raise :class:`InvalidInput` for anything the search cannot run with, before any work;
    return the validated criteria."""
    if not quasi_identifiers:
        raise InvalidInput(M.MSG_NO_QUASI_IDENTIFIERS)
    names = list(quasi_identifiers)
    for col in names + ([sensitive] if sensitive else []):
        if col not in table.column_names:
            raise InvalidInput(
                M.MSG_MISSING_COLUMN.format(column=col, columns=", ".join(table.column_names))
            )
    if sensitive and sensitive in names:
        raise InvalidInput(M.MSG_SENSITIVE_IS_QI.format(column=sensitive))
    criteria = validate_parameters(model, k=k, l=l, c=c, t=t, sensitive=sensitive)
    if loss not in LOSSES:
        raise InvalidInput(
            M.MSG_UNKNOWN_OPTION.format(what="loss metric", value=loss, choices=", ".join(LOSSES))
        )
    if not isinstance(max_suppression, (int, float)) or not 0 <= max_suppression <= 1:
        raise InvalidInput(M.MSG_BAD_SUPPRESSION.format(value=max_suppression))
    rows = table.num_rows if rows is None else rows  # records (a frequency table: its total)
    if rows == 0:
        raise InvalidInput(M.MSG_EMPTY_TABLE)
    check_enough_values(table, sensitive, l if model != "t-closeness" else None)
    if k > rows:
        raise InvalidInput(M.MSG_K_TOO_LARGE.format(k=k, rows=rows))
    size = math.prod(h.height for h in quasi_identifiers.values())
    if size > LATTICE_LIMIT:
        raise InvalidInput(M.MSG_LATTICE_TOO_LARGE.format(size=size, limit=LATTICE_LIMIT))
    return criteria
