"""The queue on SQLite and PostgreSQL: claims never overlap, leases run out and are taken
over, and a worker that lost its job changes nothing."""

from __future__ import annotations

import datetime as dt
import threading
import time

from datanuri.jobs import messages as M
from datanuri.jobs.models import Job
from datanuri.jobs.policy import QueueSettings
from datanuri.jobs.queue import Claim, JobQueue, Settled
from datanuri.jobs.worker import WorkerPool
from datanuri.store.db import Database

SHORT = QueueSettings(
    lease=dt.timedelta(seconds=0.5), heartbeat=dt.timedelta(seconds=0.1), poll=0.05
)


def _expire(db: Database, job_id: str) -> None:
    """Let a job's lease run out now (its worker stopped renewing it)."""
    with db.session() as s:
        job = s.get(Job, job_id)
        assert job is not None
        job.lease_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)


def test_two_claimers_never_get_the_same_job(db_url, db):
    """Four threads, each with an engine of its own (as separate processes would), claim 40
    jobs at once: every job is claimed exactly once."""
    long = QueueSettings(lease=dt.timedelta(minutes=10))  # no lease runs out meanwhile
    queue = JobQueue(db, long)
    ids = {queue.enqueue("k", {"n": i}, actor="system")[0].id for i in range(40)}
    got: list[str] = []
    lock = threading.Lock()
    go = threading.Barrier(4)

    def claimer(n: int) -> None:
        mine = Database(db_url)
        q = JobQueue(mine, long)
        go.wait()
        try:
            while (c := q.claim(f"w{n}", ["k"])) is not None:
                assert isinstance(c, Claim)
                with lock:
                    got.append(c.job_id)
        finally:
            mine.dispose()

    threads = [threading.Thread(target=claimer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(got) == sorted(ids)  # each job once: no duplicates, none left
    with db.session() as s:
        assert {j.status for j in s.query(Job)} == {"running"}
        assert {j.attempt for j in s.query(Job)} == {1}


def test_only_ready_jobs_of_the_asked_kinds_are_claimed(db):
    queue = JobQueue(db, SHORT)
    other, _ = queue.enqueue("other", {}, actor="system")
    later, _ = queue.enqueue("k", {}, actor="system")
    with db.session() as s:
        job = s.get(Job, later.id)
        assert job is not None
        job.run_after = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert queue.claim("w", ["k"]) is None
    got = queue.claim("w", ["other", "k"])
    assert isinstance(got, Claim) and got.job_id == other.id


def test_an_expired_lease_is_taken_over_and_the_old_worker_is_fenced_off(db):
    queue = JobQueue(db, SHORT)
    job, _ = queue.enqueue("k", {"x": 1}, actor="user:a@example.org", scopes=["read", "publish"])
    first = queue.claim("dead", ["k"])
    assert isinstance(first, Claim) and first.attempt == 1
    assert first.scopes == frozenset({"read", "publish"}) and first.actor == "user:a@example.org"
    assert queue.claim("other", ["k"]) is None  # the lease still holds
    assert queue.renew(first)
    _expire(db, job.id)
    second = queue.claim("other", ["k"])
    assert isinstance(second, Claim) and second.attempt == 2 and second.worker == "other"
    # the first worker lost the job: nothing it does lands
    assert not queue.renew(first)
    queue.progress(first, 5, 10)
    assert not queue.succeed(first, {"from": "first"}, None)
    assert not queue.fail(first, {"code": "x", "message": "x"}, "x")
    assert queue.retry(first, dt.timedelta(0)) is None
    assert not queue.release(first)
    assert queue.succeed(second, {"from": "second"}, None)
    with db.session() as s:
        row = s.get(Job, job.id)
        assert row is not None
        assert (row.status, row.result, row.attempt, row.progress_done) == (
            "succeeded",
            {"from": "second"},
            2,
            0,
        )


def test_an_expired_job_whose_outcome_committed_is_done_without_running(db):
    queue = JobQueue(db, SHORT)
    job, _ = queue.enqueue("k", {}, actor="system")
    claim = queue.claim("dead", ["k"])
    assert isinstance(claim, Claim)
    with db.session() as s:  # what record_outcome writes with the work, then the worker died
        row = s.get(Job, job.id)
        assert row is not None
        row.result = {"version": 1}
    _expire(db, job.id)
    settled = queue.claim("other", ["k"])
    assert isinstance(settled, Settled) and settled.status == "succeeded"
    with db.session() as s:
        row = s.get(Job, job.id)
        assert row is not None
        assert (row.status, row.message, row.attempt) == ("succeeded", M.RECOVERED_DONE, 1)
    assert queue.claim("other", ["k"]) is None


def test_a_job_whose_workers_keep_dying_fails_after_its_attempts(db):
    queue = JobQueue(
        db, QueueSettings(lease=SHORT.lease, heartbeat=SHORT.heartbeat, max_attempts=2)
    )
    job, _ = queue.enqueue("k", {}, actor="system")
    for n in (1, 2):
        got = queue.claim(f"w{n}", ["k"])
        assert isinstance(got, Claim) and got.attempt == n
        _expire(db, job.id)
    settled = queue.claim("w3", ["k"])
    assert isinstance(settled, Settled) and settled.status == "failed"
    with db.session() as s:
        row = s.get(Job, job.id)
        assert row is not None
        assert row.error == {"code": "interrupted", "message": M.INTERRUPTED}


def test_a_released_job_is_queued_again_without_counting_the_attempt(db):
    queue = JobQueue(db, SHORT)
    job, _ = queue.enqueue("k", {}, actor="system")
    claim = queue.claim("stopping", ["k"])
    assert isinstance(claim, Claim)
    assert queue.release(claim)
    again = queue.claim("next", ["k"])
    assert isinstance(again, Claim) and again.attempt == 1 and again.job_id == job.id


def test_the_heartbeat_keeps_a_long_job_claimed(qp):
    """A job running for several lease lengths stays with its worker: no one else claims it."""
    from tests.jobs.kinds import Steps, gate, started

    runner = qp.jobs
    runner.workers = 1
    info = runner.submit("test.steps", Steps("long", wait=True))
    assert started("long").wait(30)
    lease = runner.queue.settings.lease.total_seconds()
    time.sleep(3 * lease)  # not a threshold: the job must simply still be this worker's
    assert runner.queue.claim("intruder", ["test.steps"]) is None
    gate("long").set()
    done = runner.wait(info.id, timeout=60)
    assert done.status == "succeeded" and done.result == {"key": "long", "attempt": 1}


def test_a_handler_whose_lease_was_taken_stops_at_its_next_progress_report(qp):
    """Another worker took the job over (its worker and attempt changed): the heartbeat notices,
    and the handler is stopped when it next reports progress instead of working on."""
    from tests.jobs.kinds import CALLS, CONTEXTS, Steps, gate, started

    runner = qp.jobs
    runner.workers = 1
    info = runner.submit("test.reporting", Steps("taken"))
    assert started("taken").wait(30)
    with qp.db.session() as s:
        job = s.get(Job, info.id)
        assert job is not None and job.status == "running"
        job.worker, job.attempt = "elsewhere:1:0", job.attempt + 1
    assert CONTEXTS["taken"].lost.wait(30)
    gate("taken").set()
    assert started("taken:ended").wait(30)
    assert CALLS["taken:after-progress"] == 0
    with qp.db.session() as s:
        job = s.get(Job, info.id)
        assert job is not None
        assert (job.status, job.worker, job.result) == ("running", "elsewhere:1:0", None)


def test_a_stopped_pool_gives_its_job_back_and_the_handler_stops_at_its_next_report(qp):
    """With no grace left, a stop gives the running job back to the queue and tells its
    handler to stop, so no thread is left working on it while the process exits."""
    from tests.jobs.kinds import CALLS, CONTEXTS, Steps, gate, started

    runner = qp.jobs
    info = runner.submit("test.reporting", Steps("given-back"))
    pool = WorkerPool(runner.executor, concurrency=1, kinds=["test.reporting"])
    pool.start()
    assert started("given-back").wait(30)
    ctx = CONTEXTS["given-back"]
    # The handler goes on to its next report only once the stop has told it to stop.
    threading.Thread(target=lambda: ctx.lost.wait(30) and gate("given-back").set()).start()
    released = pool.stop(grace=0, unwind=30)
    assert released == 1
    assert ctx.lost.is_set()
    assert not pool.alive()
    assert CALLS["given-back:after-progress"] == 0
    with qp.db.session() as s:
        job = s.get(Job, info.id)
        assert job is not None
        assert (job.status, job.attempt, job.worker) == ("queued", 0, "")
