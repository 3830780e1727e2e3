"""Running jobs through their kinds: retries with backoff, final user errors, rights rebuilt at
run time, staged uploads, and effects at most once."""

from __future__ import annotations

import datetime as dt

import pytest

from datanuri.accounts.principal import SYSTEM
from datanuri.catalog.blobs import collect_orphans
from datanuri.catalog.ingest_job import IngestParams, stage_upload
from datanuri.jobs import messages as M
from datanuri.jobs.models import Job
from datanuri.jobs.params import BadParams, dump_params, load_params
from datanuri.jobs.policy import QueueSettings, after_error, backoff, on_expired_lease
from datanuri.jobs.queue import Claim
from tests.helpers import air_csv, editor_token
from tests.jobs.kinds import CALLS, PublishAttempt, Steps, gate, started


def test_backoff_doubles_up_to_its_cap():
    s = QueueSettings(retry_base=dt.timedelta(seconds=5), retry_max=dt.timedelta(seconds=30))
    assert [backoff(n, s).total_seconds() for n in (1, 2, 3, 4, 5)] == [5, 10, 20, 30, 30]
    assert after_error(user_error=True, attempt=1, max_attempts=3) == "fail"
    assert after_error(user_error=False, attempt=2, max_attempts=3) == "retry"
    assert after_error(user_error=False, attempt=3, max_attempts=3) == "fail"
    assert on_expired_lease(committed=True, attempt=3, max_attempts=3) == "done"
    assert on_expired_lease(committed=False, attempt=3, max_attempts=3) == "failed"
    assert on_expired_lease(committed=False, attempt=1, max_attempts=3) == "rerun"
    with pytest.raises(ValueError):
        QueueSettings(lease=dt.timedelta(seconds=1), heartbeat=dt.timedelta(seconds=1))


def test_params_round_trip_and_are_checked():
    p = IngestParams(dataset="air", upload="a" * 64, filename="f.csv", header_row=3)
    assert load_params(IngestParams, dump_params(p)) == p
    with pytest.raises(BadParams, match="mode"):
        load_params(IngestParams, {**dump_params(p), "mode": "sloppy"})
    with pytest.raises(BadParams, match="upload"):
        load_params(IngestParams, {"dataset": "air", "filename": "f.csv"})


def test_a_transient_failure_is_retried_with_backoff_until_it_succeeds(qp):
    runner = qp.jobs
    runner.workers = 1
    info = runner.submit("test.steps", Steps("flaky", fail_times=2))
    done = runner.wait(info.id, timeout=60)
    assert done.status == "succeeded" and done.result == {"key": "flaky", "attempt": 3}
    assert CALLS["flaky"] == 3


def test_a_transient_failure_on_every_attempt_fails_the_job_after_max_attempts(qp):
    runner = qp.jobs
    runner.workers = 1
    info = runner.submit("test.steps", Steps("broken", fail_times=99))
    done = runner.wait(info.id, timeout=60)
    assert done.status == "failed" and done.error["code"] == "internal_error"
    assert done.message == M.GAVE_UP.format(attempts=3, error=M.INTERNAL_ERROR)
    assert CALLS["broken"] == 3


def test_a_retry_waits_for_its_backoff(qp):
    runner = qp.jobs
    job, claim = runner.queue.enqueue(
        "test.steps", {"key": "later", "fail_times": 1}, actor="system", claim_for="w"
    )
    assert claim is not None
    runner.queue.settings = QueueSettings(
        retry_base=dt.timedelta(hours=1), retry_max=dt.timedelta(hours=2)
    )
    assert runner.executor.run(claim) == "queued"
    with qp.db.session() as s:
        row = s.get(Job, job.id)
        assert row is not None and row.status == "queued" and row.attempt == 1
        assert row.run_after > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=59)
    assert runner.queue.claim("w", ["test.steps"]) is None  # not before its time


def test_a_user_error_is_final_and_not_retried(qp):
    info = qp.jobs.run_inline("test.steps", Steps("empty", user_error=True))
    assert info.status == "failed"
    assert info.error == {"code": "invalid_input", "message": "The file is empty."}
    assert CALLS["empty"] == 1
    with qp.db.session() as s:
        assert s.get(Job, info.id).attempt == 1


def test_an_inline_run_left_for_a_retry_answers_queued_instead_of_hanging(qp):
    """With no worker in this process, `?wait=true` after a transient failure does not wait
    forever: it answers with the job queued, and any worker finishes it later."""
    info = qp.jobs.run_inline("test.steps", Steps("later", fail_times=1), timeout=0.3)
    assert info.status == "queued" and CALLS["later"] == 1
    qp.jobs.work(concurrency=1, once=True)
    done = qp.jobs.wait(info.id, timeout=30)
    assert done.status == "succeeded" and done.result == {"key": "later", "attempt": 2}


def test_a_job_with_parameters_its_kind_does_not_take_fails_with_a_message(qp):
    job, claim = qp.jobs.queue.enqueue("ingest", {"dataset": "x"}, actor="system", claim_for="w")
    assert claim is not None and qp.jobs.executor.run(claim) == "failed"
    info = qp.jobs.get(job.id, actor=None)
    assert info.error["code"] == "invalid_input" and "upload" in info.error["message"]


def _ingest(qp, tmp_path, actor="system", scopes=None, extra=0):
    src = air_csv(tmp_path / f"air{extra}.csv", extra_rows=extra)
    digest = stage_upload(qp.blobs, src)
    assert not src.exists() and qp.blobs.exists(digest)
    params = IngestParams(dataset="air", upload=digest, filename="air.csv")
    info = qp.jobs.submit(
        "ingest", params, actor=actor, scopes=scopes, dataset="air", input_blob=digest
    )
    return info, digest


