"""Tables of the linkage zone: projects, their members by role, holders' keyed uploads, match
runs, analysts' queries and export requests. Files (keyed uploads, linked tables, checked
outputs) are blobs named by their SHA-256; closing a project deletes the rows and blobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class LinkageProject(Base):
    """A linkage project: why and on what legal basis, who runs the zone, until when."""

    __tablename__ = "linkage_projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    purpose: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    operator_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # open | closed
    expires_on: Mapped[dt.date] = mapped_column(Date)
    salt_fingerprint: Mapped[str | None] = mapped_column(String(64))  # never the salt itself
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    ledger_index: Mapped[int | None] = mapped_column(Integer)


class LinkageMember(Base):
    """A person's role in a project: key_authority, holder (for an organisation), analyst or
    reviewer."""

    __tablename__ = "linkage_members"
    __table_args__ = (UniqueConstraint("project_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("linkage_projects.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))


class LinkageUpload(Base):
    """A holder's keyed file in the zone (the blob), its hash and shape."""

    __tablename__ = "linkage_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("linkage_projects.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    digest: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    columns: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LinkageRun(Base):
    """A match run: the method, the linked table (blob) and the linkage report."""

    __tablename__ = "linkage_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("linkage_projects.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))
    tables: Mapped[dict[str, Any]] = mapped_column(default=dict)  # zone table -> blob SHA-256
    rows: Mapped[int] = mapped_column(Integer)
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    run_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LinkageExport(Base):
    """An analyst's export request: the records' SQL, the grouping, the checked output (blob:
    cells, or a row-level table de-identified by a privacy policy, whose report is kept), the
    automatic checks' result, the epsilon of any noise and the reviewer's decision."""

    __tablename__ = "linkage_exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("linkage_projects.id"), index=True)
    analyst_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sql: Mapped[str] = mapped_column(Text)
    group_by: Mapped[list[Any]] = mapped_column(default=list)
    value: Mapped[str | None] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64))
    checks: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20))  # refused|pending|approved|rejected
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    dataset: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10), default="cells")  # cells | rows
    epsilon: Mapped[float | None] = mapped_column(Float)  # the noise's epsilon, if any
    report: Mapped[dict[str, Any] | None] = mapped_column()  # a row-level table's assessment
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column()
