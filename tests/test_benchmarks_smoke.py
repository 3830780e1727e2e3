"""The scale, load and soak benchmarks still run: each in its `--quick` mode, as a real process
against real components (PostgreSQL for the API ones), checked by what it prints. No timing is
asserted; the figures are the benchmarks' business."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("DATANURI_TEST_DATABASE_URL")
needs_pg = pytest.mark.skipif(not PG_URL, reason="DATANURI_TEST_DATABASE_URL not set")

pytestmark = pytest.mark.slow


def run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run benchmarks/`script` with `args` from the repository root."""
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=900,
    )


def test_scale_quick_deidentifies_and_ingests(tmp_path):
    done = run("scale.py", "--quick", "--data", str(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    runs = {r["what"]: r for r in json.loads(done.stdout.strip().splitlines()[-1])}
    memory = runs["deid:inmemory"]
    assert memory["status"] == "ok"
    assert memory["extra"]["passed"] is True
    assert memory["extra"]["digest"]["rows"] == memory["extra"]["released_rows"] > 0
    assert memory["rss"] > 0
    assert runs["ingest"]["status"] == "ok" and runs["ingest"]["size"] > 0
    for engine in ("duckdb", "spark"):  # ran, or said why not
        assert (
            runs[f"deid:{engine}"]["status"] in ("ok",)
            or "not available" in (runs[f"deid:{engine}"]["status"])
        )
    assert not list(tmp_path.glob("scale-ingest-*")), "the ingest CSV and instance are deleted"


def test_scale_reports_out_of_memory_instead_of_taking_the_machine_down(tmp_path):
    done = run(
        "scale.py", "--quick", "--skip-ingest", "--engines", "inmemory",
        "--mem-cap-gb", "0.05", "--data", str(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "stopped at 20,000 rows: out of memory" in done.stdout


@needs_pg
def test_load_quick_measures_every_target_without_errors():
    done = run("load.py", "--pg", PG_URL or "", "--quick")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert {r["target"] for r in results} == {"page", "search", "download"}
    assert all(r["sent"] > 0 and r["errors"] == {} for r in results)


@needs_pg
def test_soak_quick_publishes_and_samples_the_server():
    done = run("soak.py", "--pg", PG_URL or "", "--quick")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "OK: no errors" in done.stdout
    assert "publishes 0 ok" not in done.stdout
    assert "open files" in done.stdout and "RSS" in done.stdout


def test_synth_samples_quick_measures_both_ways():
    done = run("synth_samples.py", "--quick", "--kinds", "traces")
    assert done.returncode == 0, done.stderr[-3000:]
    runs = json.loads(done.stdout.strip().splitlines()[-1])
    assert [(r["kind"], r["rows"]) for r in runs] == [("traces", 10_000), ("traces", 100_000)]
    for r in runs:
        for mode in ("streamed", "in-memory"):
            assert r[mode]["seconds"] > 0 and r[mode]["peak_kb"] >= r[mode]["before_kb"] > 0
