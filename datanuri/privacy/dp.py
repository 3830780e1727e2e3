"""Differentially private aggregate releases (counts, sums, means, histograms) through OpenDP.

A policy with ``"model": "differential-privacy"`` releases no rows, only noisy aggregates over a
**declared** public domain::

    {"model": "differential-privacy", "epsilon": 1.0,
     "person": "환자번호", "contributions": 5,          # optional: bound rows per person (default 1)
     "aggregate": {
       "group_by": {"성별": ["남", "여"], "나이": {"bins": [0, 20, 40, 60, 80, 100]}},
       "measures": [
         {"count": "*"},
         {"sum": "진료비", "bounds": [0, 500000]},
         {"mean": "진료비", "bounds": [0, 500000], "epsilon": 0.2},
         {"histogram": "진료과", "categories": ["내과", "안과"]}]}}

Group values, bins and histogram categories come from the policy, never from the data (which
combinations occur is itself private): every declared cell is in the output, rows outside the
domain are dropped. The neighbouring relation is "add or remove one person", who adds at most
``contributions`` rows (enforced per ``person`` column when one is named, otherwise assumed). The
exact per-cell statistics are computed here (vectorised); the noise and the privacy accounting are
OpenDP measurements (``make_laplace``: discrete Laplace for integers, Laplace for floats), whose
privacy map gives the epsilon each measurement spends. Measures compose sequentially.

Integer columns with integer bounds are summed exactly (int64) and get discrete Laplace noise;
other numeric columns are summed in float64 (ordinary rounding, which OpenDP's own float sums
would account for) and get Laplace noise: give amounts as integers for exact arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.detect import detect
from datanuri.privacy.report import DPReport

MODEL = "differential-privacy"
#: The most cells one measure may release (group cells, times categories for a histogram).
MAX_CELLS = 100_000
POLICY_KEYS = ("model", "epsilon", "aggregate", "person", "contributions")
AGGREGATE_KEYS = ("group_by", "measures")
KINDS = ("count", "sum", "mean", "histogram")
MEASURE_KEYS = {
    "count": ("epsilon",),
    "sum": ("bounds", "epsilon"),
    "mean": ("bounds", "epsilon"),
    "histogram": ("categories", "epsilon"),
}
DETECTION_THRESHOLD = 0.8  # as apply_policy's check for untreated identifiers
ALPHA = 0.05  # accuracy is reported as the 95% bound of one cell's noise
POST_PROCESSING = (
    "Counts are integers clipped at 0; sums are clipped at 0 when the bounds allow only one sign; "
    "a mean is the centre of its bounds plus the noisy sum of (value - centre) over the noisy "
    "count, clipped to its bounds, and empty where the noisy count is below 1. "
    "Post-processing of a differentially private output costs no privacy."
)

Kind = Literal["count", "sum", "mean", "histogram"]


@dataclass(frozen=True)
class Group:
    """One group-by column and its declared domain (values, or bins of a numeric column)."""

    column: str
    values: pa.Array  # the declared values in the column's type, or the bin labels
    edges: tuple[float, ...] | None = None

    @property
    def size(self) -> int:
        return len(self.values)


@dataclass(frozen=True)
class Measure:
    """One requested aggregate, validated."""

    kind: Kind
    column: str | None  # None: count of rows
    bounds: tuple[float, float] | None = None
    categories: pa.Array | None = None
    epsilon: float | None = None  # the measure's own share, if the policy gives one

    def outputs(self) -> list[str]:
        if self.kind == "histogram":
            assert self.categories is not None and self.column is not None
            return [f"{self.column}={v}" for v in self.categories.to_pylist()]
        if self.column is None:
            return ["count"]
        return [f"{self.kind}({self.column})"]


@dataclass(frozen=True)
class Plan:
    """A validated differential-privacy policy: budget, privacy unit, domain and measures."""

    epsilon: float
    contributions: int
    person: str | None
    groups: tuple[Group, ...]
    measures: tuple[Measure, ...]
    budgets: tuple[float, ...]  # the epsilon each measure may spend
    cells: int  # group cells: the product of the groups' sizes


def is_dp(policy: Mapping[str, Any]) -> bool:
    """Whether ``policy`` asks for a differentially private aggregate release."""
    return policy.get("model") == MODEL


def _positive(value: object) -> float | None:
    """``value`` as a float if it is a finite positive number (a bool is not one), else None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isfinite(value) and value > 0:
            return float(value)
    return None


