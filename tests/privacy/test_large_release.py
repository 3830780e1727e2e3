"""The large-table release path of PrivacyService (the compute engine), forced with a low
`privacy_inmemory_rows`, against the in-memory path on the same dataset and policy: the same
released rows, the same pass/fail decisions and the same report numbers; what the engine path
cannot apply is refused with a message that says what to change."""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datanuri import errors
from datanuri.accounts import SYSTEM
from datanuri.privacy.service import Candidate, PolicyFailed
from tests.engine.conftest import spark_engine  # noqa: F401 (the session's Spark)
from tests.privacy.test_service import HOSPITAL, ORG, POLICY, load_hospital, user

INMEMORY = 10**9

#: POLICY with the patient number deleted instead of pseudonymised: all the engine path applies.
DELETING = {
    **POLICY,
    "direct_identifiers": {**POLICY["direct_identifiers"], "환자번호": "delete"},
}
#: The same with l-diversity and with t-closeness on the diagnosis.
DIVERSE = {**DELETING, "model": "distinct-l-diversity", "l": 2}
CLOSE = {**DELETING, "model": "t-closeness", "t": 0.5}
#: The RRNs released as they are: the gate refuses on both paths (detection).
LEAKY = {
    **DELETING,
    "direct_identifiers": {
        k: v for k, v in DELETING["direct_identifiers"].items() if k != "주민등록번호"
    },
    "insensitive": {**DELETING["insensitive"], "주민등록번호": "we trust our readers"},
}


@pytest.fixture
def world(platform, tmp_path):
    load_hospital(platform, tmp_path / "demo")
    return platform, user(platform, "editor@example.org", ORG)


def candidate(platform, editor, policy: dict[str, Any], *, large: bool) -> Candidate:
    platform.privacy.inmemory_rows = 0 if large else INMEMORY
    return platform.privacy.apply(HOSPITAL, policy, principal=editor)


def numbers(x: Any, path: str = "") -> Any:
    """The report as plain values, without the search's wall time."""
    if isinstance(x, dict):
        return {k: numbers(v, f"{path}.{k}") for k, v in x.items() if k != "seconds"}
    if isinstance(x, list):
        return [numbers(v, path) for v in x]
    return x


