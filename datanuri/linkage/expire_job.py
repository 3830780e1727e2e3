"""The periodic job "linkage.expire": close every linkage project past its expiry date, its zone
data destroyed with the same ledger proof as a manual close (registered with `JobRunner.every`,
`Config.linkage_expire_seconds`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from datanuri.jobs.kinds import JobContext, JobKind, JobOutput
from datanuri.linkage.zone import LinkageZone

KIND = "linkage.expire"


class ExpireServices(Protocol):
    @property
    def linkage(self) -> LinkageZone: ...


@dataclass(frozen=True)
class ExpireParams:
    """No parameters: every open project past its expiry date is closed."""


def close_expired(services: ExpireServices, params: ExpireParams, ctx: JobContext) -> JobOutput:
    """Close the expired projects; the result names them and counts the files destroyed."""
    closed = services.linkage.close_expired()
    return JobOutput(
        {"closed": [c.project for c in closed], "files": sum(len(c.destroyed) for c in closed)}
    )


EXPIRE_PROJECTS: JobKind[ExpireServices, ExpireParams] = JobKind(KIND, ExpireParams, close_expired)