def _declared(values: Any, typ: pa.DataType, what: str) -> pa.Array:
    """Declared values as an Arrow array of the column's type, refusing empty or repeated lists."""
    if not isinstance(values, (list, tuple)):
        raise InvalidInput(M.MSG_DP_EMPTY_DOMAIN.format(what=what))
    if not values:
        raise InvalidInput(M.MSG_DP_EMPTY_DOMAIN.format(what=what))
    try:
        arr = pa.array(list(values))
        arr = arr.cast(typ) if arr.type != typ else arr
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError) as e:
        raise InvalidInput(
            M.MSG_DP_BAD_VALUES.format(what=what, type=typ, error=str(e).splitlines()[0])
        ) from None
    if arr.null_count:
        raise InvalidInput(
            M.MSG_DP_BAD_VALUES.format(what=what, type=typ, error="a value is empty (null)")
        )
    counts = pc.value_counts(arr)
    repeated = [
        v
        for v, c in zip(
            counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True
        )
        if c > 1
    ]
    if repeated:
        raise InvalidInput(M.MSG_DP_DUPLICATE_VALUE.format(what=what, value=repeated[0]))
    return arr


def _bin_labels(edges: Sequence[float], integer: bool) -> list[str]:
    pairs = list(pairwise(edges))
    if integer and all(float(e).is_integer() for e in edges):
        return [
            f"{int(lo)}-{int(hi) - 1}" if int(hi) - 1 > int(lo) else f"{int(lo)}"
            for lo, hi in pairs
        ]
    return [f"[{lo:g}, {hi:g})" for lo, hi in pairs]


def _group(table: pa.Table, column: str, spec: Any) -> Group:
    typ = table.schema.field(column).type
    if isinstance(spec, Mapping):
        if set(spec) != {"bins"}:
            raise InvalidInput(M.MSG_DP_BAD_GROUP.format(column=column, value=spec))
        if not (pa.types.is_integer(typ) or pa.types.is_floating(typ)):
            raise InvalidInput(M.MSG_NOT_NUMERIC.format(column=column, operation="bins", type=typ))
        edges = spec["bins"]
        ok = (
            isinstance(edges, (list, tuple))
            and len(edges) >= 2
            and all(
                isinstance(e, (int, float)) and not isinstance(e, bool) and math.isfinite(e)
                for e in edges
            )
            and all(a < b for a, b in pairwise(edges))
        )
        if not ok:
            raise InvalidInput(M.MSG_DP_BAD_BINS.format(column=column, value=edges))
        labels = pa.array(_bin_labels(edges, pa.types.is_integer(typ)), pa.string())
        return Group(column, labels, tuple(float(e) for e in edges))
    if not isinstance(spec, (list, tuple)):
        raise InvalidInput(M.MSG_DP_BAD_GROUP.format(column=column, value=spec))
    return Group(column, _declared(spec, typ, f"group {column!r}"))


