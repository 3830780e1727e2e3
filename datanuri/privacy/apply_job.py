"""The privacy job kind "privacy.apply": apply a policy to a dataset's latest version (the
assessment report), and with a release, publish the de-identified table if it passes.

The job row holds the policy and the release's target and metadata as JSON; the principal is
rebuilt when the job runs, with the rights its user has then."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from datanuri.accounts.service import AccountService
from datanuri.jobs.kinds import JobContext, JobKind, JobOutput
from datanuri.privacy.release_links import ReleaseMetadata
from datanuri.privacy.service import PrivacyService

KIND = "privacy.apply"
PRIVATE = ("preview", "report")  # parts of an apply job's result that hold row values


class ApplyServices(Protocol):
    """What a privacy job works with (the platform has all of it)."""

    @property
    def privacy(self) -> PrivacyService: ...
    @property
    def accounts(self) -> AccountService: ...


@dataclass(frozen=True)
class ReleaseTarget:
    """Where a passing release is published, and how a new target dataset is described."""

    target: str
    access_level: Literal["open", "restricted"] = "open"
    metadata: ReleaseMetadata = ReleaseMetadata()


@dataclass(frozen=True)
class ApplyParams:
    """A privacy job's parameters: the source dataset, the policy, and the release if any."""

    dataset: str
    policy: dict[str, Any]
    release: ReleaseTarget | None = None


def run_apply(services: ApplyServices, params: ApplyParams, ctx: JobContext) -> JobOutput:
    """The assessment (and the release, if asked and the policy passes). The candidate preview
    and the report hold row values: only the holder's editors read them (`JobViews`)."""
    me = services.accounts.acting_principal(ctx.actor, ctx.scopes)
    svc, name, release = services.privacy, params.dataset, params.release
    if release is None:
        summary = svc.apply(name, params.policy, principal=me, progress=ctx.progress).summary()
        return JobOutput.keeping_private({"released": False, **summary}, PRIVATE)
    info = svc.release(
        name,
        params.policy,
        target_name=release.target,
        access_level=release.access_level,
        metadata=release.metadata,
        principal=me,
        progress=ctx.progress,
    ).to_dict()
    released = {
        "released": True,
        "passed": True,
        "release": {k: v for k, v in info.items() if k not in ("report", "warnings")},
        "report": info["report"],
        "warnings": info["warnings"],
        "report_url": f"/api/v1/privacy/releases/{info['id']}",
    }
    return JobOutput.keeping_private(released, PRIVATE)


APPLY: JobKind[ApplyServices, ApplyParams] = JobKind(KIND, ApplyParams, run_apply)
