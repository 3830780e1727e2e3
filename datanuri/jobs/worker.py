"""Workers: threads that claim jobs from the queue and run them through their kind's handler,
a heartbeat that renews the leases of the jobs this process runs, and a graceful stop."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

from sqlalchemy.orm import Session

from datanuri.errors import DatanuriError
from datanuri.jobs import messages as M
from datanuri.jobs.kinds import JobContext, JobOutput, JobRegistry
from datanuri.jobs.params import BadParams, load_params
from datanuri.jobs.policy import after_error, backoff
from datanuri.jobs.queue import Claim, JobQueue, Settled

log = logging.getLogger("datanuri.jobs")

PROCESS_ID = f"{socket.gethostname()}:{os.getpid()}"
_CURRENT: ContextVar[tuple[JobQueue, Claim] | None] = ContextVar("datanuri_job", default=None)
_ids = iter(range(1, 1 << 62))
_ids_lock = threading.Lock()


def new_worker_id(label: str = "w") -> str:
    """A worker id unique on this host: "host:pid:<label><n>"."""
    with _ids_lock:
        return f"{PROCESS_ID}:{label}{next(_ids)}"


class JobSuperseded(Exception):
    """This attempt no longer holds its job (its lease expired and another worker took it,
    or its outcome was committed already): what it was about to commit is rolled back."""


def record_outcome(session: Session, summary: dict[str, Any]) -> None:
    """Inside the transaction that makes a job's work durable (a version row), write the job's
    result so it commits with that work; a no-op outside a job. Raises JobSuperseded, rolling
    the work back, if this attempt no longer holds the job: the work is done at most once.
    `summary` must hold no row values."""
    current = _CURRENT.get()
    if current is None:
        return
    queue, claim = current
    job = queue.owned(session, claim)
    if job is None or job.result is not None:
        raise JobSuperseded(claim.job_id)
    job.result = summary


class Executor:
    """Runs one claimed job: parses its parameters, calls its handler with the heartbeat on,
    and records how the attempt ended (done, retried later, failed)."""

    def __init__(self, queue: JobQueue, registry: JobRegistry, services: Any) -> None:
        self.queue = queue
        self.registry = registry
        self.services = services
        self._active: dict[str, tuple[Claim, JobContext]] = {}
        self._lock = threading.Lock()
        self._beat: threading.Thread | None = None
        self._stop = threading.Event()

    def active(self) -> list[Claim]:
        """The claims this process is running now."""
        with self._lock:
            return [c for c, _ in self._active.values()]

    def abandon(self, job_id: str) -> None:
        """Tell the handler running `job_id` to stop at its next progress report (its job was
        given back to the queue)."""
        with self._lock:
            running = self._active.get(job_id)
        if running is not None:
            running[1].lost.set()

    def run(self, claim: Claim) -> str | None:
        """Run `claim` to the end of this attempt; returns the job's status after it (None if
        the job was no longer this claim's)."""
        kind = self.registry.get(claim.kind)
        if kind is None:  # claimed only by kind, so only a job run inline of an unknown kind
            msg = M.BAD_PARAMS.format(kind=claim.kind, detail="unknown kind")
            return "failed" if self.queue.fail(claim, _error("invalid_input", msg), msg) else None
        try:
            params = load_params(kind.params, claim.params)
        except BadParams as exc:
            msg = M.BAD_PARAMS.format(kind=claim.kind, detail=exc)
            return "failed" if self.queue.fail(claim, _error("invalid_input", msg), msg) else None
        lost = threading.Event()
        ctx = JobContext(
            job_id=claim.job_id,
            attempt=claim.attempt,
            max_attempts=claim.max_attempts,
            actor=claim.actor,
            scopes=claim.scopes,
            dataset=claim.dataset,
            progress=self._progress(claim, lost),
            lost=lost,
        )
        status = self._attempt(claim, kind.handler, params, ctx)
        if status in ("succeeded", "failed") and kind.cleanup is not None:
            self.cleanup(claim.kind, claim.params)
        return status

    def cleanup(self, kind_name: str, raw_params: dict[str, Any]) -> None:
        """Remove what a job that ended for good was given (its kind's cleanup)."""
        kind = self.registry.get(kind_name)
        if kind is None or kind.cleanup is None:
            return
        try:
            kind.cleanup(self.services, load_params(kind.params, raw_params))
        except Exception:  # left for `datanuri blobs gc`
            log.exception("cleanup of a %s job failed", kind_name)

    def settled(self, settled: Settled) -> None:
        """A dead worker's job was ended without running: clean up after it."""
        log.warning("job %s of a stopped worker ended as %s", settled.job_id, settled.status)
        self.cleanup(settled.kind, settled.params)

    def _attempt(self, claim: Claim, handler: Any, params: Any, ctx: JobContext) -> str | None:
        with self._lock:
            self._active[claim.job_id] = (claim, ctx)
        self._ensure_heartbeat()
        token = _CURRENT.set((self.queue, claim))
        try:
            out = handler(self.services, params, ctx)
            if not isinstance(out, JobOutput):
                out = JobOutput(out)
        except JobSuperseded:
            log.warning("job %s attempt %s was superseded", claim.job_id, claim.attempt)
            return None
        except DatanuriError as exc:  # the user's error: final
            done = self.queue.fail(claim, exc.to_dict(), exc.message)
            return "failed" if done else None
        except Exception as exc:  # transient (or a bug): tried again while attempts remain
            traceback.print_exc()
            return self._after_crash(claim, exc)
        else:
            return "succeeded" if self.queue.succeed(claim, out.summary, out.restricted) else None
        finally:
            _CURRENT.reset(token)
            with self._lock:
                self._active.pop(claim.job_id, None)

    def _after_crash(self, claim: Claim, exc: BaseException) -> str | None:
        verdict = after_error(
            user_error=False, attempt=claim.attempt, max_attempts=claim.max_attempts
        )
        if verdict == "retry":
            return self.queue.retry(claim, backoff(claim.attempt, self.queue.settings))
        msg = M.GAVE_UP.format(attempts=claim.attempt, error=M.INTERNAL_ERROR)
        done = self.queue.fail(claim, _error("internal_error", M.INTERNAL_ERROR), msg)
        return "failed" if done else None

    def _progress(self, claim: Claim, lost: threading.Event) -> Any:
        """The handler's progress callback; it also stops a handler whose lease was lost (at
        its next report), so the work is not done twice until the commit is refused."""
        last = 0.0

        def progress(done: int, total: int | None) -> None:
            nonlocal last
            if lost.is_set():
                raise JobSuperseded(claim.job_id)
            now = time.monotonic()
            if now - last >= 0.5:
                last = now
                self.queue.progress(claim, done, total)

        return progress

    # ----- the heartbeat --------------------------------------------------------------------
    def _ensure_heartbeat(self) -> None:
        with self._lock:
            if self._beat is not None and self._beat.is_alive():
                return
            self._stop.clear()
            self._beat = threading.Thread(
                target=self._heartbeat, name="datanuri-job-heartbeat", daemon=True
            )
            self._beat.start()

    def _heartbeat(self) -> None:
        every = self.queue.settings.heartbeat.total_seconds()
        while not self._stop.wait(every):
            with self._lock:
                running = list(self._active.values())
            for claim, ctx in running:
                try:
                    if not self.queue.renew(claim):
                        ctx.lost.set()
                except Exception:  # the database is away: try again at the next beat
                    log.exception("could not renew the lease of job %s", claim.job_id)

    def stop_heartbeat(self) -> None:
        """Stop renewing leases (the process is ending)."""
        self._stop.set()


