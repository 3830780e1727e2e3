"""A Gaussian-copula synthesizer: a non-private baseline, for comparison only.

Each column's values become normal scores through their empirical ranks (categories ordered by
frequency); the scores' correlation matrix defines a Gaussian copula; samples map back through
each column's empirical quantiles, and missing values are drawn at the column's observed rate.
The empirical quantiles are real values of the table: this offers **no formal privacy
guarantee** and is never releasable from a personal dataset.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.special import ndtr, ndtri  # type: ignore[import-untyped]

from datanuri.synth.domain import _typed, as_float, is_numeric

GUARANTEE = "none: the Gaussian copula copies the table's empirical quantiles"


def _column(col: pa.ChunkedArray) -> tuple[np.ndarray, list[object] | None]:
    """(values as floats with NaN for missing, the categories in code order or None)."""
    if is_numeric(col.type):
        return as_float(col), None
    vc = pc.value_counts(col.drop_null())
    vals, counts = vc.field("values").to_pylist(), vc.field("counts").to_numpy()
    order = np.argsort(-counts, kind="stable")
    cats = [vals[i] for i in order]
    idx = pc.index_in(col, value_set=pa.array(cats, type=col.type)).to_numpy(zero_copy_only=False)
    return np.asarray(idx, dtype=np.float64), cats


def synthesize(table: pa.Table, rows: int, rng: np.random.Generator) -> pa.Table:
    """``rows`` records from the Gaussian copula of ``table`` (no privacy guarantee)."""
    n = table.num_rows
    cols = [_column(table.column(name)) for name in table.column_names]
    z = np.empty((n, len(cols)))
    for j, (v, _) in enumerate(cols):
        filled = np.where(np.isnan(v), np.nanmedian(v) if np.any(~np.isnan(v)) else 0.0, v)
        ranks = np.argsort(np.argsort(filled + rng.random(n) * 1e-9, kind="stable"), kind="stable")
        z[:, j] = ndtri((ranks + 0.5) / n)
    corr = np.corrcoef(z, rowvar=False) if len(cols) > 1 else np.ones((1, 1))
    corr = np.nan_to_num(corr) + np.eye(len(cols)) * 1e-9
    u = ndtr(rng.multivariate_normal(np.zeros(len(cols)), corr, size=rows, method="eigh"))
    arrays = []
    for j, (name, (v, cats)) in enumerate(zip(table.column_names, cols, strict=True)):
        present = np.sort(v[~np.isnan(v)])
        missing = rng.random(rows) < (1 - len(present) / n)
        if len(present) == 0:
            arrays.append(pa.nulls(rows, table.schema.field(name).type))
            continue
        x = present[np.minimum((u[:, j] * len(present)).astype(np.int64), len(present) - 1)]
        t = table.schema.field(name).type
        if cats is None:
            arrays.append(_typed(x, missing, t))
        else:
            arr = pa.array(cats, type=t).take(pa.array(x.astype(np.int64)))
            arrays.append(pc.if_else(pa.array(missing), pa.scalar(None, t), arr))
    return pa.table(arrays, names=table.column_names)
