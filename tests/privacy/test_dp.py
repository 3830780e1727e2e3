"""Differentially private aggregate releases (datanuri.privacy.dp) through OpenDP.

Exactness is checked with an epsilon so large that the discrete Laplace noise is 0 with
probability 1 - 2e^(-1e6); the noise itself is checked statistically over many cells, with bounds
of 6 or more standard errors (false-failure probability below 1e-8 per check). OpenDP's own
transformations (make_count_by_categories, make_clamp >> make_sum) are the reference for the
sensitivities, and its privacy maps for the epsilons.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datanuri.accounts.principal import SYSTEM
from datanuri.errors import InvalidInput
from datanuri.privacy import dp as DP
from datanuri.privacy import messages as M
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.policy import apply_policy as _apply_policy
from datanuri.privacy.policy import load_policy, validate_policy

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "policy-outpatient-dp.json"
HUGE = 1e6  # epsilon at which discrete Laplace noise is 0 in practice
# exactness checks need epsilons far above the platform's ceiling on a release (10 by default)
EXACT = PolicyLimits(max_epsilon=HUGE)


def apply_policy(table: pa.Table, pol: dict, **kw):
    """`apply_policy` under a ceiling of HUGE, so exact values can be checked; the default
    ceiling is tested in test_the_default_ceiling_refuses_a_huge_epsilon."""
    return _apply_policy(table, pol, limits=kw.pop("limits", EXACT), **kw)


def opendp():
    import opendp.prelude as dp

    dp.enable_features("contrib")
    return dp


def visits() -> pa.Table:
    """A small personal table: one row per visit."""
    return pa.table(
        {
            "pid": pa.array([1, 1, 1, 2, 3, 4, 5, 6, 7, 8]),
            "sex": ["M", "M", "M", "F", "F", "M", "X", "F", "M", None],
            "age": pa.array([34, 35, 36, 71, 8, 45, 50, 19, 120, 33]),
            "cost": pa.array([1000, 2000, 900_000, 500, 300, 100, 100, None, 50, 70]),
            "weight": pa.array([70.5, 71.0, 69.5, 55.0, 25.5, 80.0, 60.0, 52.0, 66.0, 90.0]),
            "dept": [
                "내과",
                "내과",
                "안과",
                "내과",
                "소아과",
                "치과",
                "내과",
                "안과",
                "내과",
                "내과",
            ],
        }
    )


def policy(measures, *, group_by=None, epsilon=1.0, **extra) -> dict:
    return {
        "model": "differential-privacy",
        "epsilon": epsilon,
        "aggregate": {
            "group_by": {"sex": ["M", "F"]} if group_by is None else group_by,
            "measures": measures,
        },
        **extra,
    }


# ----- validation before any work ---------------------------------------------------------------


@pytest.mark.parametrize(
    "pol, message",
    [
        (policy([{"count": "*"}], epsilon=0), M.MSG_DP_BAD_EPSILON.split("{")[0]),
        (policy([{"count": "*"}], epsilon=-1), M.MSG_DP_BAD_EPSILON.split("{")[0]),
        (policy([{"count": "*"}], epsilon="1"), M.MSG_DP_BAD_EPSILON.split("{")[0]),
        (policy([{"count": "*"}], epsilon=float("nan")), M.MSG_DP_BAD_EPSILON.split("{")[0]),
        (policy([{"count": "*"}], epsilon=True), M.MSG_DP_BAD_EPSILON.split("{")[0]),
        (policy([{"count": "*"}], group_by={"nope": ["a"]}), "no column 'nope'"),
        (policy([{"sum": "nope", "bounds": [0, 1]}]), "no column 'nope'"),
        (policy([{"count": "*"}], person="nope"), "no column 'nope'"),
        (policy([{"sum": "dept", "bounds": [0, 1]}]), "must be numeric"),
        (policy([{"mean": "dept", "bounds": [0, 1]}]), "must be numeric"),
        (policy([{"sum": "cost"}]), 'needs "bounds"'),
        (policy([{"mean": "cost"}]), 'needs "bounds"'),
        (policy([{"sum": "cost", "bounds": [10, 0]}]), "LOW below HIGH"),
        (policy([{"sum": "cost", "bounds": [5, 5]}]), "LOW below HIGH"),
        (policy([{"sum": "cost", "bounds": [0, float("inf")]}]), "LOW below HIGH"),
        (policy([{"sum": "cost", "bounds": [0]}]), "LOW below HIGH"),
        (policy([{"histogram": "dept"}]), 'needs "categories"'),
        (policy([{"histogram": "dept", "categories": []}]), "are empty"),
        (policy([{"count": "*"}], group_by={"sex": []}), "are empty"),
        (policy([{"count": "*"}], group_by={"sex": ["M", "M"]}), "repeat 'M'"),
        (policy([{"count": "*"}], group_by={"sex": "M"}), "as a list of values"),
        (policy([{"count": "*"}], group_by={"age": {"bins": [10]}}), "at least two increasing"),
        (policy([{"count": "*"}], group_by={"age": {"bins": [10, 5]}}), "at least two increasing"),
        (policy([{"count": "*"}], group_by={"sex": {"bins": [0, 1]}}), "must be numeric"),
        (
            policy([{"count": "*"}], group_by={"age": ["old"]}),
            "cannot be read as the column's type",
        ),
        (
            policy(
                [{"count": "*"}],
                group_by={"age": {"bins": list(range(1002))}, "pid": list(range(101))},
            ),
            "Coarsen the groups",
        ),
        (
            policy(
                [{"histogram": "age", "categories": list(range(1001))}],
                group_by={"pid": list(range(101))},
            ),
            "Coarsen the groups",
        ),
        (
            policy([{"count": "*", "epsilon": 0.7}, {"count": "dept", "epsilon": 0.6}]),
            "add up to 1.3",
        ),
        (policy([{"count": "*", "epsilon": 1.0}, {"count": "dept"}]), "nothing is left"),
        (policy([{"count": "*", "epsilon": -0.1}]), "must be a positive finite number"),
        (policy([]), "at least one"),
        (policy([{"median": "cost"}]), "names one of count"),
        (policy([{"count": "*", "bounds": [0, 1]}]), "Unknown option of the count measure"),
        (policy([{"count": "*"}], k=5), "Unknown entry of a differential-privacy policy"),
        (policy([{"count": "*"}], contributions=0), "contributions"),
        (policy([{"count": "*"}], contributions=1.5), "contributions"),
        (policy([{"count": "*"}], group_by={"pid": [1, 2]}, person="pid"), "identifies the person"),
        (policy([{"count": "*"}, {"count": "*"}]), "both be called 'count'"),
    ],
)
def test_bad_policies_are_refused_before_any_work(pol, message):
    table = visits()
    with pytest.raises(InvalidInput) as e:
        validate_policy(table, pol)
    if message:
        assert message in str(e.value)
    with pytest.raises(InvalidInput):
        apply_policy(table, pol)


def test_direct_identifiers_cannot_be_grouped_or_measured(demo_table):
    for pol in (
        policy([{"count": "*"}], group_by={"이름": ["김민준"]}),
        policy([{"histogram": "전화번호", "categories": ["010-1234-5678"]}], group_by={}),
    ):
        with pytest.raises(InvalidInput) as e:
            apply_policy(demo_table, pol)
        assert "looks like a direct identifier" in str(e.value)


def test_a_distinct_amount_column_can_be_summed_but_not_published_as_values():
    """Detection calls any all-distinct integer column a record key; a clamped noisy sum of it
    reveals no key, but its values as groups or categories would be published."""
    from datanuri.privacy.detect import detect

    t = pa.table({"sex": ["M", "F"] * 50, "amount": pa.array(np.arange(100) * 3_000_000_017)})
    assert detect(t.select(["amount"])).columns[0].kind == "record_key"
    r = apply_policy(t, policy([{"sum": "amount", "bounds": [0, 10**12]}], epsilon=HUGE))
    exact = [
        sum(range(0, 100, 2)) * 3_000_000_017,
        sum(range(1, 100, 2)) * 3_000_000_017,
    ]  # beyond 32 bits
    scale = r.report.to_json()["differential_privacy"]["measures"][0]["scale"]  # 1e12 / 1e6
    assert all(
        abs(got - want) < 30 * scale
        for got, want in zip(r.table["sum(amount)"].to_pylist(), exact, strict=True)
    )  # p < e^-30
    with pytest.raises(InvalidInput, match="looks like a direct identifier"):
        apply_policy(t, policy([{"count": "*"}], group_by={"amount": [0]}))
    with pytest.raises(InvalidInput, match="looks like a direct identifier"):
        apply_policy(t, policy([{"histogram": "amount", "categories": [0]}]))


# ----- shape and exact values (noise-free in practice) --------------------------------------------


def test_every_declared_cell_is_released_and_out_of_domain_rows_are_dropped():
    pol = policy(
        [{"count": "*"}, {"histogram": "dept", "categories": ["내과", "안과", "피부과"]}],
        group_by={"sex": ["M", "F", "U"], "age": {"bins": [0, 20, 40, 60, 80]}},
        epsilon=HUGE,
    )
    r = apply_policy(visits(), pol)
    assert r.passed
    t = r.table
    assert t.num_rows == 3 * 4
    assert t.column_names == ["sex", "age", "count", "dept=내과", "dept=안과", "dept=피부과"]
    assert list(zip(t["sex"].to_pylist(), t["age"].to_pylist(), strict=True))[:5] == [
        ("M", "0-19"),
        ("M", "20-39"),
        ("M", "40-59"),
        ("M", "60-79"),
        ("F", "0-19"),
    ]
    counts = {
        (s, a): c
        for s, a, c in zip(
            t["sex"].to_pylist(), t["age"].to_pylist(), t["count"].to_pylist(), strict=True
        )
    }
    # sex X and null, and age 120 (outside the bins) are out of the domain
    assert counts == {
        ("M", "0-19"): 0,
        ("M", "20-39"): 3,
        ("M", "40-59"): 1,
        ("M", "60-79"): 0,
        ("F", "0-19"): 2,
        ("F", "20-39"): 0,
        ("F", "40-59"): 0,
        ("F", "60-79"): 1,
        ("U", "0-19"): 0,
        ("U", "20-39"): 0,
        ("U", "40-59"): 0,
        ("U", "60-79"): 0,
    }
    assert t["dept=내과"].to_pylist()[1] == 2 and t["dept=안과"].to_pylist()[1] == 1
    assert sum(t["dept=피부과"].to_pylist()) == 0  # declared but absent: still released (noisy)
    section = r.report.to_json()["differential_privacy"]
    assert section["rows"] == {
        "input": 10,
        "out_of_domain": 3,
        "over_contribution_limit": 0,
        "without_person": 0,
        "used": 7,
        "note": section["rows"]["note"],
    }
    hist = next(m for m in section["measures"] if m["measure"] == "histogram")
    assert hist["out_of_domain_rows"] == 2  # 소아과 and 치과 are not declared
    assert section["cells"] == 12
    # no raw column: only the group keys and the aggregates
    assert set(t.column_names) - {"sex", "age"} <= {
        "count",
        "dept=내과",
        "dept=안과",
        "dept=피부과",
    }
    assert (
        r.report.to_json()["records"]["released"] == 12
        and r.report.to_json()["passed"]
        and not r.report.to_json()["failures"]
    )


def test_no_group_by_releases_one_row():
    r = apply_policy(
        visits(), policy([{"count": "*"}, {"count": "cost"}], group_by={}, epsilon=HUGE)
    )
    assert r.table.to_pylist() == [{"count": 10, "count(cost)": 9}]


def test_clamping_a_value_above_the_bound_contributes_the_bound():
    pol = policy([{"sum": "cost", "bounds": [0, 1000]}], group_by={"pid": [1]}, epsilon=HUGE)
    r = apply_policy(visits(), pol)
    assert r.table["sum(cost)"].to_pylist() == [
        1000 + 1000 + 1000
    ]  # 2000 and 900000 contribute 1000
    # a float column: Laplace noise of scale 70/1e6, so within 0.1 with probability 1 - e^-1000
    pol = policy([{"sum": "weight", "bounds": [0.0, 70.0]}], group_by={"pid": [1]}, epsilon=HUGE)
    got = apply_policy(visits(), pol).table["sum(weight)"].to_pylist()[0]
    assert abs(got - (70.0 + 70.0 + 69.5)) < 0.1


def test_mean_is_the_clamped_mean_and_empty_cells_have_none():
    pol = policy(
        [{"mean": "cost", "bounds": [0, 1000]}], group_by={"sex": ["M", "F", "U"]}, epsilon=HUGE
    )
    r = apply_policy(visits(), pol)
    means = r.table["mean(cost)"].to_pylist()
    m_vals = [1000, 1000, 1000, 100, 50]  # sex M: 1000, 2000→1000, 900000→1000, 100, 50
    assert means[0] == pytest.approx(sum(m_vals) / len(m_vals))
    assert means[1] == pytest.approx((500 + 300) / 2)  # the F row with no cost is not counted
    assert means[2] is None
    entry = r.report.to_json()["differential_privacy"]["measures"][0]
    assert entry["components"]["sum"]["sensitivity"] == 500  # values less the centre 500
    assert entry["epsilon"] == pytest.approx(HUGE)


def test_contributions_per_person_are_bounded_and_scale_the_noise():
    pol = policy(
        [{"count": "*"}], group_by={"sex": ["M", "F"]}, epsilon=HUGE, contributions=2, person="pid"
    )
    r = apply_policy(visits(), pol)
    assert r.table["count"].to_pylist() == [2 + 1 + 1, 3]  # person 1's third row is dropped
    section = r.report.to_json()["differential_privacy"]
    assert section["rows"]["over_contribution_limit"] == 1
    assert section["privacy_unit"]["enforced"] and section["privacy_unit"]["contributions"] == 2
    assert section["measures"][0]["sensitivity"] == 2
    assert section["measures"][0]["scale"] == pytest.approx(2 / HUGE)
    # without a person column it is an assumption, said so in the report
    r = apply_policy(visits(), policy([{"count": "*"}], contributions=3))
    assert r.report.to_json()["differential_privacy"]["measures"][0]["scale"] == pytest.approx(3.0)
    assert "not checked" in r.report.to_json()["differential_privacy"]["privacy_unit"]["assumption"]


def test_limit_contributions_keeps_the_first_rows_of_each_person():
    t = pa.table({"p": ["a", "b", "a", None, "a", "b", "c"]})
    keep, over, missing = DP.limit_contributions(t, "p", 2)
    assert keep.tolist() == [True, True, True, False, False, True, True]
    assert (over, missing) == (1, 1)


# ----- the accountant --------------------------------------------------------------------------------


def test_epsilon_is_split_and_the_accountant_spends_exactly_the_policy_epsilon():
    pol = policy(
        [
            {"count": "*"},
            {"sum": "cost", "bounds": [0, 5000]},
            {"mean": "weight", "bounds": [0.0, 150.0]},
            {"histogram": "dept", "categories": ["내과", "안과"]},
        ],
        epsilon=1.3,
    )
    r = apply_policy(visits(), pol)
    section = r.report.to_json()["differential_privacy"]
    assert section["epsilon_spent"] <= 1.3 and section["epsilon_spent"] == pytest.approx(
        1.3, rel=1e-9
    )
    assert r.report.epsilon_spent == section["epsilon_spent"]
    dp = opendp()
    for m in section["measures"]:
        assert m["epsilon"] == pytest.approx(1.3 / 4, rel=1e-9)
        parts = m["components"].values() if m["measure"] == "mean" else [m]
        for part in parts:  # rebuild each measurement from the report and ask OpenDP's privacy map
            integer = part["mechanism"] == "discrete Laplace"
            atom = dp.atom_domain(T="i64") if integer else dp.atom_domain(T="f64", nan=False)
            meas = dp.m.make_laplace(
                dp.vector_domain(atom),
                dp.l1_distance(T="i64" if integer else "f64"),
                scale=part["scale"],
            )
            d_in = int(part["sensitivity"]) if integer else float(part["sensitivity"])
            assert meas.map(d_in) == part["epsilon"]
    # own epsilons are kept, the rest is shared equally
    pol = policy(
        [{"count": "*", "epsilon": 0.5}, {"count": "cost"}, {"count": "dept"}], epsilon=2.0
    )
    eps = [
        m["epsilon"]
        for m in apply_policy(visits(), pol).report.to_json()["differential_privacy"]["measures"]
    ]
    assert eps == pytest.approx([0.5, 0.75, 0.75])


def test_sensitivities_agree_with_opendp_transformations():
    """Counts per category and clamped sums: OpenDP's own stability maps at d_in = contributions."""
    dp = opendp()
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.symmetric_distance()
    for n in (1, 3):
        counts = dp.t.make_count_by_categories(*space, categories=[0, 1, 2], null_category=False)
        r = apply_policy(visits(), policy([{"count": "*"}], contributions=n))
        assert r.report.to_json()["differential_privacy"]["measures"][0][
            "sensitivity"
        ] == counts.map(n)
        for bounds in ((0, 1000), (-20, 100), (-700, 30)):
            clamped_sum = dp.t.make_clamp(*space, bounds) >> dp.t.then_sum()
            r = apply_policy(
                visits(), policy([{"sum": "cost", "bounds": list(bounds)}], contributions=n)
            )
            assert r.report.to_json()["differential_privacy"]["measures"][0][
                "sensitivity"
            ] == clamped_sum.map(n)
    # and the exact counts are OpenDP's
    r = apply_policy(
        visits(),
        policy(
            [{"histogram": "dept", "categories": ["내과", "안과", "치과"]}],
            group_by={},
            epsilon=HUGE,
        ),
    )
    by_opendp = dp.t.make_count_by_categories(
        dp.vector_domain(dp.atom_domain(T=str)),
        dp.symmetric_distance(),
        categories=["내과", "안과", "치과"],
        null_category=False,
    )
    assert list(r.table.to_pylist()[0].values()) == by_opendp(visits()["dept"].to_pylist())


