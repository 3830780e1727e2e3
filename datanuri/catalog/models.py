"""Catalog tables: datasets, their immutable versions and their distributions (organisations
belong to accounts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from datanuri.accounts.models import Organization
from datanuri.accounts.policy import DatasetAccess
from datanuri.store.db import Base, utcnow


class Dataset(Base):
    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    theme: Mapped[str | None] = mapped_column(String(100))
    license: Mapped[str | None] = mapped_column(String(100))
    access_level: Mapped[str] = mapped_column(String(20), default="open")
    metadata_public: Mapped[bool] = mapped_column(
        Boolean, default=True
    )  # for personal datasets: holder's choice
    # Made to receive a first publish (the console's new-dataset form): listed only once it has
    # a version, so an upload that fails leaves nothing anyone else sees.
    draft: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    language: Mapped[str] = mapped_column(String(20), default="ko")
    temporal_start: Mapped[str | None] = mapped_column(String(40))
    temporal_end: Mapped[str | None] = mapped_column(String(40))
    spatial: Mapped[str | None] = mapped_column(String(300))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    # Coverage as region ids ("11", "11:종로구", "00" 전국; catalog/vocab.py), 갱신주기, 제공형태,
    # citation and DOI, and the per-column notes (catalog/columns.py): migration 0012.
    regions: Mapped[list[Any]] = mapped_column(default=list)
    update_frequency: Mapped[str | None] = mapped_column(String(20))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    provision_type: Mapped[str | None] = mapped_column(String(20))
    citation: Mapped[str | None] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(String(200))
    column_notes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship()
    versions: Mapped[list[Version]] = relationship(
        back_populates="dataset", order_by="Version.number", cascade="all, delete-orphan"
    )

    @property
    def current_versions(self) -> list[Version]:
        """The versions not withdrawn, oldest first: the latest of them is the dataset's latest."""
        return [v for v in self.versions if v.withdrawal is None]

    @property
    def listed(self) -> bool:
        """Whether lists, search, CKAN and DCAT show it to those who are not its editors: not a
        draft waiting for its first version, and not one whose versions were all withdrawn."""
        return not self.draft and (not self.versions or bool(self.current_versions))

    def as_access(self) -> DatasetAccess:
        """What the access policy needs to know about this dataset."""
        return DatasetAccess(
            self.id, self.name, self.organization.name, self.access_level, self.metadata_public
        )


class Version(Base):
    """An immutable published version. Never updated once written (trust rule 4)."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("dataset_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(
        String(64), index=True
    )  # hex SHA-256 of the Parquet blob
    source_hash: Mapped[str] = mapped_column(String(64))
    source_name: Mapped[str] = mapped_column(String(500))
    source_format: Mapped[str] = mapped_column(String(20))
    source_encoding: Mapped[str | None] = mapped_column(String(40))
    byte_size: Mapped[int] = mapped_column(BigInteger)
    row_count: Mapped[int] = mapped_column(BigInteger)
    schema: Mapped[dict[str, Any]] = mapped_column()
    profile: Mapped[dict[str, Any]] = mapped_column()
    problems: Mapped[dict[str, Any]] = mapped_column(default=dict)
    change_note: Mapped[str] = mapped_column(Text, default="")
    published_by: Mapped[str] = mapped_column(String(200), default="system")
    ledger_index: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    dataset: Mapped[Dataset] = relationship(back_populates="versions")
    distributions: Mapped[list[Distribution]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="Distribution.id"
    )
    # Set once when the version is withdrawn (the version row itself never changes).
    withdrawal: Mapped[Withdrawal | None] = relationship(
        back_populates="version", lazy="selectin", cascade="all, delete-orphan"
    )


class Distribution(Base):
    """A downloadable form of a version: the canonical Parquet blob, or CSV/JSON made on download."""

    __tablename__ = "distributions"
    __table_args__ = (UniqueConstraint("version_id", "format"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), index=True)
    format: Mapped[str] = mapped_column(String(20))
    media_type: Mapped[str] = mapped_column(String(100))
    blob_hash: Mapped[str | None] = mapped_column(String(64))  # None when derived on download
    byte_size: Mapped[int | None] = mapped_column(BigInteger)

    version: Mapped[Version] = relationship(back_populates="distributions")


class Withdrawal(Base):
    """A version's withdrawal: why, by whom and when, and its ledger entry. The version's rows
    are no longer served; its publication entry and its blob stay, so the audit still proves
    what was published."""

    __tablename__ = "version_withdrawals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    withdrawn_by: Mapped[str] = mapped_column(String(200))
    withdrawn_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ledger_index: Mapped[int | None] = mapped_column(BigInteger)

    version: Mapped[Version] = relationship(back_populates="withdrawal")


class DatasetCounts(Base):
    """How often a dataset's page was viewed and its data downloaded (catalog/counts.py)."""

    __tablename__ = "dataset_counts"

    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True
    )
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    downloads: Mapped[int] = mapped_column(BigInteger, default=0)


class Feedback(Base):
    """A 문의 or 오류 신고 about a dataset, for its holder's editors (catalog/feedback.py)."""

    __tablename__ = "dataset_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # question | error
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(320), default="")
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | answered | closed
    answer: Mapped[str] = mapped_column(Text, default="")
    handled_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DatasetDocument(Base):
    """A document attached to a dataset (a PDF, HWP, DOCX or XLSX guide), its bytes in the blob
    store (catalog/attachments.py)."""

    __tablename__ = "dataset_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    blob_hash: Mapped[str] = mapped_column(String(64))
    byte_size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
