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

from datanuri.catalog.blobs import hold_blobs_in
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


class SynthCandidateRow(Base):
    """A synthetic table made for its holder to read the report of before releasing it: the
    table in the blob store (`output_hash`), the report, and the release that spent its ε
    (`release_id`: the one that released it, or the one chosen among it and other tries)."""

    __tablename__ = "synth_candidates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization: Mapped[str] = mapped_column(String(100), index=True)  # the holder
    source_dataset: Mapped[str] = mapped_column(String(100), index=True)
    source_version: Mapped[int] = mapped_column(Integer)
    source_hash: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(20))
    epsilon: Mapped[float | None] = mapped_column(Float)  # None: no formal guarantee
    delta: Mapped[float | None] = mapped_column(Float)
    options: Mapped[dict[str, Any]] = mapped_column()  # with the seed: the holder's only
    report: Mapped[dict[str, Any]] = mapped_column()  # with the seed: the holder's only
    report_hash: Mapped[str] = mapped_column(String(64))
    passed: Mapped[bool] = mapped_column()
    output_hash: Mapped[str] = mapped_column(String(64), index=True)  # the synthetic Parquet
    rows: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(200))
    release_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


hold_blobs_in(SynthCandidateRow.output_hash)  # `blobs gc` keeps a candidate's table
