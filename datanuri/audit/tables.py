"""The `audits` table: one row per audit run, written once (with its ledger entry)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class Audit(Base):
    """A dataset, model or release audit: what it read (hashes), how, and what it found."""

    __tablename__ = "audits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # model | dataset | release
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id"), index=True)
    dataset_version: Mapped[int | None] = mapped_column(Integer)
    file_name: Mapped[str | None] = mapped_column(String(400))  # an uploaded file's name
    data_hash: Mapped[str] = mapped_column(String(64))  # hex SHA-256 of the data read
    predictions_hash: Mapped[str | None] = mapped_column(String(64))  # of the predictions read
    parameters: Mapped[dict[str, Any]] = mapped_column()
    result: Mapped[dict[str, Any]] = mapped_column()
    result_hash: Mapped[str] = mapped_column(String(64))  # of the canonical JSON of `result`
    created_by: Mapped[str] = mapped_column(String(200))  # principal ref (no e-mail)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    ledger_index: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
