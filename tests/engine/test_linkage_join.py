"""The linkage zone's exact-key join on both engines: the same pairs, in the same order, as the
in-process join (`match.rules_join`), over files read in many splits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datanuri.engine import Engine
from datanuri.linkage.engine_join import join_pairs, write_pairs
from datanuri.linkage.match import rules_join


def keyed(rows: int, seed: int) -> pa.Table:
    """Keyed records: hex keys from a shared pool (so keys repeat), a few missing."""
    rng = np.random.default_rng(seed)

    def keys(pool: int) -> pa.Array:
        values = [f"{v:064x}" for v in rng.integers(0, pool, rows)]
        missing = rng.random(rows) < 0.05
        return pa.array([None if m else v for v, m in zip(values, missing, strict=True)])

    return pa.table({"lk_name": keys(rows), "lk_phone": keys(rows * 2), "flag": np.arange(rows)})


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, pa.Table, pa.Table]:
    a, b = keyed(20_000, 1), keyed(15_000, 2)
    pa_, pb = tmp_path / "a.parquet", tmp_path / "b.parquet"
    pq.write_table(a, pa_, row_group_size=1_000)  # many row groups: Spark reads many splits
    pq.write_table(b, pb, row_group_size=1_000)
    return pa_, pb, a, b


@pytest.mark.parametrize(
    "rules",
    [[["lk_name"]], [["lk_name", "lk_phone"], ["lk_phone"]], [["lk_missing"], ["lk_phone"]]],
    ids=["one-key", "two-rules", "a-rule-over-a-missing-key"],
)
def test_engine_join_equals_the_in_process_join(
    engine: Engine, files: tuple[Path, Path, pa.Table, pa.Table], rules: list[list[str]]
) -> None:
    pa_, pb, a, b = files
    expected = rules_join(a, b, rules)
    got = join_pairs(engine, pa_, pb, rules)
    assert len(expected) > 1_000  # keys repeat: many-to-many pairs
    np.testing.assert_array_equal(got.left, expected.left)
    np.testing.assert_array_equal(got.right, expected.right)
    assert got.rule is not None and expected.rule is not None
    assert got.rule.to_pylist() == expected.rule.to_pylist()
    # the pairs are real: each one's keys agree under its rule
    for i in range(0, len(got), 997):
        rule = got.rule[i].as_py().split("+")
        for key in rule:
            value = a.column(key)[int(got.left[i])].as_py()
            assert value is not None and value == b.column(key)[int(got.right[i])].as_py()


def test_engine_join_streams_the_pairs_to_parquet(
    engine: Engine, files: tuple[Path, Path, pa.Table, pa.Table], tmp_path: Path
) -> None:
    pa_, pb, a, b = files
    out = tmp_path / "pairs.parquet"
    n = write_pairs(engine, pa_, pb, [["lk_name"]], out)
    written = pq.read_table(out)
    expected = rules_join(a, b, [["lk_name"]])
    assert n == written.num_rows == len(expected)
    np.testing.assert_array_equal(written.column("l").to_numpy(), expected.left)
    np.testing.assert_array_equal(written.column("r").to_numpy(), expected.right)
    empty = tmp_path / "none.parquet"
    assert write_pairs(engine, pa_, pb, [["lk_missing"]], empty) == 0
    assert pq.read_table(empty).num_rows == 0
