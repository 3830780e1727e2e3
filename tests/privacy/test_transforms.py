from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import numpy as np
import pyarrow as pa
import pytest

from datanuri.errors import InvalidInput
from datanuri.privacy import hierarchies as H
from datanuri.privacy import messages as M
from datanuri.privacy import transforms as T

KEY = b"0123456789abcdef-secret"


def test_delete_and_missing_column():
    t = pa.table({"a": [1], "b": [2]})
    assert T.delete(t, ["a"]).column_names == ["b"]
    with pytest.raises(InvalidInput) as e:
        T.delete(t, ["zz"])
    assert e.value.message == M.MSG_MISSING_COLUMN.format(column="zz", columns="a, b")


def test_mask():
    assert T.mask(["홍길동", "ab", "abcdef", None], keep_start=1).to_pylist() == [
        "홍**",
        "a*",
        "a*****",
        None,
    ]
    assert T.mask(["010-1234-5678"], keep_end=4).to_pylist() == ["*********5678"]
    assert T.mask(["abcdef", "abc"], keep_start=2, keep_end=2, char="#").to_pylist() == [
        "ab##ef",
        "abc",
    ]
    with pytest.raises(InvalidInput):
        T.mask(["x"], keep_start=-1)


def test_mask_rrn_keeps_birth_date():
    vals = ["900101-1234568", "9001011234568"]
    assert T.mask_rrn(vals).to_pylist() == ["900101-1******"] * 2
    assert T.mask_rrn(vals, keep="birth_date").to_pylist() == ["900101-*******"] * 2


def test_pseudonymize_matches_stdlib_hmac():
    vals = ["홍길동", "900101-1234568", "", None, "홍길동"]
    got = T.pseudonymize(vals, key=KEY).to_pylist()
    want = [
        None if v is None else hmac.new(KEY, v.encode(), hashlib.sha256).hexdigest() for v in vals
    ]
    assert got == want
    long_key = b"k" * 100  # longer than the block: hashed first (RFC 2104)
    assert T.pseudonymize(["x"], key=long_key).to_pylist() == [
        hmac.new(long_key, b"x", hashlib.sha256).hexdigest()
    ]
    assert T.pseudonymize(pa.array([42]), key=KEY, length=16).to_pylist() == [
        hmac.new(KEY, b"42", hashlib.sha256).hexdigest()[:16]
    ]
    assert T.pseudonymize(["a"], key=KEY) != T.pseudonymize(["a"], key=KEY + b"!")
    with pytest.raises(InvalidInput) as e:
        T.pseudonymize(["a"], key=b"short")
    assert e.value.message == M.MSG_BAD_KEY.format(length=5)


def test_generalize_through_hierarchies():
    assert T.generalize(pa.array([23, 37, 23]), H.age_hierarchy(), 2).to_pylist() == [
        "20-29",
        "30-39",
        "20-29",
    ]
    h = H.TableHierarchy.from_mapping(
        {
            "Bachelors": ["Undergrad", "Higher"],
            "Masters": ["Graduate", "Higher"],
            "HS-grad": ["Secondary", "Lower"],
        }
    )
    assert h.height == 4
    assert T.generalize(pa.array(["Masters", "HS-grad"]), h, 2).to_pylist() == ["Higher", "Lower"]
    assert T.generalize(pa.array(["Masters"]), h, 3).to_pylist() == ["*"]
    with pytest.raises(InvalidInput) as e:
        T.generalize(pa.array(["PhD"]), h, 1, column="education")
    assert e.value.message == M.MSG_HIERARCHY_MISSING_VALUES.format(
        column="education", count=1, examples="'PhD'"
    )


def test_top_bottom_and_microaggregation():
    assert T.top_bottom_code(pa.array([1, 50, 99, None]), lower=10, upper=90).to_pylist() == [
        10,
        50,
        90,
        None,
    ]
    out = T.microaggregate(pa.array([5, 1, 3, 2, 4, 100, None]), k=3).to_pylist()
    assert out == [
        pytest.approx(36.333333333333336) if v in (4, 5, 100) else 2.0 for v in [5, 1, 3, 2, 4, 100]
    ] + [None]
    vals = np.random.default_rng(0).normal(size=101)
    agg = np.array(T.microaggregate(pa.array(vals), k=5).to_pylist())
    _, counts = np.unique(agg, return_counts=True)
    assert counts.min() >= 5 and counts.max() < 10
    assert np.isclose(agg.mean(), vals.mean())  # the mean is preserved
    with pytest.raises(InvalidInput):
        T.microaggregate(pa.array(["a"]), k=3)
    with pytest.raises(InvalidInput):
        T.microaggregate(pa.array([1.0]), k=1)


