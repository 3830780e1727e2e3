"""Privacy models, cross-checked against pycanon (an independent implementation) on generalised
samples of UCI Adult and on generated tables, and against hand-worked examples."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest
from pycanon import anonymity as pycanon

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy import models as Mo
from datanuri.privacy.encoding import codes
from datanuri.privacy.hierarchies import TableHierarchy
from datanuri.privacy.transforms import generalize
from tests.privacy.adult import QI, adult, hierarchies

pytestmark = pytest.mark.filterwarnings("ignore:In a future version, the keys of `groups`")


def generalised_sample(levels: dict[str, int], rows: int, seed: int) -> pa.Table:
    t = adult()
    idx = np.sort(np.random.default_rng(seed).choice(t.num_rows, rows, replace=False))
    t = t.take(pa.array(idx))
    h = hierarchies()
    cols = {
        c: (generalize(t.column(c), h[c], levels[c]) if c in levels else t.column(c))
        for c in t.column_names
    }
    return pa.table(cols)


def ours(t: pa.Table, qi, s_cat="occupation", s_num="hours-per-week"):
    return {
        "k": Mo.k_anonymity(t, quasi_identifiers=qi),
        "l": Mo.l_diversity(t, quasi_identifiers=qi, sensitive=s_cat),
        "entropy_l": Mo.l_diversity(t, quasi_identifiers=qi, sensitive=s_cat, variant="entropy"),
        "t_cat": Mo.t_closeness(t, quasi_identifiers=qi, sensitive=s_cat),
        "t_num": Mo.t_closeness(t, quasi_identifiers=qi, sensitive=s_num),
    }


def theirs(t: pa.Table, qi, s_cat="occupation", s_num="hours-per-week"):
    df = t.to_pandas().reset_index(drop=True)
    return {
        "k": pycanon.k_anonymity(df, qi),
        "l": pycanon.l_diversity(df, qi, [s_cat]),
        "entropy_l": pycanon.entropy_l_diversity(df, qi, [s_cat]),
        "t_cat": pycanon.t_closeness(df, qi, [s_cat]),
        "t_num": pycanon.t_closeness(df, qi, [s_num]),
    }


def assert_agree(a, b):
    assert a["k"] == b["k"]
    assert a["l"] == b["l"]
    # pycanon reports floor(exp(min entropy)); we report exp(min entropy) itself
    assert math.floor(a["entropy_l"] + 1e-9) == b["entropy_l"]
    assert a["t_cat"] == pytest.approx(b["t_cat"], abs=1e-12)
    assert a["t_num"] == pytest.approx(b["t_num"], abs=1e-12)


@pytest.mark.parametrize(
    "levels",
    [
        {
            "age": 3,
            "education": 2,
            "marital-status": 1,
            "native-country": 2,
            "race": 1,
            "sex": 0,
            "workclass": 1,
            "income": 0,
        },
        {
            "age": 4,
            "education": 3,
            "marital-status": 2,
            "native-country": 2,
            "race": 1,
            "sex": 1,
            "workclass": 2,
            "income": 1,
        },
        {
            "age": 2,
            "education": 3,
            "marital-status": 1,
            "native-country": 2,
            "race": 1,
            "sex": 0,
            "workclass": 2,
            "income": 1,
        },
        {
            "age": 3,
            "education": 1,
            "marital-status": 2,
            "native-country": 1,
            "race": 1,
            "sex": 1,
            "workclass": 2,
            "income": 0,
        },
    ],
)
def test_adult_against_pycanon(levels):
    t = generalised_sample(levels, rows=2500, seed=sum(levels.values()))
    assert_agree(ours(t, QI), theirs(t, QI))


@pytest.mark.parametrize("seed", range(6))
def test_generated_tables_against_pycanon(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(50, 400))
    t = pa.table(
        {
            "zip": rng.choice(["130**", "131**", "148**"], n).tolist(),
            "age": rng.choice(["<30", "30-39", ">=40"], n).tolist(),
            "sex": rng.choice(["F", "M"], n).tolist(),
            "disease": rng.choice(
                ["flu", "cancer", "hiv", "gastritis", "ulcer"], n, p=[0.4, 0.1, 0.05, 0.25, 0.2]
            ).tolist(),
            "salary": rng.integers(1, 8, n) * 1000,
        }
    )
    qi = ["zip", "age", "sex"][: 1 + seed % 3]
    assert_agree(ours(t, qi, "disease", "salary"), theirs(t, qi, "disease", "salary"))


def test_hand_worked_example():
    # the classic 9-record example of Li et al. (t-closeness paper), with salaries in thousands
    t = pa.table(
        {
            "zip": ["476**"] * 3 + ["4790*"] * 3 + ["476**"] * 3,
            "age": ["2*"] * 3 + [">=40"] * 3 + ["3*"] * 3,
            "salary": [3, 4, 5, 6, 11, 8, 7, 9, 10],
            "disease": [
                "gastric ulcer",
                "gastritis",
                "stomach cancer",
                "gastritis",
                "flu",
                "bronchitis",
                "bronchitis",
                "pneumonia",
                "stomach cancer",
            ],
        }
    )
    qi = ["zip", "age"]
    assert Mo.k_anonymity(t, quasi_identifiers=qi) == 3
    assert Mo.l_diversity(t, quasi_identifiers=qi, sensitive="disease") == 3
    # class {3,4,5} vs all {3..11}: ordered EMD = 0.375 (paper's value)
    assert Mo.t_closeness(t, quasi_identifiers=qi, sensitive="salary") == pytest.approx(0.375)
    # hierarchical EMD (the paper's disease hierarchy), worked by hand for the class
    # {gastric ulcer, gastritis, stomach cancer}: leaf extras q - p are +2/9, +1/9, +1/9 under
    # "stomach diseases" and -1/9 (flu), -1/9 (pneumonia), -2/9 (bronchitis) under "respiratory
    # infection". Every node below the root has extras of one sign (cost 0); the root (height 3 of 3)
    # moves min(4/9, 4/9): EMD = 4/9.
    disease = TableHierarchy.from_rows(
        [
            ["gastric ulcer", "stomach diseases", "digestive system diseases"],
            ["gastritis", "stomach diseases", "digestive system diseases"],
            ["stomach cancer", "stomach diseases", "digestive system diseases"],
            ["colitis", "colon diseases", "digestive system diseases"],
            ["colon cancer", "colon diseases", "digestive system diseases"],
            ["flu", "respiratory infection", "respiratory system diseases"],
            ["pneumonia", "respiratory infection", "respiratory system diseases"],
            ["bronchitis", "respiratory infection", "respiratory system diseases"],
            ["pulmonary edema", "vascular lung diseases", "respiratory system diseases"],
        ]
    )
    c = Mo.classes(t, qi, "disease")
    assert c.sizes.tolist() == [3, 3, 3]
    emd = Mo.class_emd(c, pa.string(), hierarchy=disease)
    ids = Mo.group_ids(t, qi)[0]
    assert emd[ids[0]] == pytest.approx(4 / 9)
    # the other classes: against a second, dictionary-based implementation of the same bottom-up rule
    assert emd[ids[3]] == pytest.approx(_tree_emd_bruteforce(t, ids, ids[3], disease))
    assert emd[ids[6]] == pytest.approx(_tree_emd_bruteforce(t, ids, ids[6], disease))
    # equal distance on the first class, by hand
    assert Mo.class_emd_equal(c)[ids[0]] == pytest.approx(
        0.5 * (abs(1 / 3 - 1 / 9) + abs(1 / 3 - 2 / 9) + abs(1 / 3 - 2 / 9) + (1 - 5 / 9))
    )


def _tree_emd_bruteforce(t, ids, cls, hierarchy):
    """Li et al.'s bottom-up rule written again with plain dictionaries over the data (a second
    implementation of the same formula, not an independent method)."""
    values = t.column("disease").to_pylist()
    n = len(values)
    members = [v for v, i in zip(values, ids, strict=True) if i == cls]
    p = {v: values.count(v) / n for v in set(values)}
    q = {v: members.count(v) / len(members) for v in set(members)}
    surplus = {v: q.get(v, 0) - p.get(v, 0) for v in set(p) | set(q)}
    top = hierarchy.height - 1
    cost = 0.0
    for level in range(1, hierarchy.height):
        parent = dict(zip(hierarchy.levels[0], hierarchy.levels[level], strict=True))
        groups = {}
        for v, x in surplus.items():
            groups.setdefault(parent[v], []).append(x)
        for xs in groups.values():
            pos = sum(x for x in xs if x > 0)
            neg = -sum(x for x in xs if x < 0)
            cost += level / top * min(pos, neg)
            # matched mass leaves; the rest moves up as the group's surplus
        surplus_groups = {g: sum(xs) for g, xs in groups.items()}
        # re-key surplus by leaf representatives of each group
        reps = {}
        for v in surplus:
            reps.setdefault(parent[v], v)
        surplus = {
            v: surplus_groups[g] if reps[g] == v else 0.0
            for v, g in ((v, parent[v]) for v in surplus)
        }
    return cost


def test_recursive_cl_against_definition():
    rng = np.random.default_rng(5)
    for _ in range(5):
        n = 300
        t = pa.table(
            {
                "q": rng.choice(list("abcd"), n).tolist(),
                "s": rng.choice(list("uvwxyz"), n, p=[0.4, 0.2, 0.15, 0.1, 0.1, 0.05]).tolist(),
            }
        )
        for l_value in (1, 2, 3, 4):
            want = 0.0
            for g in set(t.column("q").to_pylist()):
                vals = [
                    s
                    for q, s in zip(
                        t.column("q").to_pylist(), t.column("s").to_pylist(), strict=True
                    )
                    if q == g
                ]
                r = sorted((vals.count(v) for v in set(vals)), reverse=True)
                tail = sum(r[l_value - 1 :])
                want = max(want, math.inf if tail == 0 else r[0] / tail)
            assert Mo.recursive_cl_diversity(
                t, quasi_identifiers=["q"], sensitive="s", l=l_value
            ) == pytest.approx(want)


def test_check_and_errors():
    t = pa.table({"q": ["a", "a", "b", "b", "b"], "s": ["x", "y", "x", "x", "y"]})
    r = Mo.check(t, quasi_identifiers=["q"], model="distinct-l-diversity", k=2, l=2, sensitive="s")
    assert r.passed and r.k == 2 and r.l == 2
    r = Mo.check(t, quasi_identifiers=["q"], model="k-anonymity", k=3)
    assert not r.passed and r.failing_classes == 1 and r.failing_records == 2
    r = Mo.check(t, quasi_identifiers=["q"], model="t-closeness", k=1, t=0.05, sensitive="s")
    assert not r.passed and r.t == pytest.approx(0.1)
    r = Mo.check(
        t, quasi_identifiers=["q"], model="recursive-cl-diversity", k=1, l=2, c=3, sensitive="s"
    )
    assert r.passed and r.c == 2.0
    with pytest.raises(InvalidInput) as e:
        Mo.check(t, quasi_identifiers=["q"], model="t-closeness", t=0.2)
    assert e.value.message == M.MSG_NEEDS_SENSITIVE.format(model="t-closeness")
    with pytest.raises(InvalidInput) as e:
        Mo.k_anonymity(t, quasi_identifiers=["nope"])
    assert e.value.message == M.MSG_MISSING_COLUMN.format(column="nope", columns="q, s")
    with pytest.raises(InvalidInput):
        Mo.check(t, quasi_identifiers=["q"], k=0)
    with pytest.raises(InvalidInput):
        Mo.check(t, quasi_identifiers=["q"], model="t-closeness", t=2, sensitive="s")
    with pytest.raises(InvalidInput) as e:
        Mo.l_diversity(t, quasi_identifiers=["q", "s"], sensitive="s")
    assert e.value.message == M.MSG_SENSITIVE_IS_QI.format(column="s")


def test_nulls_form_their_own_class():
    t = pa.table({"q": ["a", None, None, "a"], "s": [1, 2, 3, 4]})
    assert Mo.k_anonymity(t, quasi_identifiers=["q"]) == 2


def test_dictionary_encoded_columns_are_used_without_decoding():
    plain = pa.table({"q": ["a", "b", "a", None, "c", "c"], "s": ["x", "y", "y", "x", "x", "x"]})
    # a dictionary with an unused entry ("zz"), as Parquet files may have
    dict_q = pa.DictionaryArray.from_arrays(
        pa.array([0, 1, 0, None, 2, 2], pa.int32()), pa.array(["a", "b", "c", "zz"])
    )
    encoded = plain.set_column(0, "q", dict_q)
    c, d = codes(encoded.column("q"))
    assert d.to_pylist() == ["a", "b", "c", None] and c.tolist() == [0, 1, 0, 3, 2, 2]
    for t in (plain, encoded):
        assert Mo.k_anonymity(t, quasi_identifiers=["q"]) == 1
        assert Mo.l_diversity(t, quasi_identifiers=["q"], sensitive="s") == 1
    assert Mo.t_closeness(plain, quasi_identifiers=["q"], sensitive="s") == Mo.t_closeness(
        encoded, quasi_identifiers=["q"], sensitive="s"
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_frequency_table_against_numpy_unique(seed):
    """Distinct combinations, counts and every row's group agree with a sort-based reference,
    including key spaces that force the sorting fallback and empty code ranges."""
    from datanuri.privacy.encoding import frequency_table

    rng = np.random.default_rng(seed)
    n = 5000
    cards = [int(c) for c in rng.choice([1, 2, 7, 300, 70_000], size=5)]
    cols = [
        rng.integers(0, max(c // (2 if c > 2 else 1), 1), n).astype(
            np.uint32 if c > 65536 else np.uint16 if c > 255 else np.uint8
        )
        for c in cards
    ]
    ids, group_codes, count = frequency_table(cols, cards)
    stacked = np.stack([c.astype(np.int64) for c in cols], axis=1)
    uniq, inv, cnt = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
    assert len(count) == len(uniq) and count.sum() == n
    got = np.stack([c.astype(np.int64) for c in group_codes], axis=1)
    # same set of combinations with the same counts
    order = np.lexsort(got.T[::-1])
    assert np.array_equal(got[order], uniq)
    assert np.array_equal(count[order], cnt)
    # every row's group holds that row's codes
    assert np.array_equal(got[ids], stacked)
    assert all(c.dtype == col.dtype for c, col in zip(group_codes, cols, strict=True))
