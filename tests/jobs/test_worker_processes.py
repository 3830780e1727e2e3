"""The real thing: `datanuri worker` processes sharing one database. One is killed (-9) in the
middle of an upload; the other takes the job over when its lease runs out and finishes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from datanuri.accounts.principal import SYSTEM
from datanuri.catalog.ingest_job import IngestParams, stage_upload
from datanuri.jobs.models import Job
from tests.helpers import air_csv

QUEUE_ENV = {
    "DATANURI_JOB_LEASE_SECONDS": "2",
    "DATANURI_JOB_HEARTBEAT_SECONDS": "0.3",
    "DATANURI_JOB_POLL_SECONDS": "0.1",
    "DATANURI_BATCH_ROWS": "2000",  # many batches: the upload takes a while
}


def _worker(config: Any, *extra: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        **QUEUE_ENV,
        "DATANURI_DATABASE_URL": config.db_url,
        "PYTHONPATH": os.getcwd(),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datanuri.cli",
            "worker",
            "--data-dir",
            str(config.data_dir),
            *extra,
        ],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )


def _started(proc: subprocess.Popen[str]) -> None:
    assert proc.stderr is not None
    line = proc.stderr.readline()  # "worker: 1 thread(s), kinds ..." once it is claiming
    assert line.startswith("worker:"), line


def _row(qp: Any, job_id: str) -> Job:
    with qp.db.session() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def _wait_for(qp: Any, job_id: str, done: Any, what: str, limit: float = 180) -> Job:
    deadline = time.monotonic() + limit  # a hang guard, not a measurement
    while not done(job := _row(qp, job_id)):
        assert time.monotonic() < deadline, f"{what}: {job.status} {job.message}"
        time.sleep(0.02)
    return job


def _submit_upload(qp: Any, tmp_path: Path, rows: int) -> str:
    qp.accounts.create_organization("seoul", principal=SYSTEM)
    qp.catalog.create_dataset("air", organization="seoul", principal=SYSTEM)
    digest = stage_upload(qp.blobs, air_csv(tmp_path / "air.csv", extra_rows=rows))
    params = IngestParams(dataset="air", upload=digest, filename="air.csv")
    return qp.jobs.submit("ingest", params, dataset="air", input_blob=digest).id


def test_a_worker_killed_mid_job_is_replaced_by_another(qp, fast_config, tmp_path):
    workers = [_worker(fast_config), _worker(fast_config)]
    try:
        for w in workers:
            _started(w)
        job_id = _submit_upload(qp, tmp_path, rows=300_000)
        claimed = _wait_for(qp, job_id, lambda j: j.status == "running", "never claimed")
        pid = int(claimed.worker.split(":")[1])
        victim = next(w for w in workers if w.pid == pid)
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(30) == -9
        at_kill = _row(qp, job_id)
        assert (at_kill.status, at_kill.attempt, at_kill.worker) == (
            "running",
            1,
            claimed.worker,
        ), "the upload finished before the kill: make it bigger"
        done = _wait_for(qp, job_id, lambda j: j.status in ("succeeded", "failed"), "not done")
        survivor = next(w for w in workers if w is not victim)
        assert done.status == "succeeded", done.error
        assert done.attempt == 2
        assert int(done.worker.split(":")[1]) == survivor.pid if done.worker else True
        assert done.result["version"]["number"] == 1
        versions = qp.catalog.get_dataset("air", principal=SYSTEM).versions
        assert [v.number for v in versions] == [1] and versions[0].row_count > 300_000
        # The staged upload is removed by the survivor just after it records the outcome.
        staged = _row(qp, job_id).input_blob
        deadline = time.monotonic() + 60  # a hang guard, not a measurement
        while qp.blobs.exists(staged):
            assert time.monotonic() < deadline, "the staged upload was never removed"
            time.sleep(0.02)
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
            w.wait(30)
            if w.stderr is not None:
                w.stderr.close()


def test_sigterm_gives_a_running_job_back_and_once_drains_the_queue(qp, fast_config, tmp_path):
    """A stopped worker does not leave its job to a lease: with no grace left it gives it
    back at once; `--once` then runs it and exits."""
    worker = _worker(fast_config, "--grace", "0")
    try:
        _started(worker)
        job_id = _submit_upload(qp, tmp_path, rows=300_000)
        _wait_for(qp, job_id, lambda j: j.status == "running", "never claimed")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(120) == 0
        back = _row(qp, job_id)
        assert (back.status, back.attempt, back.worker) == ("queued", 0, "")
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait(30)
        if worker.stderr is not None:
            worker.stderr.close()
    drain = _worker(fast_config, "--once")
    try:
        assert drain.wait(300) == 0
    finally:
        if drain.poll() is None:
            drain.kill()
        if drain.stderr is not None:
            drain.stderr.close()
    done = _row(qp, job_id)
    assert (done.status, done.attempt) == ("succeeded", 1)
    assert [v.number for v in qp.catalog.get_dataset("air", principal=SYSTEM).versions] == [1]
