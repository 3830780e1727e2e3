"""The registry's rules as pure functions: what a system's model card, reason-code catalogue,
training data references and model versions must be."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from datanuri.decisions import messages as M
from datanuri.decisions import reasons
from datanuri.errors import InvalidInput

RISK_LEVELS = ("minimal", "limited", "high")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,99}$")
REF_RE = re.compile(r"^([a-z0-9][a-z0-9_-]*)@([0-9]+)$")
TEXT_MAX = 10_000


@dataclass(frozen=True)
class ModelCard:
    """What the people a system decides about (and its overseers) are told about it."""

    intended_use: str
    limitations: str
    metrics: Mapping[str, float] = field(default_factory=dict)
    training_data: Sequence[str] = ()  # dataset@version references


@dataclass(frozen=True)
class TrainingRef:
    """A training data version, checked to exist, with its ledger entry."""

    dataset: str
    version: int
    ledger_index: int

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "version": self.version, "ledger_index": self.ledger_index}


def clean_name(name: str) -> str:
    n = (name or "").strip()
    if not NAME_RE.match(n):
        raise InvalidInput(M.MSG_NAME)
    return n


def check_risk(level: str) -> str:
    if level not in RISK_LEVELS:
        raise InvalidInput(M.MSG_RISK)
    return level


def check_kind(kind: str) -> str:
    if kind not in reasons.KINDS:
        raise InvalidInput(M.MSG_KIND)
    return kind


def clean_card(card: ModelCard) -> ModelCard:
    for name, text in (("an intended use", card.intended_use), ("limitations", card.limitations)):
        if not (text or "").strip():
            raise InvalidInput(M.MSG_CARD_FIELD.format(field=name))
        if len(text) > TEXT_MAX:
            raise InvalidInput(M.MSG_TEXT_LONG.format(max=TEXT_MAX))
    metrics = {str(k): float(v) for k, v in card.metrics.items()}
    return ModelCard(
        card.intended_use.strip(), card.limitations.strip(), metrics, card.training_data
    )


def parse_ref(ref: str) -> tuple[str, int]:
    """("loans", 3) for "loans@3"."""
    m = REF_RE.match((ref or "").strip())
    if not m:
        raise InvalidInput(M.MSG_TRAINING_REF.format(ref=ref))
    return m.group(1), int(m.group(2))


def clean_catalogue(catalogue: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Reason codes -> {"ko", "en", "feature"}: both texts are required."""
    out = {}
    for code, entry in catalogue.items():
        ko, en = str(entry.get("ko") or "").strip(), str(entry.get("en") or "").strip()
        if not ko or not en:
            raise InvalidInput(M.MSG_REASON_CATALOGUE.format(code=code))
        feature = entry.get("feature")
        out[str(code)] = {"ko": ko, "en": en, "feature": str(feature) if feature else None}
    return out


def check_parameters(kind: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """A linear or logistic version's coefficients, intercept and baseline (numbers)."""
    if kind not in ("linear", "logistic"):
        return dict(parameters)
    try:
        coef = {str(k): float(v) for k, v in parameters["coefficients"].items()}
        base = {str(k): float(v) for k, v in parameters["baseline"].items()}
        intercept = float(parameters["intercept"])
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise InvalidInput(M.MSG_LINEAR_PARAMS) from e
    if not coef or set(base) - set(coef):
        raise InvalidInput(M.MSG_LINEAR_PARAMS)
    return {"coefficients": coef, "intercept": intercept, "baseline": base}
