"""The optimal full-domain de-identification of a Parquet file on the compute engine.

The engine counts each quasi-identifier's distinct values, from which :func:`start_levels`
finds the lowest level per column an anonymous node can have (below it, the column alone
makes more records than the suppression limit fall into classes smaller than k); it then
computes the frequency table of the quasi-identifiers at those levels (GROUP BY small integer
codes, each class of the start level coded by one of its leaves, and the sensitive column,
with counts); the lattice search of :mod:`datanuri.privacy.search` runs on it over the nodes
above the start (it only ever needs distinct combinations with their counts); the engine
then streams the release: each quasi-identifier joined to a
small mapping table of its chosen level, the failing classes anti-joined (or masked), written
to Parquet in the source's row order (``ORDER BY`` the source row position). Nothing
proportional to the rows is held in Python: the frequency table, the mapping tables and the
failing classes are proportional to distinct values.

The release equals :func:`datanuri.privacy.anonymize.anonymize`'s table: the same rows in the
same (source) order, the same values and column types. Started at the leaves, the search adds
its losses in the same order as the in-memory one (the same loss to the last bit); started
above them, it sums the same losses over fewer, larger rows (equal up to rounding in the last
bits, which the search's ranking ignores: it rounds losses to 9 decimals).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datanuri.engine import Engine, Parquet
from datanuri.errors import InvalidInput
from datanuri.privacy import engine_sql as S
from datanuri.privacy import messages as M
from datanuri.privacy.anonymize import check_risk_threshold
from datanuri.privacy.criteria import DEFAULT_K, KAnonymity, Loss, check_floor, describe
from datanuri.privacy.encoding import codes
from datanuri.privacy.hierarchies import Hierarchy, TableHierarchy
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.models import EMD, Model
from datanuri.privacy.search.bounds import column_bound
from datanuri.privacy.search.frame import ColumnCodes, encode_column
from datanuri.privacy.search.problem import Problem


@dataclass(frozen=True)
class FileRelease:
    """What :func:`anonymize_file` did: the chosen levels and the release's counts."""

    levels: dict[str, int]  # the chosen generalisation level per quasi-identifier
    records: int  # records in the source
    released: int  # records written to the release
    suppressed: int  # records suppressed (removed, or masked)
    loss: float  # the value of the chosen loss metric
    distinct_combinations: int  # rows of the frequency table the search ran on
    start: dict[str, int]  # per quasi-identifier, the level the frequency table was grouped at
    lattice_size: int
    nodes_evaluated: int
    elapsed_seconds: float
    engine: str
    # per quasi-identifier: its distinct source values (a null among them if any), for the
    # report's information loss; the sensitive column's source distribution (values, counts)
    # when the model has one (t-closeness's reference)
    dictionaries: dict[str, pa.Array] = field(default_factory=dict)
    sensitive_counts: pa.Table | None = None
    distance: str | None = None  # the t-closeness distance the search resolved


@dataclass(frozen=True)
class Leaves:
    """One quasi-identifier's distinct source values in order of first appearance (a null
    among them if the column has one) and the records holding each."""

    values: pa.Array
    counts: npt.NDArray[np.int64]

    def non_null(self) -> pa.Array:
        """The values without the null."""
        return self.values.drop_null()


def column_leaves(engine: Engine, source: Path, column: str) -> Leaves:
    """The distinct values of ``column`` in the Parquet file ``source`` with their counts."""
    table = engine.query(S.values_sql(column), {S.SOURCE: Parquet(source, row_number=S.ROW)})
    table = table.sort_by(S.FIRST)
    counts = np.asarray(table.column(S.COUNT).to_numpy(), dtype=np.int64)
    return Leaves(table.column("v").combine_chunks(), counts)


def _nests(col: ColumnCodes, level: int) -> bool:
    """Whether a value of ``col`` at ``level`` decides its value at every higher level."""
    groups = len(np.unique(col.maps[level]))
    return all(
        len(np.unique(col.maps[level].astype(np.int64) * col.cards[j] + col.maps[j])) == groups
        for j in range(level + 1, col.height)
    )


