"""Orders never make or lose money, on SQLite and PostgreSQL (Hypothesis, rule-based): random
top-ups, orders (repeated keys among them), partial and full refunds, orders that fail in the
middle of their transaction (the ledger refuses the order's entry after the sale was posted), and
bursts of concurrent orders. After every step the books balance, every cached balance equals the
sum of its postings, each buyer's credit equals what a plain model says, the holder's receivable
plus the fee equals what the orders kept, and each paid order has exactly one sale entry."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from datanuri import errors
from datanuri.accounts import SYSTEM
from datanuri.market.book_tables import BookEntry
from datanuri.market.order_tables import MarketOrder
from tests.market import orders_world as W
from tests.market.test_books_props import FlakySink

PRICE = 50_000
BUYERS = ("buyer", "other")


@pytest.mark.slow
def test_orders_never_make_or_lose_money(platform, tmp_path):
    w = W.build(platform, tmp_path)
    listing = w["listings"]["one_off"]
    orders = platform.orders
    sink = FlakySink(orders.events)
    orders.events = sink
    counter = itertools.count()

    def credit(name: str) -> int:
        return orders.credit(principal=w[name]).balance

    class Machine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.credit = {b: credit(b) for b in BUYERS}
            self.kept = self._kept()  # holder's part + fee so far
            self.model_kept = self.kept
            self.keys: list[tuple[str, str]] = []  # (buyer, key) of orders made
            self.paid: list[int] = []

        @staticmethod
        def _kept() -> int:
            by = platform.books.trial_balance(principal=SYSTEM).by_type
            return by.get("holder_receivable", 0) + by.get("platform_fee", 0)

        @rule(buyer=st.sampled_from(BUYERS), amount=st.integers(1, 3).map(lambda n: n * 40_000))
        def top_up(self, buyer: str, amount: int) -> None:
            orders.top_up(f"{buyer}@example.org", amount, key=f"t{next(counter)}", principal=SYSTEM)
            self.credit[buyer] += amount

        def _order(self, buyer: str, key: str) -> None:
            try:
                made = orders.place(listing, key=key, principal=w[buyer])
            except errors.Conflict:
                return
            if not made.replayed:
                self.credit[buyer] -= PRICE
                self.model_kept += PRICE
                self.paid.append(made.id)
                self.keys.append((buyer, key))

        @rule(buyer=st.sampled_from(BUYERS), repeat=st.booleans())
        def order(self, buyer: str, repeat: bool) -> None:
            mine = [k for b, k in self.keys if b == buyer]
            key = mine[-1] if repeat and mine else f"o{next(counter)}"
            self._order(buyer, key)

        @rule(buyer=st.sampled_from(BUYERS))
        def order_that_fails(self, buyer: str) -> None:
            sink.armed = True
            try:
                orders.place(listing, key=f"f{next(counter)}", principal=w[buyer])
            except (errors.LedgerError, errors.Conflict):
                pass
            finally:
                sink.armed = False

        @rule(n=st.integers(2, 4), same=st.booleans())
        def burst(self, n: int, same: bool) -> None:
            base = f"b{next(counter)}"
            keys = [base if same else f"{base}-{i}" for i in range(n)]
            before = {b: credit(b) for b in BUYERS}
            with ThreadPoolExecutor(n) as pool:
                done = list(pool.map(self._try, [(BUYERS[0], k) for k in keys]))
            made = {d for d in done if d is not None}
            assert len(made) <= (1 if same else n)
            spent = before[BUYERS[0]] - credit(BUYERS[0])
            assert spent == PRICE * len(made)
            self.credit[BUYERS[0]] -= spent
            self.model_kept += spent
            self.paid.extend(made)

        @staticmethod
        def _try(arg: tuple[str, str]) -> int | None:
            buyer, key = arg
            try:
                return orders.place(listing, key=key, principal=w[buyer]).id
            except errors.Conflict:
                return None

        @rule(data=st.data())
        def refund(self, data: st.DataObject) -> None:
            if not self.paid:
                return
            oid = data.draw(st.sampled_from(self.paid))
            o = orders.get(oid, principal=SYSTEM)
            left = o.amount - o.refunded
            if left == 0:
                return
            amount = data.draw(st.integers(1, left))
            orders.refund(oid, key=f"r{next(counter)}", amount=amount, principal=w["own"])
            buyer = "buyer" if o.buyer.startswith("buyer") else "other"
            self.credit[buyer] += amount
            self.model_kept -= amount

        @invariant()
        def money_is_kept(self) -> None:
            assert platform.books.trial_balance(principal=SYSTEM).balanced
            assert platform.books.verify(principal=SYSTEM).ok
            assert {b: credit(b) for b in BUYERS} == self.credit
            assert self._kept() == self.model_kept
            with platform.db.session() as s:
                paid = s.scalar(select(func.count()).where(MarketOrder.entry_id.is_not(None)))
                sales = s.scalar(select(func.count()).where(BookEntry.kind == "sale"))
            assert paid == sales

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=8,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
