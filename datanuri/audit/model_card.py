"""The model card as typed values: the AI system, the model version, its decision count, the
datasheets of its training data (with their audits) and its last drift run."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class CardSystem:
    name: str
    title: str
    organization: str
    purpose: str
    risk_level: str
    intended_use: str
    limitations: str


@dataclass(frozen=True)
class CardModel:
    version: str
    kind: str
    explanation_method: str | None
    features: list[str]
    parameters: dict[str, Any]
    metrics: dict[str, float]
    description: str
    ledger_index: int | None
    registered_at: str


@dataclass(frozen=True)
class CardAudit:
    id: int
    kind: str
    passed: bool | None
    proxies: list[str]  # features the audit flagged as proxies
    ledger_index: int | None
    created_at: str


@dataclass(frozen=True)
class Datasheet:
    dataset: str
    version: int
    ledger_index: int | None
    title: str
    audits: list[CardAudit]


@dataclass(frozen=True)
class CardDrift:
    run: int
    drifted: list[str]
    at: str
    ledger_index: int | None


@dataclass(frozen=True)
class ModelCard:
    system: CardSystem
    model: CardModel
    decisions: int
    datasheets: list[Datasheet]
    drift: CardDrift | None

    def to_dict(self) -> dict[str, Any]:
        """The card as the JSON document the API and the CLI print."""
        return asdict(self)
