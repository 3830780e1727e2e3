"""Ledger kinds of the AI decision registry. A decision's entries carry hashes only: no input,
output, explanation or reason text of a person reaches the ledger."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from datanuri.events import EventKind, register


def _ref(hexdigest: str) -> str:
    return f"sha256:{hexdigest}"


@register
@dataclass(frozen=True, kw_only=True)
class SystemRegistered(EventKind):
    """An organisation registered an AI system that decides about people, with its model card
    (its SHA-256) and the ledger entries of its training data versions."""

    name: ClassVar[str] = "ai.system.registered"
    system: str
    organization: str
    risk_level: str
    card_sha256: str
    training_entries: tuple[int, ...]

    @property
    def subject(self) -> str:
        return f"ai-system:{self.system}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"card": _ref(self.card_sha256)}

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "organization": self.organization,
            "risk_level": self.risk_level,
            "training_entries": list(self.training_entries),
        }


@register
@dataclass(frozen=True, kw_only=True)
class DecisionRecorded(EventKind):
    """An AI system recorded a decision about a person: the model version, and the SHA-256 of
    the inputs and of the whole record (output, score, reasons); no personal data."""

    name: ClassVar[str] = "ai.decision.recorded"
    system: str
    decision_id: int
    model_version: str
    input_sha256: str
    record_sha256: str

    @property
    def subject(self) -> str:
        return f"ai-decision:{self.decision_id}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"input": _ref(self.input_sha256), "record": _ref(self.record_sha256)}

    @property
    def data(self) -> Mapping[str, Any]:
        return {"system": self.system, "model_version": self.model_version}


@register
@dataclass(frozen=True, kw_only=True)
class DecisionCorrected(EventKind):
    """A reviewer overturned a decision on contest: a corrected decision replaces it."""

    name: ClassVar[str] = "ai.decision.corrected"
    decision_id: int
    corrected_id: int
    contest_id: int
    record_sha256: str  # of the corrected record

    @property
    def subject(self) -> str:
        return f"ai-decision:{self.decision_id}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"record": _ref(self.record_sha256)}

    @property
    def data(self) -> Mapping[str, Any]:
        return {"corrected_by": self.corrected_id, "contest": self.contest_id}


@dataclass(frozen=True, kw_only=True)
class _ContestStep(EventKind):
    """What every step of a contest records (not a kind itself)."""

    decision_id: int
    contest_id: int

    @property
    def subject(self) -> str:
        return f"ai-decision:{self.decision_id}"

    @property
    def data(self) -> Mapping[str, Any]:
        return {"contest": self.contest_id}


@register
@dataclass(frozen=True, kw_only=True)
class ContestFiled(_ContestStep):
    """The person contested a decision with an explanation and evidence (their SHA-256 only),
    with the review deadline."""

    name: ClassVar[str] = "ai.contest.filed"
    explanation_sha256: str
    evidence_sha256: tuple[str, ...]
    deadline: str  # ISO time

    @property
    def hashes(self) -> Mapping[str, str]:
        out = {"explanation": _ref(self.explanation_sha256)}
        out.update({f"evidence{i}": _ref(h) for i, h in enumerate(self.evidence_sha256)})
        return out

    @property
    def data(self) -> Mapping[str, Any]:
        return {**super().data, "deadline": self.deadline}


@register
@dataclass(frozen=True, kw_only=True)
class ContestAssigned(_ContestStep):
    """A contest was given to a human reviewer who is not a member of the system's owner."""

    name: ClassVar[str] = "ai.contest.assigned"
    reviewer: str  # user:ID

    @property
    def data(self) -> Mapping[str, Any]:
        return {**super().data, "reviewer": self.reviewer}


@register
@dataclass(frozen=True, kw_only=True)
class ContestEscalated(_ContestStep):
    """A contest passed its review deadline undecided; administrators were alerted."""

    name: ClassVar[str] = "ai.contest.escalated"
    deadline: str

    @property
    def data(self) -> Mapping[str, Any]:
        return {**super().data, "deadline": self.deadline}


@register
@dataclass(frozen=True, kw_only=True)
class ContestDecided(_ContestStep):
    """The reviewer upheld or overturned the decision, with written reasons (their SHA-256)."""

    name: ClassVar[str] = "ai.contest.decided"
    outcome: str  # upheld | overturned
    reasons_sha256: str

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"reasons": _ref(self.reasons_sha256)}

    @property
    def data(self) -> Mapping[str, Any]:
        return {**super().data, "outcome": self.outcome}
