"""Tables of the firm desk: an organisation's analysis-firm profile, the processing projects
users post, and the offers firms send on them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class FirmProfile(Base):
    """What an organisation offers as an analysis firm (its owners edit it)."""

    __tablename__ = "firm_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), unique=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[list[Any]] = mapped_column(default=list)  # firm_rules.SKILLS codes
    sectors: Mapped[list[Any]] = mapped_column(default=list)  # firm_rules.SECTORS codes
    certifications: Mapped[list[Any]] = mapped_column(default=list)  # firm_rules.CERTIFICATIONS
    # Past projects the firm declares: [{"title", "year", "skills": [...], "sector"}].
    past_projects: Mapped[list[Any]] = mapped_column(default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FirmProject(Base):
    """A processing job posted by a user (optionally for an organisation, optionally answering a
    desk request) and its life: open -> awarded -> delivered -> completed, or cancelled."""

    __tablename__ = "firm_projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    poster_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    # The desk request this job serves (desk_requests.id; no foreign key: that table is the
    # desk core's and may be migrated after this one).
    desk_request_id: Mapped[int | None] = mapped_column(Integer, index=True)
    skills: Mapped[list[Any]] = mapped_column()
    sector: Mapped[str | None] = mapped_column(String(40))
    sensitivity: Mapped[str] = mapped_column(String(20))
    certifications: Mapped[list[Any]] = mapped_column(default=list)  # required (hard filter)
    budget_min: Mapped[int] = mapped_column(BigInteger)
    budget_max: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), index=True)
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))  # the awarded
    offer_id: Mapped[int | None] = mapped_column(Integer)  # the accepted offer
    dataset: Mapped[str | None] = mapped_column(String(100))  # the delivered dataset
    version: Mapped[int | None] = mapped_column(Integer)
    delivery_note: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    closing_note: Mapped[str | None] = mapped_column(Text)  # completion comment or cancel reason
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    awarded_at: Mapped[dt.datetime | None] = mapped_column()
    delivered_at: Mapped[dt.datetime | None] = mapped_column()
    closed_at: Mapped[dt.datetime | None] = mapped_column()


class FirmOffer(Base):
    """A firm's offer on a project: a price, the days it needs and a note."""

    __tablename__ = "firm_offers"
    __table_args__ = (UniqueConstraint("project_id", "organization_id", "round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("firm_projects.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)  # 1, then 2 after a withdrawal, ...
    price: Mapped[int] = mapped_column(BigInteger)
    days: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))  # sent | accepted | closed | withdrawn
    sent_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column()
