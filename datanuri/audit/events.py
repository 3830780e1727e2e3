"""The ledger event of an audit: what was audited (the hashes of the data and the predictions)
and the hash of the result, recorded in the transaction that stores the audit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from datanuri.events import EventKind, register


@register
@dataclass(frozen=True, kw_only=True)
class AuditRecorded(EventKind):
    """An AI accountability audit (dataset, model or release) was run and stored: the SHA-256 of
    the data and predictions it read, of its parameters and of its result."""

    name: ClassVar[str] = "audit.recorded"
    audit_id: int
    kind: str  # model | dataset | release
    target: str  # "dataset:NAME@VERSION" or "file:SHA256"
    data_sha256: str
    predictions_sha256: str | None
    parameters_sha256: str
    result_sha256: str
    passed: bool | None  # all declared thresholds passed (None: none declared)

    @property
    def subject(self) -> str:
        return f"audit:{self.audit_id}"

    @property
    def hashes(self) -> Mapping[str, str]:
        out = {
            "data": f"sha256:{self.data_sha256}",
            "parameters": f"sha256:{self.parameters_sha256}",
            "result": f"sha256:{self.result_sha256}",
        }
        if self.predictions_sha256:
            out["predictions"] = f"sha256:{self.predictions_sha256}"
        return out

    @property
    def data(self) -> Mapping[str, Any]:
        return {"kind": self.kind, "target": self.target, "passed": self.passed}


@register
@dataclass(frozen=True, kw_only=True)
class ModelRegistered(EventKind):
    """A model version of an AI system was registered: its features, kind, the SHA-256 of its
    parameters and the ledger entries of its training data versions."""

    name: ClassVar[str] = "ai.model.registered"
    system: str
    model_version: str
    kind: str
    features: tuple[str, ...]
    parameters_sha256: str
    training_entries: tuple[int, ...]

    @property
    def subject(self) -> str:
        return f"ai-model:{self.system}@{self.model_version}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"parameters": f"sha256:{self.parameters_sha256}"}

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "kind": self.kind,
            "features": list(self.features),
            "training_entries": list(self.training_entries),
        }


@register
@dataclass(frozen=True, kw_only=True)
class DriftChecked(EventKind):
    """A drift monitor compared a model's reference window with live inputs: the SHA-256 of
    both windows and of the result, and the drifted features (names only)."""

    name: ClassVar[str] = "ai.drift.checked"
    system: str
    model_version: str
    run_id: int
    reference_sha256: str
    current_sha256: str
    result_sha256: str
    drifted: tuple[str, ...]

    @property
    def subject(self) -> str:
        return f"ai-model:{self.system}@{self.model_version}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {
            "reference": f"sha256:{self.reference_sha256}",
            "current": f"sha256:{self.current_sha256}",
            "result": f"sha256:{self.result_sha256}",
        }

    @property
    def data(self) -> Mapping[str, Any]:
        return {"run": self.run_id, "drifted": list(self.drifted)}