def test_suppression():
    t = pa.table({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    assert T.suppress_records(t, np.array([False, True, False])).column("a").to_pylist() == [1, 3]
    s = T.suppress_cells(t, columns=["a", "b"], where=np.array([True, False, False]))
    assert s.to_pylist()[0] == {"a": None, "b": None}
    s = T.suppress_cells(t, columns=["b"], where=np.array([True, False, False]), replacement="*")
    assert s.column("b").to_pylist() == ["*", "y", "z"]


def test_noise_is_seeded_and_centred():
    x = pa.array(np.zeros(20000))
    a = T.add_noise(x, scale=2.0, seed=7)
    assert a.equals(T.add_noise(x, scale=2.0, seed=7))
    arr = np.asarray(a)
    assert abs(arr.mean()) < 0.1 and abs(np.abs(arr).mean() - 2.0) < 0.1  # Laplace: E|X| = b
    g = np.asarray(T.add_noise(x, scale=3.0, distribution="gaussian", seed=1))
    assert abs(g.std() - 3.0) < 0.1
    u = np.asarray(T.add_noise(x, scale=1.0, distribution="uniform", seed=1, round_to=0.5))
    assert u.min() >= -1 and u.max() <= 1 and set(np.unique(u)) <= {-1.0, -0.5, 0.0, 0.5, 1.0}
    with pytest.raises(InvalidInput):
        T.add_noise(x, scale=-1)


def test_hierarchies():
    age = H.age_hierarchy()
    assert age.height == 5
    assert [age.generalize(pa.array([37]), lv).to_pylist()[0] for lv in range(5)] == [
        "37",
        "35-39",
        "30-39",
        "20-39",
        "*",
    ]
    d = H.DateHierarchy()
    day = pa.array([dt.date(2024, 11, 15)])
    assert [d.generalize(day, lv).to_pylist()[0] for lv in range(5)] == [
        "2024-11-15",
        "2024-11",
        "2024-Q4",
        "2024",
        "*",
    ]
    assert d.generalize(pa.array(["2023-02-01"]), 2).to_pylist() == ["2023-Q1"]
    p = H.postcode_hierarchy()
    assert [p.generalize(pa.array(["06236"]), lv).to_pylist()[0] for lv in range(4)] == [
        "06236",
        "062**",
        "06***",
        "*",
    ]
    with pytest.raises(InvalidInput) as e:
        age.generalize(pa.array([1]), 5, column="age")
    assert e.value.message == M.MSG_BAD_LEVEL.format(level=5, column="age", top=4)
    with pytest.raises(InvalidInput):
        H.IntervalHierarchy((5, 7))


def test_korean_regions():
    r = H.korean_regions()
    assert r.level_names == ("읍면동", "시군구", "시도", "*")
    v = pa.array(["서울특별시 종로구 사직동", "부산광역시 해운대구 우1동"])
    assert r.generalize(v, 1).to_pylist() == ["서울특별시 종로구", "부산광역시 해운대구"]
    assert r.generalize(v, 2).to_pylist() == ["서울특별시", "부산광역시"]
    sido = set(r.levels[2])
    assert (
        len(sido) == 17
        and "세종특별자치시" in sido
        and "강원특별자치도" in sido
        and "전북특별자치도" in sido
    )
    sgg = H.korean_regions(leaf="시군구")
    assert sum(1 for x in sgg.leaves if x.startswith("서울특별시 ")) == 25


def test_user_csv_hierarchy(tmp_path):
    f = tmp_path / "edu.csv"
    f.write_text(
        "교육,단계,구분\n학사,대학,고등교육\n석사,대학원,고등교육\n고졸,중등,중등이하\n",
        encoding="utf-8",
    )
    h = H.load_hierarchy(f)
    assert h.level_names == ("교육", "단계", "구분", "*")
    assert h.generalize(pa.array(["석사"]), 2).to_pylist() == ["고등교육"]
    f2 = tmp_path / "noheader.csv"
    f2.write_text("a,x,*\nb,x,*\nc,y,*\n")
    assert H.load_hierarchy(f2).height == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("a,x,1\nb,x\n")
    with pytest.raises(InvalidInput) as e:
        H.load_hierarchy(bad)
    assert e.value.message == M.MSG_HIERARCHY_RAGGED.format(
        row=2, name="bad.csv", got=2, expected=3
    )
    inconsistent = tmp_path / "inc.csv"
    inconsistent.write_text("a,x,1\nb,x,2\n")
    with pytest.raises(InvalidInput):
        H.load_hierarchy(inconsistent)
    empty = tmp_path / "empty.csv"
    empty.write_text("\n")
    with pytest.raises(InvalidInput):
        H.load_hierarchy(empty)
    assert H.TableHierarchy.from_csv(f).to_csv().splitlines()[0] == "교육,단계,구분,*"
