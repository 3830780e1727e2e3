"""The `engine` fixture: every test that takes it runs on DuckDB and on Spark (local[2], one
session for the whole run, two shuffle partitions), like Splink's backend decorator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from datanuri.engine import Engine, EngineSettings, make_engine


@pytest.fixture(scope="session")
def spark_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One SparkEngine (one JVM) for the session."""
    engine = make_engine(
        EngineSettings(
            engine="spark",
            tmp_dir=tmp_path_factory.mktemp("spark"),
            spark_master="local[2]",
            spark_driver_memory="1g",
            spark_conf=(
                ("spark.sql.shuffle.partitions", "2"),
                ("spark.default.parallelism", "2"),
                # small input splits, so a few-MB file is read (and written) in many parts
                ("spark.sql.files.maxPartitionBytes", "262144"),
            ),
        )
    )
    try:
        yield engine
    finally:
        engine.close()


@pytest.fixture(
    params=[
        pytest.param("duckdb", id="duckdb"),
        pytest.param(
            "spark",
            id="spark",
            marks=pytest.mark.spark,
        ),
    ]
)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    """The DuckDB engine, or the session's Spark engine."""
    if request.param == "spark":
        spark: Engine = request.getfixturevalue("spark_engine")
        return spark
    return make_engine(EngineSettings(engine="duckdb", tmp_dir=tmp_path / "engine"))
