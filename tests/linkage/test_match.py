"""Matching: joins and rules as a plain loop finds them; CLK and Fellegi–Sunter on a FEBRL4 slice."""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pytest

from benchmarks.linkage import CLK_FIELDS, CLK_NAMES, PROB_FIELDS, SALT, key_join, load, score
from datanuri.linkage import clk
from datanuri.linkage.match import (
    LinkOptions,
    clk_match,
    link,
    one_to_one,
    probabilistic_match,
    rules_join,
)

LEFT = pa.table(
    {
        "lk_name": ["n1", "n2", "n3", None, "n5"],
        "lk_birth": ["b1", "b2", "bx", None, "b5"],
        "lk_phone": ["p1", None, "p3", "p4", None],
        "district": ["종로구", "중구", "중구", "강남구", None],
    }
)
RIGHT = pa.table(
    {
        "lk_name": ["n1", "n3", "n2", None, "n5", "n5"],
        "lk_birth": ["b1", "b3", "b2", None, "b5", "b5"],
        "lk_phone": [None, "p3", "p2", "p4", None, None],
    }
)


def reference(rules):
    out = {}
    for (i, a), (j, b) in itertools.product(
        enumerate(LEFT.to_pylist()), enumerate(RIGHT.to_pylist())
    ):
        for rule in rules:
            if all(a[k] is not None and a[k] == b[k] for k in rule):
                out.setdefault((i, j), "+".join(rule))
                break
    return out


@pytest.mark.parametrize(
    "rules",
    [[["lk_name"]], [["lk_name", "lk_birth"]], [["lk_name", "lk_birth"], ["lk_phone"]]],
)
def test_rules_join_matches_a_plain_loop(rules):
    pairs = rules_join(LEFT, RIGHT, rules)
    got = dict(
        zip(
            zip(pairs.left.tolist(), pairs.right.tolist(), strict=True),
            pairs.rule.to_pylist(),
            strict=True,
        )
    )
    assert got == reference(rules)


def test_one_to_one_keeps_mutual_best():
    left = np.array([0, 0, 1, 1, 2])
    right = np.array([0, 1, 0, 1, 1])
    s = np.array([0.9, 0.8, 0.95, 0.7, 0.6])
    keep = one_to_one(left, right, s)
    assert set(zip(left[keep].tolist(), right[keep].tolist(), strict=True)) == {(1, 0), (0, 1)}


def test_link_reports_counts_and_unmatched_by_group():
    third = RIGHT.select(["lk_name", "lk_birth"])
    pairs, report = link(
        [("a", LEFT), ("b", RIGHT), ("c", third)],
        LinkOptions(
            method="rules", rules=(("lk_name", "lk_birth"), ("lk_phone",)), group_by=("district",)
        ),
    )
    assert [(p.left, p.right, p.matches) for p in report.pairs] == [
        ("a", "b", 6),
        ("a", "c", 4),
        ("b", "c", 7),
    ]  # fmt: skip (rules keep many-to-many: n5/b5 is twice in b and c)
    assert len(pairs[("a", "b")]) == 6
    rates = {(g.source, g.group): (g.rows, g.unmatched) for g in report.unmatched}
    assert rates[("a", "중구")] == (2, 0)
    assert rates[("a", "강남구")] == (1, 0)  # by phone
    assert rates[("a", "")] == (1, 0)
    d = report.to_dict()
    assert d["method"] == "rules" and d["unmatched"][0]["rate"] == 0.0


@pytest.fixture(scope="module")
def febrl():
    return load(300)


def test_clk_pprl_on_a_febrl4_slice_is_above_the_floor(febrl):
    ca = clk.encode(febrl.a, CLK_FIELDS, SALT, field_names=CLK_NAMES)
    cb = clk.encode(febrl.b, CLK_FIELDS, SALT, field_names=CLK_NAMES)
    out = clk_match(ca, cb)
    got = score(
        set(zip(out.pairs.left.tolist(), out.pairs.right.tolist(), strict=True)), febrl.truth
    )
    assert got["f1"] >= 0.97, got
    assert out.threshold is not None and 0.5 < out.threshold < 1
    assert out.precision is not None and out.precision > 0.9


def test_probabilistic_on_a_febrl4_slice_is_above_the_floor(febrl):
    out = probabilistic_match(febrl.a, febrl.b, PROB_FIELDS)
    got = score(
        set(zip(out.pairs.left.tolist(), out.pairs.right.tolist(), strict=True)), febrl.truth
    )
    assert got["f1"] >= 0.97, got
    assert out.precision is not None and out.recall is not None
    weights = {(w.field, w.level): w.weight for w in out.weights}
    exact_dob = [v for (f, lvl), v in weights.items() if f == "date_of_birth" and "Exact" in lvl]
    assert exact_dob and exact_dob[0] is not None and exact_dob[0] > 5  # agreement is evidence


def test_benchmark_key_join_runs_at_tiny_size(tmp_path):
    (run,) = key_join([1000], ["duckdb"], tmp_path, None)  # the engine's join in a child
    assert run.status == "ok", run.status
    assert run.extra["pairs"] == 500 and run.rss > 0


def test_a_method_reading_a_column_a_file_lacks_is_refused_by_name():
    from datanuri import errors

    with pytest.raises(errors.InvalidInput, match=r"'clk'.*'a' has none"):
        link([("a", LEFT), ("b", RIGHT)], LinkOptions(method="clk"))
