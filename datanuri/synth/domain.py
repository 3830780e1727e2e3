"""The discrete domain a synthesizer works in: every column as small integer codes.

Categorical columns (strings, booleans, anything not numeric or temporal; Korean region codes
and names are strings) keep their declared values, or else the values selected with differential
privacy (their counts plus Gaussian noise reach a threshold that a value of one record passes
only with a small probability δ; the caller accounts ρ and δ) — or, without privacy (the copula
baseline), the values with at least ``min_category_count`` rows — plus one "other" code for the
rest and one for missing values.
A categorical column whose selected values name 시군구 ("서울특별시 종로구", codes) is a region
column: the 17 시도 are added to its categories (a public list: no privacy spent), and a value
outside the selected ones falls to its 시도 instead of "other" (the region hierarchy's next
level).
Numeric and temporal columns (dates as days, timestamps as seconds) are cut into equal-width bins
between declared bounds, or bounds estimated with differential privacy (a noisy-max quantile over
a data-independent candidate grid, ρ spent and accounted by the caller). Decoding turns codes back
into values of the column's type: a bin's value is drawn uniformly inside it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.errors import InvalidInput
from datanuri.regions import sido_list
from datanuri.regions.ids import region_label, sido_of_code, to_id
from datanuri.synth import messages as M

OTHER = "(other)"  # the code of values outside a categorical column's domain
Kind = Literal["categorical", "numeric"]
QUANTILES = (0.02, 0.98)  # the quantiles a numeric column's DP bounds estimate
MAX_CATEGORIES = 100  # categories taken from the data per column (identifiers become "other")
REGION_SHARE = 0.8  # of a column's selected values naming 시군구, for it to be a region column


@dataclass(frozen=True)
class Column:
    """One column's discrete domain: its categories, or its bin edges, and where they came from."""

    name: str
    kind: Kind
    type: pa.DataType
    categories: tuple[Any, ...] = ()  # categorical: the values; codes are their positions
    edges: tuple[float, ...] = ()  # numeric: bin edges (len = bins + 1)
    integer: bool = False
    nullable: bool = False  # one more code for missing values (the last)
    source: Literal["declared", "dp", "data"] = "declared"
    regions: bool = False  # a region column: other values fall to their 시도 (see the module)

    @property
    def size(self) -> int:
        """The number of codes."""
        base = len(self.categories) + 1 if self.kind == "categorical" else len(self.edges) - 1
        return base + (1 if self.nullable else 0)

    def labels(self) -> list[str]:
        """A readable label per code (charts, reports)."""
        if self.kind == "categorical":
            out = [str(c) for c in self.categories] + [OTHER]
        else:
            e = self.edges
            fmt = (lambda x: f"{x:.0f}") if self.integer else (lambda x: f"{x:.4g}")
            out = [f"[{fmt(e[i])}, {fmt(e[i + 1])})" for i in range(len(e) - 1)]
        return out + (["(missing)"] if self.nullable else [])

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "source": self.source, "codes": self.size}
        if self.kind == "categorical":
            d["categories"] = [_plain(c) for c in self.categories]
            if self.regions:
                d["regions"] = True
        else:
            d["edges"] = list(self.edges)
        return d


