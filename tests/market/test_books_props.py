"""Money is never made or lost, on SQLite and PostgreSQL: random sequences of top-ups, sales,
refunds, repeated submissions, reused keys, failures injected in the middle of a transaction and
bursts of concurrent sales (Hypothesis, rule-based). After every step the books balance, every
cached balance equals the sum of its postings (`verify`), every balance equals what a plain model
of the same steps says, and the ledger holds one entry per journal entry and no more."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import event
from sqlalchemy.orm import Session

from datanuri import errors
from datanuri.accounts import SYSTEM
from datanuri.accounts.models import User
from datanuri.events import AnyEvent, EventSink
from datanuri.market import money
from datanuri.market.book_tables import BookPosting
from datanuri.market.books import Books
from datanuri.store.db import Database
from tests.market.test_books import make_world

ORGS = ("seller", "other")
AMOUNTS = st.integers(1, 20_000)


class Injected(Exception):
    """A failure made on purpose in the middle of a transaction."""


class FlakySink:
    """The real ledger, which can be told to fail once right after it has appended an entry (the
    append is in the transaction, so it must vanish with the rest)."""

    def __init__(self, inner: EventSink) -> None:
        self.inner = inner
        self.armed = False

    def record(self, session: Session, ev: AnyEvent) -> int | None:
        index = self.inner.record(session, ev)
        if self.armed:
            self.armed = False
            raise errors.LedgerError("injected ledger failure")
        return index


@dataclass
class Faults:
    """A failure at the flush that writes an entry's postings (before the balances are moved)."""

    at_flush: bool = False

    def after_flush(self, session: Session, _ctx: object) -> None:
        if self.at_flush and any(isinstance(o, BookPosting) for o in session.new):
            self.at_flush = False
            raise Injected("injected failure after the postings were flushed")


@dataclass
class Sale:
    id: int
    buyer: int
    org: str
    amount: int
    net: int
    fee: int
    refunded: int = 0


@dataclass
class Model:
    credit: dict[int, int]
    receivable: dict[str, int]
    fee: int
    cash: int
    sales: list[Sale] = field(default_factory=list)
    done: dict[str, tuple[str, tuple[object, ...], int]] = field(default_factory=dict)


