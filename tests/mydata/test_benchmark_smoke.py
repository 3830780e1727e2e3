"""benchmarks/mydata.py still runs: its `--quick` mode as a real process (a seeded SQLite site,
`datanuri serve` in a subprocess, both reads over loopback), checked by what it prints. No
timing is asserted; the figures are the benchmark's business."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_mydata_benchmark_quick_prints_the_ratio() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "mydata.py"), "--quick"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "ratio mydata/plain: p50 " in done.stdout
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for read in ("plain", "mydata"):
        assert result["median"][read]["errors"] == 0
        assert result["median"][read]["rows"] == 10  # the person's rows, and only theirs
