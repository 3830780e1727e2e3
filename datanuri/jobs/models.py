"""The jobs table: long work (ingests, privacy checks) runs in the background with visible
progress. A job's `result` holds no row values; those go to `restricted`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_claim", "status", "run_after"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(
        String(20), default="queued", index=True
    )  # queued|running|succeeded|failed
    progress_done: Mapped[int] = mapped_column(BigInteger, default=0)
    progress_total: Mapped[int | None] = mapped_column(BigInteger)
    message: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # What anyone who may see the job may read: counts, positions, links; never row values.
    result: Mapped[dict[str, Any] | None] = mapped_column()
    # The part of the result holding row values (problem values, previews, reports): read only
    # under the permission rules of the dataset the job works on (`catalog.jobs.JobViews`).
    restricted: Mapped[dict[str, Any] | None] = mapped_column()
    dataset: Mapped[str | None] = mapped_column(String(100), index=True)  # the dataset worked on
    error: Mapped[dict[str, Any] | None] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(200), default="system")
    worker: Mapped[str] = mapped_column(
        String(200), default=""
    )  # "host:pid:n" of the worker thread holding its lease ("" while queued)
    # The queue (datanuri.jobs.queue): claimable once `run_after` has passed; a running job
    # whose `lease_until` passed (its worker died) is claimed again, `attempt` counting claims.
    run_after: Mapped[dt.datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[dt.datetime | None] = mapped_column()
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    # The token scopes the job was started with (None: all); its rights are rebuilt at run time.
    scopes: Mapped[list[Any] | None] = mapped_column()
    # A blob the job reads (a staged upload): kept from `blobs gc` until the job ends for good.
    input_blob: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column()
