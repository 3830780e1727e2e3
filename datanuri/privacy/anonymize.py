"""Globally optimal full-domain generalisation under a suppression limit: the public entry.

Every quasi-identifier has a hierarchy; a *transformation* (a lattice node) picks one level per
quasi-identifier. A node is *anonymous* when the classes that fail the privacy model hold at most
``max_suppression`` of the records (those records are suppressed). Among anonymous nodes
:func:`anonymize` releases one of least loss, proven least by the search in
:mod:`datanuri.privacy.search` (frequency table, loss models, projection bounds, roll-up cache,
best-first lattice search). Ties are broken by (loss, suppressed records, sum of levels, levels),
so the same optimum comes out of :func:`anonymize` and :meth:`Problem.evaluate_lattice` (the
exhaustive reference).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.criteria import (
    DEFAULT_K,
    LOSSES,
    AnonymizationParams,
    KAnonymity,
    Loss,
    check_floor,
    describe,
)
from datanuri.privacy.hierarchies import Hierarchy, TableHierarchy
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.models import EMD, Model
from datanuri.privacy.risk import delta_presence as measure_delta
from datanuri.privacy.search.lattice import NodeResult
from datanuri.privacy.search.problem import Problem

__all__ = ["LOSSES", "Loss", "NodeResult", "Problem", "Result", "anonymize"]


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
    kept: npt.NDArray[np.bool_] | None = field(default=None, repr=False, compare=False)


def anonymize(
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
    suppression: Literal["remove", "mask"] = "remove",
    population: pa.Table | None = None,
    risk_threshold: float | None = None,
    delta_presence: tuple[float, float] | None = None,
    limits: PolicyLimits | None = None,
) -> Result:
    """Find the optimal full-domain generalisation of ``table`` and release it.

    ``quasi_identifiers`` maps each quasi-identifier column to its hierarchy. ``model`` is
    checked together with k-anonymity (``k``); l-diversity needs ``l`` (and ``c`` for the
    recursive variant), t-closeness ``t``; both need ``sensitive``. At most ``max_suppression``
    of the records may be suppressed (removed, or their quasi-identifiers set to ``*`` with
    ``suppression="mask"``). ``loss`` picks the metric the optimum minimises.

    ``risk_threshold`` is a ceiling on the prosecutor re-identification risk of every released
    record (1 / its class size; the highest, not the average): the search enforces it as a
    class size of at least ``ceil(1 / risk_threshold)`` and the report checks it.
    ``delta_presence`` (δmin, δmax) needs ``population``: among the anonymous nodes in order of
    optimality the first whose release is (δmin, δmax)-present is released. ``limits`` (the
    instance's floors) refuse a k below ``limits.min_k`` and are recorded in the report.

    Raises :class:`InvalidInput` before any work for a missing column, an uncovered value, bad
    parameters; and when no node is anonymous.
    """
    started = time.perf_counter()
    if limits is not None:
        check_floor((KAnonymity(k),), limits)
    if delta_presence is not None and population is None:
        raise InvalidInput(M.MSG_DELTA_NEEDS_POPULATION)
    search_k = k
    if risk_threshold is not None:
        check_risk_threshold(risk_threshold)
        search_k = max(k, math.ceil(1.0 / risk_threshold - 1e-9))
    problem = Problem(
        table,
        quasi_identifiers=quasi_identifiers,
        model=model,
        k=search_k,
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
    criteria = (KAnonymity(k), *problem.criteria[1:])  # the policy's k (the search's may be higher)
    best = problem.search()
    if best is not None and delta_presence is not None and population is not None:
        best = _delta_present(problem, best, population, delta_presence)
    if best is None:
        top = problem.evaluate(problem.lattice.top())
        raise InvalidInput(
            M.MSG_NO_SOLUTION.format(model=describe(criteria), suppression=max_suppression),
            details={
                "records": problem.n,
                "suppression_limit": problem.allowed,
                "most_general_node_suppresses": top.suppressed,
            },
        )
    evaluated = problem.evaluations
    released, suppressed, keep = problem.release(best.levels, suppression=suppression)
    elapsed = time.perf_counter() - started
    levels = dict(zip(problem.names, best.levels, strict=True))
    from datanuri.privacy.report import assessment

    kept = released if suppression == "remove" else released.filter(pa.array(keep))
    if population is not None:
        population = generalise_population(
            population, problem.hierarchies, problem.names, best.levels
        )
    report = assessment(
        original=table,
        released=kept,
        quasi_identifiers=problem.names,
        hierarchies=problem.hierarchies,
        levels=levels,
        criteria=criteria,
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
        risk_ceiling=risk_threshold,
        delta_presence=delta_presence,
        limits=limits,
        search={
            "lattice_size": problem.size,
            "nodes_evaluated": evaluated,
            "seconds": round(elapsed, 4),
        },
    ).to_json()
    return Result(
        released, levels, suppressed, best.loss, report, problem.size, evaluated, elapsed, keep
    )


def generalise_population(
    population: pa.Table,
    hierarchies: Mapping[str, Hierarchy],
    names: Sequence[str],
    levels: Sequence[int],
) -> pa.Table:
    """The population's quasi-identifiers generalised to ``levels``, as the release is, so its
    classes match the release's (journalist risk, δ-presence)."""
    missing = [c for c in names if c not in population.column_names]
    if missing:
        raise InvalidInput(M.MSG_POPULATION_COLUMNS.format(columns=", ".join(missing)))
    out = population.select(list(names))
    for i, (name, level) in enumerate(zip(names, levels, strict=True)):
        out = out.set_column(
            i, name, hierarchies[name].generalize(population.column(name), level, column=name)
        )
    return out


def check_risk_threshold(value: object) -> None:
    """Refuse a risk ceiling that is not a number in (0, 1]."""
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
        or not 0 < value <= 1
    ):
        raise InvalidInput(M.MSG_BAD_RISK_THRESHOLD.format(value=value))


