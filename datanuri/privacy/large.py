"""A privacy policy applied to a large table on the compute engine, never loading it.

:func:`unsupported` names what a policy asks that this path does not do (anything but
full-domain generalisation with suppression and deleting columns); :func:`apply_large` refuses
those (fail closed: a measure is never silently skipped), checks the policy against a sample and
the file's schema and row count, runs :func:`datanuri.privacy.scale.anonymize_file` (frequency
table and streamed release on the engine), applies the release gate to engine-computed inputs
(:mod:`datanuri.privacy.large_gate`) and builds the assessment report from the release's class
table (:mod:`datanuri.privacy.large_report`). The outcome equals
:func:`datanuri.privacy.policy.apply_policy`'s for the same table and policy: the same rows,
decisions and report numbers.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from datanuri import errors
from datanuri.engine import Engine, Parquet
from datanuri.privacy import dp as DP
from datanuri.privacy import engine_sql as S
from datanuri.privacy.criteria import check_floor
from datanuri.privacy.guard import SAMPLE_ROWS, sample_parquet
from datanuri.privacy.large_gate import ReleaseFiles, large_release_gate
from datanuri.privacy.large_report import weighted_assessment
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.policy import _spec, parse_policy
from datanuri.privacy.report import AssessmentReport, MeasureStep, with_policy_outcome
from datanuri.privacy.scale import anonymize_file

HEAD_ROWS = 20  # rows of the written release kept for previews


@dataclass(frozen=True)
class LargeOutcome:
    """What :func:`apply_large` did: the release file it wrote, its shape, its first rows, and
    the report (``passed`` as the in-memory policy would say)."""

    path: Path
    columns: tuple[str, ...]
    rows: int
    head: pa.Table
    passed: bool
    report: AssessmentReport


def unsupported(policy: Mapping[str, Any], *, population: bool = False) -> list[str]:
    """What ``policy`` asks beyond full-domain generalisation with suppression and deleting
    columns, each as a short phrase (empty: the engine path applies all of it)."""
    if DP.is_dp(policy):
        return ["differential privacy (noisy aggregates)"]
    parts: list[str] = []
    if policy.get("algorithm") not in (None, "optimal"):
        parts.append(f"the {policy.get('algorithm')!r} algorithm (local recoding)")
    for section in ("direct_identifiers", "other"):
        specs = policy.get(section) or {}
        for col, spec in specs.items() if isinstance(specs, Mapping) else ():
            name = _spec(spec)[0]
            if name != "delete":
                parts.append(f"{name!r} on {col!r}")
    if policy.get("utility_check") is not None:
        parts.append("a utility check (a classifier trained on the rows)")
    if policy.get("delta_presence") is not None or population:
        parts.append("δ-presence or journalist risk against a population table")
    return parts


def refuse_unsupported(
    policy: Mapping[str, Any], *, name: str, rows: int, engine: str, population: bool = False
) -> None:
    """Raise :class:`~datanuri.errors.InvalidInput` naming what the engine path cannot apply."""
    parts = unsupported(policy, population=population)
    if parts:
        raise errors.InvalidInput(
            errors.MSG_LARGE_RELEASE_UNSUPPORTED.format(
                name=name, rows=rows, engine=engine, parts=", ".join(parts)
            ),
            details={"unsupported": parts},
        )


def _steps(policy: Mapping[str, Any]) -> list[MeasureStep]:
    """The measures as the in-memory path records them (all deletions here)."""
    return [
        MeasureStep(col, _spec(spec)[0])
        for section in ("direct_identifiers", "other")
        for col, spec in dict(policy.get(section) or {}).items()
    ]


def apply_large(
    engine: Engine,
    source: Path,
    out: Path,
    policy: Mapping[str, Any],
    *,
    name: str,
    base_dir: Path | None = None,
    limits: PolicyLimits | None = None,
    detection_threshold: float = 0.0,
    sample_rows: int = SAMPLE_ROWS,
) -> LargeOutcome:
    """Apply ``policy`` to the Parquet file ``source`` on ``engine``, writing the release to
    ``out`` (the caller removes it); the outcome as :func:`apply_policy` gives it."""
    limits = limits or PolicyLimits()
    started = time.perf_counter()
    meta = pq.ParquetFile(source).metadata
    rows = meta.num_rows
    refuse_unsupported(policy, name=name, rows=rows, engine=engine.name)
    sample = sample_parquet(source, sample_rows)
    # columns, roles, parameters; k against the whole file, not the sample
    params = parse_policy(sample, policy, base_dir=base_dir, rows=rows)
    check_floor(params.criteria, limits)
    steps = _steps(policy)
    drop = [s.column for s in steps]  # every measure here is a deletion
    kwargs = params.engine_kwargs()
    model = kwargs["model"]
    fr = anonymize_file(
        engine,
        source,
        out,
        **kwargs,
        risk_threshold=params.risk_threshold,
        limits=limits,
        drop=drop,
    )
    names = list(params.quasi_identifiers)
    with_sensitive = params.sensitive is not None and model != "k-anonymity"
    class_cols = names + ([str(params.sensitive)] if with_sensitive else [])
    classes = engine.query(S.class_table_sql(class_cols), {S.RELEASE: Parquet(out)})
    reference = None
    if fr.sensitive_counts is not None:
        ref = fr.sensitive_counts
        reference = (
            ref.column(0).combine_chunks(),
            np.asarray(ref.column(1).to_numpy(zero_copy_only=False), dtype=np.int64),
        )
    released_cols = tuple(pq.read_schema(out).names)
    criteria = params.criteria
    report = weighted_assessment(
        classes=classes,
        count=S.COUNT,
        records=fr.records,
        dictionaries=fr.dictionaries,
        quasi_identifiers=names,
        hierarchies=params.quasi_identifiers,
        levels=fr.levels,
        criteria=criteria,
        sensitive=params.sensitive,
        reference=reference,
        distance=fr.distance,
        suppressed=fr.suppressed,
        max_suppression=params.max_suppression,
        loss_metric=params.loss,
        loss=fr.loss,
        risk_threshold=params.risk_threshold
        if params.risk_threshold is not None
        else 1.0 / params.k,
        risk_ceiling=params.risk_threshold,
        limits=limits,
        search={
            "lattice_size": fr.lattice_size,
            "nodes_evaluated": fr.nodes_evaluated,
            "seconds": round(time.perf_counter() - started, 4),
        },
    )
    report = AssessmentReport.from_json(report.to_json())
    files = ReleaseFiles(source, out, released_cols, fr.released)
    gate = large_release_gate(
        engine, files, policy, detection_threshold=detection_threshold, sample_rows=sample_rows
    )
    report = with_policy_outcome(
        report,
        measures=steps,
        untreated=gate.untreated,
        failures=list(gate.failures),
        classification=None,
        gate=gate.section,
    )
    head = _head(out, HEAD_ROWS)
    return LargeOutcome(out, released_cols, fr.released, head, report.passed, report)


def _head(path: Path, n: int) -> pa.Table:
    """The first ``n`` rows of a Parquet file, reading only as many row groups as needed."""
    pf = pq.ParquetFile(path)
    parts, have = [], 0
    for i in range(pf.num_row_groups):
        if have >= n:
            break
        group = pf.read_row_group(i)
        parts.append(group)
        have += group.num_rows
    if not parts:
        return pf.schema_arrow.empty_table()
    return pa.concat_tables(parts).slice(0, n)
