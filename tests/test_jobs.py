import os
import socket
import subprocess
import sys

import pytest

from datanuri.errors import InvalidInput, NotFound
from datanuri.jobs.models import Job
from datanuri.jobs.runner import JobRunner


def test_job_runs_and_reports_progress(db):
    runner = JobRunner(db)
    seen = []

    def work(progress):
        progress(0, 100)
        seen.append("ran")
        return {"answer": 42}

    info = runner.submit("test", work, params={"x": 1})
    assert info.status == "queued"
    done = runner.wait(info.id, timeout=30)
    assert done.status == "succeeded" and done.result == {"answer": 42} and seen == ["ran"]
    assert done.fraction == 1.0
    runner.shutdown()


def test_failed_job_keeps_the_user_message(db):
    runner = JobRunner(db)

    def work(progress):
        raise InvalidInput("The file is empty.")

    info = runner.run_inline("test", work)
    assert info.status == "failed"
    assert info.error == {"code": "invalid_input", "message": "The file is empty."}
    with pytest.raises(NotFound):
        runner.get("nope", actor=None)
    runner.shutdown()


def test_recover_marks_jobs_of_dead_processes_failed(db):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    host = socket.gethostname()
    with db.session() as s:
        s.add(
            Job(id="a" * 32, kind="ingest", status="running", worker=f"{host}:{int(dead.stdout)}")
        )
        s.add(Job(id="b" * 32, kind="ingest", status="running", worker=f"{host}:{os.getpid()}"))
    runner = JobRunner(db)
    assert runner.recover() == 1
    assert runner.get("a" * 32, actor=None).status == "failed"
    assert runner.get("a" * 32, actor=None).error["code"] == "interrupted"
    assert runner.get("b" * 32, actor=None).status == "running"
    runner.shutdown()