def _measure(table: pa.Table, spec: Any) -> Measure:
    if not isinstance(spec, Mapping):
        raise InvalidInput(M.MSG_DP_BAD_MEASURE.format(value=spec))
    kinds = [k for k in spec if k in KINDS]
    if len(kinds) != 1:
        raise InvalidInput(M.MSG_DP_BAD_MEASURE.format(value=dict(spec)))
    kind: Kind = kinds[0]
    extra = [k for k in spec if k != kind and k not in MEASURE_KEYS[kind]]
    if extra:
        raise InvalidInput(
            M.MSG_UNKNOWN_OPTION.format(
                what=f"option of the {kind} measure",
                value=extra[0],
                choices=", ".join(MEASURE_KEYS[kind]),
            )
        )
    column = spec[kind]
    if kind == "count" and column == "*":
        column = None
    elif not isinstance(column, str) or column not in table.column_names:
        raise InvalidInput(
            M.MSG_MISSING_COLUMN.format(column=column, columns=", ".join(table.column_names))
        )
    eps = spec.get("epsilon")
    if eps is not None and _positive(eps) is None:
        raise InvalidInput(
            M.MSG_DP_BAD_MEASURE_EPSILON.format(measure=f"{kind}({column or '*'})", value=eps)
        )
    bounds = categories = None
    if kind in ("sum", "mean"):
        typ = table.schema.field(column).type
        if not (pa.types.is_integer(typ) or pa.types.is_floating(typ)):
            raise InvalidInput(
                M.MSG_NOT_NUMERIC.format(
                    column=column, operation=f"a differentially private {kind}", type=typ
                )
            )
        b = spec.get("bounds")
        if b is None:
            raise InvalidInput(M.MSG_DP_NEEDS_BOUNDS.format(kind=kind, column=column))
        if not (
            isinstance(b, (list, tuple))
            and len(b) == 2
            and all(
                isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                for x in b
            )
            and b[0] < b[1]
        ):
            raise InvalidInput(M.MSG_DP_BAD_BOUNDS.format(kind=kind, column=column, value=b))
        bounds = (b[0], b[1])
    if kind == "histogram":
        if "categories" not in spec:
            raise InvalidInput(M.MSG_DP_NEEDS_CATEGORIES.format(column=column))
        categories = _declared(
            spec["categories"], table.schema.field(column).type, f"the histogram of {column!r}"
        )
    return Measure(kind, column, bounds, categories, float(eps) if eps is not None else None)


def plan(table: pa.Table, policy: Mapping[str, Any], *, max_epsilon: float | None = None) -> Plan:
    """Validate a differential-privacy policy against ``table`` before any work (raises
    :class:`InvalidInput` with what to fix), including the platform's ceiling ``max_epsilon`` on
    one release (``PolicyLimits.max_epsilon``; None: none). Identifier checks are in
    :func:`check_identifiers`."""
    unknown = [k for k in policy if k not in POLICY_KEYS]
    if unknown:
        raise InvalidInput(
            M.MSG_UNKNOWN_OPTION.format(
                what="entry of a differential-privacy policy",
                value=unknown[0],
                choices=", ".join(POLICY_KEYS),
            )
        )
    epsilon = _positive(policy.get("epsilon"))
    if epsilon is None:
        raise InvalidInput(M.MSG_DP_BAD_EPSILON.format(value=policy.get("epsilon")))
    if max_epsilon is not None and epsilon > max_epsilon:
        raise InvalidInput(M.MSG_DP_EPSILON_ABOVE_MAX.format(epsilon=epsilon, limit=max_epsilon))
    contributions = policy.get("contributions", 1)
    if not isinstance(contributions, int) or isinstance(contributions, bool) or contributions < 1:
        raise InvalidInput(M.MSG_DP_BAD_CONTRIBUTIONS.format(value=contributions))
    person = policy.get("person")
    if person is not None and person not in table.column_names:
        raise InvalidInput(
            M.MSG_MISSING_COLUMN.format(column=person, columns=", ".join(table.column_names))
        )
    agg = policy.get("aggregate")
    if (
        not isinstance(agg, Mapping)
        or not isinstance(agg.get("measures"), (list, tuple))
        or not agg["measures"]
    ):
        raise InvalidInput(M.MSG_DP_NO_MEASURES.format())  # a template: {{ }} become { }
    extra = [k for k in agg if k not in AGGREGATE_KEYS]
    if extra:
        raise InvalidInput(
            M.MSG_UNKNOWN_OPTION.format(
                what='entry of "aggregate"', value=extra[0], choices=", ".join(AGGREGATE_KEYS)
            )
        )
    group_by = agg.get("group_by") or {}
    if not isinstance(group_by, Mapping):
        raise InvalidInput(M.MSG_DP_BAD_GROUP.format(column="group_by", value=group_by))
    for col in group_by:
        if col not in table.column_names:
            raise InvalidInput(
                M.MSG_MISSING_COLUMN.format(column=col, columns=", ".join(table.column_names))
            )
    groups = tuple(_group(table, col, spec) for col, spec in group_by.items())
    cells = math.prod(g.size for g in groups)
    if cells > MAX_CELLS:
        raise InvalidInput(
            M.MSG_DP_DOMAIN_TOO_LARGE.format(
                cells=cells,
                what=" × ".join(f"{g.column} {g.size}" for g in groups),
                limit=MAX_CELLS,
            )
        )
    measures = tuple(_measure(table, spec) for spec in agg["measures"])
    for m in measures:
        if m.kind == "histogram":
            assert m.categories is not None
            size = cells * len(m.categories)
            if size > MAX_CELLS:
                raise InvalidInput(
                    M.MSG_DP_DOMAIN_TOO_LARGE.format(
                        cells=size,
                        what=f"{cells:,} group cells × {len(m.categories):,} categories of {m.column}",
                        limit=MAX_CELLS,
                    )
                )
        if person is not None and person in (m.column, *(g.column for g in groups)):
            raise InvalidInput(M.MSG_DP_PERSON_USED.format(column=person))
    if person is not None and person in group_by:
        raise InvalidInput(M.MSG_DP_PERSON_USED.format(column=person))
    names = [g.column for g in groups] + [name for m in measures for name in m.outputs()]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InvalidInput(M.MSG_DP_NAME_CLASH.format(name=name))
        seen.add(name)
    return Plan(
        epsilon,
        contributions,
        person,
        groups,
        measures,
        _split(epsilon, measures),
        cells,
    )


