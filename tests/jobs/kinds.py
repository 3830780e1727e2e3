"""Job kinds for the queue's tests: real handlers over the real platform, whose behaviour the
test steers through their parameters and a few module-level events and counters."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datanuri.accounts.principal import SYSTEM
from datanuri.errors import InvalidInput
from datanuri.jobs.kinds import JobContext, JobKind, JobOutput, JobRegistry

GATES: dict[str, threading.Event] = {}
STARTED: dict[str, threading.Event] = {}
CALLS: Counter[str] = Counter()


def gate(key: str) -> threading.Event:
    return GATES.setdefault(key, threading.Event())


def started(key: str) -> threading.Event:
    return STARTED.setdefault(key, threading.Event())


@dataclass(frozen=True)
class Steps:
    key: str
    fail_times: int = 0  # raise a transient error on the first `fail_times` attempts
    user_error: bool = False
    wait: bool = False  # wait for GATES[key] before finishing


def steps(services: Any, params: Steps, ctx: JobContext) -> JobOutput:
    CALLS[params.key] += 1
    started(params.key).set()
    if params.wait:
        assert gate(params.key).wait(60)
    if params.user_error:
        raise InvalidInput("The file is empty.")
    if ctx.attempt <= params.fail_times:
        raise ConnectionError("the database went away")
    return JobOutput({"key": params.key, "attempt": ctx.attempt})


@dataclass(frozen=True)
class PublishAttempt:
    """Publish a file whose content names the attempt: two attempts would make two versions
    unless only one of them may commit."""

    dataset: str
    folder: str
    key: str
    wait: bool = False


def publish_attempt(services: Any, params: PublishAttempt, ctx: JobContext) -> JobOutput:
    CALLS[params.key] += 1
    started(params.key).set()
    if params.wait:
        assert gate(params.key).wait(60)
    src = Path(params.folder) / f"attempt-{ctx.attempt}.csv"
    src.write_text(f"attempt,value\n{ctx.attempt},{ctx.attempt * 10}\n", encoding="utf-8")
    result = services.catalog.publish(params.dataset, src, principal=SYSTEM)
    return JobOutput(result.to_dict())


CONTEXTS: dict[str, JobContext] = {}


def reporting(services: Any, params: Steps, ctx: JobContext) -> JobOutput:
    """Wait for the gate, report progress, then count the work done after the report."""
    CONTEXTS[params.key] = ctx
    started(params.key).set()
    assert gate(params.key).wait(60)
    try:
        ctx.progress(1, 2)
        CALLS[f"{params.key}:after-progress"] += 1
    finally:
        started(f"{params.key}:ended").set()
    return JobOutput({"key": params.key})


STEPS = JobKind("test.steps", Steps, steps)
REPORTING = JobKind("test.reporting", Steps, reporting)
PUBLISH_ATTEMPT = JobKind("test.publish-attempt", PublishAttempt, publish_attempt)


def register(registry: JobRegistry) -> None:
    registry.add(STEPS)
    registry.add(REPORTING)
    registry.add(PUBLISH_ATTEMPT)
