"""Issue #12 (smaller, other doors): the policy keys risk_threshold, algorithm and
delta_presence, the k floor of PolicyLimits, and the l-diversity error that says why."""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa
import pytest
import rfc8785
from pycanon import anonymity as pycanon

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.models import classes
from datanuri.privacy.policy import apply_policy, parse_policy
from datanuri.privacy.report import AssessmentReport, load_report
from datanuri.privacy.risk import delta_presence
from tests.privacy.fakes import people
from tests.privacy.test_policy import KEY, policy

QI = ["나이", "성별", "시도"]


def run(table: pa.Table, limits: PolicyLimits | None = None, population=None, **over):
    return apply_policy(
        table, policy(**over), keys={"holder": KEY}, limits=limits, population=population
    )


def smallest_class(table: pa.Table) -> int:
    return int(classes(table, QI).sizes.min())


# ----- the k floor -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "over",
    [
        dict(model="k-anonymity", k=1),
        dict(k=1),  # distinct l-diversity
        dict(model="t-closeness", k=1, t=0.5),
        dict(model="recursive-cl-diversity", k=1, l=2, c=3),
    ],
)
def test_a_policy_below_the_k_floor_is_refused_for_every_model(over):
    with pytest.raises(InvalidInput) as e:
        run(people(200), **over)
    assert e.value.message == M.MSG_K_BELOW_FLOOR.format(k=1, min_k=2)
    assert "Config.privacy_min_k" in e.value.message and "administrators" in e.value.message


def test_the_floor_is_the_instances_and_the_report_shows_it():
    limits = PolicyLimits(min_k=5)
    with pytest.raises(InvalidInput) as e:
        run(people(300), limits=limits, k=3)
    assert e.value.message == M.MSG_K_BELOW_FLOOR.format(k=3, min_k=5)
    r = run(people(300), limits=limits, k=5)
    assert r.passed, r.report.failures
    assert isinstance(r.report, AssessmentReport) and r.report.limits == limits
    assert r.report.to_json()["limits"] == limits.to_json()
    again = load_report(r.report.to_json())
    assert again == r.report and again.digest() == r.report.digest()
    # default limits are reported too (k = 2 is the floor)
    r2 = run(people(300), k=2)
    assert r2.report.limits == PolicyLimits() and r2.report.to_json()["limits"]["min_k"] == 2


def test_reports_stored_before_the_limits_keep_their_digest():
    stored = run(people(300)).report.to_json()
    for key in ("limits",):
        stored.pop(key)
    policy_section = stored["policy"]
    assert "risk_threshold" not in policy_section and "algorithm" not in policy_section
    typed = load_report(stored)
    assert typed.limits is None
    assert typed.to_json() == stored
    assert typed.digest() == hashlib.sha256(rfc8785.dumps(stored)).hexdigest()


# ----- l-diversity with too few sensitive values ------------------------------------------------
def test_l_diversity_error_says_the_attribute_has_too_few_values():
    t = people(300)
    distinct = len(set(t.column("진단명").to_pylist()))
    for model in ("distinct-l-diversity", "entropy-l-diversity"):
        with pytest.raises(InvalidInput) as e:
            run(t, model=model, l=distinct + 1, max_suppression=0.0)
        assert e.value.message == M.MSG_L_TOO_FEW_VALUES.format(
            column="진단명", distinct=distinct, l=distinct + 1
        )
        assert f"only {distinct} distinct value" in e.value.message
        assert "Lower l" in e.value.message
    with pytest.raises(InvalidInput) as e:
        run(t, algorithm="mondrian", l=distinct + 1)
    assert e.value.message.startswith("The sensitive attribute '진단명' has only")


# ----- risk_threshold ---------------------------------------------------------------------------
def test_risk_threshold_is_enforced_by_the_search_and_checked_by_the_gate():
    t = people(600)
    plain = run(t, k=2)
    assert plain.passed and smallest_class(plain.table) < 10  # k = 2 alone allows small classes
    r = run(t, k=2, risk_threshold=0.1)
    assert r.passed, r.report.failures
    assert r.report.policy.risk_threshold == 0.1
    assert r.report.required_k == 2  # the policy's k, the ceiling is reported on its own
    assert r.report.risk is not None and r.report.risk.prosecutor.highest <= 0.1
    assert r.report.risk.prosecutor.threshold == 0.1
    # recount: every released class holds at least 10 records; pycanon agrees
    assert smallest_class(r.table) >= 10
    assert pycanon.k_anonymity(r.table.to_pandas(), QI) >= 10


@pytest.mark.parametrize("value", [0, -0.1, 1.5, "high", True, float("nan")])
def test_bad_risk_threshold_is_refused(value):
    with pytest.raises(InvalidInput) as e:
        run(people(100), risk_threshold=value)
    assert e.value.message == M.MSG_BAD_RISK_THRESHOLD.format(value=value)


# ----- algorithm ----------------------------------------------------------------------------------
def test_mondrian_is_reachable_from_the_policy():
    t = people(500)
    r = run(t, model="k-anonymity", k=5, algorithm="mondrian", max_suppression=0.0)
    assert r.passed, r.report.failures
    assert r.report.policy.algorithm == "mondrian"
    assert r.report.records.suppressed == 0 and r.table.num_rows == 500
    assert r.report.privacy.measured.k >= 5
    assert pycanon.k_anonymity(r.table.to_pandas(), QI) == r.report.privacy.measured.k
    assert smallest_class(r.table) == r.report.privacy.measured.k
    # distinct l-diversity with Mondrian, rechecked by pycanon
    r2 = run(t, k=4, l=2, algorithm="mondrian")
    assert r2.passed and pycanon.l_diversity(r2.table.to_pandas(), QI, ["진단명"]) >= 2
    # and with a risk ceiling
    r3 = run(t, model="k-anonymity", k=2, algorithm="mondrian", risk_threshold=0.125)
    assert r3.passed and smallest_class(r3.table) >= 8
    # "optimal" is the lattice search, the default
    r4 = run(t, model="k-anonymity", k=5, algorithm="optimal")
    assert r4.report.policy.algorithm is None and r4.report.levels