# ----- the noise, statistically -------------------------------------------------------------------------


def discrete_laplace_variance(scale: float) -> float:
    q = math.exp(-1 / scale)
    return 2 * q / (1 - q) ** 2


def test_count_noise_is_unbiased_with_the_discrete_laplace_variance():
    cells, per_cell = 4000, 60
    t = pa.table({"g": np.repeat(np.arange(cells), per_cell)})
    r = apply_policy(t, policy([{"count": "*"}], group_by={"g": list(range(cells))}, epsilon=1.0))
    err = (
        np.asarray(r.table["count"].to_pylist()) - per_cell
    )  # clipping at 0 needs noise below -60: p < e^-60
    m = r.report.to_json()["differential_privacy"]["measures"][0]
    assert m["mechanism"] == "discrete Laplace" and m["scale"] == pytest.approx(1.0)
    var = discrete_laplace_variance(m["scale"])
    assert abs(err.mean()) < 6 * math.sqrt(var / cells)
    # sample variance of Laplace-like noise: sd about sqrt(5 var^2 / cells); 25% is > 9 sd here
    assert err.var() == pytest.approx(var, rel=0.25)
    assert np.mean(np.abs(err) <= m["accuracy_95"]) >= 0.93  # the 95% bound holds per cell


def test_sum_noise_is_unbiased_with_variance_two_scale_squared():
    cells = 20000
    t = pa.table(
        {"g": [0], "v": [0.0]}
    )  # every cell's true sum is 0; noise is all that is released
    r = apply_policy(
        t,
        policy(
            [{"sum": "v", "bounds": [-2.0, 2.0]}], group_by={"g": list(range(cells))}, epsilon=0.5
        ),
    )
    noise = np.asarray(r.table["sum(v)"].to_pylist())
    m = r.report.to_json()["differential_privacy"]["measures"][0]
    assert m["mechanism"] == "Laplace" and m["scale"] == pytest.approx(2.0 / 0.5)
    var = 2 * m["scale"] ** 2
    assert abs(noise.mean()) < 6 * math.sqrt(var / cells)
    assert noise.var() == pytest.approx(var, rel=0.15)  # sd of the estimate about 3.2%
    assert np.mean(np.abs(noise) <= m["accuracy_95"]) == pytest.approx(0.95, abs=0.01)