def _split(epsilon: float, measures: Sequence[Measure]) -> tuple[float, ...]:
    """Each measure's epsilon: its own, or an equal share of what the others leave."""
    given = math.fsum(m.epsilon for m in measures if m.epsilon is not None)
    if given > epsilon * (1 + 1e-12):
        raise InvalidInput(M.MSG_DP_EPSILON_OVER.format(total=given, epsilon=epsilon))
    rest = [m for m in measures if m.epsilon is None]
    share = 0.0
    if rest:
        left = epsilon - given
        if left <= epsilon * 1e-9:
            raise InvalidInput(M.MSG_DP_EPSILON_LEFT.format(epsilon=epsilon, count=len(rest)))
        share = left / len(rest)
    budgets = [m.epsilon if m.epsilon is not None else share for m in measures]
    while math.fsum(budgets) > epsilon:  # float rounding: take ulps off until the shares fit
        budgets = [float(np.nextafter(b, 0.0)) for b in budgets]
    return tuple(budgets)


def check_identifiers(table: pa.Table, p: Plan, *, threshold: float = DETECTION_THRESHOLD) -> None:
    """Refuse a group key or measured column that detection calls a direct identifier with at
    least ``threshold`` confidence: declared group values and histogram categories are published
    as they are. A counted, summed or averaged column is refused too, except for a mere record key (detection's
    guess for any highly distinct integer column, such as exact amounts): only a clamped noisy
    total of it leaves."""
    used = [(g.column, True) for g in p.groups] + [
        (m.column, m.kind == "histogram") for m in p.measures if m.column is not None
    ]
    if not used:
        return
    findings = {f.column: f for f in detect(table.select(sorted({c for c, _ in used}))).columns}
    for col, published in used:
        f = findings.get(col)
        if f is None or f.category != "direct" or f.confidence < threshold:
            continue
        if published or f.kind != "record_key":
            raise InvalidInput(M.MSG_DP_DIRECT_IDENTIFIER.format(column=col, kind=f.kind))


# ----- exact statistics (vectorised) ------------------------------------------------------------


