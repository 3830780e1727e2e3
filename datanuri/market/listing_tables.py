"""The table of market listings: a restricted dataset offered for sale, with its licence (an
ODRL offer as JSON-LD), price and sample."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class Listing(Base):
    """One offer of a dataset (every version, or one) under one licence and one price."""

    __tablename__ = "market_listings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    version: Mapped[int | None] = mapped_column(Integer)  # None: the series, every version
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)  # listing_rules.STATUSES
    price_kind: Mapped[str] = mapped_column(String(20))  # one-off|subscription|free-research
    price_krw: Mapped[int | None] = mapped_column(BigInteger)  # whole won
    price_period: Mapped[str | None] = mapped_column(String(10))  # month|year (subscription)
    licence_terms: Mapped[dict[str, Any]] = mapped_column()  # licence.Terms.to_dict()
    licence_sha256: Mapped[str] = mapped_column(String(64))  # of the licence JSON-LD
    # The sample: rows of a released de-identified version ("release", its privacy release id)
    # or a synthetic file the holder gave ("synthetic", checked by identifier detection).
    sample_source: Mapped[str | None] = mapped_column(String(20))
    sample_release_id: Mapped[int | None] = mapped_column(Integer)
    sample_columns: Mapped[list[Any]] = mapped_column(default=list)
    sample_rows: Mapped[list[Any]] = mapped_column(default=list)  # lists of JSON values
    sample_sha256: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(200))  # principal ref
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column()
