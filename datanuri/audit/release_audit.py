"""Release audit, pure: does a de-identified release's suppression or generalisation hit one
protected group harder than another?

Reads the release's source table and its output, as `privacy/report.py` does, with the policy's
quasi-identifiers. The protected attribute must be released as it is (not generalised), so each
released row's group is known:

- suppression rate per group = 1 − released rows of the group / source rows of the group, where
  a masked row (every quasi-identifier "*", `suppression="mask"`) counts as suppressed;
- information loss per group and quasi-identifier = 1 − distinct released values / distinct
  source values among the group's rows (0: nothing generalised for the group; near 1: the
  group's values all merged into one), with suppressed rows counted as fully lost, as the
  report's `*_with_suppression` figures do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri import errors
from datanuri.audit import messages as M
from datanuri.audit.metrics import factorize

MASK = "*"


@dataclass(frozen=True)
class GroupRelease:
    label: tuple[str, ...]
    count: int  # source rows
    released: int
    suppressed: int
    suppression_rate: float
    loss: dict[str, float]  # quasi-identifier -> loss in 0..1


@dataclass(frozen=True)
class ReleaseAudit:
    columns: tuple[str, ...]
    quasi_identifiers: tuple[str, ...]
    rows: int
    released_rows: int
    groups: tuple[GroupRelease, ...]
    suppression_difference: float
    suppression_ratio: float  # min/max of the groups' kept shares (1 − suppression rate)


def _masked(released: pa.Table, qis: Sequence[str]) -> np.ndarray:
    masked = np.ones(released.num_rows, dtype=bool)
    for q in qis:
        col = pc.cast(released.column(q), pa.string())
        masked &= pc.fill_null(pc.equal(col, MASK), False).to_numpy(zero_copy_only=False)
    return masked


def audit_release(
    source: pa.Table, released: pa.Table, group_columns: Sequence[str], qis: Sequence[str]
) -> ReleaseAudit:
    for c in group_columns:
        for t in (source, released):
            if c not in t.column_names:
                raise errors.InvalidInput(
                    M.MSG_NO_COLUMN.format(column=c, columns=", ".join(t.column_names))
                )
    qis = [q for q in qis if q in released.column_names and q not in group_columns]
    masked = _masked(released, qis) if qis else np.zeros(released.num_rows, dtype=bool)
    kept = released.filter(pa.array(~masked))
    both = pa.concat_tables(
        [
            source.select(list(group_columns)).cast(
                pa.schema([(c, pa.string()) for c in group_columns])
            ),
            kept.select(list(group_columns)).cast(
                pa.schema([(c, pa.string()) for c in group_columns])
            ),
        ]
    )
    g = factorize([(c, both.column(c)) for c in group_columns])
    src_codes, rel_codes = g.codes[: source.num_rows], g.codes[source.num_rows :]
    n_src = np.bincount(src_codes, minlength=g.count)
    n_rel = np.bincount(rel_codes, minlength=g.count)
    out = []
    for k in range(g.count):
        if n_src[k] == 0:
            continue  # a released value the source never had: generalised, not auditable here
        suppressed = max(0, int(n_src[k] - n_rel[k]))
        loss = {}
        for q in qis:
            before = pc.count_distinct(
                source.column(q).filter(pa.array(src_codes == k)), mode="all"
            ).as_py()
            after = pc.count_distinct(
                kept.column(q).filter(pa.array(rel_codes == k)), mode="all"
            ).as_py()
            gen = 1 - after / before if before else 0.0
            share_kept = n_rel[k] / n_src[k]
            loss[q] = float(gen * share_kept + (1 - share_kept))
        out.append(
            GroupRelease(
                g.labels[k],
                int(n_src[k]),
                int(n_rel[k]),
                suppressed,
                float(suppressed / n_src[k]),
                loss,
            )
        )
    rates = np.array([x.suppression_rate for x in out])
    keep = 1 - rates
    return ReleaseAudit(
        columns=tuple(group_columns),
        quasi_identifiers=tuple(qis),
        rows=source.num_rows,
        released_rows=int(kept.num_rows),
        groups=tuple(out),
        suppression_difference=float(rates.max() - rates.min()) if len(rates) else 0.0,
        suppression_ratio=float(keep.min() / keep.max()) if len(keep) and keep.max() else 0.0,
    )


def release_json(a: ReleaseAudit) -> dict[str, object]:
    from datanuri.audit.hints import SMALL_GROUP

    return {
        "kind": "release",
        "columns": list(a.columns),
        "quasi_identifiers": list(a.quasi_identifiers),
        "rows": a.rows,
        "released_rows": a.released_rows,
        "groups": [
            {
                "group": dict(zip(a.columns, x.label, strict=True)),
                "label": " × ".join(x.label),
                "count": x.count,
                "released": x.released,
                "suppressed": x.suppressed,
                "suppression_rate": x.suppression_rate,
                "loss": x.loss,
                "small": x.count < SMALL_GROUP,
            }
            for x in a.groups
        ],
        "suppression": {"difference": a.suppression_difference, "ratio": a.suppression_ratio},
    }
