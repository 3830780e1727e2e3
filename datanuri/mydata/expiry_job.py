"""MyData's periodic job "mydata.expire": record every consent past its end as expired (with
its ledger entry and the person's notice), registered with `JobRunner.every`. A consent is
refused once past its end whether or not this ran; the job makes the record and the notice
follow on time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from datanuri.jobs.kinds import JobContext, JobKind, JobOutput
from datanuri.mydata.service import MyData

KIND = "mydata.expire"


class ExpiryServices(Protocol):
    @property
    def mydata(self) -> MyData: ...


@dataclass(frozen=True)
class ExpiryParams:
    """No parameters: every active consent past its end is looked at."""


def run_expiry(services: ExpiryServices, params: ExpiryParams, ctx: JobContext) -> JobOutput:
    return JobOutput({"expired": len(services.mydata.expire_due())})


EXPIRE: JobKind[ExpiryServices, ExpiryParams] = JobKind(KIND, ExpiryParams, run_expiry)
