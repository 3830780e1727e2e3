"""The synthetic-data job kinds: "synth.run" makes a candidate (the synthetic table in the blob
store and its report, kept for the holder to read), "synth.release" releases one, as
de-identification's assessment and release are one job each.

The job row holds the options as JSON; the principal is rebuilt when the job runs, with the
rights its user has then."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from datanuri.accounts.service import AccountService
from datanuri.jobs.kinds import JobContext, JobKind, JobOutput
from datanuri.synth.service import SynthService
from datanuri.synth.synthesize import Method, SynthOptions

RUN = "synth.run"
RELEASE = "synth.release"


class SynthServices(Protocol):
    """What a synthetic-data job works with (the platform has all of it)."""

    @property
    def synth(self) -> SynthService: ...
    @property
    def accounts(self) -> AccountService: ...


@dataclass(frozen=True)
class RunParams:
    """A synthesis: the source dataset, the method and privacy parameters, the columns to keep
    (all if empty), the utility target and an optional seed (the same seed, the same table)."""

    dataset: str
    method: Method = "mst"
    epsilon: float = 1.0
    delta: float | None = None
    columns: list[str] = field(default_factory=list)
    target: str | None = None
    seed: int | None = None
    domains: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReleaseParams:
    """The release of a candidate into an open or restricted dataset."""

    dataset: str
    candidate: int
    target: str
    access_level: Literal["open", "restricted"] = "open"


def run_synth(services: SynthServices, params: RunParams, ctx: JobContext) -> JobOutput:
    """Make the candidate; its report describes row values: only the holder's editors read it."""
    me = services.accounts.acting_principal(ctx.actor, ctx.scopes)
    options = SynthOptions(
        method=params.method,
        epsilon=params.epsilon,
        delta=params.delta,
        seed=params.seed,
        domains=params.domains,
    )
    info = services.synth.make_candidate(
        params.dataset,
        options,
        principal=me,
        target=params.target,
        columns=params.columns,
        progress=ctx.progress,
    )
    return JobOutput(info.summary(), {"report": info.report, "gate": info.gate.to_dict()})


def run_release(services: SynthServices, params: ReleaseParams, ctx: JobContext) -> JobOutput:
    """Release the candidate if its gate lets it (a refusal names the reasons)."""
    me = services.accounts.acting_principal(ctx.actor, ctx.scopes)
    info = services.synth.release_candidate(
        params.dataset,
        params.candidate,
        target_name=params.target,
        access_level=params.access_level,
        principal=me,
    )
    return JobOutput({"released": True, "release": info.to_dict()})


SYNTH_RUN: JobKind[SynthServices, RunParams] = JobKind(RUN, RunParams, run_synth)
SYNTH_RELEASE: JobKind[SynthServices, ReleaseParams] = JobKind(RELEASE, ReleaseParams, run_release)
