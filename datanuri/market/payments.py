"""How an order is paid: the `PaymentProvider` seam, its built-in prepaid-credit provider, and the
documented shape of a real payment gateway (PG, 결제대행) provider.

The books stay the one store of money whatever pays. With prepaid credit, a sale moves the
buyer's credit (topped up beforehand by an administrator: `Books.top_up`) to the holder's
receivable and the platform's fee. A gateway provider would follow the same path inside the
order's transaction: once the gateway has *captured* the card payment, post the captured amount
from outside money into the buyer's credit (a top-up entry keyed by the gateway's payment id),
then charge the sale from that credit; a gateway refund follows a refund entry the same way
back out. Nothing here calls out to a network: there is no fake gateway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from sqlalchemy.orm import Session

from datanuri.accounts.principal import Principal
from datanuri.market.books import Books


@dataclass(frozen=True)
class Payment:
    """A sale paid: its journal entry (id and digest) and the platform's fee."""

    provider: str
    entry_id: int
    entry_sha256: str
    fee: int
    replayed: bool


class PaymentProvider(Protocol):
    """Pays an order and refunds it, inside the order's write transaction `s` (so the payment,
    the order and the entitlement commit or roll back together), under the order's key."""

    name: str

    def pay(
        self,
        s: Session,
        *,
        buyer: int,
        holder_org: str,
        amount: int,
        fee_bps: int,
        key: str,
        memo: str,
        principal: Principal,
    ) -> Payment: ...

    def refund(
        self, s: Session, *, sale_entry: int, amount: int, key: str, memo: str, principal: Principal
    ) -> int:
        """Refund `amount` of a sale; returns the refund's journal entry id."""
        ...


class PrepaidCredit:
    """The built-in provider: the buyer's prepaid credit account in the books."""

    name = "credit"

    def __init__(self, books: Books) -> None:
        self.books = books

    def pay(
        self,
        s: Session,
        *,
        buyer: int,
        holder_org: str,
        amount: int,
        fee_bps: int,
        key: str,
        memo: str,
        principal: Principal,
    ) -> Payment:
        """Charge the buyer's credit (a `Conflict` with nothing posted when it is too small)."""
        e = self.books.charge_in(
            s, buyer, holder_org, amount, fee_bps, key, memo=memo, principal=principal
        )
        fee = -sum(p.amount for p in e.postings if p.account_type == "platform_fee")
        return Payment(self.name, e.id, e.digest, fee, e.replayed)

    def refund(
        self, s: Session, *, sale_entry: int, amount: int, key: str, memo: str, principal: Principal
    ) -> int:
        """Give `amount` back to the buyer's credit."""
        return self.books.refund_in(s, sale_entry, amount, key, memo=memo, principal=principal).id


# ----- the shape of a real payment gateway (not implemented here) -------------------------------
@dataclass(frozen=True)
class Authorisation:
    """A gateway's hold on the buyer's card for an order: its payment id and when it lapses."""

    payment_id: str
    amount: int
    expires_at: dt.datetime


@dataclass(frozen=True)
class GatewayEvent:
    """A verified notification from the gateway (its webhook): what happened to which payment."""

    payment_id: str
    kind: Literal["captured", "refunded", "cancelled", "failed"]
    amount: int
    event_id: str  # the gateway's own id: the idempotency key of the entry it leads to


class GatewayProvider(Protocol):
    """What a PG (payment gateway) integration provides. The order service would: `authorise`
    when the buyer checks out (redirecting to the gateway's page), `capture` when the buyer comes
    back (then, in one transaction: a top-up entry from outside money keyed by the payment id,
    the sale from the credit, the order and the entitlement), `refund` for a refund entry, and
    `webhook` to turn the gateway's signed callbacks into `GatewayEvent`s it applies with the
    event id as the idempotency key (callbacks repeat)."""

    name: str

    def authorise(self, *, order_key: str, amount: int, buyer_email: str) -> Authorisation: ...

    def capture(self, authorisation: Authorisation) -> GatewayEvent: ...

    def refund(self, *, payment_id: str, amount: int, key: str) -> GatewayEvent: ...

    def webhook(self, headers: Mapping[str, str], body: bytes) -> GatewayEvent:
        """Verify the gateway's signature and parse its callback (refuse what fails)."""
        ...
