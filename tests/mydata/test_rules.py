"""MyData's pure logic: the CI of a column (DuckDB's SHA-256 in HMAC) equals Python's `hmac`
(an independent reference) for every value, and over many people and random row orders reading
one person's rows from an index Parquet file never returns another person's rows (Hypothesis)."""

from __future__ import annotations

import hashlib
import hmac
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datanuri import errors
from datanuri.mydata import rules

KEY = bytes(range(32))


def reference_ci(key: bytes, rrn: str) -> str:
    digits = rrn.replace("-", "").replace(" ", "")
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()


def test_normalise_and_ci_of():
    assert rules.normalise_rrn(" 900101-1234567 ") == "9001011234567"
    assert rules.ci_of(KEY, "900101-1234567") == reference_ci(KEY, "9001011234567")
    with pytest.raises(errors.InvalidInput, match="13 digits"):
        rules.normalise_rrn("900101-123")


@given(key=st.binary(min_size=1, max_size=100))
@settings(max_examples=25, deadline=None)
def test_column_ci_equals_python_hmac_for_any_key(key):
    values = pa.array(["900101-1234567", "9001011234567", " 851231 2345678", "bad", None, ""])
    got = rules.ci_column(key, values).to_pylist()
    want = reference_ci(key, "9001011234567")
    assert got[:2] == [want, want]
    assert got[2] == reference_ci(key, "8512312345678")
    assert got[3:] == [None, None, None]


rrns = st.integers(0, 10**13 - 1).map(lambda n: f"{n:013d}")


@given(
    people=st.lists(rrns, min_size=2, max_size=40, unique=True),
    data=st.data(),
)
@settings(max_examples=40, deadline=None)
def test_a_person_never_gets_another_persons_rows(people, data):
    n = data.draw(st.integers(1, 300))
    owners = data.draw(st.lists(st.integers(0, len(people) - 1), min_size=n, max_size=n))
    dashed = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    shown = [
        f"{people[o][:6]}-{people[o][6:]}" if d else people[o]
        for o, d in zip(owners, dashed, strict=True)
    ]
    table = pa.table({"rrn": shown, "row": list(range(n)), "owner": owners})
    indexed = rules.index_table(KEY, table, "rrn")
    assert "rrn" not in indexed.column_names
    sink = io.BytesIO()
    group = data.draw(st.integers(1, 50))  # small row groups: the statistics' pruning is used
    pq.write_table(indexed, sink, row_group_size=group)
    for i, rrn in enumerate(people):
        got = rules.read_person(
            io.BytesIO(sink.getvalue()), reference_ci(KEY, rrn), ["row", "owner"]
        )
        assert set(got.column("owner").to_pylist()) <= {i}
        assert sorted(got.column("row").to_pylist()) == [r for r, o in enumerate(owners) if o == i]


def test_items_are_checked():
    cols = ["rrn", "a", "b"]
    ok = (rules.Item("x.y", ("a",), "가", "A"),)
    assert rules.check_items(ok, dataset="d", columns=cols, subject_column="rrn") == ok
    for bad, match in [
        ((rules.Item("x", ("rrn",), "가", "A"),), "subject column"),
        ((rules.Item("x", ("zz",), "가", "A"),), "does not have"),
        ((rules.Item("x", ("a",), "", "A"),), "labels"),
        ((rules.Item("bad name", ("a",), "가", "A"),), "name"),
        ((), "no items"),
    ]:
        with pytest.raises(errors.InvalidInput, match=match):
            rules.check_items(bad, dataset="d", columns=cols, subject_column="rrn")
    with pytest.raises(errors.InvalidInput, match="no column"):
        rules.check_items(ok, dataset="d", columns=cols, subject_column="nope")
    assert rules.columns_of(
        ["b", "a"], [rules.Item("a", ("a", "b"), "가", "A"), rules.Item("b", ("b",), "나", "B")]
    ) == ["a", "b"]