def _error(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "message": message}


UNWIND_SECONDS = 10.0


class WorkerPool:
    """`concurrency` threads claiming jobs of `kinds` from the queue until stopped (or, with
    `once`, until no job is ready)."""

    def __init__(
        self,
        executor: Executor,
        *,
        concurrency: int,
        kinds: Sequence[str],
        once: bool = False,
        label: str = "w",
    ) -> None:
        self.executor = executor
        self.kinds = tuple(kinds)
        self.once = once
        self.stopping = threading.Event()
        self.wake = threading.Event()
        self.holding: dict[str, Claim] = {}  # worker id -> the job it runs
        self._threads = [
            threading.Thread(
                target=self._loop,
                args=(new_worker_id(label),),
                name=f"datanuri-worker-{i}",
                daemon=True,
            )
            for i in range(max(1, concurrency))
        ]

    def start(self) -> None:
        """Start the worker threads."""
        for t in self._threads:
            t.start()

    def alive(self) -> bool:
        """Whether any worker thread still runs."""
        return any(t.is_alive() for t in self._threads)

    def _loop(self, worker: str) -> None:
        queue = self.executor.queue
        poll = queue.settings.poll
        while not self.stopping.is_set():
            try:
                got = queue.claim(worker, self.kinds)
            except Exception:  # the database is away: wait and look again
                log.exception("could not claim a job")
                got = None
                if self.once:
                    return
                self.stopping.wait(poll)
                continue
            if isinstance(got, Claim):
                self.holding[worker] = got  # from here on, a stop gives it back
                try:
                    self.executor.run(got)
                finally:
                    self.holding.pop(worker, None)
                continue
            if isinstance(got, Settled):
                self.executor.settled(got)
                continue
            if self.once:
                return
            self.wake.wait(poll)
            self.wake.clear()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the threads to end (at most `timeout` seconds in all)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for t in self._threads:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            t.join(left)

    def stop(self, grace: float | None = None, unwind: float = UNWIND_SECONDS) -> int:
        """Stop claiming; let running jobs finish within `grace` seconds (None: wait for them),
        then give the ones still running back to the queue and let their handlers stop at
        their next progress report (at most `unwind` seconds). Returns how many were given
        back."""
        self.stopping.set()
        self.wake.set()
        self.join(grace)
        released = 0
        if self.alive():
            for claim in list(self.holding.values()):
                if self.executor.queue.release(claim):
                    released += 1
                self.executor.abandon(claim.job_id)
            # A handler left running in native code (DuckDB, Arrow) while the interpreter
            # shuts down can abort the process: give it the time to reach its next report.
            self.join(unwind)
        return released
