"""Synthetic tables for the engine tests: nulls, Korean strings, dates and date-times."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REGIONS = ["서울특별시", "부산광역시", "대구광역시", "인천광역시", "광주광역시", "제주특별자치도"]
JOBS = ["교사", "간호사", "개발자", "농부", "회계사", "요리사", "기자"]


def synthetic(rows: int = 20_000, seed: int = 7) -> pa.Table:
    """A person table: age, sex, 시도, birth date, postcode (5 digits), job, a timestamp, an amount;
    a few nulls in most columns."""
    rng = np.random.default_rng(seed)

    def nulls(values: list, share: float = 0.03) -> list:
        drop = rng.random(len(values)) < share
        return [None if d else v for v, d in zip(values, drop, strict=True)]

    base = dt.date(1990, 1, 1)
    start = dt.datetime(2024, 1, 1)
    return pa.table(
        {
            "id": pa.array(np.arange(rows), pa.int64()),
            "age": pa.array(nulls(rng.integers(18, 90, rows).tolist()), pa.int64()),
            "sex": pa.array(nulls(rng.choice(["남", "여"], rows).tolist(), 0.01)),
            "sido": pa.array(nulls(rng.choice(REGIONS, rows).tolist())),
            "birth": pa.array(
                nulls([base + dt.timedelta(days=int(d)) for d in rng.integers(0, 730, rows)]),
                pa.date32(),
            ),
            "postcode": pa.array(nulls([f"{int(p):05d}" for p in rng.integers(4000, 4100, rows)])),
            "job": pa.array(rng.choice(JOBS, rows).tolist()),
            "seen": pa.array(
                [start + dt.timedelta(seconds=int(s)) for s in rng.integers(0, 10**7, rows)],
                pa.timestamp("us"),
            ),
            "amount": pa.array(nulls(np.round(rng.gamma(2.0, 50_000.0, rows), 2).tolist())),
        }
    )


def write(table: pa.Table, path: Path, *, row_group_size: int = 4_096) -> Path:
    """`table` as a Parquet file of several row groups."""
    pq.write_table(table, path, row_group_size=row_group_size)
    return path