@pytest.fixture
def air(qp):
    qp.accounts.create_organization("seoul", principal=SYSTEM)
    qp.catalog.create_dataset("air", organization="seoul", principal=SYSTEM)
    return qp


def test_a_queued_upload_survives_gc_and_is_removed_when_its_job_ends(air, tmp_path):
    info, digest = _ingest(air, tmp_path)
    assert collect_orphans(air.db, air.blobs).orphans == ()  # held by the queued job
    assert air.blobs.exists(digest)
    air.jobs.work(concurrency=1, once=True)
    done = air.jobs.get(info.id, actor=None)
    assert done.status == "succeeded" and done.result["version"]["number"] == 1
    assert not air.blobs.exists(digest)  # the staged upload is gone, the version's Parquet not
    version = air.catalog.get_dataset("air", principal=SYSTEM).versions[0]
    assert air.blobs.exists(version.content_hash)


def test_a_revoked_editors_queued_job_fails_with_a_permission_error(air, tmp_path):
    editor_token(air, "seoul")
    info, digest = _ingest(
        air, tmp_path, actor="user:editor@example.org", scopes=["read", "publish"]
    )
    air.accounts.add_member("seoul", "editor@example.org", role="member", principal=SYSTEM)
    air.jobs.work(concurrency=1, once=True)
    done = air.jobs.get(info.id, actor=None)
    assert done.status == "failed" and done.error["code"] == "permission_denied"
    with air.db.session() as s:
        assert s.get(Job, info.id).attempt == 1  # not retried
    assert air.catalog.get_dataset("air", principal=SYSTEM).versions == ()
    assert not air.blobs.exists(digest)


def test_a_job_acts_with_its_tokens_scopes_only(air, tmp_path):
    editor_token(air, "seoul")
    info, _ = _ingest(air, tmp_path, actor="user:editor@example.org", scopes=["read"])
    air.jobs.work(concurrency=1, once=True)
    done = air.jobs.get(info.id, actor=None)
    assert done.status == "failed" and done.error["code"] == "permission_denied"


def _take_over(qp, job_id: str) -> tuple[Claim, Claim]:
    """The job's first worker stalls past its lease; a second worker claims it."""
    queue = qp.jobs.queue
    first = queue.claim("stalled", ["ingest", "test.publish-attempt"])
    assert isinstance(first, Claim) and first.job_id == job_id
    with qp.db.session() as s:
        s.get(Job, job_id).lease_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    second = queue.claim("healthy", ["ingest", "test.publish-attempt"])
    assert isinstance(second, Claim) and second.attempt == 2
    return first, second


def test_the_same_publish_job_run_twice_makes_one_version(air, tmp_path):
    info, _ = _ingest(air, tmp_path)
    first, second = _take_over(air, info.id)
    assert air.jobs.executor.run(second) == "succeeded"
    assert air.jobs.executor.run(first) is None  # the stalled worker's run lands nowhere
    versions = air.catalog.get_dataset("air", principal=SYSTEM).versions
    assert [v.number for v in versions] == [1]
    done = air.jobs.get(info.id, actor=None)
    assert done.status == "succeeded" and done.result["version"]["number"] == 1


def test_a_superseded_attempt_commits_nothing_even_with_other_content(air, tmp_path):
    """Each attempt publishes different bytes: only the attempt holding the job commits."""
    params = PublishAttempt(dataset="air", folder=str(tmp_path), key="twice", wait=True)
    info = air.jobs.submit("test.publish-attempt", params)
    first, second = _take_over(air, info.id)
    gate("twice").set()
    assert air.jobs.executor.run(second) == "succeeded"
    assert air.jobs.executor.run(first) is None  # its version rolled back (record_outcome)
    assert CALLS["twice"] == 2
    versions = air.catalog.get_dataset("air", principal=SYSTEM).versions
    assert [v.number for v in versions] == [1]
    assert air.jobs.get(info.id, actor=None).result["version"]["number"] == 1


def test_the_first_attempt_to_commit_wins_and_the_late_one_is_rolled_back(air, tmp_path):
    """The stalled worker reaches its commit before the worker that took the job over: its
    commit is refused (the job is no longer its), and the taker's goes through."""
    params = PublishAttempt(dataset="air", folder=str(tmp_path), key="race")
    info = air.jobs.submit("test.publish-attempt", params)
    first, second = _take_over(air, info.id)
    assert air.jobs.executor.run(first) is None
    assert air.catalog.get_dataset("air", principal=SYSTEM).versions == ()
    assert air.jobs.executor.run(second) == "succeeded"
    assert [v.number for v in air.catalog.get_dataset("air", principal=SYSTEM).versions] == [1]


def test_a_slow_job_does_not_hold_the_queue_by_default(platform):
    """With the default configuration (two worker threads) a long job runs beside others: a
    second job finishes while the first is still working."""
    from tests.jobs.kinds import register

    register(platform.jobs.registry)
    runner = platform.jobs
    first = runner.submit("test.steps", Steps("slow", wait=True))
    second = runner.submit("test.steps", Steps("quick"))
    try:
        assert started("slow").wait(60)
        done = runner.wait(second.id, timeout=60)
        assert done.status == "succeeded" and done.result == {"key": "quick", "attempt": 1}
        assert runner.get(first.id, actor="system").status == "running"
    finally:
        gate("slow").set()
    assert runner.wait(first.id, timeout=60).status == "succeeded"