def start_levels(
    leaves: Sequence[Leaves],
    quasi_identifiers: Mapping[str, Hierarchy],
    *,
    k: int,
    allowed: int,
    loss: Loss,
) -> tuple[int, ...]:
    """Per quasi-identifier, the lowest level an anonymous node can give it.

    A node with a column at level j suppresses at least the records whose value at level j is
    held by fewer than ``k`` records: its projection onto that column (every other column at
    its top level) merges its classes, and a record in a class of ``k`` or more stays in one as
    classes merge, whatever the model (each includes k-anonymity). So the levels whose bound
    (:func:`~datanuri.privacy.search.bounds.column_bound`) exceeds the ``allowed`` suppressed
    records fail in every node, and an anonymous node lies above the levels returned here.
    A level is only a start if its values decide the values of every higher level (then each
    class of a node above it is a union of classes of the start, and a table holding one leaf
    per start class evaluates those nodes exactly); the losses that weigh each leaf (NCP,
    entropy) start at the leaves."""
    if loss in ("ncp", "entropy"):
        return tuple(0 for _ in leaves)
    start = []
    for (name, hierarchy), leaf in zip(quasi_identifiers.items(), leaves, strict=True):
        _, col = encode_column(leaf.values, name, hierarchy, leaf.counts.astype(np.float64))
        passing = np.flatnonzero(column_bound(col, k) <= allowed)
        level = int(passing[0]) if len(passing) else col.height - 1
        while level and not _nests(col, level):
            level -= 1
        start.append(level)
    return tuple(start)


def representatives(
    leaf: Leaves, hierarchy: Hierarchy, level: int, column: str
) -> npt.NDArray[np.int32]:
    """Per non-null leaf, the position (among the non-null leaves) of the first leaf with the
    same value at ``level``: the leaf that stands for its class of that level."""
    values = leaf.non_null()
    if level == 0 or len(values) == 0:
        return np.arange(len(values), dtype=np.int32)
    group, _ = codes(hierarchy.generalize(values, level, column=column))
    first = np.full(int(group.max()) + 1, len(values), dtype=np.int32)
    np.minimum.at(first, group, np.arange(len(values), dtype=np.int32))
    return first[group]


def frequencies(
    engine: Engine,
    source: Path,
    quasi_identifiers: Mapping[str, Hierarchy],
    leaves: Sequence[Leaves],
    start: Sequence[int],
    extra: Sequence[str] = (),
) -> pa.Table:
    """The frequency table of ``source`` at the ``start`` levels (column ``__count``): each
    quasi-identifier as a dictionary array over its non-null leaves, every class of the start
    level held by its first leaf (the leaf itself at level 0), then the ``extra`` columns; the
    combinations in the order they first occur in the source. The engine groups small integer
    codes, not the values; whichever engine computed it, the search then codes every value as
    the in-memory search does (first appearance), so at the leaves it adds its losses in the
    same order and finds the same optimum to the last bit."""
    names = list(quasi_identifiers)
    inputs: dict[str, Any] = {S.SOURCE: Parquet(source, row_number=S.ROW)}
    types = []
    for i, (name, leaf) in enumerate(zip(names, leaves, strict=True)):
        rep = representatives(leaf, quasi_identifiers[name], start[i], name)
        types.append(pa.int16() if len(rep) < 2**15 else pa.int32())  # codes of 2 bytes mostly
        inputs[S.code_name(i)] = pa.table({"v": leaf.non_null(), "c": pa.array(rep, types[i])})
    table = engine.query(S.coded_frequency_sql(names, extra), inputs)
    cols: dict[str, Any] = {}
    for i, (name, leaf) in enumerate(zip(names, leaves, strict=True)):
        idx = table.column(S.code_column(i)).combine_chunks().cast(types[i])
        cols[name] = pa.DictionaryArray.from_arrays(idx, leaf.non_null())
    for c in extra:
        cols[c] = table.column(c)
    cols[S.COUNT] = table.column(S.COUNT)
    out = pa.table(cols)
    # Spark marks counts not null
    return out.cast(pa.schema([f.with_nullable(True) for f in out.schema]))


def failing_classes(problem: Problem, levels: Sequence[int]) -> pa.Table:
    """The generalised values of the classes of ``levels`` that fail (one row each; columns
    ``q0``, ``q1``... and ``__failed``)."""
    found = problem.classes(levels)
    bad = ~found.ok[found.cls]  # per frequency-table row
    frame = problem.frame
    cols = {}
    for i, (col, level) in enumerate(zip(frame.columns, levels, strict=True)):
        gen = problem.hierarchies[col.name].generalize(col.dictionary, int(level), column=col.name)
        cols[S.fail_column(i)] = pc.take(gen, pa.array(frame.qcodes[i][bad]))
    table = pa.table(cols).group_by(list(cols)).aggregate([])
    return table.append_column(S.FAILED, pa.array([True] * table.num_rows, pa.bool_()))


