"""Output checking of a linkage zone's export (the "safe outputs" of the five safes).

An export is a table of cells built inside the zone from row-level records: `tabulate` groups
the records by the requested columns and gives each cell its count, and for a magnitude table
the sum of a value column and the share of that sum held by its largest contributors. `check`
applies the rules to that table and to the tables the project released before:

- minimum cell count: every cell counts at least ``min_count`` records (default 10);
- dominance (n, k): in a magnitude table no cell's ``n`` largest contributions make more than
  ``k`` per cent of its total;
- differencing: no cell differs from the same cell of an earlier export (same grouping) by
  between 1 and ``min_count - 1`` records, and the totals do not either, so subtracting one
  release from another cannot single out a small group.

Pure: Arrow tables in, a `DisclosureResult` out; DuckDB does the grouping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

COUNT = "n"
TOTAL = "total"
SHARE = "top_share"


@dataclass(frozen=True)
class DisclosureRules:
    """The thresholds of the checks: minimum cell count and dominance (n, k per cent)."""

    min_count: int = 10
    dominance_n: int = 2
    dominance_k: float = 85.0


@dataclass(frozen=True)
class Finding:
    """One failed check: which rule, how many cells, and a few of the cells' keys."""

    check: str  # min_count | dominance | differencing
    cells: int
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class DisclosureResult:
    """The checks run on an output and what failed; passed when nothing did."""

    checks: tuple[str, ...]
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "checks": list(self.checks),
            "findings": [
                {"check": f.check, "cells": f.cells, "examples": list(f.examples)}
                for f in self.findings
            ],
        }


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def tabulate(
    records: pa.Table, group_by: Sequence[str], *, value: str | None = None, top_n: int = 2
) -> pa.Table:
    """Cells of ``records`` grouped by ``group_by``: count, and with ``value`` its sum and the
    share (per cent) of the sum held by the ``top_n`` largest contributions."""
    keys = ", ".join(_q(c) for c in group_by)
    with duckdb.connect() as con:
        con.register("r", records)
        if value is None:
            sql = f"SELECT {keys}, count(*) AS {COUNT} FROM r GROUP BY ALL ORDER BY ALL"
        else:
            v = _q(value)
            sql = (
                f"WITH ranked AS (SELECT {keys}, {v} AS v, row_number() OVER "
                f"(PARTITION BY {keys} ORDER BY abs({v}) DESC NULLS LAST) AS rk FROM r) "
                f"SELECT {keys}, count(*) AS {COUNT}, sum(v)::DOUBLE AS {TOTAL}, "
                f"CASE WHEN sum(abs(v)) > 0 THEN 100.0 * sum(abs(v)) FILTER (WHERE rk <= {top_n})"
                f" / sum(abs(v)) ELSE 0.0 END AS {SHARE} FROM ranked GROUP BY ALL ORDER BY ALL"
            )
        return con.sql(sql).to_arrow_table()


def _examples(cells: pa.Table, group_by: Sequence[str], limit: int = 3) -> tuple[str, ...]:
    rows = cells.select(list(group_by)).slice(0, limit).to_pylist()
    return tuple("/".join(str(v) for v in row.values()) for row in rows)


def _differencing(
    cells: pa.Table, group_by: Sequence[str], earlier: pa.Table, min_count: int
) -> Finding | None:
    """Cells (and the total) that differ from an earlier release by 1 to min_count - 1."""
    if not set(group_by) <= set(earlier.column_names) or COUNT not in earlier.column_names:
        return None
    on = " AND ".join(f"a.{_q(c)} IS NOT DISTINCT FROM b.{_q(c)}" for c in group_by)
    with duckdb.connect() as con:
        con.register("a", cells.select([*group_by, COUNT]))
        con.register("b", earlier.select([*group_by, COUNT]))
        near = con.sql(
            f"SELECT a.* FROM a JOIN b ON {on} "
            f"WHERE abs(a.{COUNT} - b.{COUNT}) BETWEEN 1 AND {min_count - 1} ORDER BY ALL"
        ).to_arrow_table()
        totals = con.execute(
            f"SELECT (SELECT sum({COUNT}) FROM a) - (SELECT sum({COUNT}) FROM b)"
        ).fetchone()
    diff = abs(int(totals[0] or 0)) if totals else 0
    total_near = 1 <= diff <= min_count - 1
    if near.num_rows == 0 and not total_near:
        return None
    examples = _examples(near, group_by) + (("total",) if total_near else ())
    return Finding("differencing", near.num_rows + int(total_near), examples)


def check(
    cells: pa.Table,
    group_by: Sequence[str],
    rules: DisclosureRules,
    *,
    earlier: Sequence[pa.Table] = (),
) -> DisclosureResult:
    """Run the checks on a tabulated output (see `tabulate`) against the earlier releases."""
    findings: list[Finding] = []
    checks = ["min_count"]
    small = cells.filter(pc.less(cells.column(COUNT), rules.min_count))
    if small.num_rows:
        findings.append(Finding("min_count", small.num_rows, _examples(small, group_by)))
    if SHARE in cells.column_names:
        checks.append("dominance")
        dominated = cells.filter(pc.greater(cells.column(SHARE), rules.dominance_k))
        if dominated.num_rows:
            findings.append(
                Finding("dominance", dominated.num_rows, _examples(dominated, group_by))
            )
    if earlier:
        checks.append("differencing")
        for table in earlier:
            found = _differencing(cells, group_by, table, rules.min_count)
            if found:
                findings.append(found)
                break
    return DisclosureResult(tuple(checks), tuple(findings))