@dataclass(frozen=True)
class Domain:
    """The columns' discrete domains, in table order."""

    columns: tuple[Column, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def sizes(self) -> list[int]:
        return [c.size for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _plain(v: Any) -> Any:
    return v if isinstance(v, (str, int, float, bool)) or v is None else str(v)


def is_numeric(t: pa.DataType) -> bool:
    """Whether a column of type ``t`` is binned (numbers, dates, times) rather than categorical."""
    return (
        pa.types.is_integer(t)
        or pa.types.is_floating(t)
        or pa.types.is_decimal(t)
        or pa.types.is_date(t)
        or pa.types.is_timestamp(t)
    )


def as_float(arr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A numeric or temporal column as float64 (dates as days, timestamps in their unit); NaN
    for missing values."""
    t = arr.type
    if pa.types.is_date(t):
        arr = pc.cast(arr, pa.date32()).cast(pa.int32())
    elif pa.types.is_timestamp(t):
        arr = arr.cast(pa.int64())
    elif pa.types.is_decimal(t):
        arr = arr.cast(pa.float64())
    out = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    return np.asarray(out, dtype=np.float64)


def candidate_grid(t: pa.DataType) -> np.ndarray:
    """Data-independent candidates for a numeric column's DP bounds: ±{1, 1.25, …, 9.75}·10^k and 0 for
    numbers; every month from 1900 to 2100 for dates; the same in the unit of a timestamp."""
    if pa.types.is_date(t) or pa.types.is_timestamp(t):
        days = np.arange(-25567, 47482, 30, dtype=np.float64)  # 1900-01-01 .. 2100
        if pa.types.is_timestamp(t):
            per_day = {"s": 86400, "ms": 86400e3, "us": 86400e6, "ns": 86400e9}[t.unit]
            days = days * per_day
        return days
    mags = np.array([m * 10.0**k for k in range(-2, 10) for m in np.arange(1.0, 10.0, 0.25)])
    return np.unique(np.concatenate([-mags, [0.0], mags]))


def dp_quantile(
    values: np.ndarray, candidates: np.ndarray, alpha: float, scale: float, rng: np.random.Generator
) -> float:
    """A DP ``alpha``-quantile: the candidate with the best noisy score −|#below − α·n| (each
    score moves by at most 1 when one record is added or removed), Gumbel noise of ``scale``."""
    v = np.sort(values[~np.isnan(values)])
    below = np.searchsorted(v, candidates, side="left")
    scores = -np.abs(below - alpha * len(v))
    return float(candidates[int(np.argmax(scores + rng.gumbel(0.0, scale, len(scores))))])


def _declared_categories(col: pa.ChunkedArray, spec: Any, name: str) -> tuple[Any, ...]:
    if not isinstance(spec, (list, tuple)) or not spec:
        raise InvalidInput(M.MSG_DOMAIN_BAD.format(column=name))
    try:
        arr = pa.array(list(spec)).cast(col.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        raise InvalidInput(M.MSG_DOMAIN_BAD.format(column=name)) from None
    return tuple(arr.to_pylist())


def frequent_categories(
    col: pa.ChunkedArray, min_count: int, limit: int = MAX_CATEGORIES
) -> tuple[Any, ...]:
    """The values of ``col`` with at least ``min_count`` rows, most frequent first, at most
    ``limit`` of them (the rest fall in the "other" code)."""
    vc = pc.value_counts(col.drop_null())
    vals, counts = vc.field("values").to_pylist(), vc.field("counts").to_numpy()
    order = np.argsort(-counts, kind="stable")
    return tuple(vals[i] for i in order[:limit] if counts[i] >= min_count)


def dp_categories(
    col: pa.ChunkedArray,
    scale: float,
    threshold: float,
    rng: np.random.Generator,
    limit: int = MAX_CATEGORIES,
) -> tuple[Any, ...]:
    """The values of ``col`` whose count plus Gaussian noise of ``scale`` reaches ``threshold``,
    highest noisy count first, at most ``limit`` (a Gaussian threshold mechanism: only values in
    the data are candidates, so a rare one passes with the small δ the threshold is set for)."""
    vc = pc.value_counts(col.drop_null())
    vals, counts = vc.field("values").to_pylist(), vc.field("counts").to_numpy()
    noisy = counts + rng.normal(0.0, scale, len(counts))
    order = np.argsort(-noisy, kind="stable")
    return tuple(vals[i] for i in order[:limit] if noisy[i] >= threshold)


def sido_of(value: Any) -> str | None:
    """The 시도 of a value naming a 시군구 or a 시도, written as the value is: its name for a
    name, its two-digit code for a code ("11110" → "11"); or None."""
    if not isinstance(value, str):
        return None
    if value.strip().isdigit():
        return sido_of_code(value)
    rid = to_id(value)
    return region_label(rid.partition(":")[0]) if rid else None


def region_levels(categories: Sequence[Any]) -> tuple[str, ...] | None:
    """The 시도 names to add to ``categories`` when they (mostly) name 시군구, so values outside
    them fall to their 시도; None for other columns. Reads only the selected categories."""
    named = [c for c in categories if isinstance(c, str) and ":" in (to_id(c) or "")]
    codes = [c for c in categories if isinstance(c, str) and c.isdigit() and sido_of_code(c)]
    if not categories or max(len(named), len(codes)) < REGION_SHARE * len(categories):
        return None
    by_code = len(codes) > len(named)
    levels = (s.code if by_code else s.name for s in sido_list())
    return tuple(s for s in levels if s not in categories)


def rolled_up(col: pa.ChunkedArray, categories: Sequence[Any]) -> pa.ChunkedArray:
    """``col`` with each value outside ``categories`` replaced by its 시도 (when it names one)."""
    known = set(categories)
    up = {
        v: s for v in pc.unique(col.drop_null()).to_pylist() if v not in known if (s := sido_of(v))
    }
    if not up:
        return col
    idx = pc.index_in(col, value_set=pa.array(list(up), type=col.type))
    parents = pc.take(pa.array(list(up.values()), type=col.type), idx)
    return pc.if_else(pc.is_null(idx), col, parents)


def needs_dp_categories(table: pa.Table, declared: Mapping[str, Any]) -> list[str]:
    """The categorical columns whose categories are selected with DP (none declared)."""
    return [f.name for f in table.schema if not is_numeric(f.type) and f.name not in declared]


def needs_dp_bounds(table: pa.Table, declared: Mapping[str, Any]) -> list[str]:
    """The numeric columns whose bounds are estimated with DP (no declared bins or bounds)."""
    return [
        f.name
        for f in table.schema
        if is_numeric(f.type) and f.name not in declared and not pa.types.is_boolean(f.type)
    ]


def build(
    table: pa.Table,
    declared: Mapping[str, Any],
    *,
    bins: int,
    min_category_count: int,
    bound_scale: float | None,
    rng: np.random.Generator,
    exact_bounds: bool = False,
    category_noise: tuple[float, float] | None = None,
) -> Domain:
    """The domain of ``table``: declared where the policy declares it; else categories selected
    by `dp_categories` with ``category_noise`` (scale, threshold; one selection per column, which
    the caller accounts), or without it those seen at least ``min_category_count`` times (listed
    in ``notes``: outside DP); and numeric bounds by DP quantiles (Gumbel ``bound_scale``; two
    selections per column, which the caller accounts), or with ``exact_bounds`` (no privacy: the
    copula baseline, and the report's view) the data's own 2% and 98% quantiles."""
    cols: list[Column] = []
    notes: list[str] = []
    for f in table.schema:
        col = table.column(f.name)
        nullable = col.null_count > 0
        spec = declared.get(f.name)
        if is_numeric(f.type):
            integer = pa.types.is_integer(f.type) or pa.types.is_date(f.type)
            values = as_float(col)
            if isinstance(spec, Mapping) and "bins" in spec:
                edges = tuple(float(x) for x in spec["bins"])
                source: Literal["declared", "dp", "data"] = "declared"
            else:
                if isinstance(spec, Mapping) and "bounds" in spec:
                    lo, hi = (float(x) for x in spec["bounds"])
                    source = "declared"
                elif exact_bounds:
                    present = values[~np.isnan(values)]
                    lo, hi = (
                        float(np.quantile(present, q)) if len(present) else 0.0 for q in QUANTILES
                    )
                    source = "data"
                else:
                    assert bound_scale is not None
                    grid = candidate_grid(f.type)
                    lo = dp_quantile(values, grid, QUANTILES[0], bound_scale, rng)
                    hi = dp_quantile(values, grid, QUANTILES[1], bound_scale, rng)
                    lo, hi = min(lo, hi), max(lo, hi)
                    source = "dp"
                if integer:
                    lo, hi = math.floor(lo), math.ceil(hi)
                if hi <= lo:
                    hi = lo + 1.0
                n = int(spec.get("bins", bins)) if isinstance(spec, Mapping) else bins
                if integer and hi - lo + 1 <= n:  # one bin per integer
                    edges = tuple(float(x) for x in np.arange(lo, hi + 2))
                else:
                    grid = np.linspace(lo, hi + (1 if integer else 0), n + 1)
                    if integer:  # whole-number edges
                        grid = np.unique(np.round(grid))
                    if integer and lo <= 0 < hi:  # zero, often a point mass, gets a bin of its own
                        grid = np.union1d(grid[(grid < 0) | (grid > 1)], [0.0, 1.0])
                    edges = tuple(float(x) for x in grid)
            if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
                raise InvalidInput(M.MSG_DOMAIN_BAD.format(column=f.name))
            cols.append(
                Column(
                    f.name,
                    "numeric",
                    f.type,
                    edges=edges,
                    integer=integer,
                    nullable=nullable,
                    source=source,
                )
            )
        else:
            if spec is not None:
                cats, source = _declared_categories(col, spec, f.name), "declared"
            elif category_noise is not None:
                cats, source = dp_categories(col, *category_noise, rng), "dp"
            else:
                cats, source = frequent_categories(col, min_category_count), "data"
                notes.append(f.name)
            levels = region_levels(cats) if spec is None else None
            cols.append(
                Column(
                    f.name,
                    "categorical",
                    f.type,
                    categories=cats + (levels or ()),
                    nullable=nullable,
                    source=source,
                    regions=levels is not None,
                )
            )
    return Domain(tuple(cols), notes=tuple(notes))


def encode(table: pa.Table, domain: Domain) -> np.ndarray:
    """``table`` as an (rows × columns) int array of codes in ``domain`` (vectorised)."""
    out = np.empty((table.num_rows, len(domain.columns)), dtype=np.int64)
    for j, c in enumerate(domain.columns):
        col = table.column(c.name)
        if c.kind == "categorical":
            if c.regions:
                col = rolled_up(col, c.categories)
            idx = pc.index_in(col, value_set=pa.array(list(c.categories), type=c.type))
            codes = idx.fill_null(len(c.categories)).to_numpy(zero_copy_only=False)
            if c.nullable:
                miss = col.is_null().to_numpy(zero_copy_only=False)
                codes = np.where(miss, c.size - 1, codes)
        else:
            v = as_float(col)
            e = np.asarray(c.edges)
            codes = np.clip(np.searchsorted(e, v, side="right") - 1, 0, len(e) - 2)
            if c.nullable:
                codes = np.where(np.isnan(v), c.size - 1, codes)
        out[:, j] = codes
    return out


def decode(codes: np.ndarray, domain: Domain, rng: np.random.Generator) -> pa.Table:
    """Values for ``codes``: categories as themselves (the "other" code as a missing value for
    non-string columns), bins as a uniform draw inside the bin, in each column's type."""
    arrays = []
    for j, c in enumerate(domain.columns):
        k = codes[:, j]
        missing = k == c.size - 1 if c.nullable else np.zeros(len(k), dtype=bool)
        if c.kind == "categorical":
            if pa.types.is_string(c.type) or pa.types.is_large_string(c.type):
                values = pa.array([*map(str, c.categories), OTHER], type=c.type)
            else:
                values = pa.array([*c.categories, None], type=c.type)
            arr = values.take(pa.array(np.minimum(k, len(c.categories))))
            arr = pc.if_else(pa.array(missing), pa.scalar(None, c.type), arr)
        else:
            e = np.asarray(c.edges)
            kb = np.minimum(k, len(e) - 2)
            x = e[kb] + rng.random(len(k)) * (e[kb + 1] - e[kb])
            if c.integer:
                x = np.floor(x)
            arr = _typed(x, missing, c.type)
        arrays.append(arr)
    return pa.table(arrays, names=domain.names)


def _typed(x: np.ndarray, missing: np.ndarray, t: pa.DataType) -> pa.Array:
    """Floats back in type ``t`` (dates from days, timestamps from their unit)."""
    mask = pa.array(missing)
    if pa.types.is_date(t):
        arr = pa.array(x.astype(np.int32), mask=missing).cast(pa.date32()).cast(t)
    elif pa.types.is_timestamp(t):
        arr = pa.array(x.astype(np.int64), mask=missing).cast(t)
    elif pa.types.is_integer(t):
        info = np.iinfo(t.to_pandas_dtype())
        arr = pa.array(np.clip(x, info.min, info.max).astype(np.int64), mask=missing).cast(t)
    elif pa.types.is_decimal(t):
        arr = pa.array(x, mask=missing).cast(t, safe=False)
    else:
        arr = pa.array(x, mask=missing).cast(t)
    del mask
    return arr


def checked_declared(declared: Any, columns: Sequence[str]) -> dict[str, Any]:
    """The policy's ``domains`` as a dict, refusing columns the table does not have."""
    if declared is None:
        return {}
    if not isinstance(declared, Mapping):
        raise InvalidInput(M.MSG_DOMAINS_SHAPE)
    unknown = sorted(set(declared) - set(columns))
    if unknown:
        raise InvalidInput(M.MSG_DOMAIN_UNKNOWN.format(columns=", ".join(unknown)))
    return dict(declared)


def check_rare_numeric(x: float) -> bool:
    """Whether ``x`` is a finite number (bounds and bins in a policy)."""
    return isinstance(x, (int, float)) and math.isfinite(x)
