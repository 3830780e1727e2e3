"""Tables of the AI decision registry: systems, their model versions, decisions about people,
and the contests people file against them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class AiSystem(Base):
    """An AI system that decides about people, registered by its owner organisation with a
    model card (intended use, limitations, metrics, training data and their ledger entries)."""

    __tablename__ = "ai_systems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(Text)
    risk_level: Mapped[str] = mapped_column(String(20))  # minimal | limited | high
    intended_use: Mapped[str] = mapped_column(Text)
    limitations: Mapped[str] = mapped_column(Text)
    metrics: Mapped[dict[str, Any]] = mapped_column()  # name -> number
    training_data: Mapped[list[Any]] = mapped_column()  # [{dataset, version, ledger_index}]
    reason_codes: Mapped[dict[str, Any]] = mapped_column()  # code -> {ko, en, feature}
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ledger_index: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AiModelVersion(Base):
    """One version of a system's model: its kind and, for linear and logistic models, the
    coefficients the reasons are computed from."""

    __tablename__ = "ai_model_versions"
    __table_args__ = (UniqueConstraint("system_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    system_id: Mapped[int] = mapped_column(ForeignKey("ai_systems.id"), index=True)
    version: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # linear | logistic | tree | other
    method: Mapped[str] = mapped_column(String(100))  # how reasons are computed (named)
    parameters: Mapped[dict[str, Any]] = mapped_column()  # coefficients, intercept, baseline
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AiDecision(Base):
    """A decision about one person: the model version, the inputs (shown only to the person and
    the owner) and their SHA-256, the output, score, per-feature contributions and reason codes.

    The person is found by the unguessable `reference` and an access code (only its hash is
    kept), or as `subject_user_id` when logged in. `subject_ci` is reserved for MyData's linking
    identifier (a CI-based match), unused until MyData exists."""

    __tablename__ = "ai_decisions"
    __table_args__ = (UniqueConstraint("system_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    code_sha256: Mapped[str] = mapped_column(String(64))
    system_id: Mapped[int] = mapped_column(ForeignKey("ai_systems.id"), index=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("ai_model_versions.id"))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    input_sha256: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[dict[str, Any]] = mapped_column()
    output: Mapped[str] = mapped_column(String(200))
    score: Mapped[float | None] = mapped_column(Float)
    base_value: Mapped[float | None] = mapped_column(Float)
    contributions: Mapped[dict[str, Any]] = mapped_column()  # feature -> contribution
    reason_codes: Mapped[list[Any]] = mapped_column()
    method: Mapped[str] = mapped_column(String(100))
    groups: Mapped[dict[str, Any]] = mapped_column()  # protected; oversight aggregates only
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    subject_ci: Mapped[str | None] = mapped_column(String(200), index=True)  # MyData, later
    status: Mapped[str] = mapped_column(String(20))  # active | corrected
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("ai_decisions.id"))
    ledger_index: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class AiContest(Base):
    """A person's contest of a decision, its human reviewer, deadline and outcome. `steps` lists
    the ledger index of each step ({step, index}), for the person's receipts."""

    __tablename__ = "ai_contests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("ai_decisions.id"), index=True)
    explanation: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column()  # [{name, sha256, size}] in the blob store
    status: Mapped[str] = mapped_column(String(20), index=True)  # open|upheld|overturned
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    deadline_at: Mapped[dt.datetime] = mapped_column()
    escalated_at: Mapped[dt.datetime | None] = mapped_column()
    outcome_reasons: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    corrected_decision_id: Mapped[int | None] = mapped_column(ForeignKey("ai_decisions.id"))
    steps: Mapped[list[Any]] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