def mapping_table(values: pa.Array, hierarchy: Hierarchy, level: int, column: str) -> pa.Table:
    """Leaf value ``v`` -> generalised value ``g`` at ``level`` for the non-null ``values``."""
    values = values.drop_null()
    return pa.table({"v": values, "g": hierarchy.generalize(values, level, column=column)})


def anonymize_file(
    engine: Engine,
    source: Path,
    out: Path,
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
    suppression: Literal["remove", "mask"] = "remove",
    risk_threshold: float | None = None,
    limits: PolicyLimits | None = None,
    drop: Sequence[str] = (),
) -> FileRelease:
    """Find the optimal full-domain generalisation of the Parquet file ``source`` on ``engine``
    and stream its release to ``out`` (the parameters are :func:`anonymize`'s; ``drop``: source
    columns left out of the release)."""
    started = time.perf_counter()
    if limits is not None:
        check_floor((KAnonymity(k),), limits)
    search_k = k
    if risk_threshold is not None:
        check_risk_threshold(risk_threshold)
        search_k = max(k, math.ceil(1.0 / risk_threshold - 1e-9))
    names = list(quasi_identifiers)
    schema = pq.read_schema(source)
    extra = [sensitive] if sensitive and model != "k-anonymity" else []
    missing = [c for c in names + extra if c not in schema.names]
    if missing:
        raise InvalidInput(
            M.MSG_MISSING_COLUMN.format(column=missing[0], columns=", ".join(schema.names))
        )
    leaves = [column_leaves(engine, source, name) for name in names]
    allowed = int(math.floor(float(max_suppression) * int(leaves[0].counts.sum()) + 1e-9))
    start = start_levels(leaves, quasi_identifiers, k=search_k, allowed=allowed, loss=loss)
    freq = frequencies(engine, source, quasi_identifiers, leaves, start, extra)
    problem = Problem(
        freq,
        quasi_identifiers=quasi_identifiers,
        model=model,
        k=search_k,
        l=l,
        c=c,
        t=t,
        sensitive=sensitive if model != "k-anonymity" else None,
        distance=distance,
        order=order,
        sensitive_hierarchy=sensitive_hierarchy,
        max_suppression=max_suppression,
        loss=loss,
        counts=S.COUNT,
    )
    reference = None
    if extra:
        reference = freq.group_by(extra).aggregate([(S.COUNT, "sum")])
    del freq  # the search holds its own codes; the engine's table is free before it runs
    best = problem.search(start)
    if best is None:
        criteria = (KAnonymity(k), *problem.criteria[1:])
        top = problem.evaluate(problem.lattice.top())
        raise InvalidInput(
            M.MSG_NO_SOLUTION.format(model=describe(criteria), suppression=max_suppression),
            details={
                "records": problem.n,
                "suppression_limit": problem.allowed,
                "most_general_node_suppresses": top.suppressed,
            },
        )
    levels = best.levels
    inputs: dict[str, Any] = {S.SOURCE: Parquet(source, row_number=S.ROW)}
    for i, (name, leaf) in enumerate(zip(names, leaves, strict=True)):
        inputs[S.map_name(i)] = mapping_table(leaf.values, quasi_identifiers[name], levels[i], name)
    inputs[S.FAIL] = failing_classes(problem, levels)
    records, distinct, size, evaluated = problem.n, problem.F, problem.size, problem.evaluations
    resolved = problem.distance if problem.sensitive else None
    dictionaries = {name: leaf.values for name, leaf in zip(names, leaves, strict=True)}
    del problem  # the search's memory is free before the engine writes the release
    kept = [c for c in schema.names if c not in set(drop)]
    sql = S.release_sql(kept, names, suppression=suppression)
    written = engine.write_parquet(sql, inputs, out)
    return FileRelease(
        levels=dict(zip(names, levels, strict=True)),
        records=records,
        released=written if suppression == "remove" else written - best.suppressed,
        suppressed=best.suppressed,
        loss=best.loss,
        distinct_combinations=distinct,
        start=dict(zip(names, start, strict=True)),
        lattice_size=size,
        nodes_evaluated=evaluated,
        elapsed_seconds=time.perf_counter() - started,
        engine=engine.name,
        dictionaries=dictionaries,
        sensitive_counts=reference,
        distance=resolved,
    )
