"""The optimal full-domain de-identification of a Parquet file on the compute engine.

The engine computes the frequency table of the quasi-identifier codes (GROUP BY the
quasi-identifiers and the sensitive column, with counts); the lattice search of
:mod:`datanuri.privacy.search` runs on it unchanged (it only ever needs distinct combinations
with their counts); the engine then streams the release: each quasi-identifier joined to a
small mapping table of its chosen level, the failing classes anti-joined (or masked), written
to Parquet in the source's row order (``ORDER BY`` the source row position). Nothing
proportional to the rows is held in Python: the frequency table, the mapping tables and the
failing classes are proportional to distinct values.

The release equals :func:`datanuri.privacy.anonymize.anonymize`'s table: the same rows in the
same (source) order, the same values and column types.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datanuri.engine import Engine, Parquet
from datanuri.errors import InvalidInput
from datanuri.privacy import engine_sql as S
from datanuri.privacy import messages as M
from datanuri.privacy.anonymize import check_risk_threshold
from datanuri.privacy.criteria import DEFAULT_K, KAnonymity, Loss, check_floor, describe
from datanuri.privacy.hierarchies import Hierarchy, TableHierarchy
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.models import EMD, Model
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


def frequencies(
    engine: Engine, source: Path, columns: Sequence[str], *, source_columns: Sequence[str]
) -> pa.Table:
    """The frequency table of ``columns`` in the Parquet file ``source`` (column ``__count``),
    its combinations in the order they first occur in the source: whichever engine computed
    it, the search then codes every value as the in-memory search does (first appearance), so
    it adds its losses in the same order and finds the same optimum to the last bit."""
    missing = [c for c in columns if c not in source_columns]
    if missing:
        raise InvalidInput(
            M.MSG_MISSING_COLUMN.format(column=missing[0], columns=", ".join(source_columns))
        )
    table = engine.query(S.frequency_sql(columns), {S.SOURCE: Parquet(source, row_number=S.ROW)})
    table = table.sort_by(S.FIRST).drop_columns([S.FIRST])
    # Spark marks counts not null
    return table.cast(pa.schema([f.with_nullable(True) for f in table.schema]))


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
    wanted = names + ([sensitive] if sensitive and model != "k-anonymity" else [])
    freq = frequencies(engine, source, wanted, source_columns=schema.names)
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
    best = problem.search()
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
    for i, col in enumerate(problem.frame.columns):
        inputs[S.map_name(i)] = mapping_table(
            col.dictionary, problem.hierarchies[col.name], levels[i], col.name
        )
    inputs[S.FAIL] = failing_classes(problem, levels)
    records, distinct, size, evaluated = problem.n, problem.F, problem.size, problem.evaluations
    resolved = problem.distance if problem.sensitive else None
    dictionaries = {name: pc.unique(freq.column(name).combine_chunks()) for name in names}
    reference = None
    if len(wanted) > len(names):
        reference = freq.group_by([wanted[-1]]).aggregate([(S.COUNT, "sum")])
    del problem, freq  # the search's memory is free before the engine writes the release
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
        lattice_size=size,
        nodes_evaluated=evaluated,
        elapsed_seconds=time.perf_counter() - started,
        engine=engine.name,
        dictionaries=dictionaries,
        sensitive_counts=reference,
        distance=resolved,
    )