def _codes(table: pa.Table, g: Group) -> np.ndarray:
    """Index of each row's value in the group's domain, -1 outside it (or null)."""
    col = table.column(g.column)
    if g.edges is not None:
        v = pc.fill_null(pc.cast(col, pa.float64()), math.nan).to_numpy()
        edges = np.asarray(g.edges)
        idx = np.searchsorted(edges, v, side="right") - 1
        idx[(idx >= g.size) | np.isnan(v)] = -1
        return idx.astype(np.int64)
    idx = pc.index_in(col, value_set=g.values)
    return pc.fill_null(idx, -1).to_numpy().astype(np.int64)


def cell_ids(table: pa.Table, groups: Sequence[Group]) -> np.ndarray:
    """Row-major cell number of each row over the declared domain, -1 outside it."""
    ids = np.zeros(table.num_rows, dtype=np.int64)
    outside = np.zeros(table.num_rows, dtype=bool)
    for g in groups:
        c = _codes(table, g)
        outside |= c < 0
        ids = ids * g.size + np.maximum(c, 0)
    ids[outside] = -1
    return ids


def limit_contributions(table: pa.Table, person: str, n: int) -> tuple[np.ndarray, int, int]:
    """Rows kept when each person keeps only their first ``n`` rows (in table order), rows with no
    person dropped: (mask, rows over the limit, rows without person). Stable: adding or removing
    one person changes at most ``n`` kept rows."""
    col = table.column(person)
    missing = pc.is_null(col).to_numpy(zero_copy_only=False)
    codes = pc.dictionary_encode(
        col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    ).indices
    codes = pc.fill_null(codes, -1).to_numpy().astype(np.int64)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = (
        np.r_[0, np.flatnonzero(np.diff(sorted_codes)) + 1]
        if len(sorted_codes)
        else np.zeros(0, dtype=np.int64)
    )
    run_start = np.zeros(len(sorted_codes), dtype=np.int64)
    run_start[starts] = starts
    run_start = np.maximum.accumulate(run_start) if len(run_start) else run_start
    rank = np.empty(len(codes), dtype=np.int64)
    rank[order] = np.arange(len(codes)) - run_start
    keep = (rank < n) & ~missing
    return keep, int(((rank >= n) & ~missing).sum()), int(missing.sum())


