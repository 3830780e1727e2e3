"""The desk's periodic job "desk.sweep": flag and escalate requests past their deadline, run by
whichever process's job workers claim it (registered with `JobRunner.every`, once per period)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from datanuri.desk.service import RequestDesk
from datanuri.jobs.kinds import JobContext, JobKind, JobOutput

KIND = "desk.sweep"


class SweepServices(Protocol):
    @property
    def desk(self) -> RequestDesk: ...


@dataclass(frozen=True)
class SweepParams:
    """No parameters: the sweep looks at every routed request."""


def run_sweep(services: SweepServices, params: SweepParams, ctx: JobContext) -> JobOutput:
    escalated = services.desk.sweep_overdue()
    return JobOutput({"escalated": escalated})


SWEEP: JobKind[SweepServices, SweepParams] = JobKind(KIND, SweepParams, run_sweep)