class BooksMachine(RuleBasedStateMachine):
    """Steps against the real books, checked against `Model` (plain integers)."""

    books: Books
    db: Database
    sink: FlakySink
    faults: Faults
    ledger_size: Callable[[], int]

    @initialize()
    def start(self) -> None:
        self.prefix = uuid.uuid4().hex[:8]  # the database outlives one run of the machine
        self.keys = itertools.count()
        with self.db.session() as s:  # new buyers each run, so each run starts from 0 credit
            users = [
                User(
                    email=f"{self.prefix}-{i}@example.org", display_name=f"b{i}", password_hash="-"
                )
                for i in range(3)
            ]
            s.add_all(users)
            s.flush()
            self.buyers = [u.id for u in users]
        bal = self.balance
        self.model = Model(
            credit={u: bal("user", u, "buyer_credit") for u in self.buyers},
            receivable={o: bal("org", o, "holder_receivable") for o in ORGS},
            fee=bal("platform", "platform", "platform_fee"),
            cash=bal("platform", "platform", "external_cash"),
        )
        self.entries = type(self).ledger_size()
        self.start_total = self.model.cash - self.model.fee - sum(self.model.receivable.values())

    def balance(self, kind: str, owner: int | str, type_: str) -> int:
        """An account's balance from the books (0 before money first moves through it)."""
        try:
            acct = self.books.account(kind, owner, type_, principal=SYSTEM)
        except errors.NotFound:
            return 0
        return self.books.balance(acct.id, principal=SYSTEM).minor

    def key(self) -> str:
        return f"{self.prefix}-{next(self.keys)}"

    # ----- steps -----------------------------------------------------------------------------
    @rule(who=st.integers(0, 2), amount=AMOUNTS)
    def top_up(self, who: int, amount: int) -> None:
        user, key = self.buyers[who], self.key()
        entry = self.books.top_up(user, amount, key, principal=SYSTEM)
        assert not entry.replayed
        self.model.credit[user] += amount
        self.model.cash += amount
        self.model.done[key] = ("top_up", (user, amount), entry.id)
        self.entries += 1

    @rule(
        who=st.integers(0, 2), org=st.sampled_from(ORGS), amount=AMOUNTS, fee=st.integers(0, 10_000)
    )
    def charge(self, who: int, org: str, amount: int, fee: int) -> None:
        user, key = self.buyers[who], self.key()
        if amount > self.model.credit[user]:
            with pytest.raises(errors.Conflict, match="less than the"):
                self.books.charge(user, org, amount, fee, key, principal=SYSTEM)
            return
        entry = self.books.charge(user, org, amount, fee, key, principal=SYSTEM)
        self._charged(entry.id, user, org, amount, fee, key)

    def _charged(self, entry_id: int, user: int, org: str, amount: int, fee: int, key: str) -> None:
        net, cut = money.split_fee(amount, fee)
        self.model.credit[user] -= amount
        self.model.receivable[org] += net
        self.model.fee += cut
        self.model.sales.append(Sale(entry_id, user, org, amount, net, cut))
        self.model.done[key] = ("charge", (user, org, amount, fee), entry_id)
        self.entries += 1

    # Draws never depend on the state (Hypothesis replays runs, and concurrent steps may end
    # differently): a step picks among what exists by index and does nothing when there is none.
    @rule(pick=st.integers(0, 2**16), share=st.integers(1, 10_001))
    def refund(self, pick: int, share: int) -> None:
        if not self.model.sales:
            return
        sale = self.model.sales[pick % len(self.model.sales)]
        left = sale.amount - sale.refunded
        amount = max(1, sale.amount * share // 10_000)  # a share of it, up to a bit more than all
        key = self.key()
        if amount > left:
            with pytest.raises(errors.InvalidInput, match="more than is left"):
                self.books.refund(sale.id, amount, key, principal=SYSTEM)
            return
        entry = self.books.refund(sale.id, amount, key, principal=SYSTEM)
        net, cut = money.refund_parts([sale.net, sale.fee], sale.refunded, amount)
        assert {p.account_type: p.amount for p in entry.postings} == {
            k: v
            for k, v in {
                "buyer_credit": -amount,
                "holder_receivable": net,
                "platform_fee": cut,
            }.items()
            if v
        }
        sale.refunded += amount
        self.model.credit[sale.buyer] += amount
        self.model.receivable[sale.org] -= net
        self.model.fee -= cut
        self.model.done[key] = ("refund", (sale.id, amount), entry.id)
        self.entries += 1

    @rule(pick=st.integers(0, 2**16))
    def submit_again(self, pick: int) -> None:
        """The same request under the same key: the original entry, nothing charged again."""
        if not self.model.done:
            return
        key = sorted(self.model.done)[pick % len(self.model.done)]
        op, args, entry_id = self.model.done[key]
        again = getattr(self.books, op)(*args, key, principal=SYSTEM)
        assert again.replayed and again.id == entry_id

    @rule(pick=st.integers(0, 2**16), amount=AMOUNTS)
    def reuse_key(self, pick: int, amount: int) -> None:
        """Another request under a used key: a conflict, nothing done."""
        if not self.model.done:
            return
        key = sorted(self.model.done)[pick % len(self.model.done)]
        with pytest.raises(errors.Conflict, match="already used for a different request"):
            self.books.top_up(self.buyers[0], amount + 20_000, key, principal=SYSTEM)

    @rule(
        where=st.sampled_from(["ledger", "flush"]),
        op=st.sampled_from(["top_up", "charge"]),
        who=st.integers(0, 2),
        amount=AMOUNTS,
    )
    def fail_midway(self, where: str, op: str, who: int, amount: int) -> None:
        """A step that would succeed fails in the middle: everything it wrote is rolled back."""
        user = self.buyers[who]
        if op == "charge" and amount > self.model.credit[user]:
            return
        if where == "ledger":
            self.sink.armed = True
        else:
            self.faults.at_flush = True
        key = self.key()
        with pytest.raises((errors.LedgerError, Injected)):
            if op == "top_up":
                self.books.top_up(user, amount, key, principal=SYSTEM)
            else:
                self.books.charge(user, ORGS[0], amount, 250, key, principal=SYSTEM)
        assert not self.sink.armed and not self.faults.at_flush
        # Nothing was kept, so the key is free: the same request now succeeds, once.
        if op == "top_up":
            self.top_up_with(user, amount, key)
        else:
            entry = self.books.charge(user, ORGS[0], amount, 250, key, principal=SYSTEM)
            assert not entry.replayed
            self._charged(entry.id, user, ORGS[0], amount, 250, key)

    def top_up_with(self, user: int, amount: int, key: str) -> None:
        entry = self.books.top_up(user, amount, key, principal=SYSTEM)
        assert not entry.replayed
        self.model.credit[user] += amount
        self.model.cash += amount
        self.model.done[key] = ("top_up", (user, amount), entry.id)
        self.entries += 1

    @rule(
        who=st.integers(0, 2),
        amounts=st.lists(AMOUNTS, min_size=2, max_size=4),
        twice=st.booleans(),
    )
    def concurrent_sales(self, who: int, amounts: list[int], twice: bool) -> None:
        """Several sales from one buyer at once (one of them maybe sent twice under one key):
        no overdraft, each refused one was more than what was left at the end."""
        user = self.buyers[who]
        keys = [self.key() for _ in amounts]
        jobs = list(zip(keys, amounts, strict=True))
        if twice:
            jobs.append(jobs[0])
        start = threading.Barrier(len(jobs))

        def one(job: tuple[str, int]) -> tuple[str, int, int | None]:
            key, amount = job
            start.wait()
            try:
                e = self.books.charge(user, ORGS[1], amount, 1_000, key, principal=SYSTEM)
            except errors.Conflict:
                return key, amount, None
            return key, amount, e.id

        with ThreadPoolExecutor(len(jobs)) as pool:
            results = list(pool.map(one, jobs))
        paid: dict[str, tuple[int, int]] = {}
        for key, amount, entry_id in results:
            if entry_id is not None:
                assert paid.get(key, (amount, entry_id)) == (amount, entry_id)  # once per key
                paid[key] = (amount, entry_id)
        if twice:  # both submissions of one key give the same answer: one entry, or refused
            assert (results[0][2] is None) == (results[-1][2] is None)
        spent = sum(a for a, _ in paid.values())
        assert spent <= self.model.credit[user]
        for key, (amount, entry_id) in paid.items():
            self._charged(entry_id, user, ORGS[1], amount, 1_000, key)
        refused = [a for k, a, e in results if e is None]
        assert all(a > self.model.credit[user] for a in refused)

    # ----- after every step ------------------------------------------------------------------
    @invariant()
    def books_balance_and_match_the_model(self) -> None:
        if not hasattr(self, "model"):
            return
        b = self.books
        assert b.trial_balance(principal=SYSTEM).balanced
        check = b.verify(principal=SYSTEM)
        assert check.ok, check.problems
        m = self.model
        for user, credit in m.credit.items():
            assert self.balance("user", user, "buyer_credit") == credit
        for org, owed in m.receivable.items():
            assert self.balance("org", org, "holder_receivable") == owed
        assert self.balance("platform", "platform", "platform_fee") == m.fee
        assert self.balance("platform", "platform", "external_cash") == m.cash
        # money in = money held: what came in from outside since the start is now credit, owed to
        # holders or fees (the accounts shared with earlier runs counted from where they were)
        held = sum(m.credit.values()) + sum(m.receivable.values()) + m.fee
        assert m.cash - held == self.start_total
        assert type(self).ledger_size() == self.entries


@pytest.mark.slow
def test_books_never_make_or_lose_money(platform):
    make_world(platform, buyers=0)
    sink = FlakySink(platform.ledger)
    faults = Faults()

    class Machine(BooksMachine):
        pass

    Machine.books = Books(platform.db, sink)
    Machine.db = platform.db
    Machine.sink = sink
    Machine.faults = faults
    Machine.ledger_size = staticmethod(platform.ledger.size)  # type: ignore[assignment]
    event.listen(Session, "after_flush", faults.after_flush)
    try:
        run_state_machine_as_test(
            Machine,
            settings=settings(
                max_examples=50,
                stateful_step_count=12,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    finally:
        event.remove(Session, "after_flush", faults.after_flush)
