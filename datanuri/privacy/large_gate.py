"""The release gate's inputs for a release the compute engine wrote (the large-table path).

The rules are :mod:`datanuri.privacy.policy`'s, unchanged; only their inputs are computed
differently, never from the whole table in memory:

1. detected direct identifiers: :func:`~datanuri.privacy.detect.detect` on a seeded random
   sample of the source read row group by row group (detection itself looks at a 5,000-row
   sample of an in-memory table, so it sees as much);
2. identifier measures that left values unchanged: the large path refuses every identifier
   measure (mask, pseudonymise, mask_identifiers) before any work, so nothing is left to check;
3. near-unique released columns: each released column's unique share counted exactly by the
   engine over the written release (:func:`~datanuri.privacy.engine_sql.unique_share_sql`);
4. released copies or relabellings of a protected column: distinct counts of the columns and of
   each candidate pair, and whether the pair differs anywhere as text, counted exactly by the
   engine over the source (the released columns that can be copies are not transformed on
   this path, so the source holds their released values).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datanuri.engine import Engine, Parquet
from datanuri.privacy import engine_sql as S
from datanuri.privacy import gate as G
from datanuri.privacy.detect import detect
from datanuri.privacy.guard import SAMPLE_ROWS, sample_parquet
from datanuri.privacy.policy import (
    GateOutcome,
    copy_candidates,
    detection_findings,
    duplicate_findings,
    gate_section,
    near_unique_findings,
)


@dataclass(frozen=True)
class ReleaseFiles:
    """The source Parquet file and the release the engine wrote from it."""

    source: Path
    release: Path
    released_columns: tuple[str, ...]
    released_rows: int


def near_unique(engine: Engine, files: ReleaseFiles) -> list[G.NearUnique]:
    """:func:`datanuri.privacy.gate.near_unique_columns` of the release, counted by the engine."""
    found = []
    n = files.released_rows
    for col in files.released_columns:
        if n == 0:
            continue
        row = engine.query(S.unique_share_sql(col), {S.RELEASE: Parquet(files.release)})
        distinct, uniques = int(row.column("d")[0].as_py()), int(row.column("u")[0].as_py() or 0)
        share = uniques / n
        if share >= G.NEAR_UNIQUE_SHARE:
            found.append(G.NearUnique(col, share, distinct))
    return found


def duplicates(
    engine: Engine, source: Path, copies: Sequence[str], protected: Sequence[str]
) -> list[G.Duplicate]:
    """:func:`datanuri.privacy.gate.duplicate_columns` of the source's ``copies`` against its
    ``protected`` columns, counted by the engine: same number of distinct values (more than
    one), as many distinct pairs as values, and an exact copy or enough records per value."""
    if not copies or not protected:
        return []
    columns = list(dict.fromkeys([*copies, *protected]))
    src = {S.SOURCE: Parquet(source)}
    counts = engine.query(S.distinct_counts_sql(columns), src)
    distinct = {c: int(counts.column(f"d{i}")[0].as_py() or 0) for i, c in enumerate(columns)}
    rows = int(counts.column("n")[0].as_py() or 0)
    found = []
    for col in copies:
        na = distinct[col]
        for of in protected:
            if na != distinct[of] or na <= 1:
                continue
            pair = engine.query(S.pair_check_sql(col, of), src)
            if int(pair.column("p")[0].as_py()) != na:
                continue
            exact = int(pair.column("x")[0].as_py()) == 0
            if exact or rows >= G.RELABEL_MIN_RECORDS_PER_VALUE * na:
                found.append(G.Duplicate(col, of, exact))
    return found


def large_release_gate(
    engine: Engine,
    files: ReleaseFiles,
    policy: Mapping[str, Any],
    *,
    detection_threshold: float = 0.0,
    sample_rows: int = SAMPLE_ROWS,
) -> GateOutcome:
    """The release gate of :func:`datanuri.privacy.policy.release_gate` on the engine's release
    (rule 2 has nothing to check: identifier measures are refused on this path)."""
    sample = sample_parquet(files.source, sample_rows)
    failures, untreated, overruled = detection_findings(
        detect(sample, sample_size=sample_rows), policy, detection_threshold=detection_threshold
    )
    nu, refused = near_unique_findings(near_unique(engine, files), policy)
    failures += refused
    copies, protected = copy_candidates(policy, files.released_columns)
    dup, refused = duplicate_findings(duplicates(engine, files.source, copies, protected), policy)
    failures += refused
    section = gate_section(
        policy, overruled=overruled, near_unique=nu, duplicates=dup, unchanged=()
    )
    return GateOutcome(tuple(failures), tuple(untreated), section)
