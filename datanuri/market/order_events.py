"""Ledger event kinds of market orders: an order placed (paid or free) under a licence, and a
subscription that lapsed. The money of a sale or refund is recorded by the books' own kinds
(`book_events`), the access by `entitlement.granted` / `entitlement.revoked`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from datanuri.events import EventKind, _sha256, register


@register
@dataclass(frozen=True, kw_only=True)
class OrderPlaced(EventKind):
    """A buyer ordered a listing: the licence agreed to (its SHA-256), the amount, and the
    sale's journal entry (its digest; none for a free order)."""

    name: ClassVar[str] = "market.order.placed"
    dataset: str
    order_id: int
    listing_id: int
    user_id: int
    licence_sha256: str
    entry_sha256: str | None
    amount: int
    price_kind: str

    @property
    def subject(self) -> str:
        return f"dataset:{self.dataset}"

    @property
    def hashes(self) -> Mapping[str, str]:
        out = {"licence": _sha256(self.licence_sha256)}
        if self.entry_sha256:
            out["entry"] = _sha256(self.entry_sha256)
        return out

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "order": self.order_id,
            "listing": self.listing_id,
            "user": f"user:{self.user_id}",
            "amount": self.amount,
            "price": self.price_kind,
        }


@register
@dataclass(frozen=True, kw_only=True)
class SubscriptionLapsed(EventKind):
    """A subscription was not renewed: the buyer's credit was short, or it was cancelled."""

    name: ClassVar[str] = "market.subscription.lapsed"
    dataset: str
    subscription_id: int
    user_id: int
    reason: str  # credit | cancelled

    @property
    def subject(self) -> str:
        return f"dataset:{self.dataset}"

    @property
    def data(self) -> Mapping[str, Any]:
        return {
            "subscription": self.subscription_id,
            "user": f"user:{self.user_id}",
            "reason": self.reason,
        }
