"""The DuckDB engine: in this process, a fresh connection per call, within a memory limit."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb
import pyarrow as pa

from datanuri.engine.base import Input, Parquet, quote
from datanuri.engine.settings import EngineSettings

ROW_GROUP_ROWS = 122_880  # DuckDB's default row group


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class DuckDBEngine:
    """Runs SQL on DuckDB; Parquet inputs are views over `read_parquet`, Arrow inputs are
    registered as they are (no copy)."""

    name = "duckdb"

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = settings or EngineSettings()

    def _connect(self, inputs: Mapping[str, Input]) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        s = self.settings
        con.execute(f"SET memory_limit={_literal(s.duckdb_memory_limit)}")
        if s.duckdb_threads:
            con.execute(f"SET threads={int(s.duckdb_threads)}")
        s.tmp_dir.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory={_literal(str(s.tmp_dir / 'duckdb'))}")
        con.execute("SET preserve_insertion_order=true")
        for name, value in inputs.items():
            if isinstance(value, Parquet):
                src = f"read_parquet({_literal(str(value.path))}"
                if value.row_number:
                    sql = (
                        f"SELECT * EXCLUDE (file_row_number), file_row_number AS "
                        f"{quote(value.row_number)} FROM {src}, file_row_number=true)"
                    )
                else:
                    sql = f"SELECT * FROM {src})"
                con.execute(f"CREATE VIEW {quote(name)} AS {sql}")
            else:
                con.register(name, value)
        return con

    def query(self, sql: str, inputs: Mapping[str, Input]) -> pa.Table:
        """The result of `sql` as an Arrow table."""
        con = self._connect(inputs)
        try:
            return con.sql(sql).to_arrow_table()
        finally:
            con.close()

    def write_parquet(self, sql: str, inputs: Mapping[str, Input], out: Path) -> int:
        """`COPY (sql) TO out` as zstd Parquet, streamed by DuckDB; the rows written."""
        con = self._connect(inputs)
        try:
            rows = con.execute(
                f"COPY ({sql}) TO {_literal(str(out))} "
                f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
            ).fetchone()
            return int(rows[0]) if rows else 0
        finally:
            con.close()

    def close(self) -> None:
        """Nothing to release (connections live for one call)."""
