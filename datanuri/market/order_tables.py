"""Tables of market orders and subscriptions. An order's money is in the books (its sale entry);
its access is an entitlement (`accounts.models.Entitlement`); these rows tie them together. The
listing and book-entry ids carry no foreign key: those tables are on sibling migration branches."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow


class MarketOrder(Base):
    """One order of one listing by one buyer, under an idempotency key (one order per key)."""

    __tablename__ = "market_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    request_sha256: Mapped[str] = mapped_column(String(64))  # what was asked under the key
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    listing_id: Mapped[int] = mapped_column(Integer, index=True)  # market_listings.id
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    version: Mapped[int | None] = mapped_column(Integer)  # the version bought (one-off)
    price_kind: Mapped[str] = mapped_column(String(20))  # one-off|subscription|free-research
    period: Mapped[str | None] = mapped_column(String(10))  # month|year (subscription)
    amount: Mapped[int] = mapped_column(BigInteger)  # whole won, VAT included
    fee: Mapped[int] = mapped_column(BigInteger)  # the platform's part
    provider: Mapped[str] = mapped_column(String(30))  # payments.PaymentProvider.name
    status: Mapped[str] = mapped_column(String(20), index=True)  # paid|refunded
    refunded: Mapped[int] = mapped_column(BigInteger, default=0)  # won refunded so far
    entry_id: Mapped[int | None] = mapped_column(Integer)  # book_entries.id: the sale
    entitlement_id: Mapped[int | None] = mapped_column(ForeignKey("entitlements.id"))
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("market_subscriptions.id"), index=True
    )
    licence_sha256: Mapped[str] = mapped_column(String(64))  # the licence agreed to
    starts_at: Mapped[dt.datetime] = mapped_column()
    ends_at: Mapped[dt.datetime | None] = mapped_column()  # of the entitlement (None: no end)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MarketSubscription(Base):
    """A buyer's subscription to a listing: renewed each period while credit lasts."""

    __tablename__ = "market_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    listing_id: Mapped[int] = mapped_column(Integer, index=True)  # market_listings.id
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    period: Mapped[str] = mapped_column(String(10))  # month|year
    amount: Mapped[int] = mapped_column(BigInteger)  # per period
    status: Mapped[str] = mapped_column(String(20), index=True)  # active|lapsed|cancelled
    paid_until: Mapped[dt.datetime] = mapped_column(index=True)
    renewals: Mapped[int] = mapped_column(Integer, default=0)
    last_version: Mapped[int | None] = mapped_column(Integer)  # the newest version announced
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
