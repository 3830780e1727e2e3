"""The books under threads on both databases: many sales from one buyer at once never overdraw
the credit, one key sent from many threads is charged once, refunds of one sale at once never
give back more than it charged, and accounts made at the same moment by many first uses are made
once."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from datanuri import errors
from datanuri.accounts import SYSTEM
from datanuri.market.books import EntryInfo
from tests.market.test_books import make_world

T = TypeVar("T")
THREADS = 6


def _at_once(jobs: list[Callable[[], T]]) -> list[T | errors.DatanuriError]:
    """Run the jobs on their own threads, started together; a job's error is its result."""
    start = threading.Barrier(len(jobs))

    def run(job: Callable[[], T]) -> T | errors.DatanuriError:
        start.wait()
        try:
            return job()
        except errors.DatanuriError as exc:
            return exc

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs))


def _credit(w, user: int) -> int:
    acct = w.books.account("user", user, "buyer_credit", principal=SYSTEM)
    return w.books.balance(acct.id, principal=SYSTEM).minor


def test_first_uses_at_once_make_each_account_once(platform):
    w = make_world(platform, buyers=THREADS)
    made = _at_once(
        [
            (lambda u=u: w.books.top_up(u, 5_000, f"t-{u}", principal=SYSTEM))
            for u in w.buyers  # every one makes the platform's outside-cash account first
        ]
    )
    assert all(isinstance(m, EntryInfo) for m in made)
    sold = _at_once(
        [
            (lambda u=u: w.books.charge(u, "seller", 1_000, 500, f"o-{u}", principal=SYSTEM))
            for u in w.buyers  # and the seller's receivable and the platform's fee here
        ]
    )
    assert all(isinstance(m, EntryInfo) for m in sold)
    cash = {p.account_id for m in made for p in m.postings if p.account_type == "external_cash"}
    fee = {p.account_id for m in sold for p in m.postings if p.account_type == "platform_fee"}
    assert len(cash) == 1 and len(fee) == 1
    tb = w.books.trial_balance(principal=SYSTEM)
    assert tb.balanced and tb.by_type["platform_fee"] == 50 * THREADS
    assert w.books.verify(principal=SYSTEM).ok


def test_sales_at_once_never_overdraw(platform):
    w = make_world(platform, buyers=1)
    b, buyer = w.books, w.buyers[0]
    b.top_up(buyer, 10_000, "t", principal=SYSTEM)
    rng = random.Random(7)
    asks = [(f"o-{i}", rng.randint(500, 3_000), rng.choice(["seller", "other"])) for i in range(12)]
    results = _at_once(
        [
            (lambda k=k, a=a, o=o: b.charge(buyer, o, a, 1_250, k, principal=SYSTEM))
            for k, a, o in asks
        ]
    )
    paid = [a for (_, a, _), r in zip(asks, results, strict=True) if isinstance(r, EntryInfo)]
    refused = [
        a for (_, a, _), r in zip(asks, results, strict=True) if isinstance(r, errors.Conflict)
    ]
    assert len(paid) + len(refused) == len(asks)
    left = _credit(w, buyer)
    assert left == 10_000 - sum(paid) >= 0
    assert all(a > left for a in refused)  # each was refused because it no longer fitted
    assert refused, "the asks add up to more than the credit, so some must be refused"
    check = b.verify(principal=SYSTEM)
    assert check.ok and check.entries == 1 + len(paid)
    assert b.trial_balance(principal=SYSTEM).balanced


def test_one_key_from_many_threads_is_charged_once(platform):
    w = make_world(platform, buyers=1)
    b, buyer = w.books, w.buyers[0]
    b.top_up(buyer, 10_000, "t", principal=SYSTEM)
    size = platform.ledger.size()
    results = _at_once(
        [lambda: b.charge(buyer, "seller", 3_000, 300, "order-77", principal=SYSTEM)] * THREADS
    )
    assert all(isinstance(r, EntryInfo) for r in results)
    entries = [r for r in results if isinstance(r, EntryInfo)]
    assert len({r.id for r in entries}) == 1
    assert sorted(r.replayed for r in entries) == [False] + [True] * (THREADS - 1)
    assert _credit(w, buyer) == 7_000
    assert platform.ledger.size() == size + 1
    assert b.verify(principal=SYSTEM).ok


def test_refunds_of_one_sale_at_once_never_exceed_it(platform):
    w = make_world(platform, buyers=1)
    b, buyer = w.books, w.buyers[0]
    b.top_up(buyer, 1_000, "t", principal=SYSTEM)
    sale = b.charge(buyer, "seller", 1_000, 1_000, "o", principal=SYSTEM)
    results = _at_once(
        [(lambda i=i: b.refund(sale.id, 400, f"r-{i}", principal=SYSTEM)) for i in range(THREADS)]
    )
    done = [r for r in results if isinstance(r, EntryInfo)]
    assert len(done) == 2  # 400 + 400 of 1,000; a third would be too much
    assert all(isinstance(r, errors.InvalidInput) for r in results if r not in done)
    assert _credit(w, buyer) == 800
    assert b.verify(principal=SYSTEM).ok