# ----- the demo dataset, the example policy and a release -------------------------------------------


@pytest.fixture(scope="module")
def demo_table(tmp_path_factory) -> pa.Table:
    from datanuri.demo.data import generate
    from datanuri.tables.ingest import ingest

    out = tmp_path_factory.mktemp("demo")
    generate(out)
    ingest(out / "nuri-hospital-outpatient-visits.csv", out / "visits.parquet")
    return pq.read_table(out / "visits.parquet")


def test_the_example_policy_passes_on_the_demo_table(demo_table):
    pol = load_policy(EXAMPLE)
    r = apply_policy(demo_table, pol)
    assert r.passed and not r.report.to_json()["failures"]
    assert r.table.num_rows == 2 * 5
    assert r.table.column_names[:4] == ["성별", "나이", "count", "진료과=가정의학과"]
    assert {"환자번호", "이름", "주민등록번호", "전화번호", "주소", "진단명"}.isdisjoint(
        r.table.column_names
    )
    section = r.report.to_json()["differential_privacy"]
    assert section["epsilon_spent"] <= 2.0 and section["epsilon_spent"] == pytest.approx(
        2.0, rel=1e-9
    )
    assert (
        section["rows"]["input"] == demo_table.num_rows
        and section["rows"]["over_contribution_limit"] > 0
    )
    json.dumps(r.report.to_json(), allow_nan=False)  # storable as a release record
    # pandas as an independent reference for the exact counts: first 5 visits of each patient, age bands
    df = demo_table.to_pandas()
    df = df[df.groupby("환자번호").cumcount() < 5]
    df["band"] = (df["나이"] // 20 * 20).map(lambda lo: f"{lo}-{lo + 19}")
    exact = df.groupby(["성별", "band"]).size()
    scale = section["measures"][0]["scale"]  # 5 / 0.5
    assert scale == pytest.approx(10.0)
    for sex, band, count in zip(
        r.table["성별"].to_pylist(),
        r.table["나이"].to_pylist(),
        r.table["count"].to_pylist(),
        strict=True,
    ):
        assert (
            abs(count - exact.get((sex, band), 0)) < 20 * scale
        )  # fails with probability < 1e-8 per cell


def test_the_html_report_of_a_dp_release_shows_its_accounting(demo_table):
    from datanuri.privacy.report_html import render_report_html

    report = apply_policy(demo_table, load_policy(EXAMPLE)).report
    page = render_report_html(report, lang="en")
    scales = [m["scale"] for m in report.to_json()["differential_privacy"]["measures"]]
    assert scales == pytest.approx(
        [10.0, 5 / 1.5]
    )  # count at ε 0.5, histogram at ε 1.5, 5 visits a person
    assert '<td class="num">10</td>' in page and '<td class="num">3.333</td>' in page
    assert (
        "95% error bound" in page
        and "ε = 2 / 2" in page
        and "10 aggregate cells released from 2,000 records" in page
    )
    assert (
        "Figure 1" not in page and "equivalence class" not in page.lower()
    )  # no k-anonymity charts for aggregates


def test_release_through_the_service_publishes_only_aggregates(platform, tmp_path):
    from datanuri.accounts.principal import ANONYMOUS
    from tests.privacy.test_service import HOSPITAL, load_hospital

    load_hospital(platform, tmp_path / "demo")
    before = platform.ledger.size()
    pol = load_policy(EXAMPLE)
    info = platform.privacy.release(
        HOSPITAL, pol, target_name="outpatient-visit-stats", principal=SYSTEM
    )
    released = pq.read_table(
        platform.catalog.parquet_path("outpatient-visit-stats", principal=ANONYMOUS)
    )
    source = pq.read_table(
        platform.blobs.verify(
            platform.catalog.get_version(HOSPITAL, 1, principal=SYSTEM).content_hash
        )
    )
    groups = ["성별", "나이"]
    assert released.column_names[:2] == groups
    aggregates = set(released.column_names) - set(groups)
    assert aggregates == {"count"} | {
        f"진료과={c}" for c in pol["aggregate"]["measures"][1]["categories"]
    }
    assert not aggregates & set(source.column_names)
    assert (
        released.num_rows == 10
        and released.num_rows == info.report.to_json()["records"]["released"]
    )
    assert sorted(set(released["성별"].to_pylist())) == ["남", "여"]
    assert set(released["나이"].to_pylist()) == {"0-19", "20-39", "40-59", "60-79", "80-99"}
    assert min(released["count"].to_pylist()) >= 0
    assert (
        info.report.model == "differential-privacy"
        and info.report.to_json()["differential_privacy"]["epsilon"] == 2.0
    )
    assert info.ledger_index is not None and platform.ledger.size() > before


def test_the_default_ceiling_refuses_a_huge_epsilon():
    pol = policy([{"count": "*"}], epsilon=50)
    for call, limit in (
        (lambda: _apply_policy(visits(), pol), 10.0),
        (lambda: validate_policy(visits(), pol), 10.0),
        (lambda: _apply_policy(visits(), pol, limits=PolicyLimits(max_epsilon=20)), 20.0),
    ):
        with pytest.raises(InvalidInput) as e:
            call()
        assert e.value.message == M.MSG_DP_EPSILON_ABOVE_MAX.format(epsilon=50.0, limit=limit)
    r = _apply_policy(visits(), policy([{"count": "*"}], epsilon=10))  # at the ceiling: allowed
    assert r.passed and r.report.to_json()["differential_privacy"]["max_epsilon"] == 10.0