def assert_same(a: Any, b: Any, path: str = "report") -> None:
    """Equal, floats up to the last bits (sums taken in another order)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), (path, set(a) ^ set(b or {}))
        for k in a:
            assert_same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and not isinstance(b, bool):
        assert isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), (
            path,
            a,
            b,
        )
    else:
        assert a == b, (path, a, b)


def released(platform, target: str) -> pa.Table:
    path = platform.catalog.parquet_path(target, principal=SYSTEM)
    table = pq.read_table(path)
    return table.sort_by([(c, "ascending") for c in table.column_names])


@pytest.mark.parametrize("policy", [DELETING, DIVERSE, CLOSE], ids=["k", "l", "t"])
def test_large_path_reports_what_the_in_memory_path_reports(world, policy):
    platform, editor = world
    small = candidate(platform, editor, policy, large=False)
    big = candidate(platform, editor, policy, large=True)
    assert big.rows is not None and big.file is None  # the engine's file is gone after apply
    assert small.passed and big.passed
    assert big.num_rows == small.num_rows
    assert big.table.column_names == small.table.column_names
    assert big.table.num_rows == min(20, small.num_rows)  # the preview: the release's first rows
    assert big.summary()["preview"] == small.summary()["preview"]
    assert_same(numbers(small.report.to_json()), numbers(big.report.to_json()))


def test_large_release_publishes_the_same_rows(world):
    from pycanon import anonymity as pycanon

    platform, editor = world
    platform.privacy.inmemory_rows = INMEMORY
    a = platform.privacy.release(HOSPITAL, DELETING, target_name="visits-memory", principal=editor)
    platform.privacy.inmemory_rows = 0
    b = platform.privacy.release(HOSPITAL, DELETING, target_name="visits-engine", principal=editor)
    assert b.target_hash == a.target_hash  # the same canonical Parquet
    mem, eng = released(platform, "visits-memory"), released(platform, "visits-engine")
    assert eng.equals(mem)
    assert_same(numbers(a.report.to_json()), numbers(b.report.to_json()))
    qi = list(DELETING["quasi_identifiers"])
    assert pycanon.k_anonymity(eng.to_pandas(), qi) >= DELETING["k"]
    assert pycanon.k_anonymity(eng.to_pandas(), qi) == b.report.privacy.measured.k
    assert len(platform.privacy.list_releases(HOSPITAL, principal=editor)) == 2
    # the temp area holds no release file
    assert not list(platform.blobs.tmp.glob("*.parquet"))


def test_the_gate_refuses_on_both_paths(world):
    platform, editor = world
    policy = LEAKY
    small = candidate(platform, editor, policy, large=False)
    big = candidate(platform, editor, policy, large=True)
    assert not small.passed and not big.passed
    assert big.report.failures == small.report.failures
    assert_same(numbers(small.report.to_json()), numbers(big.report.to_json()))
    assert big.summary()["preview"]["rows"] == []  # a failing candidate shows no rows
    for large in (False, True):
        platform.privacy.inmemory_rows = 0 if large else INMEMORY
        with pytest.raises(PolicyFailed):
            platform.privacy.release(HOSPITAL, policy, target_name="visits", principal=editor)
    assert platform.privacy.list_releases(HOSPITAL, principal=editor) == []


@pytest.mark.parametrize("extra", ["copy", "unique"])
def test_engine_counted_gate_rules_refuse_as_in_memory(world, tmp_path, extra):
    """Rules 3 and 4 with the engine's counts: a released exact copy of a quasi-identifier, and
    a released column unique on most records."""
    platform, editor = world
    digest = platform.catalog.get_version(HOSPITAL, 1, principal=SYSTEM).content_hash
    table = pq.read_table(platform.blobs.verify(digest))
    if extra == "copy":
        column = table.column("나이")
    else:
        column = pa.array([f"R{i:07d}" for i in range(table.num_rows)])
    pq.write_table(table.append_column("추가", column), tmp_path / "more.parquet")
    platform.catalog.publish(HOSPITAL, tmp_path / "more.parquet", principal=SYSTEM)
    policy = {**DELETING, "insensitive": {**DELETING["insensitive"], "추가": "a spare column"}}
    small = candidate(platform, editor, policy, large=False)
    big = candidate(platform, editor, policy, large=True)
    assert not small.passed and not big.passed
    assert any("추가" in f for f in big.report.failures)
    assert big.report.failures == small.report.failures
    assert big.report.gate is not None and small.report.gate is not None
    assert big.report.gate.duplicates == small.report.gate.duplicates
    assert big.report.gate.near_unique == small.report.gate.near_unique
    assert big.report.gate.duplicates if extra == "copy" else big.report.gate.near_unique
    assert_same(numbers(small.report.to_json()), numbers(big.report.to_json()))


@pytest.mark.parametrize(
    "change",
    [
        {"direct_identifiers": POLICY["direct_identifiers"]},  # pseudonymisation
        {"algorithm": "mondrian"},
        {"utility_check": {"target": "진단명", "max_gap": 0.2}},
    ],
    ids=["pseudonymize", "mondrian", "utility-check"],
)
def test_what_the_engine_path_cannot_apply_is_refused_there_only(world, change):
    platform, editor = world
    policy = {**DELETING, **change}
    small = candidate(platform, editor, policy, large=False)
    assert small.report is not None  # the in-memory path applies it
    with pytest.raises(errors.InvalidInput) as e:
        candidate(platform, editor, policy, large=True)
    assert "compute engine" in str(e.value) and "Change the policy" in str(e.value)
    assert e.value.details["unsupported"]
    from datanuri.i18n import translate

    assert translate(str(e.value), "ko") != str(e.value)  # a Korean message too
    assert not list(platform.blobs.tmp.glob("*.parquet"))


@pytest.mark.spark
def test_spark_release_equals_the_in_memory_one(world, request):
    platform, editor = world
    spark = request.getfixturevalue("spark_engine")
    platform.privacy.inmemory_rows = INMEMORY
    a = platform.privacy.release(HOSPITAL, DIVERSE, target_name="visits-memory", principal=editor)
    platform.privacy.engine = lambda: spark
    platform.privacy.engine_name = "spark"  # Spark takes every table, however small
    b = platform.privacy.release(HOSPITAL, DIVERSE, target_name="visits-spark", principal=editor)
    assert released(platform, "visits-spark").equals(released(platform, "visits-memory"))
    assert_same(numbers(a.report.to_json()), numbers(b.report.to_json()))


def test_scan_of_a_large_table_reads_a_sample(world):
    platform, editor = world
    platform.privacy.inmemory_rows = INMEMORY
    small = platform.privacy.scan(HOSPITAL, principal=editor)
    platform.privacy.inmemory_rows = 0
    big = platform.privacy.scan(HOSPITAL, principal=editor)
    assert big["total_rows"] == small["total_rows"]
    kinds = {c["column"]: (c["category"], c["kind"]) for c in big["columns"]}
    assert kinds == {c["column"]: (c["category"], c["kind"]) for c in small["columns"]}


def test_k_is_checked_against_the_whole_file_not_the_sample(tmp_path):
    """The policy is read against a sample of the file, but k is the whole file's matter: a k
    above the sample's size is accepted, one above the file's rows refused; and a value the
    hierarchy misses outside the sample is still found (on the whole file)."""
    from datanuri.engine import EngineSettings, make_engine
    from datanuri.privacy.large import apply_large

    rows = 4_000
    sex = ["M" if i % 2 else "F" for i in range(rows)]
    pq.write_table(
        pa.table({"age": [20 + i % 40 for i in range(rows)], "sex": sex}), tmp_path / "s.parquet"
    )
    policy: dict[str, Any] = {
        "quasi_identifiers": {
            "age": {"intervals": [10, 20, 40]},
            "sex": {"rows": [["M", "*"], ["F", "*"]]},
        },
        "k": 150,
        "max_suppression": 0.05,
    }
    engine = make_engine(EngineSettings(engine="duckdb", tmp_dir=tmp_path))
    try:
        done = apply_large(
            engine,
            tmp_path / "s.parquet",
            tmp_path / "out.parquet",
            policy,
            name="s",
            sample_rows=100,
        )
        assert done.passed and done.report.equivalence_classes.min >= 150
        with pytest.raises(errors.InvalidInput, match="4,000|4000"):
            apply_large(
                engine,
                tmp_path / "s.parquet",
                tmp_path / "out2.parquet",
                {**policy, "k": rows + 1},
                name="s",
                sample_rows=100,
            )
        sex[-1] = "X"  # beyond the 100-row sample
        pq.write_table(
            pa.table({"age": [20 + i % 40 for i in range(rows)], "sex": sex}),
            tmp_path / "x.parquet",
        )
        with pytest.raises(errors.InvalidInput, match="does not cover"):
            apply_large(
                engine,
                tmp_path / "x.parquet",
                tmp_path / "out3.parquet",
                policy,
                name="s",
                sample_rows=100,
            )
    finally:
        engine.close()
