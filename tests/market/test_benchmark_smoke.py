"""benchmarks/fingerprint.py still runs (on a small table): it traces its copies to the right
buyer and prints every figure. No timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_fingerprint_benchmark_runs_small():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "fingerprint.py"), "--rows", "20000"]
        + ["--repeat", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["rows"] == 20000
    for name in ("floor_parquet_write", "embed", "trace_full", "trace_10pct", "trace_csv_10pct"):
        assert figures[name] > 0
