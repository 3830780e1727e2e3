"""Globally optimal full-domain generalisation under a suppression limit.

Every quasi-identifier has a hierarchy; a *transformation* (a lattice node) picks one level per
quasi-identifier. A node is *anonymous* when the classes that fail the privacy model hold at most
``max_suppression`` of the records (those records are suppressed). Among anonymous nodes we
return one of least loss, and prove it is least:

1. The table is compressed once to its *frequency table*: the distinct combinations of
   quasi-identifier codes (and sensitive value) with counts. Every later step costs in distinct
   combinations, not rows.
2. A node is evaluated by gathering each column's generalised code, combining them into class
   keys and counting with ``bincount`` — vectorised NumPy, about a millisecond on Adult.
3. The search is best-first over a *monotone lower bound* of the loss. For the precision,
   NCP, intensity and non-uniform entropy losses the loss without suppression is a sum over
   columns, ``Σ_q C_q[level_q]``, precomputed for the whole lattice, and suppression only adds to
   it; nodes are taken in ascending bound and the search stops when the bound reaches the best
   loss found. For discernibility the bound is the unsuppressed discernibility of an evaluated
   predecessor (merging classes only grows Σ|E|²), propagated upward in breadth-first order.
4. Monotonicity of the privacy model prunes evaluations: k-anonymity and distinct l-diversity are
   monotone even with suppression (merging a passing class with anything passes), and every
   model is monotone without suppression. When the model is monotone and no suppression is
   allowed, an anonymous node's successors are anonymous with loss equal to their bound, and a
   node whose successor failed fails too; these are tagged without evaluation. Whatever the
   model, a node with more than n / k + (suppression limit) classes fails, and so does every
   node below it: an evaluation stops as soon as the columns combined so far (widest first) give
   that many classes, and the node that keeps those columns' levels and takes the others to the
   top (a *witness*, usually far above the node evaluated) is tagged failing with all below it.
   Before the search, *projection bounds* rule nodes out: a node's projection onto a few columns
   (the node with every other column at its top level) is coarser, and merging classes never
   adds records to classes smaller than k, so the records a projection suppresses are a lower
   bound for the node, for every model. Projections onto single columns and pairs are always
   counted; with suppression allowed (where monotone tagging alone prunes little) also onto
   triples, when the frequency table is small enough for that to be cheap.
5. On large frequency tables a node with no cached predecessor first *seeds* the roll-up cache
   with a lower node whose class space is at most an eighth of the table, so later nodes above
   it are rolled up from a small table instead of re-reading the frequency table.

Ties are broken by (loss, suppressed records, sum of levels, levels), so the same optimum comes
out of :func:`anonymize` and :func:`evaluate_lattice` (the exhaustive reference).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.hierarchies import TOP, Hierarchy, TableHierarchy
from datanuri.privacy.models import (
    EMD,
    Classes,
    Model,
    _prefix_index,
    class_emd_equal,
    class_emd_hierarchical,
    class_emd_ordered,
    class_passes,
    codes,
    compact_dtype,
    frequency_table,
    hierarchy_nodes,
    passes_dense,
    validate_parameters,
    value_order,
)

Loss = Literal["precision", "ncp", "intensity", "discernibility", "entropy"]
LOSSES = ("precision", "ncp", "intensity", "discernibility", "entropy")
LATTICE_LIMIT = 2_000_000
SEED_MIN_ROWS = 200_000  # frequency tables at least this long get seeded roll-up caches
TRIPLE_BUDGET = 20_000_000  # three-column projections when F × C(Q, 3) stays within this


@dataclass(frozen=True)
class NodeResult:
    """One evaluated lattice node."""

    levels: tuple[int, ...]
    anonymous: bool
    suppressed: int
    loss: float


@dataclass(frozen=True)
class Result:
    """The release of :func:`anonymize`."""

    table: pa.Table  # the released table (suppressed records removed or masked)
    levels: dict[str, int]  # the chosen generalisation level per quasi-identifier
    suppressed: int  # records suppressed
    loss: float  # the value of the chosen loss metric
    report: dict[str, Any]  # the assessment report (see datanuri.privacy.report)
    lattice_size: int = 0
    nodes_evaluated: int = 0
    elapsed_seconds: float = 0.0
    # per record of the input table: kept in the release (False: suppressed). Released rows are
    # the kept records in input order, so this aligns them with the input (utility checks)
    kept: np.ndarray | None = field(default=None, repr=False, compare=False)


@dataclass
class _Column:
    name: str
    height: int
    maps: list[np.ndarray]  # per level: leaf code -> generalised code
    cards: list[int]  # per level: number of generalised codes
    leaf_freq: np.ndarray  # records per leaf code
    dictionary: pa.Array  # leaf values


class _Fails(Exception):
    """Raised inside a node evaluation that can no longer be anonymous. ``witness`` is the node
    that keeps the levels of the columns combined so far and takes every other column to its top
    level: its classes already number more than an anonymous node can have, so it fails, and so
    does every node below it (a finer node has at least as many classes), whatever the model."""

    def __init__(self, witness: tuple[int, ...]) -> None:
        super().__init__()
        self.witness = witness


class _LazyCodes:
    """Per column, the generalised code of every class of a rolled-up table, gathered from the
    finer table's codes on first use (most evaluated nodes never serve as a base)."""

    __slots__ = ("_source", "_first", "_codes")

    def __init__(self, source: list[np.ndarray | None], first: np.ndarray) -> None:
        self._source = source  # per column: the code of every row of the finer table (None: all 0)
        self._first = first  # per class: a row of the finer table in it
        self._codes: list[np.ndarray | None] = [None] * len(source)

    def __len__(self) -> int:
        return len(self._codes)

    def held(self) -> int:
        """Integers held (the finer table's codes until gathered, at most)."""
        return len(self._first) + sum(len(src) for src in self._source if src is not None)

    def __getitem__(self, q: int) -> np.ndarray:
        c = self._codes[q]
        if c is None:
            src = self._source[q]
            c = np.zeros(len(self._first), dtype=np.int64) if src is None else src[self._first]
            self._codes[q] = c
            self._source[q] = None
        return c


