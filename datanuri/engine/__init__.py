"""The compute engine for heavy table work: one SQL text (DuckDB dialect) run on DuckDB or Spark.

`make_engine(config)` builds the engine `Config.engine` names; `Platform.engine` holds one.
"""

from __future__ import annotations

from datanuri.engine.base import Engine, Input, Parquet, quote
from datanuri.engine.settings import EngineSettings

__all__ = ["Engine", "EngineSettings", "Input", "Parquet", "make_engine", "quote"]


def make_engine(settings: EngineSettings) -> Engine:
    """The engine `settings.engine` names (PySpark is imported only for "spark")."""
    if settings.engine == "spark":
        from datanuri.engine.spark import SparkEngine

        return SparkEngine(settings)
    from datanuri.engine.duck import DuckDBEngine

    return DuckDBEngine(settings)