@pytest.mark.parametrize("value", ["greedy", "", 3, None])
def test_unknown_algorithm_is_refused(value):
    if value is None:  # absent: the default
        assert parse_policy(people(50), policy(algorithm=None), keys={"holder": KEY})
        return
    with pytest.raises(InvalidInput) as e:
        run(people(100), algorithm=value)
    assert e.value.message == M.MSG_BAD_ALGORITHM.format(value=value)


def test_mondrian_refuses_models_it_does_not_check():
    with pytest.raises(InvalidInput) as e:
        run(people(100), model="t-closeness", t=0.3, algorithm="mondrian")
    assert e.value.message == M.MSG_MONDRIAN_MODEL.format(model="t-closeness")


# ----- δ-presence ---------------------------------------------------------------------------------
def population_of(sample: pa.Table, extra: int, seed: int) -> pa.Table:
    """The sample plus ``extra`` more people: a population the sample is drawn from."""
    more = people(extra + sample.num_rows)
    rng = np.random.default_rng(seed)
    idx = rng.choice(more.num_rows, size=extra, replace=False)
    return pa.concat_tables([sample.select(QI), more.select(QI).take(pa.array(idx))])


def test_delta_presence_needs_a_population():
    with pytest.raises(InvalidInput) as e:
        run(people(100), delta_presence={"min": 0.0, "max": 0.5})
    assert e.value.message == M.MSG_DELTA_NEEDS_POPULATION


@pytest.mark.parametrize(
    "value",
    [0.5, {"max": 1.5}, {"min": 0.6, "max": 0.5}, {"min": 0.1}, {"max": 0.5, "mean": 1}, []],
)
def test_bad_delta_presence_is_refused(value):
    with pytest.raises(InvalidInput) as e:
        run(people(100), delta_presence=value)
    assert e.value.message.startswith("delta_presence is {")


def test_delta_presence_is_applied_and_reported():
    t = people(400)
    pop = population_of(t, 1600, seed=3)
    r = run(t, population=pop, model="k-anonymity", delta_presence={"min": 0.0, "max": 0.6})
    assert r.passed, r.report.failures
    assert r.report.policy.delta_presence == (0.0, 0.6)
    d = r.report.delta_presence
    assert d is not None and d.passed and d.high <= 0.6
    # recount from the release and the population generalised to the release's levels
    again = delta_presence(r.table, population=_generalised(pop, r), quasi_identifiers=QI)
    assert (again.delta_min, again.delta_max) == pytest.approx((d.low, d.high))
    assert 0 < d.low <= d.high < 1  # the population is larger than the release
    # journalist risk uses the same generalised population
    assert r.report.risk is not None and r.report.risk.journalist is not None
    assert r.report.risk.journalist.highest < r.report.risk.prosecutor.highest
    # an impossible bound fails with the message
    bad = run(t, population=pop, model="k-anonymity", delta_presence={"min": 0.99, "max": 1.0})
    assert not bad.passed
    assert any(f.startswith("δ-presence of the release is [") for f in bad.report.failures)


def _generalised(pop: pa.Table, r) -> pa.Table:
    """The population's quasi-identifiers at the release's levels (the policy's hierarchies)."""
    from datanuri.privacy.policy import build_hierarchy

    spec = policy()["quasi_identifiers"]
    out = pop
    for col in QI:
        h = build_hierarchy(col, spec[col])
        out = out.set_column(
            out.column_names.index(col), col, h.generalize(pop.column(col), r.report.levels[col])
        )
    return out


def test_mondrian_refuses_delta_presence():
    t = people(100)
    with pytest.raises(InvalidInput) as e:
        run(
            t,
            population=t,
            model="k-anonymity",
            algorithm="mondrian",
            delta_presence={"max": 0.5},
        )
    assert e.value.message == M.MSG_MONDRIAN_MODEL.format(model="δ-presence")


def test_unknown_policy_keys_are_still_refused():
    with pytest.raises(InvalidInput) as e:
        run(people(50), risk=0.1)
    assert "risk_threshold" in e.value.message and "algorithm" in e.value.message


def test_the_html_report_states_what_the_release_was_held_to():
    from datanuri.privacy.report_html import render_report_fragment

    t = people(400)
    r = run(t, model="k-anonymity", k=2, risk_threshold=0.1, limits=PolicyLimits(min_k=2))
    html = str(render_report_fragment(r.report.to_json(), lang="en"))
    assert "Re-identification risk ceiling 0.1 (prosecutor model, highest record risk)" in html
    assert "Instance limits (set by administrators): k ≥ 2" in html
    tc = run(t, model="t-closeness", t=0.4)
    html = str(render_report_fragment(tc.report.to_json(), lang="ko"))
    assert "삭제 전 원본 전체의 민감값 분포" in html
    m = run(t, model="k-anonymity", k=5, algorithm="mondrian")
    assert "Mondrian local recoding" in str(render_report_fragment(m.report.to_json(), lang="en"))
