"""Privacy tables: one row per de-identified release of a personal dataset, and the privacy-loss
account of each source dataset.

A release links the source version, the policy applied, the assessment report (with its
SHA-256) and the version it produced. Rows are written once and never updated.

The account: `PrivacyBudget` holds a source dataset's declared budget (one row per dataset, also
the row a release locks while it checks the account), `PrivacyLoss` one entry per differential-
privacy release with the epsilon it spent, written in the release's transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class PrivacyRelease(Base):
    __tablename__ = "privacy_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization: Mapped[str] = mapped_column(String(100), index=True)  # the holder
    source_dataset: Mapped[str] = mapped_column(String(100), index=True)
    source_version: Mapped[int] = mapped_column(Integer)
    source_hash: Mapped[str] = mapped_column(String(64))  # hex SHA-256 of the source Parquet
    target_dataset: Mapped[str] = mapped_column(String(100), index=True)
    target_version: Mapped[int] = mapped_column(Integer)
    target_hash: Mapped[str] = mapped_column(String(64))  # hex SHA-256 of the released Parquet
    access_level: Mapped[str] = mapped_column(String(20))
    policy: Mapped[dict[str, Any]] = mapped_column()
    policy_hash: Mapped[str] = mapped_column(String(64))  # of the canonical JSON of `policy`
    report: Mapped[dict[str, Any]] = mapped_column()
    report_hash: Mapped[str] = mapped_column(String(64))  # of the canonical JSON of `report`
    released_by: Mapped[str] = mapped_column(String(200))  # principal ref (no e-mail)
    ledger_index: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PrivacyBudget(Base):
    __tablename__ = "privacy_budgets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization: Mapped[str] = mapped_column(String(100), index=True)  # the holder
    dataset: Mapped[str] = mapped_column(String(100), unique=True)  # the source dataset
    budget: Mapped[float | None] = mapped_column(Float)  # None: the platform's default budget
    declared_by: Mapped[str | None] = mapped_column(String(200))  # principal ref
    declared_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PrivacyLoss(Base):
    __tablename__ = "privacy_losses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_dataset: Mapped[str] = mapped_column(String(100), index=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("privacy_releases.id"), unique=True)
    epsilon: Mapped[float] = mapped_column(Float)  # spent by the release (OpenDP's privacy maps)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
