"""Ledger event kinds of the books: a credit top-up, a sale's posting and a refund.

Each records the SHA-256 of its journal entry (`Books.entry_digest`: key, kind, currency and every
posting with its account), so anyone holding the entry can check it against the ledger. The
entries name no account: the actor is whoever acted (the buyer paying, an administrator topping
up), the subject the selling organisation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from datanuri.events import EventKind, _sha256, register

BOOKS_SUBJECT = "market:books"


@register
@dataclass(frozen=True, kw_only=True)
class CreditToppedUp(EventKind):
    """An administrator topped up a buyer's prepaid credit from outside money (the entry's
    digest, the amount and currency)."""

    name: ClassVar[str] = "market.credit.topped_up"
    entry_sha256: str
    amount: int
    currency: str

    @property
    def subject(self) -> str:
        return BOOKS_SUBJECT

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"entry": _sha256(self.entry_sha256)}

    @property
    def data(self) -> Mapping[str, Any]:
        return {"amount": self.amount, "currency": self.currency}


@register
@dataclass(frozen=True, kw_only=True)
class SaleCharged(EventKind):
    """A buyer's credit paid a sale: the holder organisation's part and the platform's fee (the
    entry's digest; the buyer only inside it)."""

    name: ClassVar[str] = "market.sale.charged"
    organization: str
    entry_sha256: str
    amount: int
    fee: int
    currency: str

    @property
    def subject(self) -> str:
        return f"org:{self.organization}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"entry": _sha256(self.entry_sha256)}

    @property
    def data(self) -> Mapping[str, Any]:
        return {"amount": self.amount, "fee": self.fee, "currency": self.currency}


@register
@dataclass(frozen=True, kw_only=True)
class SaleRefunded(EventKind):
    """Part or all of a sale went back to the buyer's credit, taken proportionally from the
    holder's part and the fee (the refund entry's digest and the sale entry's digest)."""

    name: ClassVar[str] = "market.sale.refunded"
    organization: str
    entry_sha256: str
    sale_sha256: str
    amount: int
    fee: int  # the part of the refund taken from the platform's fee
    currency: str

    @property
    def subject(self) -> str:
        return f"org:{self.organization}"

    @property
    def hashes(self) -> Mapping[str, str]:
        return {"entry": _sha256(self.entry_sha256), "sale": _sha256(self.sale_sha256)}

    @property
    def data(self) -> Mapping[str, Any]:
        return {"amount": self.amount, "fee": self.fee, "currency": self.currency}
