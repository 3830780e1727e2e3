"""The market's periodic job "market.renew": renew the subscriptions whose paid period has
ended (charge again, or lapse when the credit is short), registered with `JobRunner.every`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from datanuri.jobs.kinds import JobContext, JobKind, JobOutput
from datanuri.market.orders import Orders

KIND = "market.renew"


class RenewServices(Protocol):
    @property
    def orders(self) -> Orders: ...


@dataclass(frozen=True)
class RenewParams:
    """No parameters: every subscription due is looked at."""


def run_renew(services: RenewServices, params: RenewParams, ctx: JobContext) -> JobOutput:
    done = services.orders.renew_due()
    return JobOutput({"renewed": done.renewed, "lapsed": done.lapsed})


RENEW: JobKind[RenewServices, RenewParams] = JobKind(KIND, RenewParams, run_renew)
