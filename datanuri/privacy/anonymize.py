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

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.criteria import DEFAULT_K, LOSSES, Loss, describe
from datanuri.privacy.hierarchies import Hierarchy, TableHierarchy
from datanuri.privacy.models import EMD, Model
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
    criteria = problem.criteria
    best = problem.search()
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
        search={
            "lattice_size": problem.size,
            "nodes_evaluated": evaluated,
            "seconds": round(elapsed, 4),
        },
    ).to_json()
    return Result(
        released, levels, suppressed, best.loss, report, problem.size, evaluated, elapsed, keep
    )
