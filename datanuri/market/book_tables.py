"""Tables of the double-entry books: accounts, journal entries and their postings (insert-only:
the database refuses UPDATE and DELETE on them, migration 0021), and a cached balance per account
kept in the same transaction as each posting."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from datanuri.store.db import Base, utcnow

INSERT_ONLY = ("book_accounts", "book_entries", "book_postings")


class BookAccount(Base):
    """One account: whose (a user, an organisation or the platform), which kind, which currency."""

    __tablename__ = "book_accounts"
    __table_args__ = (UniqueConstraint("owner_kind", "owner_ref", "type", "currency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(10))  # user | org | platform
    owner_ref: Mapped[str] = mapped_column(String(100))  # user id, organisation id, "platform"
    type: Mapped[str] = mapped_column(String(30))  # money.ACCOUNT_TYPES
    currency: Mapped[str] = mapped_column(String(3))
    normal_side: Mapped[str] = mapped_column(String(6))  # debit | credit
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class BookEntry(Base):
    """A balanced journal entry; its postings add up to zero. Never updated or deleted."""

    __tablename__ = "book_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    request_sha256: Mapped[str] = mapped_column(String(64))  # what was asked under the key
    kind: Mapped[str] = mapped_column(String(20))  # top_up | sale | refund
    currency: Mapped[str] = mapped_column(String(3))
    memo: Mapped[str] = mapped_column(Text, default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("book_entries.id"), index=True)
    # The holder organisation's receivable of a sale or refund (even when its part rounds to 0).
    holder_account_id: Mapped[int | None] = mapped_column(ForeignKey("book_accounts.id"))
    actor: Mapped[str] = mapped_column(String(100))  # Principal.ref
    digest: Mapped[str] = mapped_column(String(64))  # the SHA-256 the ledger entry holds
    ledger_index: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class BookPosting(Base):
    """One line of an entry: a signed amount (debit > 0, credit < 0) to one account."""

    __tablename__ = "book_postings"
    __table_args__ = (CheckConstraint("amount <> 0", name="nonzero"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("book_entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("book_accounts.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)


class BookBalance(Base):
    """An account's balance as the sum of its postings (signed), cached: updated under the row's
    lock in the transaction that adds the postings; `verify` recomputes it."""

    __tablename__ = "book_balances"

    account_id: Mapped[int] = mapped_column(ForeignKey("book_accounts.id"), primary_key=True)
    balance: Mapped[int] = mapped_column(BigInteger)
    postings: Mapped[int] = mapped_column(Integer)
    last_entry_id: Mapped[int | None] = mapped_column(ForeignKey("book_entries.id"))
