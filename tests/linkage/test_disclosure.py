"""The disclosure checks, pure, against counts and shares computed independently in Python."""

from __future__ import annotations

from collections import Counter, defaultdict

import pyarrow as pa
import pyarrow.compute as pc

from datanuri.linkage.disclosure import COUNT, SHARE, DisclosureRules, check, tabulate


def records() -> pa.Table:
    area = ["a"] * 12 + ["b"] * 15 + ["c"] * 3
    amount = [5.0] * 12 + [1.0] * 14 + [500.0] + [2.0, 2.0, 2.0]
    return pa.table({"area": area, "amount": amount})


def test_tabulate_matches_a_reference() -> None:
    t = records()
    cells = tabulate(t, ["area"], value="amount", top_n=2)
    ref = Counter(t.column("area").to_pylist())
    assert dict(zip(cells["area"].to_pylist(), cells[COUNT].to_pylist(), strict=True)) == ref
    by: dict[str, list[float]] = defaultdict(list)
    for a, v in zip(t["area"].to_pylist(), t["amount"].to_pylist(), strict=True):
        by[a].append(v)
    for a, share in zip(cells["area"].to_pylist(), cells[SHARE].to_pylist(), strict=True):
        top = sorted(by[a], reverse=True)[:2]
        assert abs(share - 100 * sum(top) / sum(by[a])) < 1e-9


def test_each_check_fails_where_it_should() -> None:
    t = records()
    rules = DisclosureRules(min_count=10, dominance_n=2, dominance_k=85.0)
    counts = tabulate(t, ["area"])
    result = check(counts, ["area"], rules)
    assert [(f.check, f.cells, f.examples) for f in result.findings] == [("min_count", 1, ("c",))]
    big = tabulate(t.filter(pc.not_equal(t["area"], "c")), ["area"], value="amount")
    result = check(big, ["area"], rules)
    assert [(f.check, f.examples) for f in result.findings] == [("dominance", ("b",))]
    ok = tabulate(t.filter(pc.not_equal(t["area"], "c")), ["area"])
    assert check(ok, ["area"], rules).passed
    less = tabulate(t.slice(1), ["area"])
    less = less.filter(pc.not_equal(less["area"], "c"))
    result = check(less, ["area"], rules, earlier=[ok])
    assert result.findings[0].check == "differencing" and "a" in result.findings[0].examples
    far = pa.table({"area": ["a", "b"], COUNT: [40, 45]})
    assert check(far, ["area"], rules, earlier=[ok]).passed  # differences of 10 or more
