"""The adequacy assessment report (적정성 평가) of a release, as a plain JSON-ready dict.

Sections follow the guideline's stages: the policy (what was asked), the transformation (what
was done), the privacy check measured on the released table, equivalence-class size and risk
distributions, information loss per column, and whether the policy passed (and by how much it
failed, if it did). Charts are drawn from the histograms by the interface layers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.privacy.hierarchies import Hierarchy, TableHierarchy
from datanuri.privacy.models import check as check_model
from datanuri.privacy.models import codes, group_ids
from datanuri.privacy.risk import assess_risk

REPORT_VERSION = 1
#: Equivalence-class size bands for the size histogram.
SIZE_BANDS = ((1, 1), (2, 2), (3, 4), (5, 9), (10, 19), (20, 49), (50, 99), (100, None))


def _finite(x: float | None) -> float | None:
    if x is None:
        return None
    return float(x) if math.isfinite(x) else None


def class_size_distribution(table: pa.Table, quasi_identifiers: Sequence[str]) -> dict[str, Any]:
    if table.num_rows == 0:
        return {"classes": 0, "min": 0, "max": 0, "mean": 0.0, "median": 0.0, "histogram": {}}
    ids, g = group_ids(table, quasi_identifiers)
    sizes = np.bincount(ids, minlength=g)
    hist: dict[str, dict[str, int]] = {}
    for lo, hi in SIZE_BANDS:
        sel = (sizes >= lo) & (sizes <= (hi if hi is not None else sizes.max()))
        label = f"{lo}" if lo == hi else (f"{lo}-{hi}" if hi is not None else f"{lo}+")
        hist[label] = {"classes": int(sel.sum()), "records": int(sizes[sel].sum())}
    return {
        "classes": int(g),
        "min": int(sizes.min()),
        "max": int(sizes.max()),
        "mean": float(sizes.mean()),
        "median": float(np.median(sizes)),
        "histogram": hist,
    }


def column_loss(
    original: pa.Table,
    released: pa.Table,
    column: str,
    hierarchy: Hierarchy,
    level: int,
    suppressed: int,
) -> dict[str, Any]:
    """Information loss of one quasi-identifier: its level, precision (level / top), NCP of the
    released values (leaves of the data domain under each value, normalised), distinct values
    before and after, and the same counting suppressed records as fully lost."""
    top = hierarchy.height - 1
    leaf_codes, dictionary = codes(original.column(column))
    domain = len(dictionary)
    gen = hierarchy.generalize(dictionary, level, column=column)
    gen_codes, gen_dict = codes(gen)
    leaves_under = np.bincount(gen_codes, minlength=len(gen_dict))
    n_rel = released.num_rows
    if n_rel:
        rel = released.column(column)
        rel = rel.combine_chunks() if isinstance(rel, pa.ChunkedArray) else rel
        idx = pc.index_in(pc.cast(rel, gen_dict.type), value_set=gen_dict)
        idx_np = np.asarray(
            pc.fill_null(idx, len(gen_dict) - 1 if len(gen_dict) else 0).to_numpy(
                zero_copy_only=False
            )
        )
        ncp_values = (leaves_under[idx_np] - 1) / (domain - 1) if domain > 1 else np.zeros(n_rel)
        ncp = float(ncp_values.mean())
        distinct_after = int(pc.count_distinct(rel, mode="all").as_py())
    else:
        ncp, distinct_after = 1.0, 0
    n = n_rel + suppressed
    precision = level / top if top else 0.0
    return {
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


def assessment(
    *,
    original: pa.Table,
    released: pa.Table,
    quasi_identifiers: Sequence[str],
    hierarchies: Mapping[str, Hierarchy],
    levels: Mapping[str, int],
    model: str,
    k: int,
    l: int | None = None,
    c: float | None = None,
    t: float | None = None,
    sensitive: str | None = None,
    distance: str | None = None,
    order: Sequence[Any] | None = None,
    sensitive_hierarchy: TableHierarchy | None = None,
    suppressed: int = 0,
    max_suppression: float = 0.0,
    loss_metric: str = "precision",
    loss: float | None = None,
    population: pa.Table | None = None,
    risk_threshold: float = 0.2,
    search: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the assessment report of ``released`` (suppressed records already removed)."""
    n = original.num_rows
    qi = list(quasi_identifiers)
    failures: list[str] = []
    if released.num_rows:
        measured = check_model(
            released,
            quasi_identifiers=qi,
            model=model,  # type: ignore[arg-type]
            k=k,
            l=l,
            c=c,
            t=t,
            sensitive=sensitive,
            distance=distance,  # type: ignore[arg-type]
            order=order,
            hierarchy=sensitive_hierarchy,
        ).to_dict()
        for key in ("l", "c", "t"):
            measured["measured"][key] = _finite(measured["measured"][key])
        if not measured["passed"]:
            failures.append(
                f"{measured['failing_classes']} equivalence classes ({measured['failing_records']} records) do not satisfy {model}"
            )
        risk = assess_risk(
            released, quasi_identifiers=qi, population=population, threshold=risk_threshold
        ).to_dict()
    else:
        measured = {
            "model": model,
            "passed": False,
            "measured": {},
            "required": {"k": k},
            "failing_classes": 0,
            "failing_records": 0,
        }
        failures.append("every record was suppressed: nothing is released")
        risk = None
    allowed = math.floor(max_suppression * n + 1e-9)
    if suppressed > allowed:
        failures.append(
            f"{suppressed} records suppressed, more than the limit of {allowed} ({max_suppression:.1%})"
        )
    per_column = {
        col: column_loss(original, released, col, hierarchies[col], int(levels[col]), suppressed)
        for col in qi
    }
    sizes = class_size_distribution(released, qi)
    ids_sizes = None
    if released.num_rows:
        ids, g = group_ids(released, qi)
        ids_sizes = np.bincount(ids, minlength=g)
    discernibility = (
        float((ids_sizes.astype(float) ** 2).sum() + suppressed * n)
        if ids_sizes is not None
        else float(suppressed * n)
    )
    return {
        "version": REPORT_VERSION,
        "passed": not failures,
        "failures": failures,
        "policy": {
            "model": model,
            "parameters": {"k": k, "l": l, "c": c, "t": t},
            "sensitive": sensitive,
            "t_closeness_distance": distance,
            "quasi_identifiers": {col: {"hierarchy_height": hierarchies[col].height} for col in qi},
            "max_suppression": max_suppression,
            "loss_metric": loss_metric,
        },
        "transformation": {"levels": {col: int(levels[col]) for col in qi}},
        "records": {
            "original": n,
            "released": released.num_rows,
            "suppressed": suppressed,
            "suppressed_share": suppressed / n if n else 0.0,
            "suppression_limit": allowed,
        },
        "privacy": measured,
        "equivalence_classes": sizes,
        "risk": risk,
        "utility": {
            "loss_metric": loss_metric,
            "loss": _finite(loss),
            "per_column": per_column,
            "precision": float(
                np.mean([v["precision_with_suppression"] for v in per_column.values()])
            )
            if per_column
            else 0.0,
            "ncp": float(np.mean([v["ncp_with_suppression"] for v in per_column.values()]))
            if per_column
            else 0.0,
            "discernibility": discernibility,
            "average_class_size": sizes["mean"],
        },
        "search": dict(search or {}),
    }
