"""Synthetic-release table: one row per synthetic version released from a personal dataset.

A row links the source version, the options (method, ε, δ, seed, domain), the report (with its
SHA-256), the ε it spent from the source's privacy-loss account and the version it produced.
Rows are written once, in the transaction that publishes the version, and never updated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class SynthRelease(Base):
    __tablename__ = "synth_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization: Mapped[str] = mapped_column(String(100), index=True)  # the holder
    source_dataset: Mapped[str] = mapped_column(String(100), index=True)
    source_version: Mapped[int] = mapped_column(Integer)
    source_hash: Mapped[str] = mapped_column(String(64))
    target_dataset: Mapped[str] = mapped_column(String(100), index=True)
    target_version: Mapped[int] = mapped_column(Integer)
    target_hash: Mapped[str] = mapped_column(String(64))
    access_level: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))
    epsilon: Mapped[float] = mapped_column(Float)  # spent from the source's budget
    delta: Mapped[float] = mapped_column(Float)
    options: Mapped[dict[str, Any]] = mapped_column()
    options_hash: Mapped[str] = mapped_column(String(64))
    report: Mapped[dict[str, Any]] = mapped_column()
    report_hash: Mapped[str] = mapped_column(String(64))
    released_by: Mapped[str] = mapped_column(String(200))
    ledger_index: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
