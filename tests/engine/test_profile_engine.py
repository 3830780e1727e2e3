"""The profile on the engine equals the in-process profile of the same file (mean and std up to
rounding in the last bits: the engines add in other orders)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datanuri.engine import Engine
from datanuri.engine.profile import profile_on_engine
from datanuri.tables.profile import profile_parquet
from tests.engine.data import synthetic, write
from tests.privacy.adult import adult


def assert_same_profile(got: dict[str, Any], expected: dict[str, Any]) -> None:
    assert got["rows"] == expected["rows"]
    assert [c["name"] for c in got["columns"]] == [c["name"] for c in expected["columns"]]
    for g, e in zip(got["columns"], expected["columns"], strict=True):
        assert set(g) == set(e), g["name"]
        for key in e:
            if key in ("mean", "std") and e[key] is not None:
                assert g[key] == pytest.approx(e[key], rel=1e-12), (g["name"], key)
            else:
                assert g[key] == e[key], (g["name"], key)


def test_profile_of_synthetic_people(engine: Engine, tmp_path: Path) -> None:
    # one column of each kind (integer, text, date, date-time, number, boolean): Spark runs a
    # few jobs per column
    table = synthetic(8_000).select(["age", "sido", "birth", "seen", "amount"])
    table = table.append_column("flag", pa.array(np.arange(table.num_rows) % 3 == 0))
    src = write(table, tmp_path / "people.parquet")
    assert_same_profile(profile_on_engine(engine, src), profile_parquet(src))


def test_profile_of_adult_on_duckdb(tmp_path: Path) -> None:
    from datanuri.engine import EngineSettings, make_engine

    src = tmp_path / "adult.parquet"
    pq.write_table(adult(), src)
    engine = make_engine(EngineSettings(tmp_dir=tmp_path / "engine"))
    assert_same_profile(profile_on_engine(engine, src), profile_parquet(src))
