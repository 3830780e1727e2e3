"""Join Parquet part files (Spark's output) into one file, one row group at a time."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def stitch(parts: Sequence[Path], out: Path, *, schema: pa.Schema | None = None) -> int:
    """Copy the row groups of `parts`, in order, into one zstd Parquet file at `out` (memory: one
    row group); the rows written. Without parts, `schema` gives an empty file its columns."""
    writer: pq.ParquetWriter | None = None
    rows = 0
    try:
        for part in parts:
            pf = pq.ParquetFile(part)
            if writer is None:
                schema = pf.schema_arrow.remove_metadata()
                writer = pq.ParquetWriter(out, schema, compression="zstd")
            for i in range(pf.num_row_groups):
                group = pf.read_row_group(i)
                if group.num_rows:
                    writer.write_table(group.cast(writer.schema))
                    rows += group.num_rows
        if writer is None:
            writer = pq.ParquetWriter(out, schema or pa.schema([]), compression="zstd")
    finally:
        if writer is not None:
            writer.close()
    return rows
