"""The search capability's table: synonym sets that admins edit (seeded by migration 0014)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class SynonymRow(Base):
    __tablename__ = "search_synonyms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terms: Mapped[list[str]] = mapped_column(JSON)  # two or more normalised terms
    origin: Mapped[str] = mapped_column(String(20), default="admin")  # shipped | admin
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
