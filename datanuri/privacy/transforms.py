"""De-identification measures on Arrow tables and columns (the guideline's 조치 단계).

Column functions take an Arrow array and return a new one; table functions take a
``pa.Table`` and return a new table. Nothing is changed in place; nothing loops over rows in
Python (pseudonymisation runs HMAC-SHA-256 inside DuckDB).

- :func:`delete` — drop columns;
- :func:`mask` / :func:`mask_rrn` — keep a prefix/suffix, replace the rest;
- :func:`pseudonymize` — keyed HMAC-SHA-256 (the key comes from the caller's key store);
- :func:`generalize` — through a hierarchy level;
- :func:`top_bottom_code` — clamp extreme values;
- :func:`microaggregate` — replace values by the mean/median of groups of at least ``k``;
- :func:`suppress_records` / :func:`suppress_cells` — remove rows / blank cells;
- :func:`add_noise` — seeded Laplace, Gaussian or uniform noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.hierarchies import Hierarchy, _flat

# --------------------------------------------------------------------------------------------


def check_columns(table: pa.Table, columns: Sequence[str]) -> None:
    """Raise :class:`InvalidInput` naming the first column ``table`` lacks."""
    for c in columns:
        if c not in table.column_names:
            raise InvalidInput(
                M.MSG_MISSING_COLUMN.format(column=c, columns=", ".join(table.column_names))
            )


def _is_numeric(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)


def delete(table: pa.Table, columns: Sequence[str]) -> pa.Table:
    """Drop ``columns`` (삭제)."""
    check_columns(table, columns)
    return table.drop_columns(list(columns))


def replace_column(table: pa.Table, column: str, values: pa.Array | pa.ChunkedArray) -> pa.Table:
    check_columns(table, [column])
    i = table.column_names.index(column)
    return table.set_column(i, column, values)


# --------------------------------------------------------------------------------------------
# masking


def mask(
    values: pa.Array | pa.ChunkedArray, *, keep_start: int = 0, keep_end: int = 0, char: str = "*"
) -> pa.Array:
    """Keep the first ``keep_start`` and last ``keep_end`` characters, replace the others with
    ``char`` (one per character, so the length shows). ``mask(["홍길동"], keep_start=1)`` → ``"홍**"``."""
    if not (
        isinstance(keep_start, int)
        and isinstance(keep_end, int)
        and keep_start >= 0
        and keep_end >= 0
    ):
        raise InvalidInput(M.MSG_BAD_MASK.format(start=keep_start, end=keep_end))
    v = _flat(values)
    if not pa.types.is_string(v.type):
        v = pc.cast(v, pa.string())
    length = pc.utf8_length(v)
    head = pc.utf8_slice_codeunits(v, 0, keep_start)
    head_len = pc.utf8_length(head)
    long_enough = pc.greater_equal(length, keep_start + keep_end)
    tail_full = (
        pc.utf8_slice_codeunits(v, -keep_end) if keep_end else pc.utf8_slice_codeunits(v, 0, 0)
    )
    tail = pc.if_else(long_enough, tail_full, pc.utf8_slice_codeunits(v, keep_start))
    middle = pc.subtract(pc.subtract(length, head_len), pc.utf8_length(tail))
    return pc.binary_join_element_wise(head, pc.binary_repeat(char, middle), tail, "")


def mask_rrn(
    values: pa.Array | pa.ChunkedArray,
    *,
    keep: Literal["birth_date", "birth_date_and_sex", "none"] = "birth_date_and_sex",
    char: str = "*",
) -> pa.Array:
    """Mask resident registration numbers, keeping the birth date (``900101-*******``) or the
    birth date and the sex/century digit (``900101-1******``, the usual display form)."""
    v = pc.utf8_trim_whitespace(pc.cast(_flat(values), pa.string()))
    digits = pc.replace_substring(v, "-", "")
    keep_n = {"birth_date": 6, "birth_date_and_sex": 7, "none": 0}[keep]
    head = pc.utf8_slice_codeunits(digits, 0, keep_n)
    masked = pc.binary_join_element_wise(head, pc.binary_repeat(char, 13 - keep_n), "")
    with_dash = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(masked, 0, 6), pc.utf8_slice_codeunits(masked, 6, 13), "-"
    )
    return with_dash


# --------------------------------------------------------------------------------------------
# pseudonymisation


def pseudonymize(
    values: pa.Array | pa.ChunkedArray,
    *,
    key: bytes,
    output: Literal["hex", "base32"] = "hex",
    length: int | None = None,
) -> pa.Array:
    """Keyed pseudonyms: HMAC-SHA-256(key, UTF-8 value), hex (64 characters) or truncated to
    ``length`` characters. The same key gives the same pseudonym in every dataset of a holder,
    so releases stay linkable for the key holder only. Nulls stay null.

    Runs vectorised in DuckDB: ``sha256(opad ‖ unhex(sha256(ipad ‖ value)))``, RFC 2104.
    """
    if not isinstance(key, (bytes, bytearray)) or len(key) < 16:
        raise InvalidInput(
            M.MSG_BAD_KEY.format(length=len(key) if isinstance(key, (bytes, bytearray)) else 0)
        )
    import hashlib

    k = bytes(key)
    if len(k) > 64:
        k = hashlib.sha256(k).digest()
    k = k.ljust(64, b"\0")
    ipad = bytes(b ^ 0x36 for b in k).hex()
    opad = bytes(b ^ 0x5C for b in k).hex()
    v = _flat(values)
    if not pa.types.is_string(v.type):
        v = pc.cast(v, pa.string())
    src = pa.table({"v": v})
    import duckdb  # imported on use: ~75 ms that most commands never need

    con = duckdb.connect()
    try:
        con.register("src", src)
        # opad/ipad are hex strings we made ourselves, safe to inline
        out = con.sql(
            "SELECT CASE WHEN v IS NULL THEN NULL ELSE "
            f"sha256(unhex('{opad}') || unhex(sha256(unhex('{ipad}') || encode(v)))) END AS p FROM src"
        ).to_arrow_table()
    finally:
        con.close()
    p = out.column("p").combine_chunks() if out.num_rows else pa.array([], pa.string())
    p = pc.cast(p, pa.string())
    if output == "base32":
        import base64

        # base32 of the digest is for display only; computed on distinct values
        uniq = pc.unique(p)
        enc = pa.array(
            [
                None if h is None else base64.b32encode(bytes.fromhex(h)).decode().rstrip("=")
                for h in uniq.to_pylist()
            ],
            pa.string(),
        )
        p = pc.take(enc, pc.index_in(p, value_set=uniq))
    if length:
        p = pc.utf8_slice_codeunits(p, 0, length)
    return p


# --------------------------------------------------------------------------------------------
# generalisation, coding, aggregation


def generalize(
    values: pa.Array | pa.ChunkedArray, hierarchy: Hierarchy, level: int, *, column: str = ""
) -> pa.Array:
    """Generalise ``values`` to ``level`` of ``hierarchy`` (computed once per distinct value)."""
    v = _flat(values)
    enc = pc.dictionary_encode(v)
    dictionary = enc.dictionary
    gen = hierarchy.generalize(dictionary, level, column=column)
    return pc.take(gen, enc.indices)


def top_bottom_code(
    values: pa.Array | pa.ChunkedArray,
    *,
    lower: float | None = None,
    upper: float | None = None,
    column: str = "",
) -> pa.Array:
    """Clamp values below ``lower`` to ``lower`` and above ``upper`` to ``upper`` (상·하단 코딩)."""
    v = _flat(values)
    if not _is_numeric(v.type):
        raise InvalidInput(
            M.MSG_NOT_NUMERIC.format(column=column, operation="top/bottom coding", type=v.type)
        )
    out = v
    if lower is not None:
        out = pc.max_element_wise(
            out,
            pa.scalar(lower, v.type) if pa.types.is_floating(v.type) else pa.scalar(lower),
            skip_nulls=False,
        )
    if upper is not None:
        out = pc.min_element_wise(
            out,
            pa.scalar(upper, v.type) if pa.types.is_floating(v.type) else pa.scalar(upper),
            skip_nulls=False,
        )
    return pc.cast(out, v.type, safe=False)


def microaggregate(
    values: pa.Array | pa.ChunkedArray,
    *,
    k: int,
    statistic: Literal["mean", "median"] = "mean",
    column: str = "",
) -> pa.Array:
    """Univariate microaggregation: sort the values, cut them into consecutive groups of ``k``
    (the last group takes the remainder, so every group has k to 2k-1 members) and replace each
    value by its group's mean or median. Minimises within-group error among fixed-size
    partitions of sorted data; nulls stay null. Output is float64."""
    if not isinstance(k, int) or k < 2:
        raise InvalidInput(M.MSG_BAD_MICROAGGREGATION_K.format(k=k))
    v = _flat(values)
    if not _is_numeric(v.type):
        raise InvalidInput(
            M.MSG_NOT_NUMERIC.format(column=column, operation="microaggregation", type=v.type)
        )
    x = np.asarray(pc.cast(v, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
    valid = np.flatnonzero(~np.isnan(x))
    out = np.full(len(x), np.nan)
    m = len(valid)
    if m:
        order = valid[np.argsort(x[valid], kind="stable")]
        n_groups = max(m // k, 1)
        group = np.minimum(np.arange(m) // k, n_groups - 1)
        xs = x[order]
        if statistic == "mean":
            sums = np.bincount(group, weights=xs, minlength=n_groups)
            counts = np.bincount(group, minlength=n_groups)
            agg = sums / counts
        else:
            bounds = np.searchsorted(group, np.arange(n_groups + 1))
            agg = np.array(
                [np.median(xs[bounds[g] : bounds[g + 1]]) for g in range(n_groups)]
            )  # per group, not per row
        out[order] = agg[group]
    return pa.array(out, pa.float64(), mask=np.isnan(x))


def suppress_records(table: pa.Table, where: pa.Array | np.ndarray) -> pa.Table:
    """Remove the rows where ``where`` is true (레코드 삭제)."""
    keep = pc.invert(
        pc.fill_null(pa.array(where, pa.bool_()) if isinstance(where, np.ndarray) else where, False)
    )
    return table.filter(keep)


def suppress_cells(
    table: pa.Table,
    *,
    columns: Sequence[str],
    where: pa.Array | np.ndarray,
    replacement: str | None = None,
) -> pa.Table:
    """Blank the cells of ``columns`` in the rows where ``where`` is true: null, or the string
    ``replacement`` (the column becomes text then)."""
    check_columns(table, columns)
    cond = pc.fill_null(
        pa.array(where, pa.bool_()) if isinstance(where, np.ndarray) else where, False
    )
    for c in columns:
        col = _flat(table.column(c))
        if replacement is None:
            new = pc.if_else(cond, pa.scalar(None, col.type), col)
        else:
            new = pc.if_else(cond, replacement, pc.cast(col, pa.string()))
        table = replace_column(table, c, new)
    return table


def add_noise(
    values: pa.Array | pa.ChunkedArray,
    *,
    scale: float,
    distribution: Literal["laplace", "gaussian", "uniform"] = "laplace",
    seed: int | None = None,
    round_to: float | None = None,
    column: str = "",
) -> pa.Array:
    """Add random noise (잡음 추가): Laplace with scale ``b``, Gaussian with standard deviation,
    or uniform on ``[-scale, scale]``; seeded for reproducibility, optionally rounded to a multiple
    of ``round_to``. This is not differential privacy by itself (no sensitivity calibration)."""
    if not isinstance(scale, (int, float)) or scale < 0 or np.isnan(scale):
        raise InvalidInput(M.MSG_BAD_NOISE.format(scale=scale))
    v = _flat(values)
    if not _is_numeric(v.type):
        raise InvalidInput(
            M.MSG_NOT_NUMERIC.format(column=column, operation="noise addition", type=v.type)
        )
    x = np.asarray(pc.cast(v, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
    rng = np.random.default_rng(seed)
    if distribution == "laplace":
        noise = rng.laplace(0.0, scale, len(x))
    elif distribution == "gaussian":
        noise = rng.normal(0.0, scale, len(x))
    elif distribution == "uniform":
        noise = rng.uniform(-scale, scale, len(x))
    else:
        raise InvalidInput(
            M.MSG_UNKNOWN_OPTION.format(
                what="noise distribution", value=distribution, choices="laplace, gaussian, uniform"
            )
        )
    y = x + noise
    if round_to:
        y = np.round(y / round_to) * round_to
    return pa.array(y, pa.float64(), mask=np.isnan(x))
