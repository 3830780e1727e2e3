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


# ----- personal data in job records ------------------------------------------------------------
SECRET = "김비밀환자"  # a personal cell: a name typed into the age column of a personal dataset


def _poll(client, url, headers):
    import time

    deadline = time.monotonic() + 120
    while (job := client.get(url, headers=headers).json())["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    return job


def _hexdigits(text: str) -> bool:
    return all(ch in "0123456789abcdef" for ch in text)


@pytest.fixture
def hospital_jobs(platform, tmp_path):
    """A personal dataset's editor runs a privacy check and an upload with a row problem as
    background jobs; a platform admin outside the holder holds a read-only token."""
    from fastapi.testclient import TestClient

    from datanuri.accounts.principal import SYSTEM
    from datanuri.web.app import create_app
    from tests.helpers import PASSWORD, editor_token
    from tests.privacy.test_service import HOSPITAL, ORG, POLICY, load_hospital

    load_hospital(platform, tmp_path / "demo")
    platform.catalog.create_dataset(
        "clinic-notes", organization=ORG, access_level="personal", principal=SYSTEM
    )
    editor = {"Authorization": f"Bearer {editor_token(platform, ORG)}"}
    platform.accounts.create_user(
        "root@example.org",
        display_name="관리자",
        password=PASSWORD,
        platform_role="admin",
        principal=SYSTEM,
    )
    admin = {
        "Authorization": "Bearer "
        + platform.accounts.create_token(
            name="ro", scopes=["read"], for_email="root@example.org", principal=SYSTEM
        )[1]
    }
    src = tmp_path / "notes.csv"
    rows = [f"p{i},{20 + i % 60}" for i in range(300)] + ["p300," + SECRET]
    src.write_text("환자,나이\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        r = client.post(
            f"/api/v1/datasets/{HOSPITAL}/privacy/apply", json={"policy": POLICY}, headers=editor
        )
        assert r.status_code == 202, r.text
        check = _poll(client, r.json()["status_url"], editor)
        with src.open("rb") as f:
            r = client.post(
                "/api/v1/datasets/clinic-notes/versions",
                files={"file": ("notes.csv", f, "text/csv")},
                headers=editor,
            )
        assert r.status_code == 202, r.text
        upload = _poll(client, r.json()["status_url"], editor)
        yield client, editor, admin, check, upload


def test_an_admin_outside_the_holder_sees_no_personal_cell_through_the_jobs_routes(hospital_jobs):
    client, editor, admin, check, upload = hospital_jobs
    # the holder's editor still reads the whole result of both jobs
    assert check["status"] == upload["status"] == "succeeded"
    preview = check["result"]["preview"]["rows"]
    assert len(preview) == 20 and check["result"]["report"]["kind"] == "assessment"
    # the bad age of a personal dataset is withheld even from its holder (publish guard)
    (problem,) = upload["result"]["problems"]
    assert problem["value_withheld"] is True and "value" not in problem
    cells = {str(v) for row in preview for v in row if v is not None} | {SECRET}
    # short all-hex cells (numbers) could occur by chance in a job id; every other cell must not
    cells = {c for c in cells if len(c) >= 3 and not (len(c) < 12 and _hexdigits(c))}
    assert SECRET in cells and len(cells) > 5

    listing = client.get("/api/v1/jobs", headers=admin)
    assert listing.status_code == 200
    ones = [client.get(f"/api/v1/jobs/{job['id']}", headers=admin) for job in (check, upload)]
    leaked = {c for c in cells for text in [listing.text, *(r.text for r in ones)] if c in text}
    assert leaked == set()
    assert [r.status_code for r in ones] == [404, 404]
    assert {j["id"] for j in listing.json()} & {check["id"], upload["id"]} == set()


def test_job_records_hold_no_row_values(hospital_jobs, platform):
    """What the jobs table keeps as the result: counts and positions, not values."""
    import json

    _, _, _, check, upload = hospital_jobs
    with platform.db.session() as s:
        check_row, upload_row = s.get(Job, check["id"]), s.get(Job, upload["id"])
        assert "preview" not in check_row.result and "report" not in check_row.result
        assert check_row.result["report_sha256"] and check_row.restricted["report"]
        assert upload_row.result["problems"][0]["line"] == 302
        assert "value" not in upload_row.result["problems"][0]
        assert SECRET not in json.dumps(upload_row.result, ensure_ascii=False)
        assert SECRET not in json.dumps(upload_row.restricted, ensure_ascii=False)
        assert upload_row.restricted["problems"][0]["value_withheld"] is True
        assert (check_row.dataset, upload_row.dataset) == (
            check["result"]["dataset"],
            "clinic-notes",
        )


# ----- kill -9 around the commit of a version -----------------------------------------------
KILLER = """
import os, signal, sys
from pathlib import Path
from datanuri.accounts.principal import SYSTEM
from datanuri.config import Config
from datanuri.platform import Platform

data_dir, db_url, src, when = sys.argv[1:5]
p = Platform(Config(data_dir=Path(data_dir), database_url=db_url))
die = lambda *_: os.kill(os.getpid(), signal.SIGKILL)
hook = None
if when == "after-commit":  # listeners run once the version is committed, before the job's update
    p.catalog.listeners.append(die)
else:  # inside the version's transaction, before it commits
    hook = die
p.jobs.run_inline(
    "ingest",
    lambda progress: p.catalog.publish("air", Path(src), principal=SYSTEM, on_publish=hook).to_dict(),
    params={"dataset": "air"},
)
"""


@pytest.mark.parametrize("when", ["after-commit", "before-commit"])
def test_a_job_killed_around_the_commit_says_what_was_committed(config, platform, tmp_path, when):
    from datanuri.accounts.principal import SYSTEM
    from datanuri.platform import Platform
    from tests.helpers import air_csv

    platform.accounts.create_organization("seoul", principal=SYSTEM)
    platform.catalog.create_dataset("air", organization="seoul", principal=SYSTEM)
    src = air_csv(tmp_path / "air.csv")
    run = subprocess.run(
        [sys.executable, "-c", KILLER, str(config.data_dir), config.db_url, str(src), when],
        capture_output=True,
        text=True,
        cwd=os.getcwd(),
    )
    assert run.returncode == -9, run.stderr
    with Platform(config) as again:  # opening the data dir runs the recovery
        (job,) = again.jobs.list(actor=None)
        versions = again.catalog.get_dataset("air", principal=SYSTEM).versions
    if when == "after-commit":
        assert [v.number for v in versions] == [1]
        assert job.status == "succeeded" and job.error is None
        assert job.result["version"]["number"] == 1
        assert job.result["version"]["content_hash"] == versions[0].content_hash
    else:
        assert not versions
        assert job.status == "failed" and job.error["code"] == "interrupted"


def test_a_slow_job_does_not_hold_the_queue_by_default(platform):
    """With the default configuration a long job (a wide upload) runs beside others: a second
    job finishes while the first is still working."""
    import threading

    release = threading.Event()

    def slow(progress):
        assert release.wait(60)
        return {"slow": True}

    runner = platform.jobs
    first = runner.submit("slow", slow)
    second = runner.submit("quick", lambda progress: {"quick": True})
    try:
        done = runner.wait(second.id, timeout=30)
        assert done.status == "succeeded" and done.result == {"quick": True}
        assert runner.get(first.id, actor="system").status == "running"
    finally:
        release.set()
    assert runner.wait(first.id, timeout=30).status == "succeeded"
