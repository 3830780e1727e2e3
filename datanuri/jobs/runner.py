"""Background jobs as durable rows: `JobRunner` is the face the platform shows of the queue.

A job names its kind and holds its parameters as JSON (`datanuri.jobs.kinds`), so any process
can run it: worker threads of this process (`Config.job_workers`, started on the first
submit or by `start()`), `datanuri worker` processes, or the caller's own thread
(`run_inline`, the API's `?wait=true`). Progress is written to the database at most every half
second so the API and CLI can show it.

A job's state follows what was committed: work that makes something durable calls
`record_outcome(session, summary)` inside its own transaction, so the job's result commits
with it, at most once (`datanuri.jobs.worker`). A job whose worker died is claimed again when
its lease runs out: ended as succeeded if its outcome was committed, else run again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import String, exc, select

from datanuri.errors import InvalidInput, NotFound
from datanuri.jobs import messages as M
from datanuri.jobs.kinds import JobContext, JobKind, JobOutput, JobRegistry, Progress
from datanuri.jobs.models import Job
from datanuri.jobs.params import dump_params
from datanuri.jobs.policy import QueueSettings
from datanuri.jobs.queue import JobQueue
from datanuri.jobs.worker import (
    Executor,
    JobSuperseded,
    WorkerPool,
    new_worker_id,
    record_outcome,
)
from datanuri.store.db import Database

__all__ = [
    "JobContext",
    "JobInfo",
    "JobKind",
    "JobOutput",
    "JobRecord",
    "JobRegistry",
    "JobRunner",
    "JobSuperseded",
    "Progress",
    "QueueSettings",
    "record_outcome",
]

ID_LENGTH = cast(String, Job.__table__.c.id.type).length or 32  # the jobs table's id column
LAST_SLOT = 9_999_999_999.0  # Unix seconds of a period id's longest slot (year 2286)


def _period_id(kind: str, slot: float) -> str:
    """The id of the job row of `kind`'s period starting at Unix time `slot`."""
    return f"{kind}@{int(slot)}"


