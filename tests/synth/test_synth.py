"""The synthesizers: accounting against OpenDP's own maps, seeded reproducibility, a planted
outlier, and the TVD against a direct reference."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import opendp.prelude as dp
import pyarrow as pa
import pytest

from datanuri.errors import InvalidInput
from datanuri.synth import accounting as A
from datanuri.synth import metrics as X
from datanuri.synth.report import evaluate, split
from datanuri.synth.synthesize import SynthOptions, synthesize
from tests.privacy.adult import adult

dp.enable_features("contrib")
COLS = ["age", "workclass", "education", "marital-status", "sex", "hours-per-week", "income"]


def small(n: int = 3000) -> pa.Table:
    return adult().select(COLS).slice(0, n)


def test_accounting_equals_opendp_maps():
    t = small()
    r = synthesize(t, SynthOptions(epsilon=1.0, delta=1e-6, seed=3))
    acc = r.accounting
    # every Gaussian step spends what OpenDP's Gaussian map says for its scale, every selection
    # what OpenDP's noisy-max map says, every category selection what OpenDP's Gaussian
    # threshold map says (ρ and δ)
    for s in acc.steps:
        if s.kind in ("1-way", "2-way"):
            m = dp.m.make_gaussian(
                dp.vector_domain(dp.atom_domain(T=float, nan=False)),
                dp.l2_distance(T=float),
                scale=s.scale,
            )
        elif s.kind == "categories":
            continue  # below, with its threshold
        else:
            m = dp.m.make_noisy_max(
                dp.vector_domain(dp.atom_domain(T=float, nan=False)),
                dp.linf_distance(T=float),
                dp.zero_concentrated_divergence(),
                scale=s.scale,
            )
        assert s.rho == pytest.approx(m.map(1.0), rel=1e-12) and s.delta == 0.0
    threshold = A.threshold_for(r.accounting.steps[0].scale, 0.5e-6 / 5)
    for s in (s for s in acc.steps if s.kind == "categories"):
        m = dp.m.make_gaussian_threshold(
            dp.map_domain(dp.atom_domain(T=str), dp.atom_domain(T=float, nan=False)),
            dp.l02inf_distance(dp.absolute_distance(T=float)),
            scale=s.scale,
            threshold=threshold,
        )
        rho_c, delta_c = m.map((1, 1.0, 1.0))
        assert s.rho == pytest.approx(rho_c, rel=1e-12) and s.delta == delta_c
        assert 0 < s.delta <= 0.5e-6 / 5
    # the composition (approximate zCDP: the thresholds' δ add up) and the (ε, δ) conversion,
    # built directly with OpenDP
    comp = dp.c.make_adaptive_composition(
        dp.vector_domain(dp.atom_domain(T=bool)),
        dp.symmetric_distance(),
        dp.approximate(dp.zero_concentrated_divergence()),
        d_in=1,
        d_mids=[(s.rho, s.delta) for s in acc.steps],
    )
    rho, _ = comp.map(1)
    assert acc.rho == pytest.approx(rho, rel=1e-12)
    assert acc.delta <= 1e-6
    eps, delta = dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(comp), acc.delta).map(1)
    assert delta == acc.delta
    assert acc.epsilon == pytest.approx(eps, rel=1e-9)
    assert acc.epsilon <= 1.0 + 1e-9 and acc.epsilon > 0.99  # the budget is used, not exceeded
    # 1-way, selection and 2-way measurements for a tree over all columns, numeric bounds and
    # the categories of the five categorical columns
    kinds = Counter(s.kind for s in acc.steps)
    assert kinds == {"1-way": 7, "select": 6, "2-way": 6, "bounds": 4, "categories": 5}
    # every categorical domain is DP: none is listed as taken from the data
    assert r.domain.notes == ()
    assert {c.source for c in r.domain.columns if c.kind == "categorical"} == {"dp"}


def test_dp_categories_keep_frequent_values_and_drop_rare_ones():
    t = small()
    r = synthesize(t, SynthOptions(epsilon=1.0, delta=1e-6, seed=3))
    step = next(s for s in r.accounting.steps if s.kind == "categories")
    threshold = A.threshold_for(step.scale, 0.5e-6 / 5)
    frequent, rare = 0, 0
    for c in (c for c in r.domain.columns if c.kind == "categorical"):
        counts = dict(Counter(t.column(c.name).to_pylist()))
        kept = set(c.categories)
        # far above the threshold: kept; far below: dropped (4 noise scales away)
        above = {v for v, n in counts.items() if n > threshold + 4 * step.scale}
        below = {v for v, n in counts.items() if n < threshold - 4 * step.scale}
        assert above <= kept and not below & kept
        frequent, rare = frequent + len(above), rare + len(below)
    assert frequent > 5 and rare > 5  # both kinds of values are there to be told apart
    # a declared domain needs no selection: nothing spent on it
    declared = synthesize(
        t, SynthOptions(epsilon=1.0, seed=3, domains={"sex": ["Male", "Female"]})
    ).accounting
    assert Counter(s.kind for s in declared.steps)["categories"] == 4


def test_a_region_column_rolls_unselected_sigungu_up_to_their_sido():
    """Rare 시군구 are not selected, but their rows keep their 시도 (the next level of the region
    hierarchy) instead of falling to "other"; the 시도 list costs no privacy (it is public)."""
    n = 4000
    rng = np.random.default_rng(1)
    big = ["서울특별시 종로구", "부산광역시 해운대구", "경기도 수원시"]
    rare = ["서울특별시 중구"] * 3 + ["부산광역시 중구"] * 2
    places = list(rng.choice(big, n - len(rare))) + rare
    t = pa.table({"시군구": places, "나이": rng.integers(20, 70, n)})
    r = synthesize(t, SynthOptions(epsilon=1.0, delta=1e-6, seed=5))
    col = r.domain.column("시군구")
    assert col.regions and set(big) <= set(col.categories)
    assert "서울특별시 중구" not in col.categories and "서울특별시" in col.categories
    assert sum(s.kind == "categories" for s in r.accounting.steps) == 1  # one selection only
    from datanuri.synth.domain import encode

    codes = encode(t.slice(n - len(rare)), r.domain)[:, 0]
    labels = [col.labels()[k] for k in codes]
    assert labels == ["서울특별시"] * 3 + ["부산광역시"] * 2  # not "(other)"
    assert set(r.table.column("시군구").to_pylist()) <= set(col.categories) | {"(other)"}
    # a column of other words is not a region column
    plain = synthesize(
        pa.table({"과": list(rng.choice(["내과", "외과"], n))}), SynthOptions(epsilon=1.0, seed=5)
    )
    assert not plain.domain.column("과").regions


def test_rho_for_inverts_the_opendp_conversion():
    for eps, delta in [(0.5, 1e-7), (1.0, 1e-6), (10.0, 1e-5)]:
        rho = A.rho_for(eps, delta)
        assert A.epsilon_of(rho, delta) == pytest.approx(eps, rel=1e-6)
        assert A.epsilon_of(rho, delta) <= eps


def test_seeded_runs_are_identical_and_seeds_differ():
    t = small(1500)
    a = synthesize(t, SynthOptions(epsilon=2.0, seed=11))
    b = synthesize(t, SynthOptions(epsilon=2.0, seed=11))
    c = synthesize(t, SynthOptions(epsilon=2.0, seed=12))
    assert a.table.equals(b.table)
    assert not a.table.equals(c.table)
    assert a.table.schema == t.schema
    cp = synthesize(t, SynthOptions(method="copula", seed=5))
    assert cp.table.equals(synthesize(t, SynthOptions(method="copula", seed=5)).table)
    assert not cp.accounting.formal and cp.accounting.epsilon is None


def test_planted_outlier_does_not_appear():
    t = small(3000)
    outlier = {
        "age": 97,
        "workclass": "Zookeeper-guild",
        "education": "Doctorate",
        "marital-status": "Widowed",
        "sex": "Female",
        "hours-per-week": 99,
        "income": ">50K",
    }
    planted = pa.concat_tables([t, pa.Table.from_pylist([outlier], schema=t.schema)])
    hits_unique, hits_combo = 0, 0
    for seed in range(3):
        out = synthesize(planted, SynthOptions(epsilon=10.0, seed=seed)).table
        hits_unique += int(
            (
                np.asarray(out.column("workclass").to_pylist(), dtype=object) == "Zookeeper-guild"
            ).sum()
        )
        ages = out.column("age").to_numpy()
        hours = out.column("hours-per-week").to_numpy()
        hits_combo += int(((ages >= 95) & (hours >= 98)).sum())
    assert hits_unique == 0  # a value one person has is never in the domain
    # the outlier's extreme values lie beyond the DP bounds: no record near it at all
    assert hits_combo == 0


def test_invalid_options_are_refused():
    t = small(200)
    with pytest.raises(InvalidInput):
        synthesize(t, SynthOptions(epsilon=0))
    with pytest.raises(InvalidInput):
        synthesize(t, SynthOptions(epsilon=1, delta=0.5))
    with pytest.raises(InvalidInput):
        synthesize(t, SynthOptions(epsilon=1, domains={"nope": [1]}))


def test_tvd_against_a_direct_reference():
    rng = np.random.default_rng(0)
    sizes = [3, 4, 2]
    a = np.column_stack([rng.integers(0, s, 500) for s in sizes])
    b = np.column_stack([rng.integers(0, s, 300) for s in sizes])
    for k in (1, 2, 3):
        for cols in itertools.combinations(range(3), k):
            ca = Counter(map(tuple, a[:, cols].tolist()))
            cb = Counter(map(tuple, b[:, cols].tolist()))
            ref = 0.5 * sum(abs(ca[c] / 500 - cb[c] / 300) for c in set(ca) | set(cb))
            assert X.tvd(a, b, list(cols), sizes) == pytest.approx(ref, abs=1e-12)
    assert X.tvd(a, a, [0, 1], sizes) == 0.0


def test_report_measures_and_gates():
    t = small(4000)
    train, hold = split(t, 0.25, 1)
    r = synthesize(train, SynthOptions(epsilon=5.0, seed=2))
    rep = evaluate(train, hold, r, target="income", max_epsilon=10.0)
    assert rep.passed, rep.failures
    assert 0 < rep.tvd_1way < rep.tvd_2way < 0.5
    assert (
        rep.utility is not None
        and rep.utility.synthetic_accuracy >= rep.utility.majority_accuracy - 0.05
    )
    assert 0.35 < rep.privacy.mia_auc < 0.65
    # the copula baseline is never releasable
    c = synthesize(train, SynthOptions(method="copula", seed=2))
    crep = evaluate(train, hold, c, target="income", max_epsilon=10.0)
    assert not crep.passed and any("no formal" in f for f in crep.failures)
    # copying the training rows is caught by the exact-match and DCR checks
    from dataclasses import replace

    leak = replace(r, table=train)
    lrep = evaluate(train, hold, leak, target=None, max_epsilon=10.0)
    assert not lrep.passed
    assert lrep.privacy.exact_train > lrep.privacy.exact_holdout
