"""Kinds of job: a name, a typed parameters dataclass and a handler, registered by the
capability that does the work. A job row names its kind and holds its parameters as JSON, so
any worker process can run it; nothing is captured in a closure."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

Progress = Callable[[int, int | None], None]

S = TypeVar("S")  # what the handler is given to work with (the platform's services)
P = TypeVar("P")  # the kind's parameters dataclass


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


@dataclass(frozen=True)
class JobContext:
    """What a handler knows of the job it runs: who started it (`actor`, a principal's name,
    and the token `scopes` it used, None for all), the attempt, and where to report progress.
    `lost` is set when this worker lost the job's lease (another worker may run it now); the
    next `progress` report then stops the handler."""

    job_id: str
    attempt: int
    max_attempts: int
    actor: str
    scopes: frozenset[str] | None
    dataset: str | None
    progress: Progress
    lost: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)


@dataclass(frozen=True)
class JobKind(Generic[S, P]):
    """One kind of job. `handler(services, params, ctx)` does the work; `cleanup(services,
    params)` runs once the job has ended for good (succeeded, or failed with no retry left), to
    remove what it was given (a staged upload)."""

    name: str
    params: type[P]
    handler: Callable[[S, P, JobContext], JobOutput]
    cleanup: Callable[[S, P], None] | None = None


class JobRegistry:
    """The kinds this process can run, by name."""

    def __init__(self, kinds: Iterable[JobKind[Any, Any]] = ()) -> None:
        self._kinds: dict[str, JobKind[Any, Any]] = {}
        for kind in kinds:
            self.add(kind)

    def add(self, kind: JobKind[Any, Any]) -> None:
        """Register `kind`; a name is registered once."""
        if kind.name in self._kinds:
            raise ValueError(f"job kind {kind.name!r} is already registered")
        self._kinds[kind.name] = kind

    def get(self, name: str) -> JobKind[Any, Any] | None:
        """The kind named `name`, or None."""
        return self._kinds.get(name)

    def names(self) -> tuple[str, ...]:
        """Every registered kind's name."""
        return tuple(sorted(self._kinds))
