"""Local recoding with strict multidimensional Mondrian (LeFevre, DeWitt & Ramakrishnan 2006).

Full-domain generalisation recodes a column the same way in every record; when the data is
uneven that loses much more than needed. Mondrian instead cuts the records recursively: at each
step it picks the quasi-identifier with the widest (normalised) range in the current partition
and splits at the median, as long as both halves keep at least ``k`` records (and, with
``l_diversity``, at least that many distinct sensitive values). Each final partition is released with its own
ranges: ``"25-34"`` for numbers, the lowest common ancestor in the hierarchy (or the set of
values) for categories.

The cuts run on the frequency table (distinct quasi-identifier combinations with counts,
weighted medians), so the work depends on distinct combinations, not rows. Categorical values
are ordered along their hierarchy so that a cut keeps subtrees together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.criteria import DEFAULT_K
from datanuri.privacy.encoding import codes, combine_codes
from datanuri.privacy.hierarchies import Hierarchy, TableHierarchy


@dataclass(frozen=True)
class LocalResult:
    """The release of :func:`mondrian`."""

    table: pa.Table
    partitions: int
    ncp: float  # mean normalised certainty penalty over records and quasi-identifiers (0 = exact)
    ncp_per_column: dict[str, float]
    report: dict[str, Any]


def _is_numeric(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)


@dataclass
class _Dim:
    name: str
    numeric: bool
    rank_of_code: np.ndarray  # leaf code -> rank along the dimension
    value_of_rank: list[Any]  # rank -> value (numeric) or leaf label
    leaves: int  # domain size
    span: float  # full range (numeric) or leaves - 1
    hierarchy: TableHierarchy | None


def _order_dimension(
    name: str, column: pa.ChunkedArray, hierarchy: Hierarchy | None
) -> tuple[np.ndarray, _Dim]:
    leaf_codes, dictionary = codes(column)
    if dictionary.null_count:
        raise InvalidInput(
            M.MSG_UNKNOWN_OPTION.format(
                what="value in quasi-identifier " + repr(name),
                value=None,
                choices="non-null values (fill or drop nulls before Mondrian)",
            )
        )
    values = dictionary.to_pylist()
    numeric = _is_numeric(column.type)
    table_h = hierarchy if isinstance(hierarchy, TableHierarchy) else None
    if numeric:
        order = np.argsort(np.asarray(values, dtype=float), kind="stable")
    elif table_h is not None:
        # order leaves by their path from the root, so subtrees are contiguous
        gen = [
            table_h.generalize(dictionary, lv, column=name).to_pylist()
            for lv in range(table_h.height - 1, -1, -1)
        ]
        order = np.array(sorted(range(len(values)), key=lambda i: tuple(str(g[i]) for g in gen)))
    else:
        order = np.argsort(np.asarray([str(v) for v in values]), kind="stable")
    rank_of_code = np.empty(len(values), dtype=np.int64)
    rank_of_code[order] = np.arange(len(values))
    ordered = [values[i] for i in order]
    span = (
        float(ordered[-1] - ordered[0]) if numeric and ordered else float(max(len(values) - 1, 0))
    )
    return rank_of_code[leaf_codes], _Dim(
        name, numeric, rank_of_code, ordered, len(values), span, table_h
    )


def mondrian(
    table: pa.Table,
    *,
    quasi_identifiers: Mapping[str, Hierarchy | None],
    k: int = DEFAULT_K,
    l_diversity: int | None = None,
    sensitive: str | None = None,
) -> LocalResult:
    """k-anonymous (and distinct l-diverse with ``l_diversity`` and ``sensitive``) local recoding.

    ``quasi_identifiers`` maps each quasi-identifier to a hierarchy for categorical columns
    (used to order values and label partitions) or ``None`` (numbers: ranges; text: value sets).
    """
    if not quasi_identifiers:
        raise InvalidInput(M.MSG_NO_QUASI_IDENTIFIERS)
    names = list(quasi_identifiers)
    for col in names + ([sensitive] if sensitive else []):
        if col not in table.column_names:
            raise InvalidInput(
                M.MSG_MISSING_COLUMN.format(column=col, columns=", ".join(table.column_names))
            )
    if not isinstance(k, int) or k < 1:
        raise InvalidInput(M.MSG_BAD_K.format(k=k))
    if table.num_rows == 0:
        raise InvalidInput(M.MSG_EMPTY_TABLE)
    if k > table.num_rows:
        raise InvalidInput(M.MSG_K_TOO_LARGE.format(k=k, rows=table.num_rows))
    if l_diversity is not None and not sensitive:
        raise InvalidInput(M.MSG_NEEDS_SENSITIVE.format(model="distinct-l-diversity"))

    ranks, dims = [], []
    for name in names:
        r, d = _order_dimension(name, table.column(name), quasi_identifiers[name])
        ranks.append(r)
        dims.append(d)
    cols = list(ranks)
    cards = [max(d.leaves, 1) for d in dims]
    s_codes = None
    if sensitive and l_diversity:
        s_codes, s_dict = codes(table.column(sensitive))
        cols.append(s_codes)
        cards.append(max(len(s_dict), 1))
        if len(s_dict) < l_diversity:
            raise InvalidInput(
                M.MSG_L_TOO_FEW_VALUES.format(column=sensitive, distinct=len(s_dict), l=l_diversity)
            )
    row_group, g = combine_codes(cols, cards)
    first = np.full(g, -1, dtype=np.int64)
    first[row_group[::-1]] = np.arange(table.num_rows - 1, -1, -1)
    count = np.bincount(row_group, minlength=g).astype(np.int64)
    R = np.stack([r[first] for r in ranks], axis=1)  # frequency rows × dims
    S = s_codes[first] if s_codes is not None else None
    spans = np.array([max(d.span, 1e-12) for d in dims])
    numeric_values = [np.asarray(d.value_of_rank, dtype=float) if d.numeric else None for d in dims]

    def width(rows: np.ndarray) -> np.ndarray:
        lo, hi = R[rows].min(axis=0), R[rows].max(axis=0)
        w = np.empty(len(dims))
        for j, values in enumerate(numeric_values):
            w[j] = hi[j] - lo[j] if values is None else values[hi[j]] - values[lo[j]]
        return w / spans

    def allowed(rows: np.ndarray) -> bool:
        if count[rows].sum() < k:
            return False
        return S is None or len(np.unique(S[rows])) >= (l_diversity or 1)

    final: list[np.ndarray] = []
    stack = [np.arange(g)]
    while stack:
        rows = stack.pop()
        w = width(rows)
        split = False
        for j in np.argsort(-w, kind="stable"):
            if w[j] <= 0:
                break
            col = R[rows, j]
            order = np.argsort(col, kind="stable")
            sorted_vals = col[order]
            cum = np.cumsum(count[rows][order])
            half = cum[-1] / 2
            median = sorted_vals[np.searchsorted(cum, half)]
            left_mask = col <= median
            if left_mask.all():  # the median is the largest value: cut just below it
                lower = sorted_vals[sorted_vals < median]
                if not len(lower):
                    continue
                left_mask = col <= lower[-1]
            left, right = rows[left_mask], rows[~left_mask]
            if allowed(left) and allowed(right):
                stack.append(right)
                stack.append(left)
                split = True
                break
        if not split:
            final.append(rows)

    # labels per partition
    part_of_row = np.empty(g, dtype=np.int64)
    for p, rows in enumerate(final):
        part_of_row[rows] = p
    labels: dict[str, list[Any]] = {}
    ncp_cols: dict[str, float] = {}
    n = table.num_rows
    for j, d in enumerate(dims):
        lab, pen = [], np.empty(len(final))
        for p, rows in enumerate(final):
            lo, hi = int(R[rows, j].min()), int(R[rows, j].max())
            if d.numeric:
                a, b = d.value_of_rank[lo], d.value_of_rank[hi]
                lab.append(_fmt(a) if lo == hi else f"{_fmt(a)}-{_fmt(b)}")
                pen[p] = (float(b) - float(a)) / d.span if d.span else 0.0
            else:
                members = [d.value_of_rank[r] for r in np.unique(R[rows, j])]
                label, covered = _categorical_label(d, members, lo, hi)
                lab.append(label)
                pen[p] = (covered - 1) / (d.leaves - 1) if d.leaves > 1 else 0.0
        labels[d.name] = lab
        sizes = np.array([count[rows].sum() for rows in final], dtype=float)
        ncp_cols[d.name] = float((pen * sizes).sum() / n)
    out = table
    rec_part = pa.array(part_of_row[row_group])
    for d in dims:
        col = pc.take(pa.array([str(x) for x in labels[d.name]], pa.string()), rec_part)
        out = out.set_column(out.column_names.index(d.name), d.name, col)
    ncp = float(np.mean(list(ncp_cols.values())))
    sizes = np.bincount(part_of_row, weights=count, minlength=len(final))
    report = {
        "method": "mondrian",
        "model": "k-anonymity" if not l_diversity else "distinct-l-diversity",
        "parameters": {"k": k, "l": l_diversity},
        "partitions": len(final),
        "smallest_partition": int(sizes.min()),
        "ncp": ncp,
        "ncp_per_column": ncp_cols,
        "records": n,
    }
    return LocalResult(out, len(final), ncp, ncp_cols, report)


def _fmt(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _categorical_label(d: _Dim, members: list[Any], lo: int, hi: int) -> tuple[str, int]:
    """The partition's label and how many domain values it covers."""
    if len(members) == 1:
        return str(members[0]), 1
    if d.hierarchy is not None:
        h = d.hierarchy
        arr = pa.array([str(m) for m in members], pa.string())
        domain = pa.array([str(v) for v in d.value_of_rank], pa.string())
        for level in range(1, h.height):
            gen = h.generalize(arr, level).to_pylist()
            if len(set(gen)) == 1:
                under = h.generalize(domain, level).to_pylist()
                return str(gen[0]), sum(1 for x in under if x == gen[0])
    return "{" + ", ".join(sorted(str(m) for m in members)) + "}", len(members)
