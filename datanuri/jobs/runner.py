"""In-process background jobs with progress stored in the jobs table.

A job is a function `fn(progress) -> dict | JobOutput` run on a worker thread. Progress is
written to the database at most every half second so the API and CLI can show it.

A job's state follows what was committed: work that makes something durable calls
`record_outcome(session, summary)` inside its own transaction, so the job's result commits with
it. On start-up, jobs whose worker process is gone (a crash or kill -9) are marked succeeded if
their outcome was committed, else failed, so nothing stays "running" forever.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from datanuri.errors import DatanuriError, NotFound
from datanuri.jobs import messages as M
from datanuri.jobs.models import Job
from datanuri.store.db import Database, utcnow
from datanuri.store.process import pid_alive

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class JobOutput:
    """What a job made: `summary` (no row values: anyone who may see the job reads it) and
    `restricted` (row values: problem values, previews, reports), shown only under the
    permission rules of the dataset the job works on."""

    summary: dict[str, Any]
    restricted: dict[str, Any] | None = None

    @classmethod
    def keeping_private(cls, result: dict[str, Any], keys: Iterable[str]) -> JobOutput:
        """Split `result`: the entries named by `keys` (when present) become restricted."""
        names = set(keys)
        private = {k: v for k, v in result.items() if k in names}
        return cls({k: v for k, v in result.items() if k not in names}, private or None)


JobFn = Callable[[Progress], dict[str, Any] | JobOutput]

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"
_CURRENT_JOB: ContextVar[str | None] = ContextVar("datanuri_current_job", default=None)


def record_outcome(session: Session, summary: dict[str, Any]) -> None:
    """Inside the transaction that makes a job's work durable (a version row), write the job's
    result so it commits with that work; a no-op outside a job. A job killed after this commit
    is found succeeded on recovery. `summary` must hold no row values."""
    job_id = _CURRENT_JOB.get()
    if job_id is None:
        return
    job = session.get(Job, job_id)
    if job is not None:
        job.result = summary


@dataclass(frozen=True)
class JobInfo:
    id: str
    kind: str
    status: str
    progress_done: int
    progress_total: int | None
    message: str
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    created_at: str
    finished_at: str | None
    dataset: str | None = None  # the dataset the job works on

    @property
    def fraction(self) -> float | None:
        if self.status == "succeeded":
            return 1.0
        if not self.progress_total:
            return None
        return min(1.0, self.progress_done / self.progress_total)

    def to_dict(self) -> dict[str, Any]:
        d = self.__dict__.copy()
        d["fraction"] = self.fraction
        return d


@dataclass(frozen=True)
class JobRecord:
    """A job with what a permission check needs: who started it and its restricted part."""

    info: JobInfo
    created_by: str
    restricted: dict[str, Any] | None = field(default=None, repr=False)

    def with_restricted(self) -> JobInfo:
        """The job with its restricted part merged into `result` (for entitled callers only)."""
        if self.restricted is None:
            return self.info
        return dataclasses.replace(
            self.info, result={**(self.info.result or {}), **self.restricted}
        )


def _info(job: Job) -> JobInfo:
    return JobInfo(
        id=job.id,
        kind=job.kind,
        status=job.status,
        progress_done=job.progress_done,
        progress_total=job.progress_total,
        message=job.message,
        result=job.result,
        error=job.error,
        created_at=job.created_at.isoformat(),
        finished_at=job.finished_at.isoformat() if job.finished_at else None,
        dataset=job.dataset,
    )


def _record(job: Job) -> JobRecord:
    return JobRecord(_info(job), job.created_by, job.restricted)


class JobRunner:
    """Runs jobs on a small thread pool and keeps their state in the database."""

    def __init__(self, db: Database, *, workers: int = 1) -> None:
        self.db = db
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, workers), thread_name_prefix="datanuri-job"
        )
        self._futures: dict[str, Future[None]] = {}

    def recover(self) -> int:
        """Settle jobs of dead worker processes on this host from what they committed: succeeded
        if their outcome committed (`record_outcome`), else failed. Returns how many."""
        host = socket.gethostname()
        n = 0
        with self.db.session() as s:
            for job in s.scalars(select(Job).where(Job.status.in_(("queued", "running")))):
                whost, _, wpid = job.worker.rpartition(":")
                if whost == host and wpid.isdigit() and not pid_alive(int(wpid)):
                    if job.result is not None:
                        job.status, job.message = "succeeded", M.RECOVERED_DONE
                        if job.progress_total:
                            job.progress_done = job.progress_total
                    else:
                        job.status, job.message = "failed", M.INTERRUPTED
                        job.error = {"code": "interrupted", "message": M.INTERRUPTED}
                    job.finished_at = utcnow()
                    n += 1
        return n

    def submit(
        self,
        kind: str,
        fn: JobFn,
        *,
        params: dict[str, Any] | None = None,
        actor: str = "system",
        dataset: str | None = None,
    ) -> JobInfo:
        """Queue `fn` on a worker thread; `dataset` is the dataset it works on (its permission
        rules decide who sees the job)."""
        job_id = uuid.uuid4().hex
        with self.db.session() as s:
            job = Job(
                id=job_id,
                kind=kind,
                params=params or {},
                created_by=actor,
                worker=WORKER_ID,
                message="queued",
                dataset=dataset,
            )
            s.add(job)
            s.flush()
            info = _info(job)
        self._futures[job_id] = self._pool.submit(self._run, job_id, fn)
        return info

    def run_inline(
        self,
        kind: str,
        fn: JobFn,
        *,
        params: dict[str, Any] | None = None,
        actor: str = "system",
        dataset: str | None = None,
    ) -> JobInfo:
        """Run a job on the calling thread, still recording it in the jobs table. The caller ran
        it with its own rights, so its answer includes the restricted part in `result`."""
        job_id = uuid.uuid4().hex
        with self.db.session() as s:
            s.add(
                Job(
                    id=job_id,
                    kind=kind,
                    params=params or {},
                    created_by=actor,
                    worker=WORKER_ID,
                    dataset=dataset,
                )
            )
        self._run(job_id, fn)
        with self.db.session() as s:
            job = s.get(Job, job_id)
            assert job is not None
            return _record(job).with_restricted()

    def _run(self, job_id: str, fn: JobFn) -> None:
        token = _CURRENT_JOB.set(job_id)
        try:
            self._run_current(job_id, fn)
        finally:
            _CURRENT_JOB.reset(token)

    def _committed(self, job_id: str) -> bool:
        """Whether the job's outcome was committed with its work (`record_outcome`)."""
        with self.db.session() as s:
            job = s.get(Job, job_id)
            return job is not None and job.result is not None

    def _fail(self, job_id: str, error: dict[str, Any], message: str) -> None:
        """Record a failure, unless the job's work was already committed: then it succeeded (its
        outcome says what exists) and the later error is only noted in its message."""
        if self._committed(job_id):
            self._update(
                job_id,
                status="succeeded",
                message=M.DONE_THEN_FAILED.format(error=error.get("message", "")),
                finished_at=utcnow(),
            )
            return
        self._update(job_id, status="failed", error=error, message=message, finished_at=utcnow())

    def _run_current(self, job_id: str, fn: JobFn) -> None:
        self._update(job_id, status="running", started_at=utcnow(), message="running")
        last = 0.0

        def progress(done: int, total: int | None) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= 0.5:
                last = now
                self._update(job_id, progress_done=done, progress_total=total)

        try:
            out = fn(progress)
        except DatanuriError as exc:
            self._fail(job_id, exc.to_dict(), exc.message)
        except Exception:  # a bug: the job shows failed, the trace (maybe with SQL) only in the log
            traceback.print_exc()
            self._fail(
                job_id, {"code": "internal_error", "message": M.INTERNAL_ERROR}, "internal error"
            )
        else:
            if not isinstance(out, JobOutput):
                out = JobOutput(out)
            self._update(
                job_id,
                status="succeeded",
                result=out.summary,
                restricted=out.restricted,
                message="done",
                finished_at=utcnow(),
            )

    def _update(self, job_id: str, **values: Any) -> None:
        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is None:
                return
            for k, v in values.items():
                setattr(job, k, v)
            if values.get("status") == "succeeded" and job.progress_total:
                job.progress_done = job.progress_total

    def get(self, job_id: str, *, actor: str | None) -> JobInfo:
        """A job (no restricted part); with `actor`, only if that principal started it (None: any
        job, for the machine owner; callers checking a principal use `catalog.jobs.JobViews`)."""
        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is None or (actor is not None and job.created_by != actor):
                raise NotFound(M.NO_JOB.format(id=job_id))
            return _info(job)

    def record(self, job_id: str) -> JobRecord:
        """A job with its creator and restricted part, for a permission check (`JobViews`)."""
        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is None:
                raise NotFound(M.NO_JOB.format(id=job_id))
            return _record(job)

    def records(self, *, limit: int, offset: int = 0) -> list[JobRecord]:
        """Recent jobs, newest first, for a permission check (`JobViews`)."""
        with self.db.session() as s:
            q = select(Job).order_by(Job.created_at.desc(), Job.id).offset(offset).limit(limit)
            return [_record(j) for j in s.scalars(q)]

    def list(self, *, limit: int = 50, actor: str | None) -> list[JobInfo]:
        """Recent jobs, newest first (no restricted part); with `actor`, only those that principal
        started (None: all, for the machine owner)."""
        with self.db.session() as s:
            q = select(Job).order_by(Job.created_at.desc(), Job.id).limit(limit)
            if actor is not None:
                q = q.where(Job.created_by == actor)
            return [_info(j) for j in s.scalars(q)]

    def wait(self, job_id: str, timeout: float | None = None) -> JobInfo:
        fut = self._futures.get(job_id)
        if fut is not None:
            fut.result(timeout=timeout)
        return self.get(job_id, actor=None)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
