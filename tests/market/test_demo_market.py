"""The demo's market pieces: the restricted 112 calls get a fingerprint scheme that a buyer's
10 % leak of the demo data is traced with, and the synthetic price history is recorded once."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from datanuri.accounts.principal import SYSTEM
from datanuri.demo.data.sets import police_calls
from datanuri.demo.market_history import DEMO_FINGERPRINT_DATASET, seed_demo_fingerprints
from tests.helpers import PASSWORD


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_demo_fingerprints_trace_a_tenth_of_the_112_calls(platform, tmp_path):
    made = police_calls(tmp_path, 7)
    acc, cat = platform.accounts, platform.catalog
    acc.create_organization(made.org, principal=SYSTEM)
    cat.create_dataset(
        made.name, organization=made.org, access_level="restricted", principal=SYSTEM
    )
    cat.publish(
        made.name, tmp_path / "seoul-112-calls-2024q1.csv", principal=SYSTEM,
        override_reason="synthetic demo calls",
    )  # fmt: skip
    assert seed_demo_fingerprints(platform) is True
    assert seed_demo_fingerprints(platform) is False  # once
    buyers = []
    for i in range(3):
        email = f"b{i}@example.org"
        acc.create_user(email, display_name="b", password=PASSWORD, principal=SYSTEM)
        acc.grant_entitlement(email, DEMO_FINGERPRINT_DATASET, principal=SYSTEM)
        buyers.append(acc.principal_for(email))
    copies = [
        b"".join(cat.download(DEMO_FINGERPRINT_DATASET, format="csv", principal=b)) for b in buyers
    ]
    table = pacsv.read_csv(io.BytesIO(copies[2]))
    rows = np.random.default_rng(1).choice(table.num_rows, table.num_rows // 10, replace=False)
    leak = tmp_path / "leak.csv"
    buf = io.BytesIO()
    pacsv.write_csv(table.take(pa.array(rows)).select(list(reversed(table.column_names))), buf)
    leak.write_bytes(buf.getvalue())
    found = platform.deliveries.trace(leak, DEMO_FINGERPRINT_DATASET, principal=SYSTEM)
    assert [s.buyer for s in found.detection.accused] == [buyers[2].ref]
