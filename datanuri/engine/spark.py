"""The Spark engine: the same SQL transpiled with sqlglot (duckdb -> spark), run by a
SparkSession built lazily from the settings. Spark reads and writes Parquet itself; its part
files are stitched into the one output file row group by row group."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from datanuri.engine.base import Input, Parquet
from datanuri.engine.settings import EngineSettings
from datanuri.engine.stitch import stitch
from datanuri.errors import MSG_ENGINE_NO_JAVA, MSG_ENGINE_NO_PYSPARK, EngineUnavailable

# Settings every datanuri session has (exact Parquet types, UTC, no web UI); config may add more.
BASE_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.ansi.enabled": "false",
}


def to_spark(sql: str) -> str:
    """`sql` (DuckDB dialect) in Spark SQL: sqlglot's transpiler, with DuckDB's quantile_cont
    as Spark's exact `percentile` (both interpolate linearly) and epoch_us as unix_micros."""
    import sqlglot
    from sqlglot import exp

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.PercentileCont) and node.expression is not None:
            return exp.Anonymous(this="percentile", expressions=[node.this, node.expression])
        if isinstance(node, exp.Anonymous) and str(node.this).lower() == "epoch_us":
            return exp.Anonymous(this="unix_micros", expressions=list(node.expressions))
        return node

    tree = sqlglot.parse_one(sql, read="duckdb").transform(rewrite)
    return tree.sql(dialect="spark")


def check_java() -> None:
    """Raise EngineUnavailable when no Java runtime can start Spark."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return
    if shutil.which("java") is None:
        raise EngineUnavailable(MSG_ENGINE_NO_JAVA)


class SparkEngine:
    """Runs SQL on Spark (`local[2]` by default). The session starts on first use."""

    name = "spark"

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = settings or EngineSettings(engine="spark")
        self._session: Any = None
        self._lock = threading.Lock()  # temp views are per session: one call at a time

    @property
    def session(self) -> Any:
        """The SparkSession, built on first use."""
        if self._session is None:
            try:
                from pyspark.sql import SparkSession
            except ImportError:
                raise EngineUnavailable(MSG_ENGINE_NO_PYSPARK) from None
            check_java()
            s = self.settings
            builder = (
                SparkSession.builder.master(s.spark_master)
                .appName("datanuri")
                .config("spark.executor.memory", s.spark_executor_memory)
                .config("spark.driver.memory", s.spark_driver_memory)
                .config("spark.local.dir", str(s.tmp_dir / "spark"))
            )
            for key, value in {**BASE_CONF, **dict(s.spark_conf)}.items():
                builder = builder.config(key, value)
            s.tmp_dir.mkdir(parents=True, exist_ok=True)
            self._session = builder.getOrCreate()
        return self._session

    def _views(self, inputs: Mapping[str, Input]) -> None:
        from pyspark.sql import functions as F

        spark = self.session
        for name, value in inputs.items():
            if isinstance(value, Parquet):
                df = spark.read.parquet(str(value.path))
                if value.row_number:
                    df = df.select("*", F.col("_metadata.row_index").alias(value.row_number))
            else:
                df = spark.createDataFrame(value)
            df.createOrReplaceTempView(name)

    def _drop(self, inputs: Mapping[str, Input]) -> None:
        for name in inputs:
            self.session.catalog.dropTempView(name)

    def query(self, sql: str, inputs: Mapping[str, Input]) -> pa.Table:
        """The result of `sql` as an Arrow table (collected: for small results only)."""
        with self._lock:
            self._views(inputs)
            try:
                return self.session.sql(to_spark(sql)).toArrow()
            finally:
                self._drop(inputs)

    def write_parquet(self, sql: str, inputs: Mapping[str, Input], out: Path) -> int:
        """Spark writes part files into a temporary folder beside `out`; they are stitched, in
        partition order (the query's order), into `out`."""
        with self._lock:
            self._views(inputs)
            parts_dir = Path(tempfile.mkdtemp(prefix=".spark-", dir=out.parent))
            try:
                df = self.session.sql(to_spark(sql))
                df.write.mode("overwrite").option("compression", "zstd").parquet(str(parts_dir))
                parts = sorted(parts_dir.glob("part-*.parquet"))
                return stitch(parts, out, schema=_arrow_schema(df) if not parts else None)
            finally:
                self._drop(inputs)
                shutil.rmtree(parts_dir, ignore_errors=True)

    def close(self) -> None:
        """Stop the session this engine started."""
        if self._session is not None:
            self._session.stop()
            self._session = None


def _arrow_schema(df: Any) -> pa.Schema:
    """The Arrow schema of a DataFrame without rows (for an empty output file)."""
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(df.schema)
