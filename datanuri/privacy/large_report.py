"""The assessment report of a release the compute engine wrote, from its weighted class table.

The in-memory report (:func:`datanuri.privacy.report.assessment`) measures the released rows;
every figure it gives depends only on the released records' quasi-identifier (and sensitive)
values counted per combination. The engine counts those combinations in the written release
(``GROUP BY`` the quasi-identifiers and the sensitive column, ``__count``), and this module
computes the same report from that small table: k, l, c, t and the failing classes by
:func:`~datanuri.privacy.models.check_classes`, the class-size distribution, prosecutor and
marketer risk, information loss per column (weighted by the counts) and discernibility. Pure:
Arrow and numpy in, the typed report out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.privacy import messages as M
from datanuri.privacy.criteria import Criterion, TCloseness, model_name, sensitive_criterion
from datanuri.privacy.encoding import codes
from datanuri.privacy.hierarchies import Hierarchy, TableHierarchy
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.models import Classes, check_classes, codes_in, group_ids
from datanuri.privacy.report import (
    AssessmentReport,
    ClassSizes,
    ColumnLoss,
    Measured,
    PolicySummary,
    PrivacyCheck,
    Records,
    RiskSection,
    Search,
    Utility,
    _finite,
    size_distribution,
)
from datanuri.privacy.risk import risk_from_sizes


def weighted_classes(
    table: pa.Table,
    counts: np.ndarray,
    quasi_identifiers: Sequence[str],
    sensitive: str | None,
    *,
    reference: tuple[pa.Array, np.ndarray] | None = None,
) -> Classes:
    """:func:`datanuri.privacy.models.classes` of the records the rows of ``table`` stand for
    (row i: ``counts[i]`` records). ``reference`` is the input's sensitive distribution
    (values, counts) that t-closeness compares with."""
    ids, g = group_ids(table, quasi_identifiers)
    sizes = np.bincount(ids, weights=counts, minlength=g).astype(np.int64)
    if sensitive is None:
        return Classes(np.zeros(0, np.int64), sizes)
    if reference is None:
        s, dictionary = codes(table.column(sensitive))
        m = max(len(dictionary), 1)
        overall = np.bincount(s, weights=counts, minlength=m).astype(np.int64)
    else:
        ref, dictionary = codes(reference[0])
        m = max(len(dictionary), 1)
        overall = np.bincount(ref, weights=reference[1], minlength=m).astype(np.int64)
        s = codes_in(table.column(sensitive), dictionary)
    pair_key = ids.astype(np.int64, copy=False) * m + np.asarray(s, dtype=np.int64)
    uniq, inverse = np.unique(pair_key, return_inverse=True)
    cnt = np.bincount(inverse, weights=counts, minlength=len(uniq)).astype(np.int64)
    return Classes(np.zeros(0, np.int64), sizes, uniq // m, uniq % m, cnt, dictionary, overall)


def weighted_column_loss(
    dictionary: pa.Array,
    released: pa.Array | pa.ChunkedArray,
    counts: np.ndarray,
    hierarchy: Hierarchy,
    level: int,
    suppressed: int,
    column: str,
) -> ColumnLoss:
    """:func:`datanuri.privacy.report.column_loss` from the source's distinct values
    ``dictionary`` and the released values with their record counts."""
    top = hierarchy.height - 1
    domain = len(dictionary)
    gen = hierarchy.generalize(dictionary, level, column=column)
    gen_codes, gen_dict = codes(gen)
    leaves_under = np.bincount(gen_codes, minlength=len(gen_dict))
    n_rel = int(counts.sum())
    if n_rel:
        rel = released.combine_chunks() if isinstance(released, pa.ChunkedArray) else released
        idx = pc.index_in(pc.cast(rel, gen_dict.type), value_set=gen_dict)
        idx_np = np.asarray(
            pc.fill_null(idx, len(gen_dict) - 1 if len(gen_dict) else 0).to_numpy(
                zero_copy_only=False
            )
        )
        per = (leaves_under[idx_np] - 1) / (domain - 1) if domain > 1 else np.zeros(len(idx_np))
        ncp = float((per * counts).sum() / n_rel)
        distinct_after = int(pc.count_distinct(rel, mode="all").as_py())
    else:
        ncp, distinct_after = 1.0, 0
    n = n_rel + suppressed
    precision = level / top if top else 0.0
    return ColumnLoss.from_json(
        {
            "level": level,
            "top_level": top,
            "level_name": (
                hierarchy.level_names[level] if isinstance(hierarchy, TableHierarchy) else None
            ),
            "precision": precision,
            "ncp": ncp,
            "precision_with_suppression": (precision * n_rel + suppressed) / n if n else 0.0,
            "ncp_with_suppression": (ncp * n_rel + suppressed) / n if n else 0.0,
            "distinct_before": domain,
            "distinct_after": distinct_after,
        }
    )


def weighted_assessment(
    *,
    classes: pa.Table,
    count: str,
    records: int,
    dictionaries: Mapping[str, pa.Array],
    quasi_identifiers: Sequence[str],
    hierarchies: Mapping[str, Hierarchy],
    levels: Mapping[str, int],
    criteria: tuple[Criterion, ...],
    sensitive: str | None = None,
    reference: tuple[pa.Array, np.ndarray] | None = None,
    distance: str | None = None,
    suppressed: int = 0,
    max_suppression: float = 0.0,
    loss_metric: str = "precision",
    loss: float | None = None,
    risk_threshold: float = 0.2,
    risk_ceiling: float | None = None,
    limits: PolicyLimits | None = None,
    search: Mapping[str, Any] | None = None,
) -> AssessmentReport:
    """:func:`datanuri.privacy.report.assessment` of a release given as its class table
    ``classes`` (the quasi-identifiers, the sensitive column if the model has one, and the
    record count per row in ``count``) of a source of ``records`` records."""
    n = records
    qi = list(quasi_identifiers)
    model = model_name(criteria)
    extra = sensitive_criterion(criteria)
    failures: list[str] = []
    if isinstance(extra, TCloseness) and distance is not None and extra.distance is None:
        criteria = (criteria[0], replace(extra, distance=distance))  # type: ignore[arg-type]
        extra = sensitive_criterion(criteria)
    weights = np.asarray(classes.column(count).to_numpy(zero_copy_only=False), dtype=np.int64)
    released = int(weights.sum())
    risk: RiskSection | None = None
    sizes_arr = np.zeros(0, np.int64)
    t_reference = reference if isinstance(extra, TCloseness) else None
    if released:
        attr = sensitive if extra is not None else None
        cls = weighted_classes(classes, weights, qi, attr, reference=t_reference)
        sizes_arr = cls.sizes
        mc = check_classes(
            cls,
            criteria=criteria,
            sensitive_type=classes.column(str(sensitive)).type
            if isinstance(extra, TCloseness)
            else None,
        )
        privacy = PrivacyCheck(
            model=model,
            passed=mc.passed,
            required=dict(mc.required),
            measured=Measured(mc.k, _finite(mc.l), _finite(mc.c), _finite(mc.t)),
            failing_classes=mc.failing_classes,
            failing_records=mc.failing_records,
        )
        if not privacy.passed:
            failures.append(
                f"{privacy.failing_classes} equivalence classes "
                f"({privacy.failing_records} records) do not satisfy {model}"
            )
        risk = RiskSection.of(risk_from_sizes(sizes_arr, threshold=risk_threshold))
        if risk_ceiling is not None and risk.prosecutor.highest > risk_ceiling + 1e-12:
            failures.append(
                M.MSG_RISK_ABOVE_THRESHOLD.format(
                    highest=risk.prosecutor.highest, threshold=risk_ceiling
                )
            )
    else:
        privacy = PrivacyCheck(model, False, {"k": criteria[0].parameters()["k"]}, Measured())
        failures.append("every record was suppressed: nothing is released")
    allowed = math.floor(max_suppression * n + 1e-9)
    if suppressed > allowed:
        failures.append(
            f"{suppressed} records suppressed, more than the limit of {allowed} ({max_suppression:.1%})"
        )
    per_column = {
        col: weighted_column_loss(
            dictionaries[col],
            classes.column(col),
            weights,
            hierarchies[col],
            int(levels[col]),
            suppressed,
            col,
        )
        for col in qi
    }
    sizes = ClassSizes.from_json(size_distribution(sizes_arr))
    discernibility = float((sizes_arr.astype(float) ** 2).sum() + suppressed * n)
    parameters: dict[str, Any] = {"k": None, "l": None, "c": None, "t": None}
    for crit in criteria:
        parameters.update({k: v for k, v in crit.parameters().items() if k != "distance"})
    return AssessmentReport(
        passed=not failures,
        failures=tuple(failures),
        policy=PolicySummary(
            model=model,
            parameters=parameters,
            sensitive=sensitive,
            quasi_identifiers={col: hierarchies[col].height for col in qi},
            max_suppression=max_suppression,
            loss_metric=loss_metric,
            t_closeness_distance=distance,
            t_closeness_reference="input" if t_reference is not None else None,
            risk_threshold=risk_ceiling,
            algorithm=None,
            delta_presence=None,
        ),
        levels={col: int(levels[col]) for col in qi if col in levels},
        records=Records(
            original=n,
            released=released,
            suppressed=suppressed,
            suppressed_share=suppressed / n if n else 0.0,
            suppression_limit=allowed,
        ),
        privacy=privacy,
        equivalence_classes=sizes,
        risk=risk,
        utility=Utility.of(
            loss_metric=loss_metric,
            loss=loss,
            per_column=per_column,
            discernibility=discernibility,
            average_class_size=sizes.mean,
        ),
        search=Search.from_json(search or {}),
        limits=limits,
        delta_presence=None,
    )
