"""The ledger event of a synthetic release: source, options, report and output by their SHA-256,
with the (ε, δ) it spent, recorded in the transaction that publishes the synthetic version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from datanuri.events import EventKind, register, version_subject


@register
@dataclass(frozen=True, kw_only=True)
class SynthReleased(EventKind):
    """A synthetic version was released from a personal source version, its report passing."""

    name: ClassVar[str] = "synth.release"
    dataset: str  # the target dataset
    version: int  # the target version
    release_id: int
    source_dataset: str
    source_version: int
    access_level: str
    rows: int
    method: str
    epsilon: float  # spent from the source's privacy-loss budget
    delta: float
    source_sha256: str
    options_sha256: str
    report_sha256: str
    output_sha256: str

    @property
    def subject(self) -> str:
        return version_subject(self.dataset, self.version)

    @property
    def hashes(self) -> Mapping[str, str]:
        return {
            "source": f"sha256:{self.source_sha256}",
            "options": f"sha256:{self.options_sha256}",
            "report": f"sha256:{self.report_sha256}",
            "output": f"sha256:{self.output_sha256}",
        }

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "release": self.release_id,
            "source": version_subject(self.source_dataset, self.source_version),
            "access_level": self.access_level,
            "rows": self.rows,
            "method": self.method,
            "epsilon": self.epsilon,
            "delta": self.delta,
        }
