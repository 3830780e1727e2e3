"""A sold table for the fingerprint tests: ids, integer prices, decimal rates, text, nulls."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from datanuri.market.fingerprint import Scheme, Tolerance

REGIONS = ["서울특별시", "부산광역시", "대구광역시", "인천광역시", "광주광역시", "제주특별자치도"]

SCHEME = Scheme(
    id_columns=("id",),
    columns={
        "price": Tolerance(absolute=10),  # won: ± 10 is what buyers were promised
        "rate": Tolerance(absolute=0.05, decimals=2),  # written with 2 decimals
        "count": Tolerance(relative=0.01),  # within 1 % of the value
    },
    gamma=10,
)


def sold_table(rows: int = 10_000, seed: int = 7) -> pa.Table:
    """`rows` rows: id, region (text), price (int64), rate (2-decimal float), count (int64,
    some nulls), day (date)."""
    rng = np.random.default_rng(seed)
    count = rng.integers(0, 5_000, rows)
    count_mask = rng.random(rows) < 0.05
    rate_mask = rng.random(rows) < 0.03
    return pa.table(
        {
            "id": pa.array(np.arange(1, rows + 1) * 7 + 1000, pa.int64()),
            "region": pa.array(rng.choice(REGIONS, rows)),
            "price": pa.array(rng.integers(-20_000, 2_000_000, rows), pa.int64()),
            "rate": pa.array(np.round(rng.uniform(-50, 100, rows), 2), mask=rate_mask),
            "count": pa.array(count, pa.int64(), mask=count_mask),
            "day": pa.array(
                np.datetime64("2024-01-01") + rng.integers(0, 365, rows).astype("timedelta64[D]")
            ).cast(pa.date32()),
        }
    )
