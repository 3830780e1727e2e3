"""In-process background jobs with progress stored in the jobs table.

A job is a function `fn(progress) -> dict` run on a worker thread. Progress is written to the
database at most every half second so the API and CLI can show it. On start-up, jobs whose
worker process is gone (a crash or kill) are marked failed, so nothing stays "running" forever.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from datanuri.errors import DatanuriError, NotFound
from datanuri.jobs.models import Job
from datanuri.store.db import Database, utcnow
from datanuri.store.process import pid_alive

Progress = Callable[[int, int | None], None]
JobFn = Callable[[Progress], dict[str, Any]]

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


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
    )


class JobRunner:
    """Runs jobs on a small thread pool and keeps their state in the database."""

    def __init__(self, db: Database, *, workers: int = 1) -> None:
        self.db = db
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, workers), thread_name_prefix="datanuri-job"
        )
        self._futures: dict[str, Future[None]] = {}

    def recover(self) -> int:
        """Mark jobs of dead worker processes on this host as failed; returns how many."""
        host = socket.gethostname()
        n = 0
        with self.db.session() as s:
            for job in s.scalars(select(Job).where(Job.status.in_(("queued", "running")))):
                whost, _, wpid = job.worker.rpartition(":")
                if whost == host and wpid.isdigit() and not pid_alive(int(wpid)):
                    job.status = "failed"
                    job.error = {
                        "code": "interrupted",
                        "message": (
                            "The process running this job stopped before it finished."
                            " Nothing was published; run it again."
                        ),
                    }
                    job.finished_at = utcnow()
                    n += 1
        return n

    def submit(
        self, kind: str, fn: JobFn, *, params: dict[str, Any] | None = None, actor: str = "system"
    ) -> JobInfo:
        job_id = uuid.uuid4().hex
        with self.db.session() as s:
            job = Job(
                id=job_id,
                kind=kind,
                params=params or {},
                created_by=actor,
                worker=WORKER_ID,
                message="queued",
            )
            s.add(job)
            s.flush()
            info = _info(job)
        self._futures[job_id] = self._pool.submit(self._run, job_id, fn)
        return info

    def run_inline(
        self, kind: str, fn: JobFn, *, params: dict[str, Any] | None = None, actor: str = "system"
    ) -> JobInfo:
        """Run a job on the calling thread (CLI), still recording it in the jobs table."""
        job_id = uuid.uuid4().hex
        with self.db.session() as s:
            s.add(
                Job(id=job_id, kind=kind, params=params or {}, created_by=actor, worker=WORKER_ID)
            )
        self._run(job_id, fn)
        return self.get(job_id)

    def _run(self, job_id: str, fn: JobFn) -> None:
        self._update(job_id, status="running", started_at=utcnow(), message="running")
        last = 0.0

        def progress(done: int, total: int | None) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last >= 0.5:
                last = now
                self._update(job_id, progress_done=done, progress_total=total)

        try:
            result = fn(progress)
        except DatanuriError as exc:
            self._update(
                job_id,
                status="failed",
                error=exc.to_dict(),
                message=exc.message,
                finished_at=utcnow(),
            )
        except Exception as exc:  # a bug: keep the job visible as failed, with the trace in the log
            traceback.print_exc()
            self._update(
                job_id,
                status="failed",
                error={"code": "internal_error", "message": f"Unexpected error: {exc}"},
                message="internal error",
                finished_at=utcnow(),
            )
        else:
            self._update(
                job_id, status="succeeded", result=result, message="done", finished_at=utcnow()
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

    def get(self, job_id: str, *, actor: str | None = None) -> JobInfo:
        """A job; with `actor`, only if that principal started it."""
        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is None or (actor is not None and job.created_by != actor):
                raise NotFound(f"No job with id {job_id!r}.")
            return _info(job)

    def list(self, *, limit: int = 50, actor: str | None = None) -> list[JobInfo]:
        """Recent jobs; with `actor`, only those that principal started."""
        with self.db.session() as s:
            q = select(Job).order_by(Job.created_at.desc()).limit(limit)
            if actor is not None:
                q = q.where(Job.created_by == actor)
            return [_info(j) for j in s.scalars(q)]

    def wait(self, job_id: str, timeout: float | None = None) -> JobInfo:
        fut = self._futures.get(job_id)
        if fut is not None:
            fut.result(timeout=timeout)
        return self.get(job_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
