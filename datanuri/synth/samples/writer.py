"""Stream a sample dataset into one Parquet file, batch by batch: memory holds one batch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from datanuri.synth.samples.model import SampleKind, exact_batches


@dataclass(frozen=True)
class Written:
    """A sample file: where, how many rows, how many bytes."""

    kind: str
    path: Path
    rows: int
    bytes: int


def write_sample(kind: SampleKind, rows: int, seed: int, path: Path) -> Written:
    """Write exactly `rows` rows of `kind` for `seed` to `path` (zstd Parquet, a row group per
    batch) and return what was written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with pq.ParquetWriter(str(path), kind.schema, compression="zstd") as out:
        for batch in exact_batches(kind, rows, seed):
            out.write_batch(batch)
            written += batch.num_rows
    return Written(kind.kind, path, written, path.stat().st_size)
