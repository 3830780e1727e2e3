"""The report of a synthetic table: fidelity, utility, privacy and the formal guarantee, and the
release gate that reads it (pure)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from datanuri.synth import domain as D
from datanuri.synth import messages as M
from datanuri.synth import metrics as X
from datanuri.synth.synthesize import SynthResult

MAX_MIA_AUC = 0.6  # the membership-inference AUC a release may reach
MAX_CLOSER = 0.6  # the share of synthetic records closer to training than held-out records
MATCH_SLACK = 3  # copies of training records beyond the held-out rate still allowed


@dataclass(frozen=True)
class ColumnChart:
    """A column's distribution, real against synthetic, per code of the domain."""

    column: str
    labels: list[str]
    real: list[float]
    synthetic: list[float]
    tvd: float


@dataclass(frozen=True)
class SynthReport:
    """Everything a holder reads before releasing a synthetic table; ``passed`` gates it."""

    method: str
    formal: bool
    epsilon: float | None
    delta: float | None
    rho: float | None
    seed: int
    rows_real: int
    rows_holdout: int
    rows_synthetic: int
    tvd_1way: float
    tvd_2way: float
    tvd_3way: float
    tvd_2way_max: float
    correlation_columns: list[str]
    correlation_difference: float
    utility: X.Utility | None
    privacy: X.PrivacyChecks
    columns: list[ColumnChart]
    domain: dict[str, Any]
    data_domains: list[str]  # categorical domains taken from the data (values seen often enough)
    tree: list[list[str]]
    accounting: dict[str, Any]
    passed: bool
    failures: list[str]

    def to_json(self, *, with_seed: bool = True) -> dict[str, Any]:
        """The report as JSON; a released report leaves out the seed (it would let anyone
        recompute and subtract the noise)."""
        d = asdict(self)
        if self.utility is not None:
            d["utility"]["gap"] = self.utility.gap
        if not with_seed:
            d.pop("seed")
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SynthReport:
        """The report from its `to_json` (with the seed), e.g. a stored candidate's."""
        u = d.get("utility")
        fields = {k: v for k, v in d.items() if k not in ("utility", "privacy", "columns")}
        return cls(
            **fields,
            utility=X.Utility(**{k: v for k, v in u.items() if k != "gap"}) if u else None,
            privacy=X.PrivacyChecks(**d["privacy"]),
            columns=[ColumnChart(**c) for c in d["columns"]],
        )

    def digest(self) -> str:
        """SHA-256 of the released report's canonical JSON (sorted keys, no spaces, no seed)."""
        raw = json.dumps(
            self.to_json(with_seed=False), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(raw.encode()).hexdigest()


def gate(
    *, formal: bool, epsilon: float | None, max_epsilon: float, privacy: X.PrivacyChecks
) -> list[str]:
    """The reasons a synthetic table may not be released (empty: it passes)."""
    fails = []
    if not formal:
        fails.append(M.MSG_FAIL_NO_GUARANTEE)
    if epsilon is not None and epsilon > max_epsilon:
        fails.append(M.MSG_FAIL_EPSILON.format(epsilon=epsilon, limit=max_epsilon))
    if privacy.mia_auc > MAX_MIA_AUC:
        fails.append(M.MSG_FAIL_MIA.format(auc=privacy.mia_auc, limit=MAX_MIA_AUC))
    if privacy.exact_train > privacy.exact_holdout * 1.5 + MATCH_SLACK:
        fails.append(
            M.MSG_FAIL_MATCHES.format(train=privacy.exact_train, holdout=privacy.exact_holdout)
        )
    if privacy.closer_to_train > MAX_CLOSER:
        fails.append(M.MSG_FAIL_DCR.format(share=privacy.closer_to_train, limit=MAX_CLOSER))
    return fails


def split(table: pa.Table, holdout: float, seed: int) -> tuple[pa.Table, pa.Table]:
    """(training rows, held-out rows): a seeded random ``holdout`` share is held out."""
    rng = np.random.default_rng([seed, 1])
    mask = rng.random(table.num_rows) < holdout
    return table.filter(pa.array(~mask)), table.filter(pa.array(mask))


def evaluate(
    train: pa.Table,
    holdout: pa.Table,
    result: SynthResult,
    *,
    target: str | None,
    max_epsilon: float,
) -> SynthReport:
    """The report of ``result`` (made from ``train``) against ``train`` and ``holdout``. The
    codes compared are the data's own domain (exact bounds, every category seen), so fidelity
    counts what the synthesizer's domain lost as well."""
    rng = np.random.default_rng([result.seed, 2])
    view = D.build(
        train,
        {},
        bins=result.options.bins,
        min_category_count=1,
        bound_scale=None,
        rng=rng,
        exact_bounds=True,
    )
    a, b, h = (D.encode(t, view) for t in (train, result.table, holdout))
    sizes = view.sizes
    t1 = X.k_way_tvd(a, b, sizes, 1, rng)
    t2 = X.k_way_tvd(a, b, sizes, 2, rng)
    t3 = X.k_way_tvd(a, b, sizes, 3, rng, limit=X.MAX_TRIPLES)
    cols, cdiff = X.correlation_difference(train, result.table)
    util = None
    if target is not None and holdout.num_rows:
        j = view.names.index(target)
        r, s, maj = X.utility(a, b, h, j, result.seed % 2**31)
        util = X.Utility(target, r, s, maj)
    priv = X.privacy_checks(train, holdout, result.table, view, rng)
    acc = result.accounting
    fails = gate(formal=acc.formal, epsilon=acc.epsilon, max_epsilon=max_epsilon, privacy=priv)
    charts = [
        ColumnChart(c.name, c.labels(), p, q, t)
        for c, (p, q), t in zip(view.columns, X.histograms(a, b, sizes), t1, strict=True)
    ]
    return SynthReport(
        method=result.options.method,
        formal=acc.formal,
        epsilon=acc.epsilon,
        delta=acc.delta,
        rho=acc.rho,
        seed=result.seed,
        rows_real=train.num_rows,
        rows_holdout=holdout.num_rows,
        rows_synthetic=result.table.num_rows,
        tvd_1way=float(np.mean(t1)),
        tvd_2way=float(np.mean(t2)) if t2 else 0.0,
        tvd_3way=float(np.mean(t3)) if t3 else 0.0,
        tvd_2way_max=float(np.max(t2)) if t2 else 0.0,
        correlation_columns=cols,
        correlation_difference=cdiff,
        utility=util,
        privacy=priv,
        columns=charts,
        domain={c.name: c.to_json() for c in result.domain.columns},
        data_domains=list(result.domain.notes),
        tree=[list(e) for e in result.edges],
        accounting=acc.to_json(),
        passed=not fails,
        failures=fails,
    )
