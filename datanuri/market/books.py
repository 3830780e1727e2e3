"""The books of the data market: money in double-entry accounts, in whole won.

Every movement is one journal entry whose postings add up to zero, written once and never changed
(the database refuses UPDATE and DELETE, migration 0021), under an idempotency key: the same key
with the same request returns the entry already made, with another request it is a `Conflict`.
Each entry is recorded in the integrity ledger (its digest, `book_events`) in the same
transaction, before it is written. An account's balance is the sum of its postings; a cached
copy per account is updated in the same transaction under the row's lock (`SELECT ... FOR
UPDATE` on PostgreSQL; SQLite's `write_session` holds the database's write lock), which is where
an overdraft of a buyer's credit is refused.

Operations: `top_up` (outside money → a buyer's prepaid credit; admins), `charge` (a buyer's
credit → the holder organisation's receivable and the platform's fee), `refund` (part or all of a
sale back to the buyer's credit, taken proportionally from the holder's part and the fee), and
the reads `balance`, `statement`, `trial_balance`, `verify`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from datanuri import canonical, errors
from datanuri.accounts.models import Organization, User
from datanuri.accounts.principal import Principal
from datanuri.events import EventKind, EventSink
from datanuri.market import book_messages as M
from datanuri.market import money
from datanuri.market.book_events import CreditToppedUp, SaleCharged, SaleRefunded
from datanuri.market.book_tables import BookAccount, BookBalance, BookEntry, BookPosting
from datanuri.market.money import CURRENCY, NEVER_NEGATIVE, NORMAL_SIDE, Leg, Won
from datanuri.store.db import Database, lock_name, utcnow
from datanuri.store.upsert import upsert_insert

PLATFORM = "platform"
KEY_MAX = 200
MEMO_MAX = 500


@dataclass(frozen=True)
class AccountInfo:
    id: int
    owner_kind: str  # user | org | platform
    owner_ref: str  # user id, organisation id or "platform"
    type: str  # money.ACCOUNT_TYPES
    currency: str
    normal_side: str  # debit | credit


@dataclass(frozen=True)
class PostingInfo:
    account_id: int
    account_type: str
    amount: int  # signed: debit > 0, credit < 0


@dataclass(frozen=True)
class EntryInfo:
    """A journal entry as written; `replayed` when this call found it under its key."""

    id: int
    key: str
    kind: str  # top_up | sale | refund
    currency: str
    memo: str
    reverses_id: int | None  # the sale a refund is of
    actor: str
    digest: str
    ledger_index: int | None
    created_at: dt.datetime
    postings: tuple[PostingInfo, ...]
    replayed: bool = False

    def amount_to(self, account_id: int) -> int:
        """The signed amount this entry posts to `account_id` (0 if none)."""
        return sum(p.amount for p in self.postings if p.account_id == account_id)


@dataclass(frozen=True)
class StatementLine:
    entry_id: int
    kind: str
    created_at: dt.datetime
    amount: Won  # in the account's own sense: + raises its balance
    balance: Won  # after this line


@dataclass(frozen=True)
class Statement:
    account: AccountInfo
    lines: tuple[StatementLine, ...]
    balance: Won


@dataclass(frozen=True)
class TrialBalance:
    """The sum of every posting per currency (0 when the books balance) and the balance of each
    account type, in its own sense."""

    totals: dict[str, int]
    by_type: dict[str, int]

    @property
    def balanced(self) -> bool:
        return all(v == 0 for v in self.totals.values())


@dataclass(frozen=True)
class BooksCheck:
    entries: int
    postings: int
    accounts: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def entry_digest(key: str, kind: str, currency: str, legs: Sequence[Leg], memo: str) -> str:
    """The SHA-256 a journal entry is recorded in the ledger by: its key, kind, currency, memo and
    postings (account, amount), in account order."""
    postings = [[leg.account_id, leg.amount] for leg in sorted(legs, key=lambda x: x.account_id)]
    return canonical.sha256(
        {"key": key, "kind": kind, "currency": currency, "memo": memo, "postings": postings}
    )


def _clean_key(key: str) -> str:
    if not isinstance(key, str) or not 0 < len(key) <= KEY_MAX or not key.isprintable():
        raise errors.InvalidInput(M.MSG_KEY_FORMAT.format(key=key))
    return key


def _clean_memo(memo: str) -> str:
    memo = (memo or "").strip()
    if len(memo) > MEMO_MAX:
        raise errors.InvalidInput(M.MSG_MEMO_LONG)
    return memo


def _denied(p: Principal, message: str) -> errors.DatanuriError:
    if p.kind == "anonymous":
        return errors.NotAuthenticated(message)
    return errors.PermissionDenied(message)


class Books:
    def __init__(self, db: Database, events: EventSink) -> None:
        self.db = db
        self.events = events

    # ----- moving money ----------------------------------------------------------------------
    def top_up(
        self, user: int, amount: Won | int, key: str, *, memo: str = "", principal: Principal
    ) -> EntryInfo:
        """Add `amount` to user `user`'s prepaid credit from outside money (admins only)."""
        if not principal.is_admin:
            raise _denied(principal, M.MSG_TOP_UP_RIGHTS)
        won, key, memo = Won.positive(amount).minor, _clean_key(key), _clean_memo(memo)
        request = {"op": "top_up", "user": user, "amount": won, "memo": memo}
        with self.db.write_session() as s:
            if (done := self._replay(s, key, request)) is not None:
                return done
            self._user(s, user)
            cash = self._account(s, "platform", PLATFORM, "external_cash")
            credit = self._account(s, "user", str(user), "buyer_credit")
            legs = (Leg(cash.id, won), Leg(credit.id, -won))

            def event(digest: str) -> EventKind:
                return CreditToppedUp(
                    actor=principal.ref, time=utcnow(), entry_sha256=digest, amount=won,
                    currency=CURRENCY,
                )  # fmt: skip

            return self._post(s, "top_up", key, request, legs, memo, None, event, principal)

    def charge(
        self,
        buyer: int,
        holder_org: str,
        amount: Won | int,
        fee_bps: int,
        key: str,
        *,
        memo: str = "",
        principal: Principal,
    ) -> EntryInfo:
        """Pay `amount` from `buyer`'s credit: the holder organisation's part to its receivable,
        `fee_bps` basis points of it (exactly rounded) to the platform's fee. All or nothing: a
        credit too small for it is refused with nothing posted."""
        with self.db.write_session() as s:
            return self.charge_in(
                s, buyer, holder_org, amount, fee_bps, key, memo=memo, principal=principal
            )

    def charge_in(
        self,
        s: Session,
        buyer: int,
        holder_org: str,
        amount: Won | int,
        fee_bps: int,
        key: str,
        *,
        memo: str = "",
        principal: Principal,
    ) -> EntryInfo:
        """`charge` inside the caller's write transaction (an order's, so the order, the sale
        and the entitlement commit or fail together)."""
        if not (principal.is_admin or (principal.kind == "user" and principal.user_id == buyer)):
            raise _denied(principal, M.MSG_CHARGE_RIGHTS)
        won, key, memo = Won.positive(amount).minor, _clean_key(key), _clean_memo(memo)
        net, fee = money.split_fee(won, fee_bps)
        request = {
            "op": "charge", "buyer": buyer, "holder": holder_org, "amount": won,
            "fee_bps": fee_bps, "memo": memo,
        }  # fmt: skip
        if (done := self._replay(s, key, request)) is not None:
            return done
        self._user(s, buyer)
        org = self._org(s, holder_org)
        credit = self._account(s, "user", str(buyer), "buyer_credit")
        receivable = self._account(s, "org", str(org.id), "holder_receivable")
        legs = [Leg(credit.id, won)]
        if net:  # 0 only when the fee takes all of a tiny amount
            legs.append(Leg(receivable.id, -net))
        if fee:
            legs.append(Leg(self._account(s, "platform", PLATFORM, "platform_fee").id, -fee))

        def event(digest: str) -> EventKind:
            return SaleCharged(
                actor=principal.ref, time=utcnow(), organization=org.name,
                entry_sha256=digest, amount=won, fee=fee, currency=CURRENCY,
            )  # fmt: skip

        return self._post(
            s, "sale", key, request, legs, memo, None, event, principal, receivable.id
        )

    def refund(
        self,
        original_entry: int,
        amount: Won | int,
        key: str,
        *,
        memo: str = "",
        principal: Principal,
    ) -> EntryInfo:
        """Give `amount` of sale `original_entry` back to its buyer's credit, taken from the
        holder's part and the fee in proportion; never more than the sale net of earlier
        refunds (admins, or an owner of the holder organisation)."""
        with self.db.write_session() as s:
            return self.refund_in(s, original_entry, amount, key, memo=memo, principal=principal)

    def refund_in(
        self,
        s: Session,
        original_entry: int,
        amount: Won | int,
        key: str,
        *,
        memo: str = "",
        principal: Principal,
    ) -> EntryInfo:
        """`refund` inside the caller's write transaction (an order's refund)."""
        won, key, memo = Won.positive(amount).minor, _clean_key(key), _clean_memo(memo)
        request = {"op": "refund", "entry": original_entry, "amount": won, "memo": memo}
        sale = s.get(BookEntry, original_entry)
        if sale is None:
            raise errors.NotFound(M.MSG_NO_ENTRY.format(entry=original_entry))
        if sale.kind != "sale":
            raise errors.InvalidInput(M.MSG_NOT_A_SALE.format(entry=original_entry))
        parts = {a.type: (a, p.amount) for a, p in self._legs(s, sale.id)}
        receivable = s.get(BookAccount, sale.holder_account_id)
        assert receivable is not None
        net = parts.get("holder_receivable", (receivable, 0))[1]
        org = s.get(Organization, int(receivable.owner_ref))
        assert org is not None
        if not (principal.is_admin or principal.role_in(org.name) == "owner"):
            raise _denied(principal, M.MSG_REFUND_RIGHTS)
        if (done := self._replay(s, key, request)) is not None:
            return done
        lock_name(s, f"books-refund:{sale.id}")  # PostgreSQL: one refund of it at a time
        credit, _ = parts["buyer_credit"]
        fee_account, fee = parts.get("platform_fee", (None, 0))
        charged = [-net, -fee]
        back = self._refunded(s, sale.id, credit.id)
        give_net, give_fee = money.refund_parts(charged, back, won)
        legs = [Leg(credit.id, -won)]
        if give_net:
            legs.append(Leg(receivable.id, give_net))
        if give_fee and fee_account is not None:
            legs.append(Leg(fee_account.id, give_fee))

        def event(digest: str) -> EventKind:
            return SaleRefunded(
                actor=principal.ref, time=utcnow(), organization=org.name,
                entry_sha256=digest, sale_sha256=sale.digest, amount=won, fee=give_fee,
                currency=CURRENCY,
            )  # fmt: skip

        return self._post(
            s, "refund", key, request, legs, memo, sale.id, event, principal, receivable.id
        )

    # ----- reading ---------------------------------------------------------------------------
    def account(
        self, owner_kind: str, owner: int | str, type: str, *, principal: Principal
    ) -> AccountInfo:
        """The account of a user (by id), an organisation (by name) or the platform ("platform")
        of `type`; `NotFound` until money first moves through it."""
        with self.db.session() as s:
            ref = str(owner)
            if owner_kind == "org":
                ref = str(self._org(s, str(owner)).id)
            row = s.scalar(
                select(BookAccount).where(
                    BookAccount.owner_kind == owner_kind,
                    BookAccount.owner_ref == ref,
                    BookAccount.type == type,
                    BookAccount.currency == CURRENCY,
                )
            )
            if row is None:
                raise errors.NotFound(M.MSG_NO_ACCOUNT.format(account=f"{owner_kind}:{owner}"))
            self._may_read(s, row, principal)
            return _account_info(row)

    def balance(self, account: int, *, principal: Principal) -> Won:
        """The account's balance in its own sense (credit left, money owed to a holder...)."""
        with self.db.session() as s:
            row = self._load_account(s, account, principal)
            raw = s.scalar(select(BookBalance.balance).where(BookBalance.account_id == row.id))
            return Won(money.sign(_side(row)) * int(raw or 0))

    def statement(self, account: int, *, principal: Principal) -> Statement:
        """Every posting to the account, oldest first, with the running balance."""
        with self.db.session() as s:
            row = self._load_account(s, account, principal)
            sign = money.sign(_side(row))
            q = (
                select(BookPosting.entry_id, BookPosting.amount, BookEntry.kind, BookEntry.created_at)
                .join(BookEntry, BookEntry.id == BookPosting.entry_id)
                .where(BookPosting.account_id == row.id)
                .order_by(BookPosting.entry_id)
            )  # fmt: skip
            running, lines = 0, []
            for entry_id, amount, kind, created in s.execute(q):
                running += sign * amount
                lines.append(
                    StatementLine(entry_id, kind, created, Won(sign * amount), Won(running))
                )
            return Statement(_account_info(row), tuple(lines), Won(running))

    def entry(self, entry_id: int, *, principal: Principal) -> EntryInfo:
        """One journal entry (admins and auditors, or the owner of an account it posts to)."""
        with self.db.session() as s:
            row = s.get(BookEntry, entry_id)
            if row is None:
                raise errors.NotFound(M.MSG_NO_ENTRY.format(entry=entry_id))
            if not _auditing(principal) and not any(
                self._owns(s, a, principal) for a, _ in self._legs(s, row.id)
            ):
                raise errors.NotFound(M.MSG_NO_ENTRY.format(entry=entry_id))
            return self._info(s, row)

    def trial_balance(self, *, principal: Principal) -> TrialBalance:
        """The sum of all postings per currency (admins and auditors)."""
        if not _auditing(principal):
            raise _denied(principal, M.MSG_BOOKS_RIGHTS)
        with self.db.session() as s:
            totals = {
                c: int(v)
                for c, v in s.execute(
                    select(BookAccount.currency, func.coalesce(func.sum(BookPosting.amount), 0))
                    .join(BookPosting, BookPosting.account_id == BookAccount.id)
                    .group_by(BookAccount.currency)
                )
            }
            by_type: dict[str, int] = {}
            for type_, total in s.execute(
                select(BookAccount.type, func.sum(BookPosting.amount))
                .join(BookPosting, BookPosting.account_id == BookAccount.id)
                .group_by(BookAccount.type)
            ):
                by_type[type_] = money.sign(NORMAL_SIDE[type_]) * int(total)
            return TrialBalance(totals or {CURRENCY: 0}, dict(sorted(by_type.items())))

    def verify(self, *, principal: Principal) -> BooksCheck:
        """Check the books from their postings (admins and auditors): every entry balanced with
        at least two postings and its digest unchanged, every cached balance equal to the sum of
        the account's postings, no account that must not go negative below zero, no sale
        refunded beyond what it charged."""
        if not _auditing(principal):
            raise _denied(principal, M.MSG_BOOKS_RIGHTS)
        problems: list[str] = []
        with self.db.session() as s:
            accounts = {a.id: a for a in s.scalars(select(BookAccount))}
            legs: dict[int, list[Leg]] = {}
            for entry_id, account_id, amount in s.execute(
                select(BookPosting.entry_id, BookPosting.account_id, BookPosting.amount).order_by(
                    BookPosting.id
                )
            ):
                legs.setdefault(entry_id, []).append(Leg(account_id, amount))
            entries = list(s.scalars(select(BookEntry).order_by(BookEntry.id)))
            sums: dict[int, tuple[int, int]] = {}
            paid: dict[int, int] = {}  # sale id -> what the buyer paid, less what came back
            for e in entries:
                mine = legs.pop(e.id, [])
                credit = sum(
                    x.amount for x in mine if accounts[x.account_id].type == "buyer_credit"
                )
                if e.kind == "sale":
                    paid[e.id] = paid.get(e.id, 0) + credit
                elif e.reverses_id is not None:
                    paid[e.reverses_id] = paid.get(e.reverses_id, 0) + credit
                if len(mine) < 2 or sum(x.amount for x in mine) != 0:
                    problems.append(M.PROB_UNBALANCED.format(entry=e.id))
                if entry_digest(e.idempotency_key, e.kind, e.currency, mine, e.memo) != e.digest:
                    problems.append(M.PROB_DIGEST.format(entry=e.id))
                for leg in mine:
                    total, count = sums.get(leg.account_id, (0, 0))
                    sums[leg.account_id] = (total + leg.amount, count + 1)
            if legs:
                problems.append(M.PROB_ORPHANS.format(entries=sorted(legs)))
            cached = {b.account_id: b for b in s.scalars(select(BookBalance))}
            for a in accounts.values():
                total, count = sums.get(a.id, (0, 0))
                c = cached.get(a.id)
                if c is None or (c.balance, c.postings) != (total, count):
                    problems.append(M.PROB_CACHED.format(account=a.id))
                if a.type in NEVER_NEGATIVE and money.sign(_side(a)) * total < 0:
                    problems.append(M.PROB_NEGATIVE.format(account=a.id))
            problems += [M.PROB_OVERREFUNDED.format(entry=i) for i, v in paid.items() if v < 0]
            return BooksCheck(
                len(entries), sum(n for _, n in sums.values()), len(accounts), tuple(problems)
            )

    # ----- helpers ---------------------------------------------------------------------------
    def _post(
        self,
        s: Session,
        kind: str,
        key: str,
        request: dict[str, object],
        legs: Sequence[Leg],
        memo: str,
        reverses: int | None,
        event: Callable[[str], EventKind],
        principal: Principal,
        holder_account: int | None = None,
    ) -> EntryInfo:
        """Write one balanced entry: lock the accounts' balances (in account order, so two
        entries never wait on each other in a circle), refuse one that would take an account
        that must not go negative below zero, record it in the ledger, then write it."""
        legs = money.check_entry(legs)
        ids = sorted(leg.account_id for leg in legs)
        held = {
            b.account_id: b
            for b in s.scalars(
                select(BookBalance)
                .where(BookBalance.account_id.in_(ids))
                .order_by(BookBalance.account_id)
                .with_for_update()
            )
        }
        for leg in legs:
            account = s.get(BookAccount, leg.account_id)
            assert account is not None
            sign = money.sign(_side(account))
            now = sign * held[leg.account_id].balance
            if account.type in NEVER_NEGATIVE and now + sign * leg.amount < 0:
                if account.type == "buyer_credit":
                    raise errors.Conflict(
                        M.MSG_INSUFFICIENT_CREDIT.format(balance=now, amount=-sign * leg.amount)
                    )
                raise errors.Conflict(
                    M.MSG_WOULD_GO_NEGATIVE.format(account=account.id, type=account.type)
                )
        digest = entry_digest(key, kind, CURRENCY, legs, memo)
        index = self.events.record(s, event(digest))
        row = BookEntry(
            idempotency_key=key,
            request_sha256=canonical.sha256(request),
            kind=kind,
            currency=CURRENCY,
            memo=memo,
            reverses_id=reverses,
            holder_account_id=holder_account,
            actor=principal.ref,
            digest=digest,
            ledger_index=index,
            created_at=utcnow(),
        )
        s.add(row)
        s.flush()
        s.add_all(
            BookPosting(entry_id=row.id, account_id=x.account_id, amount=x.amount) for x in legs
        )
        s.flush()
        for leg in legs:
            s.execute(
                text(
                    "UPDATE book_balances SET balance = balance + :a, postings = postings + 1, "
                    "last_entry_id = :e WHERE account_id = :id"
                ),
                {"a": leg.amount, "e": row.id, "id": leg.account_id},
            )
        s.expire_all()
        return self._info(s, row)

    def _replay(self, s: Session, key: str, request: dict[str, object]) -> EntryInfo | None:
        """The entry already made under `key` for this same request, or None; a `Conflict` when
        the key was used for another request. Holds the key's lock (PostgreSQL) until the end of
        the transaction, so the same request sent twice at once is written once."""
        lock_name(s, f"books-key:{key}")
        row = s.scalar(select(BookEntry).where(BookEntry.idempotency_key == key))
        if row is None:
            return None
        if row.request_sha256 != canonical.sha256(request):
            raise errors.Conflict(M.MSG_KEY_REUSED.format(key=key))
        return self._info(s, row, replayed=True)

    @staticmethod
    def _account(s: Session, owner_kind: str, ref: str, type: str) -> BookAccount:
        """The account, made (with its zero balance row) on first use; safe when two
        transactions make it at once (INSERT ... ON CONFLICT DO NOTHING, then read)."""
        q = select(BookAccount).where(
            BookAccount.owner_kind == owner_kind,
            BookAccount.owner_ref == ref,
            BookAccount.type == type,
            BookAccount.currency == CURRENCY,
        )
        row = s.scalar(q)
        if row is not None:
            return row
        s.execute(
            upsert_insert(s.get_bind().dialect, BookAccount)
            .values(
                owner_kind=owner_kind,
                owner_ref=ref,
                type=type,
                currency=CURRENCY,
                normal_side=NORMAL_SIDE[type],
                created_at=utcnow(),
            )
            .on_conflict_do_nothing()
        )
        row = s.scalar(q)
        assert row is not None
        s.execute(
            upsert_insert(s.get_bind().dialect, BookBalance)
            .values(account_id=row.id, balance=0, postings=0, last_entry_id=None)
            .on_conflict_do_nothing()
        )
        return row

    @staticmethod
    def _user(s: Session, user_id: int) -> User:
        user = s.get(User, money.whole(user_id, "user id"))
        if user is None or not user.is_active:
            raise errors.NotFound(M.MSG_NO_USER.format(user=user_id))
        return user

    @staticmethod
    def _org(s: Session, name: str) -> Organization:
        org = s.scalar(select(Organization).where(Organization.name == name))
        if org is None:
            raise errors.NotFound(errors.MSG_ORG_NOT_FOUND.format(name=name))
        return org

    @staticmethod
    def _legs(s: Session, entry_id: int) -> list[tuple[BookAccount, BookPosting]]:
        q = (
            select(BookAccount, BookPosting)
            .join(BookPosting, BookPosting.account_id == BookAccount.id)
            .where(BookPosting.entry_id == entry_id)
            .order_by(BookPosting.id)
        )
        return [(a, p) for a, p in s.execute(q).all()]

    @staticmethod
    def _refunded(s: Session, sale_id: int, credit_id: int) -> int:
        """How much of sale `sale_id` its refunds gave back to the buyer's credit so far."""
        total = s.scalar(
            select(func.coalesce(func.sum(BookPosting.amount), 0))
            .join(BookEntry, BookEntry.id == BookPosting.entry_id)
            .where(BookEntry.reverses_id == sale_id, BookPosting.account_id == credit_id)
        )
        return -int(total or 0)

    def _load_account(self, s: Session, account: int, principal: Principal) -> BookAccount:
        row = s.get(BookAccount, account)
        if row is None:
            raise errors.NotFound(M.MSG_NO_ACCOUNT.format(account=account))
        self._may_read(s, row, principal)
        return row

    def _may_read(self, s: Session, row: BookAccount, principal: Principal) -> None:
        if not (_auditing(principal) or self._owns(s, row, principal)):
            raise _denied(principal, M.MSG_STATEMENT_RIGHTS)

    @staticmethod
    def _owns(s: Session, row: BookAccount, p: Principal) -> bool:
        """Whether `p` owns the account: the user, or an owner of the organisation."""
        if row.owner_kind == "user":
            return p.kind == "user" and str(p.user_id) == row.owner_ref
        if row.owner_kind == "org":
            org = s.get(Organization, int(row.owner_ref))
            return org is not None and p.role_in(org.name) == "owner"
        return p.is_admin

    def _info(self, s: Session, row: BookEntry, *, replayed: bool = False) -> EntryInfo:
        return EntryInfo(
            id=row.id,
            key=row.idempotency_key,
            kind=row.kind,
            currency=row.currency,
            memo=row.memo,
            reverses_id=row.reverses_id,
            actor=row.actor,
            digest=row.digest,
            ledger_index=row.ledger_index,
            created_at=row.created_at,
            postings=tuple(
                PostingInfo(p.account_id, a.type, p.amount) for a, p in self._legs(s, row.id)
            ),
            replayed=replayed,
        )


def _auditing(p: Principal) -> bool:
    return p.is_admin or p.platform_role == "auditor"


def _side(row: BookAccount) -> money.Side:
    return "debit" if row.normal_side == "debit" else "credit"


def _account_info(row: BookAccount) -> AccountInfo:
    return AccountInfo(
        row.id, row.owner_kind, row.owner_ref, row.type, row.currency, row.normal_side
    )
