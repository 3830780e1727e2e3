"""Random tables with table hierarchies, for property tests of the search parts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from datanuri.privacy.hierarchies import TableHierarchy


def hierarchy(domain: int, height: int, name: str) -> TableHierarchy:
    """Leaves v0..v{domain-1}; level j groups 2**j consecutive leaves (the last level is '*')."""
    rows = [[f"v{i}"] + [f"g{j}.{i >> j}" for j in range(1, height - 1)] for i in range(domain)]
    if height > 1:
        rows = [row + ["*"] for row in rows]
    return TableHierarchy.from_rows(rows, name=name)


def random_table(
    rng: np.random.Generator,
    rows: int,
    widths: int,
    *,
    sensitive_values: int = 0,
    skew: float = 1.5,
) -> tuple[pa.Table, dict[str, TableHierarchy]]:
    """A table of ``widths`` quasi-identifiers q0.. (skewed so classes differ in size), with
    random hierarchies of heights 2-4, and a sensitive column ``s`` when asked."""
    cols: dict[str, pa.Array] = {}
    hier: dict[str, TableHierarchy] = {}
    for c in range(widths):
        domain = int(rng.integers(2, 12))
        p = 1.0 / np.arange(1, domain + 1) ** skew
        values = rng.choice(domain, size=rows, p=p / p.sum())
        cols[f"q{c}"] = pa.array([f"v{v}" for v in values])
        hier[f"q{c}"] = hierarchy(domain, int(rng.integers(2, 5)), f"q{c}")
    if sensitive_values:
        cols["s"] = pa.array([f"s{v}" for v in rng.integers(0, sensitive_values, rows)])
    return pa.table(cols), hier
