"""Where a harvested dataset came from (one row per dataset imported from another catalogue)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class HarvestRecord(Base):
    __tablename__ = "harvest_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_name: Mapped[str] = mapped_column(String(100), unique=True)
    source_url: Mapped[str] = mapped_column(String(1000), index=True)  # the endpoint harvested
    remote_id: Mapped[str] = mapped_column(String(300))
    remote_url: Mapped[str] = mapped_column(String(1000))  # the dataset's page or API record there
    content_hash: Mapped[str] = mapped_column(
        String(64)
    )  # of the imported metadata: unchanged → no update
    resources: Mapped[list[Any]] = mapped_column(default=list)  # remote files: name, url, format
    harvested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