def _delta_present(
    problem: Problem, best: NodeResult, population: pa.Table, delta: tuple[float, float]
) -> NodeResult:
    """The first anonymous node, in order of optimality, whose release is δ-present within
    ``population`` (``best`` when none is: the report then says it fails)."""
    from datanuri.privacy.search.lattice import rank

    def present(levels: tuple[int, ...]) -> bool:
        released, _, _ = problem.release(levels)
        if released.num_rows == 0:
            return False
        pop = generalise_population(population, problem.hierarchies, problem.names, levels)
        d = measure_delta(released, population=pop, quasi_identifiers=problem.names)
        return d.satisfies(*delta)

    if present(best.levels):
        return best
    nodes = sorted((r for r in problem.evaluate_lattice() if r.anonymous), key=rank)
    return next((r for r in nodes if present(r.levels)), best)


def anonymize_policy(
    table: pa.Table,
    params: AnonymizationParams,
    *,
    population: pa.Table | None = None,
    limits: PolicyLimits | None = None,
) -> Result:
    """Run the engine a policy's parameters ask for: the optimal lattice search, or Mondrian
    local recoding (``algorithm="mondrian"``), under the instance's ``limits``."""
    check_floor(params.criteria, limits or PolicyLimits())
    if params.algorithm == "mondrian":
        return anonymize_local(table, params, population=population, limits=limits)
    return anonymize(
        table,
        **params.engine_kwargs(),
        population=population,
        risk_threshold=params.risk_threshold,
        delta_presence=params.delta_presence,
        limits=limits or PolicyLimits(),
    )


def anonymize_local(
    table: pa.Table,
    params: AnonymizationParams,
    *,
    population: pa.Table | None = None,
    limits: PolicyLimits | None = None,
) -> Result:
    """Mondrian local recoding of ``table`` (k-anonymity, or distinct l-diversity) with the same
    assessment report as the lattice search: nothing is suppressed, each partition has its own
    ranges, and the risk ceiling raises the partitions' least size."""
    from datanuri.privacy.mondrian import mondrian
    from datanuri.privacy.report import ColumnLoss, assessment

    if params.delta_presence is not None:
        # a population cannot be recoded as Mondrian's local partitions are
        raise InvalidInput(M.MSG_MONDRIAN_MODEL.format(model="δ-presence"))
    population = None  # likewise for journalist risk
    started = time.perf_counter()
    k = params.search_k  # k, raised by the risk ceiling
    if k > table.num_rows:
        raise InvalidInput(M.MSG_K_TOO_LARGE.format(k=k, rows=table.num_rows))
    diversity = getattr(params.criteria[-1], "l", None) if len(params.criteria) > 1 else None
    local = mondrian(
        table,
        quasi_identifiers=dict(params.quasi_identifiers),
        k=k,
        l_diversity=diversity,
        sensitive=params.sensitive if diversity else None,
    )
    names = list(params.quasi_identifiers)
    per_column = {
        col: ColumnLoss(
            level=0,
            top_level=0,
            level_name="mondrian",
            precision=local.ncp_per_column[col],
            ncp=local.ncp_per_column[col],
            precision_with_suppression=local.ncp_per_column[col],
            ncp_with_suppression=local.ncp_per_column[col],
            distinct_before=int(pa.compute.count_distinct(table.column(col), mode="all").as_py()),
            distinct_after=int(
                pa.compute.count_distinct(local.table.column(col), mode="all").as_py()
            ),
        )
        for col in names
    }
    elapsed = time.perf_counter() - started
    report = assessment(
        original=table,
        released=local.table,
        quasi_identifiers=names,
        hierarchies=params.quasi_identifiers,
        levels={},
        criteria=params.criteria,
        sensitive=params.sensitive,
        max_suppression=params.max_suppression,
        loss_metric="ncp",
        loss=local.ncp,
        population=population,
        risk_threshold=params.risk_threshold or 1.0 / params.k,
        risk_ceiling=params.risk_threshold,
        delta_presence=params.delta_presence,
        limits=limits,
        algorithm="mondrian",
        per_column_loss=per_column,
        search={"lattice_size": 0, "nodes_evaluated": 0, "seconds": round(elapsed, 4)},
    ).to_json()
    keep = np.ones(table.num_rows, dtype=np.bool_)
    return Result(local.table, {}, 0, local.ncp, report, 0, 0, elapsed, keep)
