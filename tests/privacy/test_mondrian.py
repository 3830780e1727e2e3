from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.anonymize import anonymize
from datanuri.privacy.hierarchies import TableHierarchy
from datanuri.privacy.mondrian import mondrian
from tests.privacy.adult import QI, adult, hierarchies


def qi_hierarchies(columns=QI):
    h = hierarchies(columns)
    return {c: (None if c == "age" else h[c]) for c in columns}


def sample(rows, seed):
    t = adult()
    return t.take(
        pa.array(np.sort(np.random.default_rng(seed).choice(t.num_rows, rows, replace=False)))
    )


@pytest.mark.parametrize("k", [2, 5, 10])
def test_mondrian_is_k_anonymous_by_pycanon_and_keeps_more_than_full_domain(k):
    from pycanon import anonymity as pycanon

    t = sample(3000, seed=k)
    r = mondrian(t, quasi_identifiers=qi_hierarchies(), k=k)
    assert r.table.num_rows == t.num_rows  # no suppression
    df = r.table.to_pandas()
    assert pycanon.k_anonymity(df, QI) >= k
    assert r.report["smallest_partition"] >= k
    # local recoding loses far less than the best full-domain generalisation without suppression
    full = anonymize(t, quasi_identifiers=hierarchies(), k=k, max_suppression=0, loss="ncp")
    assert r.ncp < full.loss


def test_mondrian_l_diversity_by_pycanon():
    from pycanon import anonymity as pycanon

    t = sample(3000, seed=7)
    r = mondrian(t, quasi_identifiers=qi_hierarchies(), k=4, l_diversity=3, sensitive="occupation")
    df = r.table.to_pandas()
    assert pycanon.k_anonymity(df, QI) >= 4
    assert pycanon.l_diversity(df, QI, ["occupation"]) >= 3


def test_labels():
    h = TableHierarchy.from_rows([["a1", "A"], ["a2", "A"], ["b1", "B"], ["b2", "B"]])
    t = pa.table(
        {
            "age": [20, 21, 22, 23, 60, 61, 62, 63],
            "cat": ["a1", "a2", "a1", "a2", "b1", "b2", "b1", "b2"],
        }
    )
    r = mondrian(t, quasi_identifiers={"age": None, "cat": h}, k=2)
    rows = r.table.to_pylist()
    # every partition of two records has a range for age and a value or its parent for cat
    assert all(row["cat"] in ("a1", "a2", "b1", "b2", "A", "B", "*") for row in rows)
    assert all("-" in row["age"] or row["age"].isdigit() for row in rows)
    assert r.partitions >= 2
    r1 = mondrian(t, quasi_identifiers={"age": None, "cat": h}, k=4)
    assert sorted(set(x["age"] for x in r1.table.to_pylist())) == ["20-23", "60-63"]
    assert sorted(set(x["cat"] for x in r1.table.to_pylist())) == ["A", "B"]
    # text without a hierarchy: value sets
    t2 = pa.table({"c": ["x", "y", "x", "y"]})
    assert set(mondrian(t2, quasi_identifiers={"c": None}, k=4).table.column("c").to_pylist()) == {
        "{x, y}"
    }


def test_errors():
    t = pa.table({"a": [1, 2, 3]})
    with pytest.raises(InvalidInput) as e:
        mondrian(t, quasi_identifiers={"a": None}, k=4)
    assert e.value.message == M.MSG_K_TOO_LARGE.format(k=4, rows=3)
    with pytest.raises(InvalidInput):
        mondrian(t, quasi_identifiers={"b": None}, k=1)
    with pytest.raises(InvalidInput):
        mondrian(t, quasi_identifiers={"a": None}, k=1, l_diversity=2)
