"""What the queue does after a failure or a lost worker: pure decisions, no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class QueueSettings:
    """How workers hold and retry jobs (from `Config.job_*`)."""

    lease: dt.timedelta = dt.timedelta(seconds=60)  # a claim lasts this long unless renewed
    heartbeat: dt.timedelta = dt.timedelta(seconds=15)  # renewed this often while running
    poll: float = 1.0  # seconds an idle worker waits before looking for work again
    max_attempts: int = 3  # claims of one job, including those of workers that died
    retry_base: dt.timedelta = dt.timedelta(seconds=5)  # first retry delay, doubled each time
    retry_max: dt.timedelta = dt.timedelta(minutes=10)
    # How long a caller that ran a job inline (`?wait=true`) waits for a worker's retry before it
    # answers with the job still queued (202 and its status URL).
    inline_wait: float = 60.0

    def __post_init__(self) -> None:
        if self.heartbeat >= self.lease:
            raise ValueError("the heartbeat must come more often than the lease runs out")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")


def backoff(attempt: int, settings: QueueSettings) -> dt.timedelta:
    """The wait before the next try after failed attempt number `attempt` (1-based):
    retry_base, doubled per attempt, at most retry_max."""
    factor = 2 ** max(0, min(attempt - 1, 30))
    return min(settings.retry_base * factor, settings.retry_max)


AfterError = Literal["retry", "fail"]


def after_error(*, user_error: bool, attempt: int, max_attempts: int) -> AfterError:
    """A user's error (a DatanuriError: bad input, no permission) is final; anything else is
    taken as transient and tried again while attempts remain."""
    if user_error or attempt >= max_attempts:
        return "fail"
    return "retry"


Expired = Literal["done", "failed", "rerun"]


def on_expired_lease(*, committed: bool, attempt: int, max_attempts: int) -> Expired:
    """A running job whose worker stopped renewing its lease: done if its outcome committed
    (never run twice), failed when out of attempts, else run again."""
    if committed:
        return "done"
    if attempt >= max_attempts:
        return "failed"
    return "rerun"
