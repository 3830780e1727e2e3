"""Tables of MyData: people's linking identifiers, holders' offers and their per-version CI
indexes, consent records and transfers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class MyDataPerson(Base):
    """A user account that is a person: the CI of their verified RRN (never the number)."""

    __tablename__ = "mydata_persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    ci: Mapped[str] = mapped_column(String(64), unique=True)  # hex HMAC-SHA-256
    linked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    linked_by: Mapped[str] = mapped_column(String(100))
    ledger_index: Mapped[int | None] = mapped_column(Integer)


class MyDataOffer(Base):
    """A holder's declaration that a personal dataset's rows may be sent at a person's request:
    the subject column and the named items (column groups with ko/en labels)."""

    __tablename__ = "mydata_offers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    subject_column: Mapped[str] = mapped_column(String(200))
    items: Mapped[list[Any]] = mapped_column()  # [{name, columns, label_ko, label_en}]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ledger_index: Mapped[int | None] = mapped_column(Integer)


class MyDataIndex(Base):
    """A version's rows without the subject column plus `_ci`, sorted by it, as a Parquet blob."""

    __tablename__ = "mydata_indexes"
    __table_args__ = (UniqueConstraint("offer_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("mydata_offers.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))  # blob of the indexed rows
    rows: Mapped[int] = mapped_column(Integer)
    people: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MyDataConsent(Base):
    """A consent record (ISO/IEC TS 27560 fields): who lets whom receive what, why, how long."""

    __tablename__ = "mydata_consents"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # "cns_" + random
    record_version: Mapped[int] = mapped_column(Integer, default=1)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("mydata_offers.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"))
    recipient_client_id: Mapped[str] = mapped_column(String(200), index=True)
    recipient_name: Mapped[str] = mapped_column(String(300))
    recipient_org: Mapped[str | None] = mapped_column(String(100))  # hears the revocation
    purpose: Mapped[str] = mapped_column(Text)  # private; the ledger keeps its hash
    items: Mapped[list[Any]] = mapped_column()
    period_days: Mapped[int] = mapped_column(Integer)
    frequency: Mapped[str] = mapped_column(String(20))  # once | periodic
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # active | revoked | expired
    revoked_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    ended_index: Mapped[int | None] = mapped_column(Integer)  # ledger entry of revoke/expiry
    ledger_index: Mapped[int] = mapped_column(Integer)  # the grant's ledger entry
    deletion_acknowledged_at: Mapped[dt.datetime | None] = mapped_column()
    last_transfer_at: Mapped[dt.datetime | None] = mapped_column()


class MyDataTransfer(Base):
    """One transfer of a person's rows to the recipient, with its ledger entry."""

    __tablename__ = "mydata_transfers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consent_id: Mapped[str] = mapped_column(ForeignKey("mydata_consents.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer)
    items: Mapped[list[Any]] = mapped_column()
    rows: Mapped[int] = mapped_column(Integer)
    page: Mapped[int] = mapped_column(Integer)
    rows_sha256: Mapped[str] = mapped_column(String(64))
    ledger_index: Mapped[int] = mapped_column(Integer)
