"""benchmarks/fingerprint.py and benchmarks/market_fingerprint.py still run (on a small table):
each traces its copies to the right buyer and prints every figure. No timing is asserted."""

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


def test_market_fingerprint_benchmark_runs_small():
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "market_fingerprint.py"), "--rows", "20000"]
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
    for name in ("parquet_write", "parquet_read", "embed", "delivery", "trace", "trace_10pct"):
        assert figures[name] > 0 and figures.get(f"{name}_ratio", 1) > 0
