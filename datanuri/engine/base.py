"""The engine interface: named inputs (Parquet files, small Arrow tables) and one SQL text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeAlias

import pyarrow as pa


@dataclass(frozen=True)
class Parquet:
    """A Parquet file as an input; `row_number` names a column added with each row's position
    in the file (0, 1, ...), the order a query may sort by to keep the source order."""

    path: Path
    row_number: str | None = None


Input: TypeAlias = Parquet | pa.Table


def quote(name: str) -> str:
    """`name` as a quoted SQL identifier (DuckDB dialect; transpiled for Spark)."""
    return '"' + name.replace('"', '""') + '"'


class Engine(Protocol):
    """Runs one SQL text (DuckDB dialect) over named inputs, on DuckDB or Spark."""

    name: str

    def query(self, sql: str, inputs: Mapping[str, Input]) -> pa.Table:
        """The (small) result of `sql` as an Arrow table."""
        ...

    def write_parquet(self, sql: str, inputs: Mapping[str, Input], out: Path) -> int:
        """Stream the result of `sql` into one Parquet file at `out` (its rows in the query's
        order, never all in memory); the number of rows written."""
        ...

    def close(self) -> None:
        """Release the engine's resources (Spark: stop the session this engine started)."""
        ...
