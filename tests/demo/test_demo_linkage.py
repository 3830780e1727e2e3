"""The demo's linkage zone: the at-risk table by 시군구 equals the count of people that all
three holders know (computed from the synthetic truth), and it is published."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from datanuri.accounts.principal import SYSTEM
from datanuri.demo import linkage as demo


def test_demo_linkage_publishes_at_risk_counts(platform: Any, tmp_path: Path) -> None:
    demo.seed_demo_linkage(platform, tmp_path, password="demo-password-1")
    everyone = demo.people()
    known = np.ones(everyone.num_rows, bool)
    for i in range(3):
        rng = np.random.default_rng(17 + i + 1)
        known &= rng.random(everyone.num_rows) < 0.7
    sigungu = np.array(everyone.column("sigungu").to_pylist())[known]
    expected = {s: int((sigungu == s).sum()) for s in demo.SIGUNGU}
    name = f"{demo.PROJECT}-output-1"
    info = platform.catalog.get_dataset(name, principal=SYSTEM)
    assert info.organization == demo.OPERATOR[0]
    table = platform.catalog.preview(name, principal=SYSTEM)
    assert dict(zip(table["sigungu"].to_pylist(), table["n"].to_pylist(), strict=True)) == expected
    demo.seed_demo_linkage(platform, tmp_path, password="demo-password-1")  # again: no change
