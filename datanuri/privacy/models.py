"""Privacy models measured on a released table: k-anonymity, l-diversity (distinct, entropy,
recursive (c,l)) and t-closeness (equal-distance, ordered and hierarchical EMD).

Records are grouped into equivalence classes by their quasi-identifier values (Arrow dictionary
encoding, then integer keys combined in NumPy: no per-row Python). Nulls are a value like any
other. Sensitive-value statistics work on the sparse (class, value) counts, so cost grows with
the number of distinct pairs, not classes × values; the EMD variants that need whole
distributions are computed densely in chunks of classes.

Each function returns the table's value for the model: the largest k, l, the smallest c / t that
holds. :func:`check_criteria` measures a table against criteria objects
(:mod:`datanuri.privacy.criteria`) and says whether it passed.

**t-closeness, one definition (ARX's).** A class's sensitive distribution is compared with the
distribution of the sensitive attribute in the whole *input* table, before any suppression, over
the input's value domain (ARX's ``DataManager.getDistribution``: the original dataset; its
``EqualDistanceTCloseness``, ``OrderedDistanceTCloseness`` and ``HierarchicalDistanceTCloseness``
check each class against it). The lattice search checks classes this way, and the assessment
that gates release measures the released table this way too: pass the input's sensitive column
as ``reference``. Without ``reference`` a table is measured against its own distribution (what
pycanon does), which equals the definition only when nothing was suppressed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.criteria import (
    DEFAULT_K,
    Criterion,
    Distance,
    DistinctLDiversity,
    EntropyLDiversity,
    Model,
    RecursiveCLDiversity,
    TCloseness,
    criteria_for,
    k_of,
    model_name,
    sensitive_criterion,
)
from datanuri.privacy.encoding import (
    codes,
    combine_codes,
)
from datanuri.privacy.hierarchies import TableHierarchy, _flat

EMD = Distance

# --------------------------------------------------------------------------------------------
# grouping


def group_ids(table: pa.Table, columns: Sequence[str]) -> tuple[np.ndarray, int]:
    """Equivalence-class id of every row of ``table`` for the ``columns`` and the class count."""
    _check_columns(table, columns)
    cs, cards = [], []
    for col in columns:
        c, d = codes(table.column(col))
        cs.append(c)
        cards.append(max(len(d), 1))
    if not cs:
        return np.zeros(table.num_rows, dtype=np.int64), 1 if table.num_rows else 0
    return combine_codes(cs, cards)


def _check_columns(table: pa.Table, columns: Sequence[str]) -> None:
    for c in columns:
        if c not in table.column_names:
            raise InvalidInput(
                M.MSG_MISSING_COLUMN.format(column=c, columns=", ".join(table.column_names))
            )


@dataclass(frozen=True)
class Classes:
    """Equivalence classes of a table with (optionally) sensitive-value counts per class."""

    ids: np.ndarray  # class id per row
    sizes: np.ndarray  # size per class
    # sparse (class, sensitive value) counts, sorted by class
    pair_class: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pair_value: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pair_count: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    values: pa.Array | None = None  # the sensitive dictionary (value per code)
    overall: np.ndarray | None = None  # overall count per sensitive code

    @property
    def n(self) -> int:
        return int(self.sizes.sum())

    @property
    def count(self) -> int:
        return len(self.sizes)


def classes(
    table: pa.Table,
    quasi_identifiers: Sequence[str],
    sensitive: str | None = None,
    *,
    reference: pa.Array | pa.ChunkedArray | None = None,
) -> Classes:
    """The classes of ``table`` with their sensitive-value counts. The overall distribution (and
    value dictionary) is the table's own, or that of ``reference`` (the input's sensitive column:
    see the module's note on t-closeness)."""
    ids, g = group_ids(table, quasi_identifiers)
    sizes = np.bincount(ids, minlength=g)
    if sensitive is None:
        return Classes(ids, sizes)
    _check_columns(table, [sensitive])
    if reference is None:
        s, dictionary = codes(table.column(sensitive))
        m = max(len(dictionary), 1)
        overall = np.bincount(s, minlength=m)
    else:
        ref, dictionary = codes(reference)
        m = max(len(dictionary), 1)
        overall = np.bincount(ref, minlength=m)
        s = codes_in(table.column(sensitive), dictionary)
    pair_key = ids.astype(np.int64, copy=False) * m + s
    uniq, cnt = np.unique(pair_key, return_counts=True)
    return Classes(ids, sizes, uniq // m, uniq % m, cnt, dictionary, overall)


def codes_in(values: pa.Array | pa.ChunkedArray, dictionary: pa.Array) -> np.ndarray:
    """The code of every value in ``dictionary`` (as :func:`codes` gives it: nulls match a null
    entry). Raises :class:`InvalidInput` for a value the dictionary lacks."""
    flat = _flat(values)
    if flat.type != dictionary.type:
        flat = flat.cast(dictionary.type)
    idx = pc.index_in(flat, value_set=dictionary, skip_nulls=False)
    if idx.null_count:
        missing = flat.filter(pc.is_null(idx)).unique().to_pylist()
        raise InvalidInput(
            M.MSG_HIERARCHY_MISSING_VALUES.format(
                column="reference distribution",
                count=len(missing),
                examples=", ".join(map(repr, missing[:5])),
            )
        )
    return np.asarray(idx.to_numpy(zero_copy_only=False)).astype(np.int64, copy=False)


def classes_from_counts(
    sizes: np.ndarray,
    pair_class: np.ndarray,
    pair_value: np.ndarray,
    pair_count: np.ndarray,
    m: int,
) -> Classes:
    """Build :class:`Classes` from precomputed sparse counts (used by the optimiser)."""
    overall = np.bincount(pair_value, weights=pair_count, minlength=m).astype(np.int64)
    return Classes(np.zeros(0, np.int64), sizes, pair_class, pair_value, pair_count, None, overall)


# --------------------------------------------------------------------------------------------
# per-class statistics (arrays of one value per class)


def class_distinct(c: Classes) -> np.ndarray:
    return np.bincount(c.pair_class, minlength=c.count)


def class_entropy(c: Classes) -> np.ndarray:
    """Shannon entropy (natural log) of the sensitive values in each class."""
    p = c.pair_count / c.sizes[c.pair_class]
    return -np.bincount(c.pair_class, weights=p * np.log(p), minlength=c.count)


def class_recursive_ratio(c: Classes, l: int) -> np.ndarray:
    """Per class, r1 / (r_l + ... + r_m) for counts sorted descending (inf if fewer than l values).
    The class is recursive (c,l)-diverse iff this is < c."""
    order = np.lexsort((-c.pair_count, c.pair_class))
    cls, cnt = c.pair_class[order], c.pair_count[order]
    first = np.searchsorted(cls, np.arange(c.count))
    rank = np.arange(len(cls)) - first[cls]
    r1 = cnt[first]  # the most frequent value (classes are never empty)
    tail = np.bincount(cls, weights=np.where(rank >= l - 1, cnt, 0), minlength=c.count)
    with np.errstate(divide="ignore"):
        return np.where(tail > 0, r1 / np.where(tail > 0, tail, 1), np.inf)


def class_emd_equal(c: Classes) -> np.ndarray:
    """Equal-distance EMD per class: half the L1 distance to the overall distribution."""
    assert c.overall is not None
    p = c.overall / c.overall.sum()
    q = c.pair_count / c.sizes[c.pair_class]
    inside = np.bincount(c.pair_class, weights=np.abs(q - p[c.pair_value]), minlength=c.count)
    covered = np.bincount(c.pair_class, weights=p[c.pair_value], minlength=c.count)
    return 0.5 * (inside + (1.0 - covered))


def _dense_chunks(c: Classes, m: int, budget: int = 20_000_000):
    """Yield (first_class, dense (classes × m) distribution difference q - p) chunks."""
    assert c.overall is not None
    p = c.overall / c.overall.sum()
    step = max(1, budget // max(m, 1))
    starts = np.searchsorted(c.pair_class, np.arange(0, c.count + step, step))
    for k, lo in enumerate(range(0, c.count, step)):
        hi = min(lo + step, c.count)
        a, b = starts[k], starts[k + 1] if k + 1 < len(starts) else len(c.pair_class)
        q = np.zeros((hi - lo, m))
        np.add.at(q, (c.pair_class[a:b] - lo, c.pair_value[a:b]), c.pair_count[a:b])
        q /= c.sizes[lo:hi, None]
        yield lo, q - p[None, :]


def emd_ordered_from_diff(diff: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Ordered EMD per row of ``diff`` (q - p per sensitive code); ``order[i]`` = rank of code i."""
    m = diff.shape[1]
    if m <= 1:
        return np.zeros(len(diff))
    inv = np.argsort(order)
    return np.abs(np.cumsum(diff[:, inv], axis=1)).sum(axis=1) / (m - 1)


def emd_hierarchical_from_diff(diff: np.ndarray, leaf_nodes: list[np.ndarray]) -> np.ndarray:
    """Hierarchical EMD per row of ``diff`` (Li, Li & Venkatasubramanian 2007).

    ``leaf_nodes[j][i]`` is the node id at level ``j + 1`` of sensitive code ``i``; the last level
    is the root. The cost of a node at level j is (j / H) × min(positive extra, negative extra) of
    its children, where a child's extra is the sum of q - p over the leaves below it.
    """
    m = diff.shape[1]
    height = len(leaf_nodes)
    cost = np.zeros(len(diff))
    if m <= 1 or height == 0:
        return cost
    child = diff  # extras of the nodes one level down, starting with the leaves
    child_node = np.arange(m)  # the level-(j-1) node of every leaf
    for j, nodes in enumerate(leaf_nodes, start=1):
        parent_of_child = np.zeros(child.shape[1], dtype=np.int64)
        parent_of_child[child_node] = nodes
        n_parents = int(nodes.max()) + 1
        pos = np.zeros((n_parents, len(diff)))
        neg = np.zeros((n_parents, len(diff)))
        np.add.at(pos, parent_of_child, np.maximum(child, 0).T)
        np.add.at(neg, parent_of_child, np.maximum(-child, 0).T)
        cost += (j / height) * np.minimum(pos, neg).sum(axis=0)
        child = (pos - neg).T
        child_node = nodes
    return cost


def class_emd_ordered(c: Classes, order: np.ndarray) -> np.ndarray:
    """Ordered-distance EMD per class; ``order[i]`` is the rank of sensitive code ``i``."""
    out = np.zeros(c.count)
    for lo, diff in _dense_chunks(c, len(order)):
        out[lo : lo + len(diff)] = emd_ordered_from_diff(diff, order)
    return out


def class_emd_hierarchical(c: Classes, leaf_nodes: list[np.ndarray]) -> np.ndarray:
    """Hierarchical EMD per class (see :func:`emd_hierarchical_from_diff`)."""
    m = len(leaf_nodes[0]) if leaf_nodes else 0
    out = np.zeros(c.count)
    if m <= 1:
        return out
    for lo, diff in _dense_chunks(c, m):
        out[lo : lo + len(diff)] = emd_hierarchical_from_diff(diff, leaf_nodes)
    return out


def passes_dense(
    matrix: np.ndarray,
    sizes: np.ndarray,
    model: str,
    *,
    k: int,
    l: int | None = None,
    cl_c: float | None = None,
    t: float | None = None,
    overall: np.ndarray | None = None,
    distance: str | None = "equal",
    order: np.ndarray | None = None,
    leaf_nodes: list[np.ndarray] | None = None,
) -> np.ndarray:
    """:func:`class_passes` on a dense (classes × sensitive values) count matrix."""
    ok = sizes >= k
    if model == "distinct-l-diversity":
        ok &= (matrix > 0).sum(axis=1) >= (l or 1)
    elif model == "entropy-l-diversity":
        p = matrix / sizes[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            h = -np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0.0).sum(axis=1)
        ok &= h >= math.log(l or 1) - 1e-12
    elif model == "recursive-cl-diversity":
        srt = -np.sort(-matrix, axis=1)
        r1 = srt[:, 0]
        tail = srt[:, (l or 1) - 1 :].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(tail > 0, r1 / np.where(tail > 0, tail, 1), np.inf)
        ok &= ratio < (cl_c or 0)
    elif model == "t-closeness":
        assert overall is not None
        diff = matrix / sizes[:, None] - (overall / overall.sum())[None, :]
        if distance == "ordered":
            assert order is not None
            emd = emd_ordered_from_diff(diff, order)
        elif distance == "hierarchical":
            assert leaf_nodes is not None
            emd = emd_hierarchical_from_diff(diff, leaf_nodes)
        else:
            emd = 0.5 * np.abs(diff).sum(axis=1)
        ok &= emd <= (t if t is not None else 1.0) + 1e-12
    return ok


def hierarchy_nodes(values: pa.Array, hierarchy: TableHierarchy) -> list[np.ndarray]:
    """Node ids per level (1..top) for each sensitive value, from a table hierarchy."""
    nodes = []
    for level in range(1, hierarchy.height):
        gen = hierarchy.generalize(values, level)
        c, _ = codes(gen)
        nodes.append(c)
    return nodes


def value_order(values: pa.Array, order: Sequence[Any] | None = None) -> np.ndarray:
    """Rank of each sensitive code: the given ``order``, else numeric or lexicographic order."""
    v = _flat(values)
    if order is not None:
        pos = {x: i for i, x in enumerate(order)}
        missing = [x for x in v.to_pylist() if x not in pos]
        if missing:
            raise InvalidInput(
                M.MSG_HIERARCHY_MISSING_VALUES.format(
                    column="order", count=len(missing), examples=", ".join(map(repr, missing[:5]))
                )
            )
        ranks = np.array([pos[x] for x in v.to_pylist()])
    else:
        ranks = (
            np.asarray(
                pc.rank(v, sort_keys="ascending", tiebreaker="first").to_numpy(zero_copy_only=False)
            )
            - 1
        )
    return np.argsort(np.argsort(ranks))


# --------------------------------------------------------------------------------------------
# table-level values


def _require(
    table: pa.Table, quasi_identifiers: Sequence[str], sensitive: str | None, model: str
) -> None:
    if not quasi_identifiers:
        raise InvalidInput(M.MSG_NO_QUASI_IDENTIFIERS)
    _check_columns(table, list(quasi_identifiers) + ([sensitive] if sensitive else []))
    if model != "k-anonymity" and not sensitive:
        raise InvalidInput(M.MSG_NEEDS_SENSITIVE.format(model=model))
    if sensitive and sensitive in quasi_identifiers:
        raise InvalidInput(M.MSG_SENSITIVE_IS_QI.format(column=sensitive))


def k_anonymity(table: pa.Table, *, quasi_identifiers: Sequence[str]) -> int:
    """The size of the smallest equivalence class (0 for an empty table)."""
    _require(table, quasi_identifiers, None, "k-anonymity")
    if table.num_rows == 0:
        return 0
    return int(classes(table, quasi_identifiers).sizes.min())


def l_diversity(
    table: pa.Table,
    *,
    quasi_identifiers: Sequence[str],
    sensitive: str,
    variant: Literal["distinct", "entropy"] = "distinct",
) -> float:
    """Distinct l: the fewest distinct sensitive values in a class. Entropy l: exp of the lowest
    class entropy (a class is entropy-l-diverse iff its entropy ≥ log l)."""
    _require(table, quasi_identifiers, sensitive, f"{variant}-l-diversity")
    if table.num_rows == 0:
        return 0
    c = classes(table, quasi_identifiers, sensitive)
    if variant == "distinct":
        return int(class_distinct(c).min())
    if variant == "entropy":
        return float(math.exp(class_entropy(c).min()))
    raise InvalidInput(
        M.MSG_UNKNOWN_OPTION.format(
            what="l-diversity variant", value=variant, choices="distinct, entropy"
        )
    )


def recursive_cl_diversity(
    table: pa.Table, *, quasi_identifiers: Sequence[str], sensitive: str, l: int
) -> float:
    """The largest r1 / (r_l + … + r_m) over classes: the table is recursive (c,l)-diverse for
    every c greater than this (inf when a class has fewer than l distinct values)."""
    _require(table, quasi_identifiers, sensitive, "recursive-cl-diversity")
    if not isinstance(l, int) or l < 1:
        raise InvalidInput(M.MSG_BAD_L.format(l=l))
    if table.num_rows == 0:
        return 0.0
    return float(class_recursive_ratio(classes(table, quasi_identifiers, sensitive), l).max())


def t_closeness(
    table: pa.Table,
    *,
    quasi_identifiers: Sequence[str],
    sensitive: str,
    distance: EMD | None = None,
    order: Sequence[Any] | None = None,
    hierarchy: TableHierarchy | None = None,
    reference: pa.Array | pa.ChunkedArray | None = None,
) -> float:
    """The largest Earth Mover's Distance between a class's sensitive distribution and the
    reference distribution: the input's (``reference``, its sensitive column: the definition the
    search and the gate use), else the table's own. ``distance``: ``"equal"`` (categorical; the
    default for text), ``"ordered"`` (numeric or ordinal; the default for numbers, or give
    ``order``), ``"hierarchical"`` (needs ``hierarchy``)."""
    _require(table, quasi_identifiers, sensitive, "t-closeness")
    if table.num_rows == 0:
        return 0.0
    c = classes(table, quasi_identifiers, sensitive, reference=reference)
    return float(
        class_emd(
            c, table.column(sensitive).type, distance=distance, order=order, hierarchy=hierarchy
        ).max()
    )


def class_emd(
    c: Classes,
    sensitive_type: pa.DataType,
    *,
    distance: EMD | None = None,
    order: Sequence[Any] | None = None,
    hierarchy: TableHierarchy | None = None,
) -> np.ndarray:
    assert c.values is not None
    if distance is None:
        numeric = (
            pa.types.is_integer(sensitive_type)
            or pa.types.is_floating(sensitive_type)
            or pa.types.is_decimal(sensitive_type)
        )
        distance = (
            "hierarchical"
            if hierarchy is not None
            else ("ordered" if numeric or order is not None else "equal")
        )
    if distance == "equal":
        return class_emd_equal(c)
    if distance == "ordered":
        return class_emd_ordered(c, value_order(c.values, order))
    if distance == "hierarchical":
        if hierarchy is None:
            raise InvalidInput(
                M.MSG_UNKNOWN_OPTION.format(
                    what="t-closeness setting",
                    value="hierarchical without a hierarchy",
                    choices="pass hierarchy=...",
                )
            )
        return class_emd_hierarchical(c, hierarchy_nodes(c.values, hierarchy))
    raise InvalidInput(
        M.MSG_UNKNOWN_OPTION.format(
            what="EMD distance", value=distance, choices="equal, ordered, hierarchical"
        )
    )


# --------------------------------------------------------------------------------------------
# a policy check


@dataclass(frozen=True)
class ModelCheck:
    """The measured values of a table and whether they satisfy the requested parameters."""

    model: str
    passed: bool
    k: int
    l: float | None = None
    c: float | None = None
    t: float | None = None
    required: dict[str, Any] = field(default_factory=dict)
    failing_classes: int = 0
    failing_records: int = 0


def validate_parameters(
    model: str, *, k: int, l: int | None, c: float | None, t: float | None, sensitive: str | None
) -> tuple[Criterion, ...]:
    """The criteria of ``model`` with these parameters, each validated by its class (a missing
    parameter is an error here: the engine's callers pass every value explicitly)."""
    criteria = criteria_for(model, k=k, l=l, c=c, t=t, missing="error")
    extra = sensitive_criterion(criteria)
    if extra is not None and not sensitive:
        raise InvalidInput(M.MSG_NEEDS_SENSITIVE.format(model=extra.name))
    return criteria


def class_passes(
    c: Classes,
    model: str,
    *,
    k: int,
    l: int | None = None,
    cl_c: float | None = None,
    t: float | None = None,
    emd: np.ndarray | None = None,
) -> np.ndarray:
    """Boolean per class: does the class satisfy k and the model?"""
    ok = c.sizes >= k
    if model == "distinct-l-diversity":
        ok &= class_distinct(c) >= (l or 1)
    elif model == "entropy-l-diversity":
        ok &= class_entropy(c) >= math.log(l or 1) - 1e-12
    elif model == "recursive-cl-diversity":
        ok &= class_recursive_ratio(c, l or 1) < (cl_c or 0)
    elif model == "t-closeness":
        assert emd is not None
        ok &= emd <= (t if t is not None else 1.0) + 1e-12
    return ok


def check(
    table: pa.Table,
    *,
    quasi_identifiers: Sequence[str],
    model: Model = "k-anonymity",
    k: int = DEFAULT_K,
    l: int | None = None,
    c: float | None = None,
    t: float | None = None,
    sensitive: str | None = None,
    distance: EMD | None = None,
    order: Sequence[Any] | None = None,
    hierarchy: TableHierarchy | None = None,
    reference: pa.Array | pa.ChunkedArray | None = None,
) -> ModelCheck:
    """:func:`check_criteria` with the criteria given as a model name and loose parameters."""
    criteria = criteria_for(model, k=k, l=l, c=c, t=t, distance=distance, missing="error")
    return check_criteria(
        table,
        quasi_identifiers=quasi_identifiers,
        criteria=criteria,
        sensitive=sensitive,
        order=order,
        hierarchy=hierarchy,
        reference=reference,
    )


def check_criteria(
    table: pa.Table,
    *,
    quasi_identifiers: Sequence[str],
    criteria: tuple[Criterion, ...],
    sensitive: str | None = None,
    order: Sequence[Any] | None = None,
    hierarchy: TableHierarchy | None = None,
    reference: pa.Array | pa.ChunkedArray | None = None,
) -> ModelCheck:
    """Measure ``table`` against ``criteria`` (k-anonymity and at most one sensitive criterion)
    and say whether it passed, with how many classes and records fail. t-closeness compares with
    ``reference`` (the input's sensitive column, as the search does) when given."""
    extra = sensitive_criterion(criteria)
    model = model_name(criteria)
    if extra is not None and not sensitive:
        raise InvalidInput(M.MSG_NEEDS_SENSITIVE.format(model=model))
    attr = sensitive if extra is not None else None
    _require(table, quasi_identifiers, attr, model)
    if table.num_rows == 0:
        raise InvalidInput(M.MSG_EMPTY_TABLE)
    cls = classes(
        table,
        quasi_identifiers,
        attr,
        reference=reference if isinstance(extra, TCloseness) else None,
    )
    sensitive_type = table.column(str(sensitive)).type if isinstance(extra, TCloseness) else None
    return check_classes(
        cls, criteria=criteria, sensitive_type=sensitive_type, order=order, hierarchy=hierarchy
    )


def check_classes(
    cls: Classes,
    *,
    criteria: tuple[Criterion, ...],
    sensitive_type: pa.DataType | None = None,
    order: Sequence[Any] | None = None,
    hierarchy: TableHierarchy | None = None,
) -> ModelCheck:
    """Measure the classes ``cls`` (with their sensitive-value counts) against ``criteria``: the
    part of :func:`check_criteria` after the records are grouped, so a weighted class table
    (the compute engine's) is measured by the same code."""
    k = k_of(criteria)
    extra = sensitive_criterion(criteria)
    model = model_name(criteria)
    emd = None
    measured: dict[str, Any] = {"k": int(cls.sizes.min())}
    if isinstance(extra, (DistinctLDiversity, RecursiveCLDiversity)):
        measured["l"] = float(class_distinct(cls).min())
    elif isinstance(extra, EntropyLDiversity):
        measured["l"] = float(math.exp(class_entropy(cls).min()))
    if isinstance(extra, RecursiveCLDiversity):
        measured["c"] = float(class_recursive_ratio(cls, extra.l).max())
    elif isinstance(extra, TCloseness):
        assert sensitive_type is not None
        emd = class_emd(
            cls,
            sensitive_type,
            distance=extra.distance,
            order=order,
            hierarchy=hierarchy,
        )
        measured["t"] = float(emd.max())
    ok = class_passes(
        cls,
        model,
        k=k,
        l=getattr(extra, "l", None),
        cl_c=getattr(extra, "c", None),
        t=getattr(extra, "t", None),
        emd=emd,
    )
    required: dict[str, Any] = {}
    for crit in criteria:
        required.update({key: v for key, v in crit.parameters().items() if key != "distance"})
    return ModelCheck(
        model=model,
        passed=bool(ok.all()),
        required=required,
        failing_classes=int((~ok).sum()),
        failing_records=int(cls.sizes[~ok].sum()),
        **measured,
    )