def _values(
    table: pa.Table, column: str, bounds: tuple[float, float], integer: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(clamped values, non-null mask) of a numeric column."""
    col = table.column(column)
    present = pc.is_valid(col).to_numpy(zero_copy_only=False)
    if integer:
        v = pc.fill_null(pc.cast(col, pa.int64()), 0).to_numpy()
        return np.clip(v, int(bounds[0]), int(bounds[1])), present
    v = pc.fill_null(pc.cast(col, pa.float64()), 0.0).to_numpy()
    present = present & ~np.isnan(v)  # NaN counts as missing
    return np.clip(np.where(present, v, 0.0), float(bounds[0]), float(bounds[1])), present


def _sum_by(cell: np.ndarray, values: np.ndarray, cells: int) -> np.ndarray:
    """Per-cell sums, exact for integers (``np.add.at`` keeps int64)."""
    out = np.zeros(cells, dtype=values.dtype)
    np.add.at(out, cell, values)
    return out


# ----- noise through OpenDP ---------------------------------------------------------------------


def _opendp() -> Any:
    import opendp.prelude as dp

    # OpenDP ships its mechanisms under the "contrib" flag until their proofs pass its committee's
    # vetting; make_laplace is one of them. No other flag ("floating-point", "honest-but-curious")
    # is enabled.
    dp.enable_features("contrib")
    return dp


@dataclass(frozen=True)
class Noise:
    """One OpenDP measurement applied to a vector of exact statistics."""

    mechanism: str
    sensitivity: float
    scale: float
    epsilon: float  # by OpenDP's privacy map at the sensitivity
    accuracy: float  # |noise| of one cell stays below this with probability 1 - ALPHA

    def to_dict(self) -> dict[str, Any]:
        return {
            "mechanism": self.mechanism,
            "sensitivity": self.sensitivity,
            "scale": self.scale,
            "epsilon": self.epsilon,
            "accuracy_95": self.accuracy,
        }


def _laplace(integer: bool, scale: float) -> Any:
    dp = _opendp()
    # Python's int would be i32 in OpenDP: sums of amounts need i64
    atom = dp.atom_domain(T="i64") if integer else dp.atom_domain(T="f64", nan=False)
    return dp.m.make_laplace(
        dp.vector_domain(atom), dp.l1_distance(T="i64" if integer else "f64"), scale=scale
    )


def laplace_measurement(sensitivity: float, epsilon: float, *, integer: bool) -> tuple[Any, Noise]:
    """The OpenDP Laplace measurement (discrete for integers) that spends at most ``epsilon`` on a
    vector whose L1 sensitivity is ``sensitivity``, and its description."""
    dp = _opendp()
    d_in: int | float = int(sensitivity) if integer else float(sensitivity)
    scale = float(d_in) / epsilon
    m = _laplace(integer, scale)
    for _ in range(64):  # the map rounds up; widen the scale by ulps until it fits the budget
        if m.map(d_in) <= epsilon:
            break
        scale = float(np.nextafter(scale, math.inf))
        m = _laplace(integer, scale)
    spent = float(m.map(d_in))
    if integer:
        acc = discrete_laplace_accuracy(scale, ALPHA)
        mech = "discrete Laplace"
    else:
        acc = float(dp.laplacian_scale_to_accuracy(scale, ALPHA))
        mech = "Laplace"
    return m, Noise(mech, float(d_in), scale, spent, acc)


def discrete_laplace_accuracy(scale: float, alpha: float) -> float:
    """The (1 - alpha) error bound of discrete Laplace noise of ``scale``, always finite.

    OpenDP's ``discrete_laplacian_scale_to_accuracy`` returns -inf once exp(-1/scale) underflows
    (scale below about 1e-3, i.e. epsilon of 10^3 and more per unit of sensitivity); that -inf
    made the report unstorable as JSON (an HTTP 500 at epsilon 10^4). There the same closed form,
    scale * ln(2 / (alpha * (1 + exp(-1/scale)))), from P[|X| >= a] = 2 t^a / (1 + t) with
    t = exp(-1/scale), is evaluated directly: finite, tiny and positive."""
    dp = _opendp()
    acc = float(dp.discrete_laplacian_scale_to_accuracy(scale, alpha))
    if math.isfinite(acc) and acc >= 0:
        return acc
    return scale * math.log(2.0 / (alpha * (1.0 + math.exp(-1.0 / scale))))


def _noisy(
    exact: np.ndarray, sensitivity: float, epsilon: float, *, integer: bool
) -> tuple[np.ndarray, Noise]:
    m, info = laplace_measurement(sensitivity, epsilon, integer=integer)
    dtype = np.int64 if integer else np.float64
    return np.asarray(m(exact.tolist()), dtype=dtype), info


# ----- the release --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """The aggregate table and the report's ``differential_privacy`` section."""

    table: pa.Table
    spent: float
    section: dict[str, Any]


def _group_columns(p: Plan) -> list[tuple[str, pa.Array]]:
    cols = []
    stride = p.cells
    for g in p.groups:
        stride //= g.size
        idx = (np.arange(p.cells) // stride) % g.size
        cols.append((g.column, g.values.take(pa.array(idx))))
    return cols


def release(table: pa.Table, p: Plan) -> Release:
    """Compute the exact per-cell statistics of ``table`` under plan ``p`` and release them with
    OpenDP noise: one row per declared group cell."""
    n_rows = table.num_rows
    cells = cell_ids(table, p.groups)
    in_domain = cells >= 0
    over = no_person = 0
    keep = in_domain
    if p.person is not None:
        sub = table.filter(pa.array(in_domain))
        kept, over, no_person = limit_contributions(sub, p.person, p.contributions)
        keep = in_domain.copy()
        keep[np.flatnonzero(in_domain)] = kept
    used = table.filter(pa.array(keep))
    cell = cells[keep]
    n = p.contributions
    columns: list[tuple[str, pa.Array]] = _group_columns(p)
    measures: list[dict[str, Any]] = []
    for m, eps in zip(p.measures, p.budgets, strict=True):
        entry: dict[str, Any] = {
            "measure": m.kind,
            "column": m.column or "*",
            "outputs": m.outputs(),
            "epsilon_budget": eps,
        }
        if m.kind == "count":
            present = (
                np.ones(len(cell), bool)
                if m.column is None
                else pc.is_valid(used.column(m.column)).to_numpy(zero_copy_only=False)
            )
            exact = np.bincount(cell[present], minlength=p.cells)
            noisy, info = _noisy(exact, n, eps, integer=True)
            columns.append((m.outputs()[0], pa.array(np.maximum(noisy, 0), pa.int64())))
            entry.update(info.to_dict())
        elif m.kind == "histogram":
            assert m.categories is not None and m.column is not None
            n_categories = len(m.categories)
            code = (
                pc.fill_null(pc.index_in(used.column(m.column), value_set=m.categories), -1)
                .to_numpy()
                .astype(np.int64)
            )
            ok = code >= 0
            exact = np.bincount(
                cell[ok] * n_categories + code[ok], minlength=p.cells * n_categories
            )
            noisy, info = _noisy(exact, n, eps, integer=True)
            noisy = np.maximum(noisy, 0).reshape(p.cells, n_categories)
            for j, name in enumerate(m.outputs()):
                columns.append((name, pa.array(noisy[:, j], pa.int64())))
            entry.update(info.to_dict())
            entry["categories"] = n_categories
            entry["out_of_domain_rows"] = int((~ok).sum())
        else:
            assert m.bounds is not None and m.column is not None
            lo, hi = m.bounds
            integer = pa.types.is_integer(used.schema.field(m.column).type) and all(
                isinstance(b, int) for b in m.bounds
            )
            values, present = _values(used, m.column, m.bounds, integer)
            # a mean sums the values less the middle of the bounds (half the sensitivity) and adds it back
            mid = 0 if m.kind == "sum" else ((lo + hi) // 2 if integer else (lo + hi) / 2)
            bound = max(abs(lo - mid), abs(hi - mid))
            sum_eps = eps if m.kind == "sum" else eps / 2
            exact_sum = _sum_by(cell[present], values[present] - mid, p.cells)
            noisy_sum, sum_info = _noisy(exact_sum, n * bound, sum_eps, integer=integer)
            noisy_sum = noisy_sum.astype(np.float64)
            entry["bounds"] = [lo, hi]
            if m.kind == "sum":
                if lo >= 0:
                    noisy_sum = np.maximum(noisy_sum, 0.0)
                elif hi <= 0:
                    noisy_sum = np.minimum(noisy_sum, 0.0)
                out = pa.array(noisy_sum.astype(np.int64) if integer else noisy_sum)
                columns.append((m.outputs()[0], out))
                entry.update(sum_info.to_dict())
            else:
                exact_count = np.bincount(cell[present], minlength=p.cells)
                count_eps = eps - sum_info.epsilon
                while sum_info.epsilon + count_eps > eps:
                    count_eps = float(np.nextafter(count_eps, 0.0))
                noisy_count, count_info = _noisy(exact_count, n, count_eps, integer=True)
                with np.errstate(divide="ignore", invalid="ignore"):
                    mean = np.clip(mid + noisy_sum / noisy_count, lo, hi)
                columns.append((m.outputs()[0], pa.array(mean, pa.float64(), mask=noisy_count < 1)))
                entry.update(
                    {
                        "mechanism": "noisy sum / noisy count",
                        "epsilon": sum_info.epsilon + count_info.epsilon,
                        "components": {"sum": sum_info.to_dict(), "count": count_info.to_dict()},
                        "accuracy_95": None,
                        "centre": mid,
                        "accuracy_note": (
                            "The sum is of (value - centre), centre the middle of the bounds. "
                            "The error depends on the cell's count c: roughly "
                            "(sum accuracy + (HIGH - LOW) / 2 × count accuracy) / c. "
                            f"With sum ±{sum_info.accuracy:.4g} and count "
                            f"±{count_info.accuracy:.4g} at 95% each."
                        ),
                    }
                )
        measures.append(entry)
    spent = math.fsum(float(m["epsilon"]) for m in measures)
    out = pa.table(dict(columns))
    section = {
        "epsilon": p.epsilon,
        "epsilon_spent": spent,
        "composition": "basic sequential composition: the epsilons of the measures add up",
        "arithmetic": (
            "integer columns with integer bounds: exact int64 sums and discrete Laplace noise; "
            "other numeric columns: float64 sums (ordinary rounding) and Laplace noise"
        ),
        "privacy_unit": {
            "contributions": p.contributions,
            "person": p.person,
            "enforced": p.person is not None,
            "neighbouring": f"add or remove one person, who adds at most {p.contributions} row(s)",
            "assumption": (
                f"each value of {p.person!r} is one person; rows beyond the first "
                f"{p.contributions} of a person are dropped"
                if p.person is not None
                else (
                    f"each person has at most {p.contributions} row(s) in the table (not checked: "
                    f'name a "person" column to enforce it)'
                )
            ),
        },
        "cells": p.cells,
        "group_by": {
            g.column: (
                {"bins": list(g.edges), "labels": g.values.to_pylist()}
                if g.edges is not None
                else {"values": [_plain(v) for v in g.values.to_pylist()]}
            )
            for g in p.groups
        },
        "measures": measures,
        "rows": {
            "input": n_rows,
            "out_of_domain": int((~in_domain).sum()),
            "over_contribution_limit": over,
            "without_person": no_person,
            "used": int(keep.sum()),
            "note": (
                "Exact row counts for the holder's assessment only: they are not differentially"
                " private and are not released."
            ),
        },
        "post_processing": POST_PROCESSING,
        "opendp": {
            "version": _opendp_version(),
            "features": ["contrib"],
            "measurement": "make_laplace over each measure's vector of cells; epsilon from its privacy map",
        },
    }
    return Release(out, spent, section)


def _plain(v: Any) -> Any:
    return v if isinstance(v, (str, int, float, bool)) or v is None else str(v)


def _opendp_version() -> str:
    from importlib.metadata import version

    return version("opendp")


def apply_dp(
    table: pa.Table,
    policy: Mapping[str, Any],
    *,
    detection_threshold: float = DETECTION_THRESHOLD,
    max_epsilon: float | None = None,
) -> tuple[pa.Table, bool, DPReport]:
    """Validate and run a differential-privacy policy: (aggregate table, passed, report). The
    report is a :class:`~datanuri.privacy.report.DPReport`: budget, noise and accuracy per
    measure, no equivalence classes (there are none). An epsilon above ``max_epsilon`` (the
    platform's ceiling) is refused before any work."""
    p = plan(table, policy, max_epsilon=max_epsilon)
    check_identifiers(table, p, threshold=detection_threshold)
    r = release(table, p)
    failures: list[str] = []
    if r.spent > p.epsilon:
        failures.append(M.MSG_DP_OVER_BUDGET.format(spent=r.spent, epsilon=p.epsilon))
    allowed = {g.column for g in p.groups} | {name for m in p.measures for name in m.outputs()}
    raw = [c for c in r.table.column_names if c not in allowed]
    if raw:
        failures.append(M.MSG_DP_RAW_COLUMNS.format(columns=", ".join(raw)))
    section = r.section if max_epsilon is None else {**r.section, "max_epsilon": max_epsilon}
    report = DPReport.from_section(
        section,
        passed=not failures,
        failures=tuple(failures),
        records_original=table.num_rows,
        records_released=r.table.num_rows,
    )
    return r.table, report.passed, report
