"""Tables of access requests to restricted datasets and of the in-app notifications they send."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class AccessRequest(Base):
    """A user's request to read a restricted dataset's rows, and the holder's decision on it."""

    __tablename__ = "access_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(Text)  # may be personal: the ledger keeps only its hash
    requested_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(
        String(20), index=True
    )  # pending|approved|refused|withdrawn
    reason: Mapped[str | None] = mapped_column(Text)  # the holder's reason (required to refuse)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    expires_at: Mapped[dt.datetime | None] = mapped_column()  # of the granted entitlement
    entitlement_id: Mapped[int | None] = mapped_column(ForeignKey("entitlements.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """A message for one user in the app (their account page), in Korean and English."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    text_ko: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(400))
    read_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
