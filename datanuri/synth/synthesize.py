"""Synthesize a table: the options, the privacy accounting and the result (pure: Arrow in,
Arrow out, no database)."""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pyarrow as pa

from datanuri.errors import InvalidInput
from datanuri.synth import accounting as A
from datanuri.synth import copula, mst
from datanuri.synth import domain as D
from datanuri.synth import messages as M

Method = Literal["mst", "copula"]
METHODS = ("mst", "copula")
BOUNDS_SHARE = 0.2  # of ρ, for numeric bounds estimated with DP (when any column needs them)
CATEGORY_SHARE = 0.1  # of ρ, for categories selected with DP (when any column needs them)
CATEGORY_DELTA_SHARE = 0.5  # of δ: the chance that a rare value passes a selection threshold
MIN_ROWS = 20
MAX_CODES = 1000  # codes per column: keeps every 2-way table small


@dataclass(frozen=True, kw_only=True)
class SynthOptions:
    """How to synthesize: the method, the privacy parameters and the domain."""

    method: Method = "mst"
    epsilon: float = 1.0
    delta: float | None = None  # None: min(1e-6, 1 / (10 n))
    seed: int | None = None  # None: a fresh random seed (recorded in the result)
    rows: int | None = None  # synthetic records; None: the noisy number of records
    bins: int = 16
    min_category_count: int = 10
    domains: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "epsilon": self.epsilon,
            "delta": self.delta,
            "seed": self.seed,
            "rows": self.rows,
            "bins": self.bins,
            "min_category_count": self.min_category_count,
            "domains": dict(self.domains),
        }


@dataclass(frozen=True)
class Accounting:
    """The privacy loss of one synthesis: every measurement's ρ, their OpenDP composition and the
    (ε, δ) it converts to. ``formal`` is False for a method without a guarantee."""

    formal: bool
    epsilon: float | None
    delta: float | None
    rho: float | None
    steps: tuple[mst.Step, ...] = ()
    composition: str = A.COMPOSITION

    def to_json(self) -> dict[str, Any]:
        return {
            "formal": self.formal,
            "epsilon": self.epsilon,
            "delta": self.delta,
            "rho": self.rho,
            "composition": self.composition if self.formal else copula.GUARANTEE,
            "measurements": [
                {
                    "kind": s.kind,
                    "columns": list(s.columns),
                    "scale": s.scale,
                    "rho": s.rho,
                    "delta": s.delta,
                }
                for s in self.steps
            ],
        }


@dataclass(frozen=True)
class SynthResult:
    """A synthetic table, the domain it was made in, its accounting and the seed."""

    table: pa.Table
    domain: D.Domain
    accounting: Accounting
    options: SynthOptions
    seed: int
    edges: tuple[tuple[str, str], ...] = ()


def check_options(o: SynthOptions, rows: int, *, max_epsilon: float) -> float:
    """Refuse unusable options (InvalidInput); return δ."""
    if o.method not in METHODS:
        raise InvalidInput(M.MSG_METHOD_BAD.format(value=o.method))
    if rows < MIN_ROWS:
        raise InvalidInput(M.MSG_TOO_FEW_ROWS.format(rows=rows, least=MIN_ROWS))
    e = o.epsilon
    if (
        not isinstance(e, (int, float))
        or isinstance(e, bool)
        or not math.isfinite(e)
        or e <= 0
        or e > max_epsilon
    ):
        raise InvalidInput(M.MSG_EPSILON_BAD.format(value=e, limit=max_epsilon))
    delta = o.delta if o.delta is not None else min(1e-6, 1 / (10 * rows))
    if not (0 < delta < 1 / rows):
        raise InvalidInput(M.MSG_DELTA_BAD.format(value=o.delta, limit=1 / rows))
    return float(delta)


def synthesize(table: pa.Table, o: SynthOptions, *, max_epsilon: float = 100.0) -> SynthResult:
    """A synthetic version of ``table``: MST under (ε, δ)-DP, or the copula baseline (none)."""
    delta = check_options(o, table.num_rows, max_epsilon=max_epsilon)
    seed = o.seed if o.seed is not None else secrets.randbits(63)
    rng = np.random.default_rng(seed)
    declared = D.checked_declared(o.domains, table.column_names)
    if o.method == "copula":
        rows = o.rows or table.num_rows
        dom = D.build(
            table,
            declared,
            bins=o.bins,
            min_category_count=o.min_category_count,
            bound_scale=None,
            rng=rng,
            exact_bounds=True,
        )
        out = copula.synthesize(table, rows, rng)
        return SynthResult(out, dom, Accounting(False, None, None, None), o, seed)
    cats = D.needs_dp_categories(table, declared)
    delta_selected = delta * CATEGORY_DELTA_SHARE if cats else 0.0
    delta_converted = delta - delta_selected  # the rest of δ converts ρ to ε
    rho = A.rho_for(float(o.epsilon), delta_converted)
    steps: list[mst.Step] = []
    rho_rest = rho
    category_noise = None
    if cats:
        scale = A.gaussian_scale(rho * CATEGORY_SHARE / len(cats))
        threshold = A.threshold_for(scale, delta_selected / len(cats))
        c_rho, c_delta = A.threshold_privacy(scale, threshold)
        steps += [mst.Step("categories", (c,), scale, c_rho, c_delta) for c in cats]
        category_noise = (scale, threshold)
        rho_rest -= rho * CATEGORY_SHARE
    need = D.needs_dp_bounds(table, declared)
    bound_scale = None
    if need:
        rb = rho * BOUNDS_SHARE / (2 * len(need))
        bound_scale = A.noisy_max_scale(rb)
        for c in need:
            for q in D.QUANTILES:
                steps.append(
                    mst.Step("bounds", (c, f"q{q}"), bound_scale, A.noisy_max_rho(bound_scale))
                )
        rho_rest -= rho * BOUNDS_SHARE
    dom = D.build(
        table,
        declared,
        bins=o.bins,
        min_category_count=o.min_category_count,
        bound_scale=bound_scale,
        rng=rng,
        category_noise=category_noise,
    )
    for col in dom.columns:
        if col.size > MAX_CODES:
            raise InvalidInput(
                M.MSG_DOMAIN_TOO_LARGE.format(column=col.name, codes=col.size, limit=MAX_CODES)
            )
    codes = D.encode(table, dom)
    res = mst.fit(codes, dom.sizes, dom.names, rho_rest, rng)
    steps.extend(res.steps)
    spent_rho = A.composed_rho([s.rho for s in steps])
    spent_delta = delta_converted + sum(s.delta for s in steps)
    eps = A.epsilon_of(spent_rho, delta_converted)
    acc = Accounting(True, eps, spent_delta, spent_rho, tuple(steps))
    rows = o.rows or max(int(round(res.model.total)), 1)
    out = D.decode(mst.sample(res.model, rows, rng), dom, rng)
    names = dom.names
    edges = tuple((names[a], names[b]) for a, b in res.selected)
    return SynthResult(out, dom, acc, o, seed, edges)
