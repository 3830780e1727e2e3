"""Tables of the data request desk: the requests (with the holder's answer on the row), their
supporters ("me too"), their history and their disputes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class DeskRequest(Base):
    """A request for data that is not yet open, its routing, deadline and answer."""

    __tablename__ = "desk_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)  # private; the ledger keeps only its hash
    theme: Mapped[str | None] = mapped_column(String(100), index=True)
    formats: Mapped[list[Any]] = mapped_column(default=list)
    frequency: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(100))
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    supporters: Mapped[int] = mapped_column(Integer, default=1)  # the requester included
    filed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    routed_at: Mapped[dt.datetime | None] = mapped_column()
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_at: Mapped[dt.datetime | None] = mapped_column()
    # the holder's answer (provide / process / refuse; a transfer only moves the request)
    answer_kind: Mapped[str | None] = mapped_column(String(20))
    answer_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column()
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer_note: Mapped[str | None] = mapped_column(Text)
    answer_dataset: Mapped[str | None] = mapped_column(String(100))
    answer_version: Mapped[int | None] = mapped_column(Integer)
    answer_method: Mapped[str | None] = mapped_column(String(20))
    answer_reason: Mapped[str | None] = mapped_column(String(40))
    answer_expected_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_at: Mapped[dt.datetime | None] = mapped_column()


class DeskSupporter(Base):
    """A user who wants the same data ("me too"); the requester is the first."""

    __tablename__ = "desk_supporters"
    __table_args__ = (UniqueConstraint("request_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("desk_requests.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DeskEvent(Base):
    """One step in a request's history, with the index of its ledger entry."""

    __tablename__ = "desk_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("desk_requests.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    detail: Mapped[str] = mapped_column(Text, default="")  # public facts only (codes, names)
    ledger_index: Mapped[int | None] = mapped_column(Integer)


class DeskDispute(Base):
    """A requester's dispute of an answer (or of silence), and the mediation's outcome."""

    __tablename__ = "desk_disputes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("desk_requests.id"), index=True)
    opened_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    reasons: Mapped[str] = mapped_column(Text)  # may be personal: the ledger keeps its hash
    status: Mapped[str] = mapped_column(String(20), index=True)  # open|upheld|dismissed|settled
    outcome_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
