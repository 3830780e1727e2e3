"""The table of the market's price history: prices paid, with what each offering was then, which
price suggestions learn from and are backtested on (`pricing.Comparable`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base


class PriceObservation(Base):
    """One price the market saw paid, with what the offering was then: the history price
    suggestions learn from and are backtested on (`pricing.Comparable`)."""

    __tablename__ = "market_price_observations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20), index=True)  # demo-synthetic | sale
    listing_id: Mapped[int | None] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(BigInteger)
    columns: Mapped[int] = mapped_column(Integer)
    age_days: Mapped[float] = mapped_column(Float)
    update_frequency: Mapped[str | None] = mapped_column(String(20))
    theme: Mapped[str | None] = mapped_column(String(100))
    downloads: Mapped[int] = mapped_column(Integer)
    requests: Mapped[int] = mapped_column(Integer)
    sales: Mapped[int] = mapped_column(Integer)
    annual_krw: Mapped[int] = mapped_column(BigInteger)
    observed_at: Mapped[dt.datetime] = mapped_column(index=True)
