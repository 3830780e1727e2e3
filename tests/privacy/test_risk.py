from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.risk import assess_risk, record_risk


def table():
    # classes: a (1 record), b (2), c (3), d (4)
    q = ["a"] + ["b"] * 2 + ["c"] * 3 + ["d"] * 4
    return pa.table({"q": q, "x": list(range(10))})


def test_prosecutor_and_marketer_without_population():
    r = assess_risk(table(), quasi_identifiers=["q"], threshold=0.34)
    assert r.records == 10 and r.classes == 4
    assert r.prosecutor.highest == 1.0
    assert r.prosecutor.average == pytest.approx(
        4 / 10
    )  # sum over records of 1/f = number of classes
    assert r.prosecutor.records_at_risk == pytest.approx(
        3 / 10
    )  # risks 1 and 1/2 exceed 0.34, 1/3 does not
    assert r.sample_uniques == 1 and r.sample_unique_share == pytest.approx(0.1)
    assert r.marketer == pytest.approx(0.4)
    assert r.journalist is None
    assert sum(r.prosecutor.histogram.values()) == 10
    assert record_risk(table(), quasi_identifiers=["q"]).to_pylist()[:3] == [1.0, 0.5, 0.5]


def test_journalist_with_population():
    pop = pa.table({"q": ["a"] * 5 + ["b"] * 2 + ["c"] * 30 + ["d"] * 8 + ["e"] * 100})
    r = assess_risk(table(), quasi_identifiers=["q"], population=pop, threshold=0.3)
    # F: a 5, b 2, c 30, d 8
    assert r.journalist.highest == pytest.approx(0.5)
    assert r.journalist.average == pytest.approx((1 / 5 + 2 / 2 + 3 / 30 + 4 / 8) / 10)
    assert r.marketer == pytest.approx((1 / 5 + 2 / 2 + 3 / 30 + 4 / 8) / 10)
    assert r.journalist.records_at_risk == pytest.approx(2 / 10)
    assert r.population_uniques == 0
    # a population that lacks a sample class counts the sample itself
    r2 = assess_risk(table(), quasi_identifiers=["q"], population=pa.table({"q": ["d"] * 10}))
    assert r2.journalist.highest == 1.0 and r2.population_uniques == 1
    with pytest.raises(InvalidInput) as e:
        assess_risk(table(), quasi_identifiers=["q", "x"], population=pop)
    assert e.value.message == M.MSG_POPULATION_COLUMNS.format(columns="x")


def test_risk_matches_brute_force():
    rng = np.random.default_rng(3)
    t = pa.table({"a": rng.integers(0, 4, 500), "b": rng.choice(["x", "y", "z"], 500)})
    rows = list(zip(t.column("a").to_pylist(), t.column("b").to_pylist(), strict=True))
    sizes = {k: rows.count(k) for k in set(rows)}
    r = assess_risk(t, quasi_identifiers=["a", "b"], threshold=0.05)
    assert r.prosecutor.highest == pytest.approx(1 / min(sizes.values()))
    assert r.prosecutor.average == pytest.approx(np.mean([1 / sizes[k] for k in rows]))
    assert r.prosecutor.records_at_risk == pytest.approx(
        np.mean([1 / sizes[k] > 0.05 for k in rows])
    )


def test_bad_input():
    with pytest.raises(InvalidInput):
        assess_risk(table(), quasi_identifiers=["q"], threshold=2)
    with pytest.raises(InvalidInput):
        assess_risk(table(), quasi_identifiers=[])
    with pytest.raises(InvalidInput):
        assess_risk(table().slice(0, 0), quasi_identifiers=["q"])


def test_delta_presence():
    from datanuri.privacy.risk import delta_presence

    pop = pa.table({"q": ["a"] * 5 + ["b"] * 2 + ["c"] * 30 + ["d"] * 8 + ["e"] * 100})
    d = delta_presence(table(), population=pop, quasi_identifiers=["q"])
    # f/F: a 1/5, b 2/2, c 3/30, d 4/8
    assert d.delta_min == pytest.approx(0.1) and d.delta_max == pytest.approx(1.0)
    assert d.satisfies(0.0, 1.0) and not d.satisfies(0.0, 0.6)
