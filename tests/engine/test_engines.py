"""The engine interface on DuckDB and Spark: the same SQL gives the same results."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datanuri.config import Config
from datanuri.engine import Engine, EngineSettings, Parquet
from datanuri.engine.settings import parse_spark_conf
from datanuri.engine.spark import SparkEngine, check_java, to_spark
from datanuri.errors import ConfigError, EngineUnavailable
from tests.engine.data import synthetic, write


def test_query_groups_korean_strings_nulls_and_dates(engine: Engine, tmp_path: Path) -> None:
    src = write(synthetic(5_000), tmp_path / "src.parquet")
    got = engine.query(
        'SELECT sido, count(*) AS n, min(birth) AS first, max(seen) AS last FROM "src" '
        "GROUP BY sido ORDER BY sido",
        {"src": Parquet(src)},
    )
    table = synthetic(5_000)
    expected = table.group_by("sido").aggregate(
        [([], "count_all"), ("birth", "min"), ("seen", "max")]
    )
    by_region = {
        r["sido"]: (r["count_all"], r["birth_min"], r["seen_max"]) for r in expected.to_pylist()
    }
    rows = got.to_pylist()
    assert [r["sido"] for r in rows] == ["광주광역시", "대구광역시", "부산광역시", "서울특별시",
                                        "인천광역시", "제주특별자치도", None]  # fmt: skip
    for r in rows:
        n, first, last = by_region[r["sido"]]
        assert (r["n"], r["first"], r["last"].replace(tzinfo=None)) == (n, first, last)


def test_write_parquet_keeps_source_order_and_joins_arrow_inputs(
    engine: Engine, tmp_path: Path
) -> None:
    table = synthetic(40_000)
    src = write(table, tmp_path / "src.parquet")
    names = pa.table({"v": ["남", "여"], "label": ["male", "female"]})
    out = tmp_path / "out.parquet"
    rows = engine.write_parquet(
        'SELECT s.id, m.label, s.sido, s.birth FROM "src" AS s LEFT JOIN names AS m '
        'ON s.sex = m.v WHERE s.age IS NOT NULL ORDER BY s."__row"',
        {"src": Parquet(src, row_number="__row"), "names": names},
        out,
    )
    written = pq.read_table(out)
    kept = table.filter(table.column("age").is_valid())
    assert rows == written.num_rows == kept.num_rows
    assert written.column("id").to_pylist() == kept.column("id").to_pylist()  # source order
    labels = {"남": "male", "여": "female", None: None}
    assert written.column("label").to_pylist() == [labels[v] for v in kept["sex"].to_pylist()]
    assert written.column("sido").to_pylist() == kept.column("sido").to_pylist()
    assert written.schema.field("birth").type == pa.date32()


def test_write_parquet_of_no_rows_is_a_file_with_the_columns(
    engine: Engine, tmp_path: Path
) -> None:
    src = write(synthetic(100), tmp_path / "src.parquet")
    out = tmp_path / "out.parquet"
    assert (
        engine.write_parquet('SELECT id, sido FROM "src" WHERE id < 0', {"src": Parquet(src)}, out)
        == 0
    )
    written = pq.read_table(out)
    assert written.num_rows == 0 and written.column_names == ["id", "sido"]


def test_quantile_cont_becomes_spark_percentile() -> None:
    sql = to_spark('SELECT quantile_cont("x", [0.25, 0.5]) FROM t WHERE y IS NOT DISTINCT FROM z')
    assert "PERCENTILE(X, ARRAY(0.25, 0.5))" in sql.upper().replace("`", "")
    assert "IS NOT DISTINCT FROM" in sql.upper() or "<=>" in sql


def test_spark_settings_come_from_the_config() -> None:
    config = Config.load(
        env={
            "DATANURI_ENGINE": "spark",
            "DATANURI_SPARK_MASTER": "local[4]",
            "DATANURI_SPARK_EXECUTOR_MEMORY": "8g",
            "DATANURI_SPARK_CONF": "spark.sql.shuffle.partitions=8, spark.local.dir=/x",
        },
        data_dir="/tmp/unused",
    )
    settings = EngineSettings.from_config(config)
    assert (settings.engine, settings.spark_master, settings.spark_executor_memory) == (
        "spark",
        "local[4]",
        "8g",
    )
    assert settings.spark_conf == (
        ("spark.sql.shuffle.partitions", "8"),
        ("spark.local.dir", "/x"),
    )
    with pytest.raises(ConfigError, match="key=value"):
        parse_spark_conf("spark.sql.shuffle.partitions")


def test_spark_without_java_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(EngineUnavailable, match="openjdk-17-jre-headless"):
        check_java()
    engine = SparkEngine(EngineSettings(engine="spark"))
    with pytest.raises(EngineUnavailable):
        engine.query("SELECT 1", {})


def test_platform_makes_its_engine_on_first_use(tmp_path: Path) -> None:
    from datanuri.platform import Platform

    with Platform(Config(data_dir=tmp_path)) as platform:
        assert not platform.made("engine")  # nothing started with the platform
        engine = platform.engine
        assert engine.name == "duckdb" and platform.engine is engine
        assert engine.query("SELECT 1 AS one", {}).to_pylist() == [{"one": 1}]
    assert os.path.isdir(tmp_path)


def test_spark_reads_dates_and_timestamps_as_written(engine: Engine, tmp_path: Path) -> None:
    t = pa.table(
        {
            "d": pa.array([dt.date(2024, 2, 29), None], pa.date32()),
            "ts": pa.array(
                [dt.datetime(2024, 2, 29, 23, 59, 59, 123456), None], pa.timestamp("us")
            ),
        }
    )
    src = write(t, tmp_path / "t.parquet")
    out = tmp_path / "out.parquet"
    engine.write_parquet('SELECT d, ts FROM "src"', {"src": Parquet(src)}, out)
    back = pq.read_table(out)
    assert back.column("d").to_pylist() == t.column("d").to_pylist()
    assert [v.replace(tzinfo=None) if v else v for v in back.column("ts").to_pylist()] == t.column(
        "ts"
    ).to_pylist()