FINAL = ("succeeded", "failed")


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
    """The platform's jobs: submit (queued for any worker), run inline, read, wait, and the
    worker threads of this process."""

    def __init__(
        self,
        db: Database,
        *,
        settings: QueueSettings | None = None,
        workers: int = 0,
        registry: JobRegistry | None = None,
        services: Any = None,
    ) -> None:
        self.db = db
        self.queue = JobQueue(db, settings or QueueSettings())
        self.registry = registry or JobRegistry()
        self.workers = workers
        self.executor = Executor(self.queue, self.registry, services)
        self._pool: WorkerPool | None = None
        self._pool_lock = threading.Lock()
        self._periodic: list[tuple[str, dict[str, Any], float]] = []  # kind, params, seconds

    def every(self, kind: JobKind[Any, Any], params: Any, seconds: float) -> None:
        """Register `kind` and run it every `seconds` with `params`, on whichever process's
        workers claim it: each period is one job row with an id naming its slot, so however
        many processes schedule it, it runs once per period (`schedule_periodic`)."""
        if seconds <= 0:
            raise ValueError("a periodic job needs a period above 0 seconds")
        if len(_period_id(kind.name, LAST_SLOT)) > ID_LENGTH:
            raise ValueError(f"the kind name {kind.name!r} is too long for a periodic job's id")
        inner = kind.handler

        def handler(services: Any, p: Any, ctx: JobContext) -> JobOutput:
            try:
                return inner(services, p, ctx)
            finally:
                self.schedule_periodic()  # the next period's row, whatever this one did

        self.registry.add(dataclasses.replace(kind, handler=handler))
        self._periodic.append((kind.name, dump_params(params), seconds))

    def schedule_periodic(self, now: dt.datetime | None = None) -> int:
        """Add the rows of the current and the next period of each periodic kind that are not
        there yet; returns how many were added."""
        at = (now or dt.datetime.now(dt.UTC)).timestamp()
        added = 0
        slots = {
            _period_id(kind, slot): (kind, raw, slot)
            for kind, raw, seconds in self._periodic
            for slot in (at - at % seconds, at - at % seconds + seconds)
        }
        if not slots:
            return 0
        with self.db.session() as s:  # the usual case: both rows are there already
            there = set(s.scalars(select(Job.id).where(Job.id.in_(slots))))
        for job_id, (kind, raw, slot) in slots.items():
            if job_id in there:
                continue
            try:
                self.queue.enqueue(
                    kind,
                    raw,
                    actor="system",
                    job_id=job_id,
                    run_after=dt.datetime.fromtimestamp(slot, dt.UTC),
                )
                added += 1
            except exc.IntegrityError:  # another process added it since
                pass
        return added

    def bind(self, services: Any) -> None:
        """What handlers are given to work with (the platform, once it is built)."""
        self.executor.services = services

    def _row(self, kind: str, params: Any) -> tuple[JobKind[Any, Any], dict[str, Any]]:
        found = self.registry.get(kind)
        if found is None:
            raise InvalidInput(M.BAD_PARAMS.format(kind=kind, detail="unknown kind"))
        if not isinstance(params, found.params):
            raise TypeError(f"a {kind} job takes {found.params.__name__}, not {type(params)}")
        return found, dump_params(params)

    def submit(
        self,
        kind: str,
        params: Any,
        *,
        actor: str = "system",
        scopes: Iterable[str] | None = None,
        dataset: str | None = None,
        input_blob: str | None = None,
    ) -> JobInfo:
        """Queue a job of `kind` with its parameters dataclass, for the principal named `actor`
        (with its token's `scopes`); `dataset` is the dataset it works on (its permission rules
        decide who sees the job), `input_blob` a blob it reads (kept until it ends)."""
        _, raw = self._row(kind, params)
        job, _ = self.queue.enqueue(
            kind, raw, actor=actor, scopes=scopes, dataset=dataset, input_blob=input_blob
        )
        if self.workers > 0:
            self.start()
            assert self._pool is not None
            self._pool.wake.set()
        return _info(job)

    def run_inline(
        self,
        kind: str,
        params: Any,
        *,
        actor: str = "system",
        scopes: Iterable[str] | None = None,
        dataset: str | None = None,
        input_blob: str | None = None,
        timeout: float | None = None,
    ) -> JobInfo:
        """Run a job on the calling thread through the same handler as a worker, recording it
        in the jobs table; if the attempt failed transiently, wait up to `timeout` seconds
        (default `QueueSettings.inline_wait`) for a worker's retry, then answer with the job as
        it is (still queued when no worker runs). The caller ran it with its own rights, so the
        answer includes the restricted part."""
        _, raw = self._row(kind, params)
        job, claim = self.queue.enqueue(
            kind,
            raw,
            actor=actor,
            scopes=scopes,
            dataset=dataset,
            input_blob=input_blob,
            claim_for=new_worker_id("inline"),
        )
        assert claim is not None
        status = self.executor.run(claim)
        if status not in FINAL:  # queued for a retry (or taken over): a worker finishes it
            if self.workers > 0:
                self.start()
            try:
                self._await(job.id, self.queue.settings.inline_wait if timeout is None else timeout)
            except TimeoutError:  # still queued or running: the caller answers with its status
                pass
        return self.record(job.id).with_restricted()

    def start(self, *, kinds: Iterable[str] | None = None) -> None:
        """Start this process's worker threads (`workers` of them), once."""
        with self._pool_lock:
            if self._pool is not None or self.workers <= 0:
                return
            self.schedule_periodic()
            self._pool = WorkerPool(
                self.executor,
                concurrency=self.workers,
                kinds=tuple(kinds) if kinds is not None else self.registry.names(),
            )
            self._pool.start()

    def work(
        self,
        *,
        concurrency: int,
        kinds: Iterable[str] | None = None,
        once: bool = False,
        stop: threading.Event | None = None,
        grace: float | None = None,
    ) -> int:
        """Claim and run jobs on `concurrency` threads until `stop` is set (or, with `once`,
        until none is ready), then stop gracefully: running jobs get `grace` seconds to finish
        and are given back to the queue after that. Returns how many were given back."""
        names = tuple(kinds) if kinds is not None else self.registry.names()
        if not once:
            self.schedule_periodic()
        pool = WorkerPool(self.executor, concurrency=concurrency, kinds=names, once=once)
        pool.start()
        stop = stop or threading.Event()
        while pool.alive() and not stop.wait(0.2):
            pass
        released = pool.stop(grace)
        self.executor.stop_heartbeat()
        return released

    def _await(self, job_id: str, timeout: float | None) -> JobInfo:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            info = self.get(job_id, actor=None)
            if info.status in FINAL:
                return info
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_id} did not finish within {timeout} s")
            time.sleep(min(0.1, self.queue.settings.poll))

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
        """The job once it has ended (succeeded or failed); TimeoutError after `timeout` s."""
        return self._await(job_id, timeout)

    def shutdown(self) -> None:
        """Stop this process's worker threads, letting running jobs finish."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.stop(None)
        self.executor.stop_heartbeat()
