"""Tables of fingerprinted deliveries: each dataset's fingerprint scheme (which columns name rows,
which are marked within what tolerance, which key-store key the marks derive from), and one row
per copy delivered to a recipient whose access comes from an entitlement."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class FingerprintPlan(Base):
    """A dataset's fingerprint scheme (`fingerprint.Scheme.to_dict`) and its key's name."""

    __tablename__ = "market_fingerprint_plans"

    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), primary_key=True)
    scheme: Mapped[dict[str, Any]] = mapped_column()
    scheme_sha256: Mapped[str] = mapped_column(String(64))
    key_name: Mapped[str] = mapped_column(String(100))
    set_by: Mapped[str] = mapped_column(String(200))  # principal ref
    set_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One fingerprinted copy handed to one recipient: who, which version, with which key."""

    __tablename__ = "market_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(100), index=True)  # Principal.ref, the mark id
    user_id: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(20))
    key_name: Mapped[str] = mapped_column(String(100))
    key_fingerprint: Mapped[str] = mapped_column(String(100))  # privacy.keys.fingerprint
    scheme_sha256: Mapped[str] = mapped_column(String(64))
    copy_sha256: Mapped[str] = mapped_column(String(64))  # of the marked Parquet copy
    ledger_index: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
