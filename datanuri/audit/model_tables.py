"""Tables of the model registry and its drift monitors: what each registered model version was
trained on and takes as features, the monitors that watch it, and each monitor run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class AiModelRecord(Base):
    """The registry's entry for one model version of an AI system: its features, training data
    versions (with their ledger entries), reference metrics and the ledger entry of the
    registration."""

    __tablename__ = "ai_model_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("ai_model_versions.id"), unique=True)
    features: Mapped[list[Any]] = mapped_column()  # feature column names, in model order
    training_data: Mapped[list[Any]] = mapped_column()  # [{dataset, version, ledger_index}]
    metrics: Mapped[dict[str, Any]] = mapped_column()  # reference figures, e.g. accuracy
    description: Mapped[str] = mapped_column(String(2000))
    created_by: Mapped[str] = mapped_column(String(200))  # principal ref
    ledger_index: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DriftMonitor(Base):
    """A drift monitor of one registered model: the reference is its training data version, the
    live window the decisions of the last `window_days` (or a batch handed to a run)."""

    __tablename__ = "ai_drift_monitors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("ai_model_records.id"), index=True)
    options: Mapped[dict[str, Any]] = mapped_column()  # DriftOptions fields
    window_days: Mapped[int] = mapped_column(Integer)
    min_rows: Mapped[int] = mapped_column(Integer)  # fewer live rows: the run is skipped
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(200))
    last_run_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DriftRun(Base):
    """One run of a monitor: the hashes of both windows, the result, and its ledger entry."""

    __tablename__ = "ai_drift_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    monitor_id: Mapped[int] = mapped_column(ForeignKey("ai_drift_monitors.id"), index=True)
    source: Mapped[str] = mapped_column(String(400))  # "decisions" or "file:NAME"
    reference_sha256: Mapped[str] = mapped_column(String(64))
    current_sha256: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column()
    result_sha256: Mapped[str] = mapped_column(String(64))
    drifted: Mapped[list[Any]] = mapped_column()  # drifted feature names
    ledger_index: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
