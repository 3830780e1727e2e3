"""benchmarks/audit.py still runs (small): its figures agree with Fairlearn's (checked inside) and
it prints every figure. No timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_audit_benchmark_runs_small() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "audit.py"), "--rows", "20000"]
        + ["--boot", "50", "--fairlearn-boot", "1", "--repeat", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["rows"] == 20000 and figures["boot"] == 50
    for name in ("datanuri_point_s", "datanuri_boot_s", "fairlearn_point_s", "fairlearn_boot_s"):
        assert figures[name] > 0
    assert figures["fairlearn_boot_run"]["resamples"] == 1
