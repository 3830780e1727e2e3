"""REST API for synthetic releases (mounted under `/api/v1`): the synthetic releases made from a
personal dataset, for the editors of its organisation. Synthesis and release run from the CLI
(`datanuri synth`) for now."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from datanuri.web.auth import PublishCaller
from datanuri.web.deps import PlatformDep
from datanuri.web.schemas import Number, Out

router = APIRouter(tags=["synth"])


class SynthReleaseOut(Out):
    """A synthetic release of a personal dataset."""

    id: int
    source_dataset: str
    source_version: int
    target_dataset: str
    target_version: int
    method: str = Field(description="mst: differentially private marginal synthesizer")
    epsilon: Number = Field(description="Epsilon spent from the source's privacy-loss budget")
    delta: Number
    rows: int
    report_sha256: str
    ledger_index: int | None


@router.get("/datasets/{name}/synth/releases", response_model=list[SynthReleaseOut])
def list_synth_releases(name: str, p: PlatformDep, me: PublishCaller) -> list[dict[str, Any]]:
    """The synthetic releases made from dataset `name`, oldest first (its editors)."""
    return [r.to_dict() for r in p.synth.list_releases(name, principal=me)]
