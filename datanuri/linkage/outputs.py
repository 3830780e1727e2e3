"""Exports of the linkage zone beyond checked cells: row-level tables and noisy cells.

- Row-level tables (`deidentify`): the records an analyst's SQL gives go through the privacy
  engine's own `apply_policy` with the policy of the request (the format of `datanuri privacy
  apply`); its gate (k-anonymity or the policy's model, suppression, the release gate on
  untreated identifiers, near-unique columns and copies) decides, the released rows are the
  de-identified ones and the assessment report stays with the export. The zone is a server that
  holds no pseudonymisation keys: a policy may name neither hierarchy files nor keys, and a
  differential-privacy policy is for aggregates (ask for ε on a cell table instead).
- Noisy cells (`noisy_cells`): an aggregate export may ask for differential privacy with ε. Each
  linked person keeps at most ``contributions`` records (enforced on the `person` column when the
  records carry it, as `privacy.dp.limit_contributions` does), a summed value is clamped to its
  declared bounds, and the counts (discrete Laplace) and sums (Laplace) get noise from OpenDP's
  measurements (`privacy.dp.laplace_measurement`), ε split equally between them.

Pure: Arrow tables and dicts in, tables and typed results out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.errors import InvalidInput
from datanuri.linkage import disclosure
from datanuri.linkage import messages as M
from datanuri.privacy import dp
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.policy import PolicyResult, apply_policy
from datanuri.privacy.service import key_refs, refuse_files

PERSON = "person"  # the linked table's column naming one linked person
CELLS_NOTE = (
    "The cells are the combinations present in the records, not a declared domain: which cells "
    "exist is protected by the minimum cell count, the values in them by the noise."
)


def deidentify(records: pa.Table, policy: Any, limits: PolicyLimits) -> PolicyResult:
    """The records de-identified by ``policy`` through the privacy engine, with its report;
    ``passed`` is the policy's gate. Policies the zone cannot run are refused first."""
    if not isinstance(policy, Mapping):
        raise InvalidInput(M.MSG_ROWS_POLICY_OBJECT)
    if dp.is_dp(policy):
        raise InvalidInput(M.MSG_ROWS_DP_POLICY)
    refuse_files(policy)
    if key_refs(policy):
        raise InvalidInput(M.MSG_ROWS_NO_KEYS.format(keys=", ".join(key_refs(policy))))
    return apply_policy(records, policy, keys={}, limits=limits)


@dataclass(frozen=True)
class NoiseRequest:
    """Differential privacy asked for an aggregate export: ε, the value's bounds, and how many
    records one person may add."""

    epsilon: float
    bounds: tuple[float, float] | None = None
    contributions: int = 1


@dataclass(frozen=True)
class NoisyCells:
    """The released cells (noisy counts and sums) and the record of the noise."""

    table: pa.Table
    epsilon_spent: float
    section: dict[str, Any]


def check_noise(request: NoiseRequest, value: str | None, limits: PolicyLimits) -> None:
    """Refuse an ε outside (0, the platform's ceiling], bad contributions, or a summed value
    without bounds (its sensitivity would be unbounded)."""
    eps = request.epsilon
    if not (isinstance(eps, (int, float)) and math.isfinite(eps) and 0 < eps <= limits.max_epsilon):
        raise InvalidInput(M.MSG_DP_EPSILON.format(epsilon=eps, limit=limits.max_epsilon))
    if request.contributions < 1:
        raise InvalidInput(M.MSG_DP_CONTRIBUTIONS)
    if value is not None:
        b = request.bounds
        if b is None or not all(math.isfinite(x) for x in b) or b[0] >= b[1]:
            raise InvalidInput(M.MSG_DP_BOUNDS.format(value=value))


def _limited(records: pa.Table, contributions: int) -> tuple[pa.Table, dict[str, Any]]:
    """Each person's first ``contributions`` records, when the records name the person."""
    if PERSON not in records.column_names:
        return records, {"enforced": False}
    keep, over, missing = dp.limit_contributions(records, PERSON, contributions)
    facts = {"enforced": True, "over_contribution_limit": over, "without_person": missing}
    return records.filter(pa.array(keep)), facts


def noisy_cells(
    records: pa.Table, group_by: Sequence[str], value: str | None, request: NoiseRequest
) -> NoisyCells:
    """The cells of ``records`` with OpenDP noise on their counts (and sums of ``value``)."""
    n = request.contributions
    used, unit = _limited(records, n)
    if value is not None:
        assert request.bounds is not None
        lo, hi = (float(b) for b in request.bounds)
        v = pc.cast(used.column(value), pa.float64())
        clamped = pc.max_element_wise(pc.min_element_wise(v, hi), lo)
        used = used.set_column(used.schema.get_field_index(value), value, clamped)
    cells = disclosure.tabulate(used, group_by, value=value)
    share = request.epsilon / (2 if value is not None else 1)
    count_m, count_noise = dp.laplace_measurement(n, share, integer=True)
    counts = np.maximum(np.asarray(count_m(cells.column(disclosure.COUNT).to_pylist())), 0)
    columns: dict[str, Any] = {c: cells.column(c) for c in group_by}
    columns[disclosure.COUNT] = pa.array(counts, pa.int64())
    measures = [{"output": disclosure.COUNT, **count_noise.to_dict()}]
    if value is not None:
        bound = max(abs(lo), abs(hi))
        sum_m, sum_noise = dp.laplace_measurement(n * bound, share, integer=False)
        exact = pc.fill_null(cells.column(disclosure.TOTAL), 0.0).to_pylist()
        sums = np.asarray(sum_m(exact), dtype=np.float64)
        if lo >= 0:
            sums = np.maximum(sums, 0.0)
        elif hi <= 0:
            sums = np.minimum(sums, 0.0)
        columns[disclosure.TOTAL] = pa.array(sums, pa.float64())
        measures.append({"output": disclosure.TOTAL, "bounds": [lo, hi], **sum_noise.to_dict()})
    spent = math.fsum(float(m["epsilon"]) for m in measures)
    section = {
        "epsilon": request.epsilon,
        "epsilon_spent": spent,
        "composition": "basic sequential composition: the epsilons of the measures add up",
        "privacy_unit": {
            "contributions": n,
            "person": PERSON if unit["enforced"] else None,
            **unit,
            "neighbouring": f"add or remove one person, who adds at most {n} record(s)",
        },
        "measures": measures,
        "cells": CELLS_NOTE,
        "post_processing": "Counts are integers clipped at 0; sums are clipped at 0 when the "
        "bounds allow only one sign. Post-processing costs no privacy.",
        "opendp": {"version": version("opendp"), "features": ["contrib"]},
    }
    return NoisyCells(pa.table(columns), spent, section)
