"""The periodic job "ai.drift": run every active drift monitor on its model's recent decisions
(registered with `JobRunner.every`; alerts go out with each run that finds drift)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from datanuri.audit.registry import ModelRegistry
from datanuri.jobs.kinds import JobContext, JobKind, JobOutput

KIND = "ai.drift"


class DriftServices(Protocol):
    @property
    def models(self) -> ModelRegistry: ...


@dataclass(frozen=True)
class DriftParams:
    """No parameters: every active monitor runs."""


def run_monitors(services: DriftServices, params: DriftParams, ctx: JobContext) -> JobOutput:
    return JobOutput({"drifted": services.models.run_due()})


DRIFT: JobKind[DriftServices, DriftParams] = JobKind(KIND, DriftParams, run_monitors)
