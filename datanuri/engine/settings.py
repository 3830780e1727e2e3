"""The engine's settings, taken from `Config` (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from datanuri.config import Config
from datanuri.errors import MSG_ENGINE_BAD_SPARK_CONF, ConfigError


@dataclass(frozen=True)
class EngineSettings:
    """What an engine needs to start: which one, its memory and threads, Spark's master and conf."""

    engine: Literal["duckdb", "spark"] = "duckdb"
    tmp_dir: Path = Path("/tmp")
    duckdb_memory_limit: str = "2GB"
    duckdb_threads: int = 0
    spark_master: str = "local[2]"
    spark_executor_memory: str = "4g"
    spark_driver_memory: str = "2g"
    spark_conf: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_config(cls, config: Config) -> EngineSettings:
        """The engine settings of `config`."""
        return cls(
            engine=config.engine,
            tmp_dir=config.tmp_dir,
            duckdb_memory_limit=config.duckdb_memory_limit,
            duckdb_threads=config.duckdb_threads,
            spark_master=config.spark_master,
            spark_executor_memory=config.spark_executor_memory,
            spark_driver_memory=config.spark_driver_memory,
            spark_conf=parse_spark_conf(config.spark_conf),
        )


def parse_spark_conf(text: str) -> tuple[tuple[str, str], ...]:
    """`"k=v,k=v"` as (key, value) pairs; raises ConfigError on a pair without `=`."""
    pairs = []
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(MSG_ENGINE_BAD_SPARK_CONF.format(value=text))
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)