@dataclass
class _ClassTable:
    levels: tuple[int, ...]
    codes: list[np.ndarray] | _LazyCodes  # per column: the class's generalised code at `levels`
    sizes: np.ndarray
    matrix: np.ndarray | None  # classes × sensitive values counts
    elements: int


class Problem:
    """A table prepared for the lattice search: the frequency table, per-level code maps and loss
    tables. Build once, then :meth:`evaluate` nodes or :meth:`search`."""

    def __init__(
        self,
        table: pa.Table,
        *,
        quasi_identifiers: Mapping[str, Hierarchy],
        model: Model = "k-anonymity",
        k: int = 5,
        l: int | None = None,
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
    ) -> None:
        # ---- validate everything before any work
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
        validate_parameters(model, k=k, l=l, c=c, t=t, sensitive=sensitive)
        if loss not in LOSSES:
            raise InvalidInput(
                M.MSG_UNKNOWN_OPTION.format(
                    what="loss metric", value=loss, choices=", ".join(LOSSES)
                )
            )
        if not isinstance(max_suppression, (int, float)) or not 0 <= max_suppression <= 1:
            raise InvalidInput(M.MSG_BAD_SUPPRESSION.format(value=max_suppression))
        if table.num_rows == 0:
            raise InvalidInput(M.MSG_EMPTY_TABLE)
        if k > table.num_rows:
            raise InvalidInput(M.MSG_K_TOO_LARGE.format(k=k, rows=table.num_rows))
        self.table = table
        self.names = names
        self.hierarchies = dict(quasi_identifiers)
        self.model, self.k, self.l, self.c, self.t = model, k, l, c, t
        self.sensitive = sensitive if model != "k-anonymity" else None
        self.max_suppression = float(max_suppression)
        self.loss_name = loss
        self.n = table.num_rows
        self.dense = dense  # dense (classes × values) matrices for sensitive models when small
        self.rollup = rollup  # evaluate nodes from cached predecessors' classes
        self.prefilter = prefilter  # rule nodes out by two-column projections before the search
        self.allowed = int(math.floor(self.max_suppression * self.n + 1e-9))

        # ---- columns: leaf codes and per-level maps (hierarchies run on distinct values only);
        # leaf codes are kept in the narrowest integer type (uint8 for most columns)
        leaf_codes, self.columns = [], []
        for name in names:
            h = self.hierarchies[name]
            lc, dictionary = codes(table.column(name))
            lc = lc.astype(compact_dtype(len(dictionary) + 1), copy=False)
            maps, cards = [], []
            for level in range(h.height):
                gen = h.generalize(dictionary, level, column=name)
                gc, gd = codes(gen)
                maps.append(gc.astype(np.int32, copy=False))
                cards.append(max(len(gd), 1))
            leaf_codes.append(lc)
            self.columns.append(
                _Column(
                    name,
                    h.height,
                    maps,
                    cards,
                    np.bincount(lc, minlength=len(dictionary)),
                    dictionary,
                )
            )
        self.heights = np.array([col.height for col in self.columns])
        self.size = int(np.prod(self.heights))
        if self.size > LATTICE_LIMIT:
            raise InvalidInput(M.MSG_LATTICE_TOO_LARGE.format(size=self.size, limit=LATTICE_LIMIT))

        # ---- the frequency table (the record-level codes are dropped once it is built)
        cols = leaf_codes
        cards = [len(col.leaf_freq) or 1 for col in self.columns]
        self.m = 0
        if self.sensitive:
            s_codes, s_dict = codes(table.column(self.sensitive))
            self.s_values = s_dict
            self.m = max(len(s_dict), 1)
            cols.append(s_codes.astype(compact_dtype(self.m + 1), copy=False))
            cards.append(self.m)
        row_group, group_codes, count = frequency_table(cols, cards)
        del cols, leaf_codes
        g = len(count)
        self.row_group = row_group  # frequency-table row of every record (int32)
        self.count = count
        self.count_f = count.astype(np.float64)  # bincount weights, converted once
        self.qcodes = group_codes[: len(names)]
        self.scode = group_codes[-1].astype(np.int64) if self.sensitive else None
        self.F = g
        self.dense_limit = max(4 * g, 1 << 16)

        # ---- sensitive-value reference data
        self.overall = None
        self.distance = None
        self.order = None
        self.tree = None
        if self.sensitive:
            self.overall = np.bincount(self.scode, weights=self.count_f, minlength=self.m).astype(
                np.int64
            )
            if model == "t-closeness":
                s_type = table.column(self.sensitive).type
                numeric = (
                    pa.types.is_integer(s_type)
                    or pa.types.is_floating(s_type)
                    or pa.types.is_decimal(s_type)
                )
                if distance is None:
                    distance = (
                        "hierarchical"
                        if sensitive_hierarchy is not None
                        else ("ordered" if numeric or order is not None else "equal")
                    )
                if distance == "ordered":
                    self.order = value_order(self.s_values, order)
                elif distance == "hierarchical":
                    if sensitive_hierarchy is None:
                        raise InvalidInput(
                            M.MSG_UNKNOWN_OPTION.format(
                                what="t-closeness setting",
                                value="hierarchical without a hierarchy",
                                choices="pass sensitive_hierarchy=...",
                            )
                        )
                    self.tree = hierarchy_nodes(self.s_values, sensitive_hierarchy)
                elif distance != "equal":
                    raise InvalidInput(
                        M.MSG_UNKNOWN_OPTION.format(
                            what="EMD distance",
                            value=distance,
                            choices="equal, ordered, hierarchical",
                        )
                    )
            self.distance = distance

        # ---- gathered codes per column and level (frequency-table length), kept when small
        # filled on first use (most searches read few levels from the frequency table)
        self._gathered: list[list[np.ndarray | None]] | None = None
        if self.F * int(self.heights.sum()) <= 20_000_000:
            self._gathered = [[None] * col.height for col in self.columns]
        self._up: dict[tuple[int, int, int], np.ndarray] = {}
        self._scratch: np.ndarray | None = None
        self._row_index: np.ndarray | None = None
        self._range: np.ndarray | None = None
        self._unseedable: set[tuple[int, ...]] = set()
        # roll-up cache: class tables of evaluated nodes, to evaluate their successors from
        self._cache_levels = np.zeros((256, len(self.columns)), dtype=np.int64)
        self._cache_g = np.zeros(256, dtype=np.int64)
        self._cache_tables: list[_ClassTable] = []
        self._cache_used = 0
        self._cache_next = 0
        self._cache_elements = 0
        self.cache_budget = 30_000_000  # ints and floats kept in the cache, at most

        # ---- loss tables: per column, level -> cost per leaf code
        self.monotone = model in ("k-anonymity", "distinct-l-diversity") or self.allowed == 0
        self.separable = loss != "discernibility"
        self.leaf_cost: list[list[np.ndarray]] = []
        for col in self.columns:
            per_level = []
            top = col.height - 1
            domain = len(col.leaf_freq)
            for j in range(col.height):
                if loss in ("precision", "intensity"):
                    cost = np.full(domain, j / top if top else 0.0)
                elif loss == "ncp":
                    leaves_under = np.bincount(col.maps[j], minlength=col.cards[j])[col.maps[j]]
                    cost = (leaves_under - 1) / (domain - 1) if domain > 1 else np.zeros(domain)
                elif loss == "entropy":
                    f_gen = np.bincount(col.maps[j], weights=col.leaf_freq, minlength=col.cards[j])[
                        col.maps[j]
                    ]
                    with np.errstate(divide="ignore", invalid="ignore"):
                        cost = np.where(
                            col.leaf_freq > 0, -np.log2(col.leaf_freq / np.maximum(f_gen, 1)), 0.0
                        )
                else:
                    cost = np.zeros(domain)
                per_level.append(cost)
            self.leaf_cost.append(per_level)
        # C[q][j] = total cost of column q at level j over all records (no suppression)
        self.column_cost = [
            np.array([float((lv * col.leaf_freq).sum()) for lv in levels])
            for col, levels in zip(self.columns, self.leaf_cost)
        ]
        # per column and level: what suppressing a record adds, per generalised code (the gain
        # depends only on the generalised value for every separable loss)
        self.supp_gain: list[list[np.ndarray]] = []
        for col, costs in zip(self.columns, self.leaf_cost):
            per_level = []
            for j in range(col.height):
                gain = np.zeros(col.cards[j])
                gain[col.maps[j]] = costs[col.height - 1] - costs[j]
                per_level.append(gain)
            self.supp_gain.append(per_level)
        self._top_cost_rows: np.ndarray | None = None
        self.evaluations = 0
        self.witness: tuple[int, ...] | None = None  # set when a node evaluation fails early

    # ------------------------------------------------------------------------------------
    # lattice helpers

    def all_nodes(self) -> np.ndarray:
        """Every node as a (size × Q) array of levels, in index order."""
        grids = np.indices(tuple(self.heights)).reshape(len(self.heights), -1).T
        return grids

    def index(self, levels: Sequence[int]) -> int:
        return int(np.ravel_multi_index(tuple(levels), tuple(self.heights)))

    def bound(self, nodes: np.ndarray) -> np.ndarray:
        """Loss without suppression (a lower bound of the loss) for separable losses."""
        total = np.zeros(len(nodes))
        for q, cost in enumerate(self.column_cost):
            total += cost[nodes[:, q]]
        return self._normalise(total)

    def pair_suppression_bound(self, nodes: np.ndarray) -> np.ndarray:
        """A lower bound on the records every node must suppress for the k part of the model.

        The projection of a node onto some quasi-identifiers is the node that keeps their levels
        and takes every other column to its top level: a coarser node, whose classes are unions
        of the node's classes. A record in a class of size at least k stays in one when classes
        merge, so the records in classes smaller than k only become fewer: the projection
        suppresses at most as many records as the node. The bound of a node is the maximum over
        its projections onto single columns and onto pairs of columns below their top levels (a
        pair with a column at the top is a single column), computed per combination of levels
        on the distinct pairs of leaf codes, so each pair costs one pass over the frequency
        table."""
        nq = len(self.columns)
        bound = np.zeros(len(nodes))
        for q, col in enumerate(self.columns):
            single = np.array(
                [
                    float(sizes[sizes < self.k].sum())
                    for sizes in (
                        np.bincount(col.maps[lv], weights=col.leaf_freq) for lv in range(col.height)
                    )
                ]
            )
            bound = np.maximum(bound, single[nodes[:, q]])
        return np.maximum(bound, self._projection_bound(nodes, 2))

    def triple_suppression_bound(self, nodes: np.ndarray) -> np.ndarray:
        """Like :meth:`pair_suppression_bound`, over projections onto three quasi-identifiers
        below their top levels (0 for a node with fewer than three columns below the top, which
        :meth:`pair_suppression_bound` covers)."""
        return self._projection_bound(nodes, 3)

    def _projection_bound(self, nodes: np.ndarray, width: int) -> np.ndarray:
        """Per node, the most records suppressed by any of its projections onto ``width``
        columns that are all below their top levels (0 where there is none)."""
        bound = np.zeros(len(nodes))
        for cols in itertools.combinations(range(len(self.columns)), width):
            group = [self.columns[q] for q in cols]
            if any(col.height < 2 for col in group):
                continue
            cards = [max(len(col.leaf_freq), 1) for col in group]
            key = np.zeros(self.F, dtype=np.int64)
            for q, card in zip(cols, cards):
                key *= card
                key += self.qcodes[q]
            space = math.prod(cards)
            if space <= max(4 * self.F, 1 << 20):
                dense_cnt = np.bincount(key, weights=self.count_f, minlength=space)
                uniq = np.flatnonzero(dense_cnt)
                cnt = dense_cnt[uniq]
            else:
                uniq, inv = np.unique(key, return_inverse=True)
                cnt = np.bincount(inv.reshape(-1), weights=self.count_f, minlength=len(uniq))
            leaves = []
            for card in reversed(cards):
                leaves.append(uniq % card)
                uniq //= card
            leaves.reverse()
            # per column, its generalised codes of the distinct rows at each level below the top
            gen = [
                [
                    (col.maps[lv][leaf].astype(np.int64), col.cards[lv])
                    for lv in range(col.height - 1)
                ]
                for col, leaf in zip(group, leaves)
            ]
            table = np.zeros([col.height for col in group])
            for combo in itertools.product(*[range(col.height - 1) for col in group]):
                pk, space = gen[0][combo[0]]
                for d in range(1, width):
                    codes_, card = gen[d][combo[d]]
                    pk = pk * card + codes_
                    space *= card
                sizes = np.bincount(pk, weights=cnt, minlength=space)
                table[combo] = sizes[sizes < self.k].sum()
            bound = np.maximum(bound, table[tuple(nodes[:, q] for q in cols)])
        return bound

    def _normalise(self, total: np.ndarray | float) -> Any:
        if self.loss_name in ("precision", "ncp", "intensity"):
            return total / (self.n * len(self.names))
        return total

    # ------------------------------------------------------------------------------------
    # evaluation of one node

    def classes(
        self, levels: Sequence[int], *, early: bool = False
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(class id per frequency-table row, class sizes, pass flag per class). Ids may be
        sparse: classes of size 0 are allowed (they never fail anyone).

        Columns are combined widest first (at the node's levels) into one mixed-radix key that
        is compacted (through a presence table: linear, no sort) only when the next column would
        take it past a few times the frequency table's length; the class count grows fastest
        that way. With ``early``, raise :class:`_Fails` as soon as the classes of the columns
        combined so far are too many for the node to be anonymous: classes only split as columns
        are added, and an anonymous node has at most n / k + (suppression limit) classes."""
        self.evaluations += 1
        limit = self.dense_limit
        most = self.n / self.k + self.allowed
        active = sorted(
            (
                (self.columns[q].cards[int(lv)], q, int(lv))
                for q, lv in enumerate(levels)
                if self.columns[q].cards[int(lv)] > 1
            ),
            key=lambda t: (-t[0], t[1]),
        )
        combined: set[int] = set()
        ids: np.ndarray | None = None
        g = 1  # size of the id space (ids may be sparse in it)
        compact, owned = True, False
        for card, q, lv in active:
            if ids is None:
                ids, g = self.gather(q, lv), card
                combined.add(q)
                continue
            if g * card > limit and not compact:  # compact before the key space outgrows the table
                ids, g = self._compact(ids, g)
                compact, owned = True, True
                if early and g > most:
                    raise _Fails(self._witness(levels, combined))
            space = g * card
            if space >= 2**62:
                uniq, ids = np.unique(ids, return_inverse=True)
                ids, g, owned = ids.reshape(-1).astype(np.int64), len(uniq), True
                space = g * card
            dt = np.int32 if space < 2**31 else np.int64
            if owned and ids.dtype == dt:
                ids *= dt(card)
            else:
                ids, owned = ids.astype(dt, copy=False) * dt(card), True
            ids += self._gather_scratch(q, lv)
            g, compact = space, False
            combined.add(q)
        if ids is None:
            ids, g = np.zeros(self.F, dtype=np.int32), 1
        if g > limit:
            uniq, ids = np.unique(ids, return_inverse=True)
            ids, g, compact = ids.reshape(-1), len(uniq), True
        if early and compact and g > most:
            raise _Fails(self._witness(levels, combined))
        sizes = np.bincount(ids, weights=self.count_f, minlength=g)
        if not compact:
            present = sizes > 0
            if early and g > most and int(np.count_nonzero(present)) > most:
                raise _Fails(self._witness(levels, combined))
            if self.sensitive is not None:  # the sensitive statistics need dense class ids
                remap = _prefix_index(present)
                ids, sizes, g = remap[ids], sizes[present], int(remap[-1]) + 1
        if self.sensitive is None:
            return ids, sizes, sizes >= self.k
        cls = ids
        if self.dense and g * self.m <= 8_000_000:
            matrix = np.bincount(
                cls.astype(np.int64, copy=False) * self.m + self.scode,
                weights=self.count_f,
                minlength=g * self.m,
            ).reshape(g, self.m)
            ok = passes_dense(
                matrix,
                sizes,
                self.model,
                k=self.k,
                l=self.l,
                cl_c=self.c,
                t=self.t,
                overall=self.overall,
                distance=self.distance,
                order=self.order,
                leaf_nodes=self.tree,
            )
            return cls, sizes, ok
        pair = cls.astype(np.int64, copy=False) * self.m + self.scode
        pu, pinv = np.unique(pair, return_inverse=True)
        pcount = np.bincount(pinv.reshape(-1), weights=self.count_f, minlength=len(pu)).astype(
            np.int64
        )
        c = Classes(
            np.zeros(0, np.int64),
            sizes.astype(np.int64),
            pu // self.m,
            pu % self.m,
            pcount,
            None,
            self.overall,
        )
        emd = None
        if self.model == "t-closeness":
            if self.distance == "ordered":
                emd = class_emd_ordered(c, self.order)
            elif self.distance == "hierarchical":
                emd = class_emd_hierarchical(c, self.tree)
            else:
                emd = class_emd_equal(c)
        ok = class_passes(c, self.model, k=self.k, l=self.l, cl_c=self.c, t=self.t, emd=emd)
        return cls, sizes, ok

    def _witness(self, levels: Sequence[int], combined: Collection[int]) -> tuple[int, ...]:
        return tuple(
            int(lv) if q in combined else int(self.heights[q]) - 1 for q, lv in enumerate(levels)
        )

    def _compact(self, ids: np.ndarray, g: int) -> tuple[np.ndarray, int]:
        """Renumber ids of a space of size ``g`` to 0..(distinct-1), keeping their order."""
        present = np.zeros(g, dtype=bool)
        present[ids] = True
        remap = _prefix_index(present)
        del present
        return remap[ids], int(remap[-1]) + 1

    def _arange(self, n: int) -> np.ndarray:
        """0..n-1 (a view of a kept range)."""
        if self._range is None or len(self._range) < n:
            self._range = np.arange(max(n, 1 << 12), dtype=np.int64)
        return self._range[:n]

    def _rows(self) -> np.ndarray:
        """0..F-1, kept (a row index of every class is taken often)."""
        if self._row_index is None:
            self._row_index = np.arange(self.F, dtype=np.int32 if self.F < 2**31 else np.int64)
        return self._row_index

    def _gather_scratch(self, q: int, lv: int) -> np.ndarray:
        """Like :meth:`gather`, into a buffer reused across calls (valid until the next call)."""
        if self._gathered is not None:
            return self._gathered_codes(q, lv)
        if self._scratch is None:
            self._scratch = np.empty(self.F, dtype=np.int32)
        return np.take(
            self.columns[q].maps[lv], self.qcodes[q], out=self._scratch, mode="clip"
        )  # clip: unbuffered

    def _gathered_codes(self, q: int, lv: int) -> np.ndarray:
        assert self._gathered is not None
        arr = self._gathered[q][lv]
        if arr is None:
            arr = self._gathered[q][lv] = self.columns[q].maps[lv][self.qcodes[q]]
        return arr

    def top_cost_rows(self) -> np.ndarray:
        """Per frequency-table row, the cost of a record at the top node (separable losses)."""
        if self._top_cost_rows is None:
            self._top_cost_rows = sum(
                self.leaf_cost[i][col.height - 1][self.qcodes[i]]
                for i, col in enumerate(self.columns)
            )
        return self._top_cost_rows

    def gather(self, q: int, lv: int) -> np.ndarray:
        """Level-``lv`` codes of column ``q`` for every frequency-table row."""
        if self._gathered is not None:
            return self._gathered_codes(q, lv)
        return np.take(self.columns[q].maps[lv], self.qcodes[q], mode="clip")

    def up(self, q: int, a: int, b: int) -> np.ndarray:
        """Map from level-``a`` codes to level-``b`` codes of column ``q`` (a <= b)."""
        key = (q, a, b)
        arr = self._up.get(key)
        if arr is None:
            col = self.columns[q]
            arr = np.zeros(col.cards[a], dtype=np.int64)
            arr[col.maps[a]] = col.maps[b]
            self._up[key] = arr
        return arr

    def _base_for(self, levels: Sequence[int]) -> _ClassTable | None:
        """The cached class table of a predecessor of ``levels`` with the fewest classes."""
        if not self._cache_used:
            return None
        n = self._cache_used
        fits = np.all(self._cache_levels[:n] <= np.asarray(levels), axis=1)
        if not fits.any():
            return None
        sizes = np.where(fits, self._cache_g[:n], np.iinfo(np.int64).max)
        return self._cache_tables[int(np.argmin(sizes))]

    def _remember(
        self,
        levels: Sequence[int],
        codes_: list[np.ndarray] | _LazyCodes,
        sizes: np.ndarray,
        matrix: np.ndarray | None,
    ) -> None:
        g = len(sizes)
        if g > self.F // 2:
            return  # not much smaller than the frequency table itself
        held = codes_.held() if isinstance(codes_, _LazyCodes) else g * len(codes_)
        elements = held + g * (1 + (matrix.shape[1] if matrix is not None else 0))
        if elements > self.cache_budget // 4:
            return
        table = _ClassTable(tuple(int(x) for x in levels), codes_, sizes, matrix, elements)
        cap = len(self._cache_g)
        if self._cache_used < cap and self._cache_elements + elements <= self.cache_budget:
            slot = self._cache_used
            self._cache_used += 1
            self._cache_tables.append(table)
        else:  # replace the slot after the last one replaced (first in, first out)
            slot = self._cache_next % max(self._cache_used, 1)
            self._cache_next += 1
            if self._cache_used == 0:
                self._cache_used = 1
                self._cache_tables.append(table)
            else:
                self._cache_elements -= self._cache_tables[slot].elements
                self._cache_tables[slot] = table
        self._cache_levels[slot] = levels
        self._cache_g[slot] = g
        self._cache_elements += elements

    def _seed_below(self, levels: Sequence[int]) -> tuple[int, ...] | None:
        """A predecessor of ``levels`` to cache before evaluating it on a large frequency table:
        columns are lowered (widening the class space least first) while the product of the
        cardinalities stays within an eighth of the frequency table, so the seed is cheap to roll
        up from and lies below many of the nodes the search tries next. None when ``levels``
        itself is not that small or cannot be lowered."""
        cap = self.F // 8
        lv = [int(x) for x in levels]
        cards = [self.columns[q].cards for q in range(len(lv))]
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

    def _seed_cache(self, levels: Sequence[int]) -> bool:
        """Put the class table of ``levels`` in the roll-up cache whatever its size (False when
        its sensitive-value matrix would be too large to keep)."""
        cls, sizes, _ = self.classes(levels)
        self.evaluations -= 1  # a preparation step, not a node evaluation
        present = sizes > 0
        if not present.all():
            remap = _prefix_index(present)
            cls, sizes = remap[cls], sizes[present]
        g = len(sizes)
        first = np.empty(g, dtype=np.int64)
        first[cls] = self._rows()  # a row of every class
        codes_ = [
            self.columns[q].maps[int(level)][self.qcodes[q][first]]
            for q, level in enumerate(levels)
        ]
        matrix = None
        if self.sensitive is not None:
            if g * self.m > 8_000_000:
                return False
            matrix = np.bincount(
                cls.astype(np.int64, copy=False) * self.m + self.scode,
                weights=self.count_f,
                minlength=g * self.m,
            ).reshape(g, self.m)
        budget, self.cache_budget = (
            self.cache_budget,
            max(
                self.cache_budget, 4 * g * (len(codes_) + 1 + (self.m if matrix is not None else 0))
            ),
        )
        limit_f, self.F = self.F, max(self.F, 2 * g)  # bypass the "much smaller" rule once
        try:
            self._remember([int(x) for x in levels], codes_, sizes, matrix)
        finally:
            self.cache_budget, self.F = budget, limit_f
        return True

    def _rollup(
        self, base: _ClassTable, levels: Sequence[int], *, early: bool = False
    ) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray | None]:
        """Classes of ``levels`` computed from a predecessor's class table: (codes per column
        per class, sizes, pass flags, sensitive count matrix)."""
        self.evaluations += 1
        mapped: list[np.ndarray | None] = [
            None
            if self.columns[q].cards[lv] == 1  # every class has code 0
            else base.codes[q]
            if base.levels[q] == lv
            else self.up(q, base.levels[q], lv)[base.codes[q]]
            for q, lv in enumerate(levels)
        ]
        n_rows = len(base.sizes)
        limit = max(4 * n_rows, 1 << 16)
        most = self.n / self.k + self.allowed
        ids: np.ndarray | None = None
        g = 1  # size of the id space; ids are compacted only when the next column would take it past limit
        compact = True
        combined: set[int] = set()
        active = sorted(
            (
                (self.columns[q].cards[lv], q, lv)
                for q, lv in enumerate(levels)
                if self.columns[q].cards[lv] > 1
            ),
            key=lambda t: (-t[0], t[1]),
        )
        for card, q, lv in active:
            if ids is not None and g * card > limit and not compact:
                ids, g = self._compact(ids, g)
                compact = True
                if early and g > most:
                    raise _Fails(self._witness(levels, combined))
            if g * card >= 2**62:
                uniq, ids = np.unique(ids, return_inverse=True)
                ids, g = ids.reshape(-1).astype(np.int64), len(uniq)
            if ids is None:
                ids = mapped[q].astype(np.int64)
            else:
                ids = ids.astype(np.int64, copy=False) * card + mapped[q]
            g *= card
            combined.add(q)
            compact = False
            if g > limit:
                uniq, ids = np.unique(ids, return_inverse=True)
                ids, g, compact = ids.reshape(-1).astype(np.int64), len(uniq), True
        if ids is None:
            ids, g = np.zeros(n_rows, dtype=np.int64), 1
        elif not compact:
            ids, g = self._compact(ids, g)
        if early and g > most:
            raise _Fails(self._witness(levels, combined))
        sizes = np.bincount(ids, weights=base.sizes, minlength=g)
        first = np.empty(g, dtype=np.int64)
        first[ids] = self._arange(n_rows)  # a row of the base table in every class
        new_codes = _LazyCodes(mapped, first)
        matrix = None
        if base.matrix is not None:
            m = base.matrix.shape[1]
            flat = (ids.astype(np.int64)[:, None] * m + np.arange(m)[None, :]).ravel()
            matrix = np.bincount(flat, weights=base.matrix.ravel(), minlength=g * m).reshape(g, m)
            ok = passes_dense(
                matrix,
                sizes,
                self.model,
                k=self.k,
                l=self.l,
                cl_c=self.c,
                t=self.t,
                overall=self.overall,
                distance=self.distance,
                order=self.order,
                leaf_nodes=self.tree,
            )
        else:
            ok = sizes >= self.k
        return new_codes, sizes, ok, matrix

    def _node_from_rows(
        self, lv: tuple[int, ...], *, rollup: bool, early: bool
    ) -> tuple[NodeResult, np.ndarray]:
        cls, sizes, ok = self.classes(lv, early=early)
        suppressed = int(round(sizes[~ok].sum()))
        anonymous = suppressed <= self.allowed
        # the search never uses the loss of a node that is not anonymous
        result = NodeResult(
            lv,
            anonymous,
            suppressed,
            self._loss(lv, cls, sizes, ok, suppressed) if anonymous else math.inf,
        )
        if rollup and (self.sensitive is None or self.dense):
            present = sizes > 0
            if self.sensitive is None and not present.all():
                remap = _prefix_index(present)  # sparse id space: compact it
                cls, sizes = remap[cls], sizes[present]
            g = len(sizes)
            if g <= self.F // 2 and (self.sensitive is None or g * self.m <= 8_000_000):
                first = np.empty(g, dtype=np.int64)
                first[cls] = self._rows()  # a row of every class
                codes_ = [
                    self.columns[q].maps[level][self.qcodes[q][first]] for q, level in enumerate(lv)
                ]
                matrix = None
                if self.sensitive is not None:
                    matrix = np.bincount(
                        cls.astype(np.int64, copy=False) * self.m + self.scode,
                        weights=self.count_f,
                        minlength=g * self.m,
                    ).reshape(g, self.m)
                self._remember(lv, codes_, sizes, matrix)
        return result, sizes

    def node(
        self, levels: Sequence[int], *, rollup: bool = True, early: bool = True
    ) -> tuple[NodeResult, np.ndarray | None]:
        """Evaluate a node (from a cached predecessor when ``rollup``); also its class sizes.
        The loss of a node that is not anonymous is not computed (infinite). With ``early``, a
        node that cannot be anonymous is reported as failing without its exact suppression
        (``suppressed=-1``) and sizes, and :attr:`witness` names a coarser node that fails too."""
        lv = tuple(int(x) for x in levels)
        base = self._base_for(lv) if rollup else None
        if base is None and rollup and self.F >= SEED_MIN_ROWS:
            seed = self._seed_below(lv)
            if seed is not None and seed not in self._unseedable:
                if self._seed_cache(seed):
                    base = self._base_for(lv)
                else:
                    self._unseedable.add(seed)  # too large to cache: do not compute it again
        try:
            if base is None:
                return self._node_from_rows(lv, rollup=rollup, early=early)
            codes_, sizes, ok, matrix = self._rollup(base, lv, early=early)
        except _Fails as e:
            self.witness = e.witness
            return NodeResult(lv, False, -1, math.inf), None
        suppressed = int(round(sizes[~ok].sum()))
        if suppressed > self.allowed:
            loss = math.inf
        elif self.loss_name == "discernibility":
            kept = sizes[ok]
            loss = float((kept * kept).sum() + suppressed * self.n)
        else:
            total = float(sum(self.column_cost[q][level] for q, level in enumerate(lv)))
            if suppressed and self.loss_name != "intensity":
                bad = np.flatnonzero(~ok)
                gain = sum(self.supp_gain[q][level][codes_[q][bad]] for q, level in enumerate(lv))
                total += float((gain * sizes[bad]).sum())
            loss = float(self._normalise(total))
        self._remember(lv, codes_, sizes, matrix)
        return NodeResult(lv, suppressed <= self.allowed, suppressed, loss), sizes

    def evaluate(self, levels: Sequence[int]) -> NodeResult:
        cls, sizes, ok = self.classes(levels)
        suppressed = int(round(sizes[~ok].sum()))
        anonymous = suppressed <= self.allowed
        return NodeResult(
            tuple(int(x) for x in levels),
            anonymous,
            suppressed,
            self._loss(levels, cls, sizes, ok, suppressed),
        )

    def _loss(
        self,
        levels: Sequence[int],
        cls: np.ndarray,
        sizes: np.ndarray,
        ok: np.ndarray,
        suppressed: int,
    ) -> float:
        if self.loss_name == "discernibility":
            kept = sizes[ok]
            return float((kept * kept).sum() + suppressed * self.n)
        base = float(sum(self.column_cost[q][lv] for q, lv in enumerate(levels)))
        if suppressed and self.loss_name != "intensity":
            dropped = np.flatnonzero(~ok[cls])
            now = sum(self.leaf_cost[q][lv][self.qcodes[q][dropped]] for q, lv in enumerate(levels))
            base += float(((self.top_cost_rows()[dropped] - now) * self.count[dropped]).sum())
        return float(self._normalise(base))

    def dm_unsuppressed(self, sizes: np.ndarray) -> float:
        return float((sizes * sizes).sum())

    # ------------------------------------------------------------------------------------
    # search

    @staticmethod
    def _key(r: NodeResult) -> tuple:
        return (round(r.loss, 9), r.suppressed, sum(r.levels), r.levels)

    def search(self) -> NodeResult | None:
        """The optimal anonymous node (None if even the top node is not anonymous)."""
        nodes = self.all_nodes()
        heights = self.heights
        nq = len(heights)
        radix = np.array([int(np.prod(heights[q + 1 :])) for q in range(nq)], dtype=np.int64)
        status = np.zeros(self.size, dtype=np.int8)  # 0 unknown, 1 anonymous, -1 not anonymous
        levelsum = nodes.sum(axis=1)
        separable = self.separable
        lb = self.bound(nodes) if separable else np.zeros(self.size)
        floor = np.zeros(self.size)
        if self.prefilter:
            must_suppress = self.pair_suppression_bound(nodes)
            if self.allowed > 0 and self.F * math.comb(nq, 3) <= TRIPLE_BUDGET:
                # with suppression, monotone tagging prunes little: rule more nodes out first
                must_suppress = np.maximum(must_suppress, self.triple_suppression_bound(nodes))
            status[must_suppress > self.allowed] = -1  # cannot be anonymous: never evaluated
            if separable and self.loss_name != "intensity":
                # each record that must go adds at least the smallest suppression gain
                min_gain = np.zeros(self.size)
                for q in range(nq):
                    per_level = np.array([g.min() if len(g) else 0.0 for g in self.supp_gain[q]])
                    min_gain += per_level[nodes[:, q]]
                lb = lb + self._normalise(must_suppress * min_gain)
            elif not separable:
                # each suppressed record costs n; kept apart from the bound propagated upward,
                # since successors may suppress less
                floor = must_suppress * self.n
        best: list[NodeResult | None] = [None]
        if self.rollup and (self.sensitive is None or self.dense):
            # every node still in play lies above the meet of those nodes: aggregate the
            # frequency table to that meet once, so evaluations start from fewer rows
            alive = status != -1
            if alive.any():
                meet = nodes[alive].min(axis=0)
                if meet.any():
                    self._seed_cache(meet)

        def consider(r: NodeResult) -> None:
            if r.anonymous and (best[0] is None or self._key(r) < self._key(best[0])):
                best[0] = r

        def tag_down(idx: int) -> None:
            # every predecessor of a failing node fails too (monotone models); -1 nodes already
            # have all their predecessors tagged, so each node is visited once overall
            stack = [idx]
            while stack:
                i = stack.pop()
                lv = nodes[i]
                for q in range(nq):
                    if lv[q] > 0:
                        j = i - radix[q]
                        if status[j] == 0:
                            status[j] = -1
                            stack.append(j)

        def evaluate_index(i: int) -> tuple[NodeResult, np.ndarray]:
            self.witness = None
            r, sizes = self.node(nodes[i], rollup=self.rollup)
            status[i] = 1 if r.anonymous else -1
            consider(r)
            if self.witness is not None:
                # a coarser node already has too many classes: it and all below it fail
                w = self.index(self.witness)
                if status[w] == 0 or w == i:
                    status[w] = -1
                    tag_down(w)
            return r, sizes

        def climb(i: int) -> None:
            """After node i failed: binary-search the highest failing node on a cheapest-first
            path upward and tag all its predecessors as failing (Flash-style predictive tagging)."""
            path = []
            lv = nodes[i].copy()
            j = i
            while True:
                steps = [q for q in range(nq) if lv[q] + 1 < heights[q]]
                if not steps:
                    break
                if separable:
                    q = min(
                        steps,
                        key=lambda q: (
                            self.column_cost[q][lv[q] + 1] - self.column_cost[q][lv[q]],
                            q,
                        ),
                    )
                else:
                    q = steps[0]
                lv[q] += 1
                j += radix[q]
                path.append(j)
            lo, hi = 0, len(path) - 1  # find the last failing node on the path
            last_fail = -1
            while lo <= hi:
                mid = (lo + hi) // 2
                idx = path[mid]
                if status[idx] == 0:
                    evaluate_index(idx)
                if status[idx] == -1:
                    last_fail = mid
                    lo = mid + 1
                else:
                    hi = mid - 1
            if last_fail >= 0:
                tag_down(path[last_fail])

        if separable:
            order = np.lexsort((np.arange(self.size), levelsum, lb))
            order = order[status[order] != -1]  # ruled out already (the bound stays sorted)
        else:
            order = np.lexsort((np.arange(self.size), levelsum))
        for i in order.tolist():
            if best[0] is not None and max(lb[i], floor[i]) > best[0].loss + 1e-9:
                if separable:
                    break  # every later node has a bound at least this high
                status_skip = True
            else:
                status_skip = False
            if not status_skip and status[i] != -1:
                if status[i] == 1 and self.allowed == 0 and separable:
                    pass  # already evaluated during a climb and considered
                elif status[i] == 0:
                    r, sizes = evaluate_index(i)
                    if not separable and sizes is not None:
                        lb[i] = max(lb[i], self.dm_unsuppressed(sizes))
                    if not r.anonymous and self.monotone:
                        tag_down(i)
                        climb(i)
            if not separable:
                # discernibility bound: unsuppressed DM never decreases upward
                lv = nodes[i]
                for q in range(nq):
                    if lv[q] + 1 < heights[q]:
                        j = i + radix[q]
                        lb[j] = max(lb[j], lb[i])
        return best[0]

    def evaluate_lattice(self) -> list[NodeResult]:
        """Every node, evaluated (the exhaustive reference and the benchmark baseline)."""
        return [self.evaluate(lv) for lv in self.all_nodes()]

    # ------------------------------------------------------------------------------------
    # the release

    def release(
        self, levels: Sequence[int], *, suppression: Literal["remove", "mask"] = "remove"
    ) -> tuple[pa.Table, int, np.ndarray]:
        """The table generalised to ``levels`` with failing classes suppressed; also the number
        suppressed and the per-record keep mask."""
        cls, sizes, ok = self.classes(levels)
        keep_row = ok[cls][self.row_group]
        table = self.table
        for q, (name, lv) in enumerate(zip(self.names, levels)):
            col = self.columns[q]
            gen = self.hierarchies[name].generalize(col.dictionary, lv, column=name)
            out = pc.take(gen, pa.array(codes(table.column(name))[0]))
            if suppression == "mask":
                out = pc.if_else(pa.array(keep_row), out, pa.scalar(TOP))
            table = table.set_column(table.column_names.index(name), name, out)
        if suppression == "remove":
            table = table.filter(pa.array(keep_row))
        return table, int((~keep_row).sum()), keep_row


def anonymize(
    table: pa.Table,
    *,
    quasi_identifiers: Mapping[str, Hierarchy],
    model: Model = "k-anonymity",
    k: int = 5,
    l: int | None = None,
    c: float | None = None,
    t: float | None = None,
    sensitive: str | None = None,
    distance: EMD | None = None,
    order: Sequence[Any] | None = None,
    sensitive_hierarchy: TableHierarchy | None = None,
    max_suppression: float = 0.05,
    loss: Loss = "precision",
    suppression: Literal["remove", "mask"] = "remove",
    population: pa.Table | None = None,
    risk_threshold: float | None = None,
) -> Result:
    """Find the optimal full-domain generalisation of ``table`` and release it.

    ``quasi_identifiers`` maps each quasi-identifier column to its hierarchy. ``model`` is
    checked together with k-anonymity (``k``); l-diversity needs ``l`` (and ``c`` for the
    recursive variant), t-closeness ``t``; both need ``sensitive``. At most ``max_suppression``
    of the records may be suppressed (removed, or their quasi-identifiers set to ``*`` with
    ``suppression="mask"``). ``loss`` picks the metric the optimum minimises.

    Raises :class:`InvalidInput` before any work for a missing column, an uncovered value, bad
    parameters; and when no node is anonymous.
    """
    started = time.perf_counter()
    problem = Problem(
        table,
        quasi_identifiers=quasi_identifiers,
        model=model,
        k=k,
        l=l,
        c=c,
        t=t,
        sensitive=sensitive,
        distance=distance,
        order=order,
        sensitive_hierarchy=sensitive_hierarchy,
        max_suppression=max_suppression,
        loss=loss,
    )
    best = problem.search()
    if best is None:
        top = problem.evaluate([h - 1 for h in problem.heights])
        raise InvalidInput(
            M.MSG_NO_SOLUTION.format(
                model=_describe(model, k, l, c, t), suppression=max_suppression
            ),
            details={
                "records": problem.n,
                "suppression_limit": problem.allowed,
                "most_general_node_suppresses": top.suppressed,
            },
        )
    evaluated = problem.evaluations
    released, suppressed, keep = problem.release(best.levels, suppression=suppression)
    elapsed = time.perf_counter() - started
    levels = dict(zip(problem.names, best.levels))
    from datanuri.privacy.report import assessment

    kept = released if suppression == "remove" else released.filter(pa.array(keep))
    report = assessment(
        original=table,
        released=kept,
        quasi_identifiers=problem.names,
        hierarchies=problem.hierarchies,
        levels=levels,
        criteria=validate_parameters(model, k=k, l=l, c=c, t=t, sensitive=sensitive),
        sensitive=sensitive,
        distance=problem.distance if problem.sensitive else None,
        order=order,
        sensitive_hierarchy=sensitive_hierarchy,
        suppressed=suppressed,
        max_suppression=max_suppression,
        loss_metric=loss,
        loss=best.loss,
        population=population,
        risk_threshold=risk_threshold if risk_threshold is not None else 1.0 / k,
        search={
            "lattice_size": problem.size,
            "nodes_evaluated": evaluated,
            "seconds": round(elapsed, 4),
        },
    ).to_json()
    return Result(
        released, levels, suppressed, best.loss, report, problem.size, evaluated, elapsed, keep
    )


def _describe(model: str, k: int, l: int | None, c: float | None, t: float | None) -> str:
    extra = {
        "distinct-l-diversity": f", l={l}",
        "entropy-l-diversity": f", l={l}",
        "recursive-cl-diversity": f", c={c}, l={l}",
        "t-closeness": f", t={t}",
    }.get(model, "")
    return f"{model} (k={k}{extra})"
