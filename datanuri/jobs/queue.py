"""The durable job queue in the jobs table: enqueue, claim with a lease, renew, finish.

A worker claims a ready job (queued and past its `run_after`, or running with an expired
lease: its worker died, on any host). PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED`, so
claimers never wait for each other; SQLite: an atomic conditional UPDATE on the row as it was
read, so of two claimers exactly one changes it. Every later write of a claimed job (progress,
lease renewal, outcome) is fenced by the claim's worker and attempt: a worker that lost its
lease changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from datanuri.jobs import messages as M
from datanuri.jobs.models import Job
from datanuri.jobs.policy import QueueSettings, on_expired_lease
from datanuri.store.db import Database, utcnow


@dataclass(frozen=True)
class Claim:
    """A job this worker holds the lease of, for one attempt."""

    job_id: str
    kind: str
    params: dict[str, Any]
    attempt: int
    max_attempts: int
    worker: str
    actor: str
    scopes: frozenset[str] | None
    dataset: str | None


@dataclass(frozen=True)
class Settled:
    """A job whose worker died, ended by the claimer without running it (`status`)."""

    job_id: str
    kind: str
    params: dict[str, Any]
    status: str


def _claimable(now: dt.datetime) -> ColumnElement[bool]:
    return or_(
        and_(Job.status == "queued", Job.run_after <= now),
        and_(Job.status == "running", Job.lease_until < now),
    )


def new_job(
    kind: str,
    params: dict[str, Any],
    *,
    actor: str,
    max_attempts: int,
    scopes: Iterable[str] | None = None,
    dataset: str | None = None,
    input_blob: str | None = None,
    job_id: str | None = None,
    run_after: dt.datetime | None = None,
) -> Job:
    """A queued job row, not yet in a session: `JobQueue.enqueue` adds it in a transaction of
    its own; a service that must queue a job with its own writes (both committed or neither)
    adds it to its session, and any worker claims it once that commits."""
    return Job(
        id=job_id or uuid.uuid4().hex,
        kind=kind,
        params=params,
        created_by=actor,
        scopes=sorted(scopes) if scopes is not None else None,
        dataset=dataset,
        input_blob=input_blob,
        max_attempts=max(1, max_attempts),
        run_after=run_after or utcnow(),
        attempt=0,
        message="queued",
        worker="",
    )


class JobQueue:
    """The jobs table as a queue (one per process; any number of processes share the table)."""

    def __init__(self, db: Database, settings: QueueSettings) -> None:
        self.db = db
        self.settings = settings
        self._pg = db.engine.dialect.name == "postgresql"

    # ----- adding ---------------------------------------------------------------------------
    def enqueue(
        self,
        kind: str,
        params: dict[str, Any],
        *,
        actor: str,
        scopes: Iterable[str] | None = None,
        dataset: str | None = None,
        input_blob: str | None = None,
        claim_for: str | None = None,
        job_id: str | None = None,
        run_after: dt.datetime | None = None,
    ) -> tuple[Job, Claim | None]:
        """Add a job; with `claim_for` (a worker id) it starts claimed by that worker (a job
        run in the caller's thread), else queued for any worker, from `run_after` (default now).
        A given `job_id` that exists already raises the database's IntegrityError."""
        now = utcnow()
        job = new_job(
            kind,
            params,
            actor=actor,
            max_attempts=self.settings.max_attempts,
            scopes=scopes,
            dataset=dataset,
            input_blob=input_blob,
            job_id=job_id,
            run_after=run_after or now,
        )
        if claim_for is not None:
            self._take(job, claim_for, now, M_RUNNING)
        with self.db.session() as s:
            s.add(job)
            s.flush()
            claim = _claim(job) if claim_for is not None else None
        return job, claim

    # ----- claiming -------------------------------------------------------------------------
    def claim(self, worker: str, kinds: Sequence[str]) -> Claim | Settled | None:
        """Take the oldest ready job of one of `kinds` for `worker`: a Claim to run, a Settled
        job (a dead worker's job, ended without running), or None when nothing is ready."""
        if not kinds:
            return None
        return self._claim_pg(worker, kinds) if self._pg else self._claim_sqlite(worker, kinds)

    def _ready(self, now: dt.datetime, kinds: Sequence[str]) -> Any:
        return (
            select(Job)
            .where(_claimable(now), Job.kind.in_(kinds))
            .order_by(Job.run_after, Job.created_at, Job.id)
        )

    def _claim_pg(self, worker: str, kinds: Sequence[str]) -> Claim | Settled | None:
        now = utcnow()
        with self.db.session() as s:
            q = self._ready(now, kinds).limit(1).with_for_update(skip_locked=True)
            job = s.scalars(q).first()
            if job is None:
                return None
            return self._decide(job, worker, now)

    def _claim_sqlite(self, worker: str, kinds: Sequence[str]) -> Claim | Settled | None:
        now = utcnow()
        with self.db.session() as s:  # a plain read: no write lock while nothing is ready
            seen = [
                (j.id, j.status, j.attempt) for j in s.scalars(self._ready(now, kinds).limit(8))
            ]
        for job_id, status, attempt in seen:
            with self.db.write_session() as s:
                # One conditional UPDATE: the row still as it was read, and still claimable.
                won = s.execute(
                    update(Job)
                    .where(
                        Job.id == job_id,
                        Job.status == status,
                        Job.attempt == attempt,
                        _claimable(now),
                    )
                    .values(worker=worker, lease_until=now + self.settings.lease)
                    .execution_options(synchronize_session=False)
                )
                if _rows(won) != 1:
                    continue  # another worker took it first
                job = s.get(Job, job_id, populate_existing=True)
                assert job is not None
                return self._decide(job, worker, now)
        return None

    def _decide(self, job: Job, worker: str, now: dt.datetime) -> Claim | Settled:
        """In the claiming transaction: run a queued job; settle or rerun an expired one."""
        if job.status == "queued":
            self._take(job, worker, now, M_RUNNING)
            return _claim(job)
        verdict = on_expired_lease(
            committed=job.result is not None, attempt=job.attempt, max_attempts=job.max_attempts
        )
        if verdict == "rerun":
            message = M.RERUN.format(attempt=job.attempt + 1, max_attempts=job.max_attempts)
            self._take(job, worker, now, message)
            return _claim(job)
        if verdict == "done":
            job.status, job.message = "succeeded", M.RECOVERED_DONE
            if job.progress_total:
                job.progress_done = job.progress_total
        else:
            job.status, job.message = "failed", M.INTERRUPTED
            job.error = {"code": "interrupted", "message": M.INTERRUPTED}
        job.worker, job.lease_until, job.finished_at = "", None, now
        return Settled(job.id, job.kind, dict(job.params or {}), job.status)

    def _take(self, job: Job, worker: str, now: dt.datetime, message: str) -> None:
        job.status, job.worker, job.message = "running", worker, message
        job.attempt = (job.attempt or 0) + 1
        job.lease_until = now + self.settings.lease
        job.started_at = now
        job.error = None

    # ----- while running (fenced by worker and attempt) -------------------------------------
    def _fence(self, claim: Claim) -> ColumnElement[bool]:
        return and_(
            Job.id == claim.job_id,
            Job.status == "running",
            Job.worker == claim.worker,
            Job.attempt == claim.attempt,
        )

    def renew(self, claim: Claim) -> bool:
        """Extend the claim's lease; False if the job is no longer this claim's."""
        with self.db.session() as s:
            done = s.execute(
                update(Job)
                .where(self._fence(claim))
                .values(lease_until=utcnow() + self.settings.lease)
                .execution_options(synchronize_session=False)
            )
            return _rows(done) == 1

    def progress(self, claim: Claim, done: int, total: int | None) -> None:
        """Record progress (ignored if the job is no longer this claim's)."""
        with self.db.session() as s:
            s.execute(
                update(Job)
                .where(self._fence(claim))
                .values(progress_done=done, progress_total=total)
                .execution_options(synchronize_session=False)
            )

    def owned(self, s: Session, claim: Claim) -> Job | None:
        """The claim's job row, locked, if it is still this claim's (else None)."""
        job = s.get(Job, claim.job_id, with_for_update=True, populate_existing=True)
        if job is None or job.status != "running":
            return None
        if job.worker != claim.worker or job.attempt != claim.attempt:
            return None
        return job

    # ----- ending an attempt ----------------------------------------------------------------
    def succeed(self, claim: Claim, summary: dict[str, Any], restricted: Any) -> bool:
        """The job succeeded with this output; False if it was no longer this claim's."""
        with self.db.write_session() as s:
            job = self.owned(s, claim)
            if job is None:
                return False
            job.status, job.message = "succeeded", "done"
            job.result, job.restricted = summary, restricted
            self._end(job)
            return True

    def fail(self, claim: Claim, error: dict[str, Any], message: str) -> bool:
        """The job failed for good, unless its work was already committed: then it succeeded
        (its outcome says what exists) and the error is noted in its message."""
        with self.db.write_session() as s:
            job = self.owned(s, claim)
            if job is None:
                return False
            if job.result is not None:
                job.status = "succeeded"
                job.message = M.DONE_THEN_FAILED.format(error=error.get("message", ""))
            else:
                job.status, job.error, job.message = "failed", error, message
            self._end(job)
            return True

    def retry(self, claim: Claim, delay: dt.timedelta) -> str | None:
        """Queue the job again after `delay` (a transient failure); returns its new status
        ("queued", or "succeeded" if its work had committed), None if it was not this claim's."""
        with self.db.write_session() as s:
            job = self.owned(s, claim)
            if job is None:
                return None
            if job.result is not None:
                job.status, job.message = "succeeded", M.RECOVERED_DONE
                self._end(job)
                return job.status
            when = utcnow() + delay
            job.status, job.worker, job.lease_until, job.run_after = "queued", "", None, when
            job.message = M.RETRYING.format(
                attempt=job.attempt,
                max_attempts=job.max_attempts,
                when=when.strftime("%Y-%m-%d %H:%M:%S"),
            )
            return job.status

    def release(self, claim: Claim) -> bool:
        """Give the job back (this worker is stopping): queued at once, the attempt not
        counted. Work the stopped handler still tries to commit is refused (its fence)."""
        with self.db.write_session() as s:
            job = self.owned(s, claim)
            if job is None:
                return False
            job.status, job.worker, job.lease_until = "queued", "", None
            job.attempt = max(0, job.attempt - 1)
            job.run_after, job.message = utcnow(), M.RELEASED
            return True

    @staticmethod
    def _end(job: Job) -> None:
        job.finished_at, job.lease_until = utcnow(), None
        if job.status == "succeeded" and job.progress_total:
            job.progress_done = job.progress_total


M_RUNNING = "running"


def _rows(result: Any) -> int:
    """How many rows an UPDATE changed (a CursorResult's rowcount)."""
    return int(getattr(result, "rowcount", 0) or 0)


def _claim(job: Job) -> Claim:
    return Claim(
        job_id=job.id,
        kind=job.kind,
        params=dict(job.params or {}),
        attempt=job.attempt,
        max_attempts=job.max_attempts,
        worker=job.worker,
        actor=job.created_by,
        scopes=frozenset(job.scopes) if job.scopes is not None else None,
        dataset=job.dataset,
    )
