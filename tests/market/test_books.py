"""The books on both databases: top-ups, sales and refunds as balanced, insert-only journal
entries recorded in the ledger; idempotency keys; overdrafts refused; rights; and the database
itself refusing UPDATE and DELETE of entries and postings."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from datanuri import canonical, errors
from datanuri.accounts import SYSTEM
from datanuri.accounts.principal import Principal
from datanuri.i18n import translate
from datanuri.market import book_messages as M
from datanuri.market.books import Books, entry_digest
from datanuri.market.money import Leg, Won
from tests.helpers import PASSWORD

ADMIN = SYSTEM


@dataclass
class World:
    books: Books
    platform: object
    buyers: list[int]  # user ids
    buyer_p: list[Principal]
    owner: Principal  # owner of org "seller"
    stranger: Principal
    auditor: Principal


def make_world(platform, buyers: int = 3) -> World:
    """Users buyer0..N, an organisation "seller" (owner "own") and "other" (owner "lee"), an
    auditor, and the books over the platform's database and ledger."""
    acc = platform.accounts
    emails = [f"buyer{i}@example.org" for i in range(buyers)]
    for e in [*emails, "own@example.org", "lee@example.org"]:
        acc.create_user(e, display_name=e.split("@")[0], password=PASSWORD, principal=SYSTEM)
    acc.create_user(
        "audit@example.org",
        display_name="audit",
        password=PASSWORD,
        platform_role="auditor",
        principal=SYSTEM,
    )
    acc.create_organization("seller", principal=SYSTEM)
    acc.create_organization("other", principal=SYSTEM)
    acc.add_member("seller", "own@example.org", role="owner", principal=SYSTEM)
    acc.add_member("other", "lee@example.org", role="owner", principal=SYSTEM)
    ps = [acc.principal_for(e) for e in emails]
    return World(
        books=Books(platform.db, platform.ledger),
        platform=platform,
        buyers=[p.user_id for p in ps],
        buyer_p=ps,
        owner=acc.principal_for("own@example.org"),
        stranger=acc.principal_for("lee@example.org"),
        auditor=acc.principal_for("audit@example.org"),
    )


@pytest.fixture
def w(platform) -> World:
    return make_world(platform)


def _ledger_entries(platform, prefix: str = "market.") -> list[dict]:
    out = []
    for i in range(platform.ledger.size()):
        e = platform.ledger.public_receipt(i)["entry"]
        if e["type"].startswith(prefix):
            out.append(e)
    return out


def _balances(w: World, owner_kind: str, owner, type_: str) -> int:
    acct = w.books.account(owner_kind, owner, type_, principal=ADMIN)
    return w.books.balance(acct.id, principal=ADMIN).minor


def test_top_up_charge_refund_balance_and_are_in_the_ledger(w):
    b, buyer = w.books, w.buyers[0]
    up = b.top_up(buyer, 10_000, "topup-1", principal=ADMIN)
    assert up.kind == "top_up" and not up.replayed
    assert sum(p.amount for p in up.postings) == 0
    credit = b.account("user", buyer, "buyer_credit", principal=w.buyer_p[0])
    assert b.balance(credit.id, principal=w.buyer_p[0]) == Won(10_000)

    # 7,001 won at 3.33%: the fee is 233.1333 → 233, the holder gets 6,768; nothing is lost.
    sale = b.charge(buyer, "seller", 7_001, 333, "order-1", principal=w.buyer_p[0])
    by_type = {p.account_type: p.amount for p in sale.postings}
    assert by_type == {"buyer_credit": 7_001, "holder_receivable": -6_768, "platform_fee": -233}
    assert b.balance(credit.id, principal=ADMIN) == Won(2_999)
    assert _balances(w, "org", "seller", "holder_receivable") == 6_768
    assert _balances(w, "platform", "platform", "platform_fee") == 233

    # Refund in three steps: the parts given back add up to exactly what each part received.
    r1 = b.refund(sale.id, 1, "refund-1", principal=w.owner)
    r2 = b.refund(sale.id, 3_000, "refund-2", principal=ADMIN)
    r3 = b.refund(sale.id, 4_000, "refund-3", principal=ADMIN)
    assert [r.reverses_id for r in (r1, r2, r3)] == [sale.id] * 3
    fee_back = sum(
        p.amount for r in (r1, r2, r3) for p in r.postings if p.account_type == "platform_fee"
    )
    assert fee_back == 233
    assert b.balance(credit.id, principal=ADMIN) == Won(10_000)
    assert _balances(w, "org", "seller", "holder_receivable") == 0
    assert _balances(w, "platform", "platform", "platform_fee") == 0
    with pytest.raises(errors.InvalidInput, match="more than is left to refund"):
        b.refund(sale.id, 1, "refund-4", principal=ADMIN)

    tb = b.trial_balance(principal=w.auditor)
    assert tb.balanced and tb.totals == {"KRW": 0}
    assert tb.by_type["external_cash"] == 10_000 and tb.by_type["buyer_credit"] == 10_000
    assert b.verify(principal=w.auditor).ok

    # Every entry is in the ledger by its digest, at the index the entry keeps.
    recorded = _ledger_entries(w.platform)
    assert [e["type"] for e in recorded] == [
        "market.credit.topped_up",
        "market.sale.charged",
        "market.sale.refunded",
        "market.sale.refunded",
        "market.sale.refunded",
    ]
    assert recorded[1]["subject"] == "org:seller"
    assert recorded[1]["data"] == {"amount": 7_001, "fee": 233, "currency": "KRW"}
    assert recorded[1]["hashes"] == {"entry": f"sha256:{sale.digest}"}
    assert recorded[2]["hashes"]["sale"] == f"sha256:{sale.digest}"
    assert recorded[1]["actor"] == f"user:{buyer}"  # who paid; the data name no account
    for entry in (up, sale, r1):
        assert w.platform.ledger.public_receipt(entry.ledger_index)["entry"]["hashes"]["entry"] == (
            f"sha256:{entry.digest}"
        )
    # The digest is the SHA-256 of the entry's canonical form, which anyone holding it can check.
    legs = [Leg(p.account_id, p.amount) for p in sale.postings]
    assert sale.digest == entry_digest("order-1", "sale", "KRW", legs, "")
    form = {
        "key": "order-1",
        "kind": "sale",
        "currency": "KRW",
        "memo": "",
        "postings": sorted([p.account_id, p.amount] for p in sale.postings),
    }
    assert sale.digest == hashlib.sha256(canonical.dumps(form)).hexdigest()

    st = b.statement(credit.id, principal=w.buyer_p[0])
    assert [(x.kind, x.amount.minor, x.balance.minor) for x in st.lines] == [
        ("top_up", 10_000, 10_000),
        ("sale", -7_001, 2_999),
        ("refund", 1, 3_000),
        ("refund", 3_000, 6_000),
        ("refund", 4_000, 10_000),
    ]


def test_the_same_request_twice_charges_once_and_another_under_the_key_conflicts(w):
    b, buyer, p = w.books, w.buyers[0], w.buyer_p[0]
    b.top_up(buyer, 5_000, "t1", principal=ADMIN)
    again = b.top_up(buyer, 5_000, "t1", principal=ADMIN)
    assert again.replayed
    first = b.charge(buyer, "seller", 1_000, 500, "o1", principal=p)
    second = b.charge(buyer, "seller", 1_000, 500, "o1", principal=p)
    assert second.replayed and second.id == first.id and second.postings == first.postings
    credit = b.account("user", buyer, "buyer_credit", principal=p)
    assert b.balance(credit.id, principal=p) == Won(4_000)
    assert len(_ledger_entries(w.platform)) == 2  # the replays recorded nothing

    for different in (
        lambda: b.charge(buyer, "seller", 1_001, 500, "o1", principal=p),
        lambda: b.charge(buyer, "other", 1_000, 500, "o1", principal=p),
        lambda: b.charge(buyer, "seller", 1_000, 499, "o1", principal=p),
        lambda: b.top_up(buyer, 1_000, "o1", principal=ADMIN),
    ):
        with pytest.raises(errors.Conflict) as exc:
            different()
        assert exc.value.message == M.MSG_KEY_REUSED.format(key="o1")
    assert b.balance(credit.id, principal=p) == Won(4_000)

    # A refused charge writes nothing, so its key may be used again once it can succeed.
    with pytest.raises(errors.Conflict, match="credit is 4000 won, less than the 9000") as exc:
        b.charge(buyer, "seller", 9_000, 500, "o2", principal=p)
    assert translate(exc.value.message, "ko").startswith(
        "구매자의 크레딧이 4000원으로, 결제할 9000원"
    )
    b.top_up(buyer, 5_000, "t2", principal=ADMIN)
    assert not b.charge(buyer, "seller", 9_000, 500, "o2", principal=p).replayed
    assert b.balance(credit.id, principal=p) == Won(0)
    # A full refund replayed is still the refund, not "nothing left to refund".
    sale = b.entry(first.id, principal=ADMIN)
    r = b.refund(sale.id, 1_000, "r1", principal=ADMIN)
    assert b.refund(sale.id, 1_000, "r1", principal=ADMIN).id == r.id
    assert b.verify(principal=ADMIN).ok


def test_no_overdraft_and_a_refused_charge_changes_nothing(w):
    b, buyer, p = w.books, w.buyers[1], w.buyer_p[1]
    with pytest.raises(errors.Conflict, match="credit is 0 won"):
        b.charge(buyer, "seller", 1, 0, "nothing", principal=p)
    b.top_up(buyer, 100, "t", principal=ADMIN)
    b.charge(buyer, "seller", 100, 0, "all", principal=p)  # to exactly 0 is fine
    size = w.platform.ledger.size()
    with pytest.raises(errors.Conflict, match="credit is 0 won, less than the 1 won"):
        b.charge(buyer, "seller", 1, 0, "one-more", principal=p)
    assert w.platform.ledger.size() == size
    with w.platform.db.session() as s:
        keys = set(s.scalars(sa.text("SELECT idempotency_key FROM book_entries")))
    assert keys == {"t", "all"}
    assert b.verify(principal=ADMIN).ok


@pytest.mark.parametrize(
    ("amount", "fee_bps", "message"),
    [
        (0, 100, "more than 0 won"),
        (-5, 100, "more than 0 won"),
        (10.0, 100, "whole number of won"),
        ("10", 100, "whole number of won"),
        (True, 100, "whole number of won"),
        (10**16, 100, "at most"),
        (100, -1, "from 0 to 10000"),
        (100, 10_001, "from 0 to 10000"),
        (100, 2.5, "whole number"),
    ],
)
def test_bad_amounts_are_refused_not_rounded(w, amount, fee_bps, message):
    w.books.top_up(w.buyers[0], 1_000, "t", principal=ADMIN)
    with pytest.raises(errors.InvalidInput, match=message):
        w.books.charge(w.buyers[0], "seller", amount, fee_bps, "k", principal=ADMIN)
    assert len(_ledger_entries(w.platform)) == 1


def test_a_fee_of_everything_and_tiny_amounts_still_balance(w):
    b, buyer = w.books, w.buyers[0]
    b.top_up(buyer, 10, "t", principal=ADMIN)
    tiny = b.charge(buyer, "seller", 1, 6_000, "tiny", principal=ADMIN)  # the fee takes the 1
    assert {p.account_type: p.amount for p in tiny.postings} == {
        "buyer_credit": 1,
        "platform_fee": -1,
    }
    b.charge(buyer, "seller", 3, 10_000, "all-fee", principal=ADMIN)
    b.charge(buyer, "seller", 3, 0, "no-fee", principal=ADMIN)
    b.refund(tiny.id, 1, "r-tiny", principal=w.owner)  # the holder organisation is still known
    assert _balances(w, "platform", "platform", "platform_fee") == 3
    assert b.verify(principal=ADMIN).ok


def test_rights(w):
    b, buyer, p = w.books, w.buyers[0], w.buyer_p[0]
    with pytest.raises(errors.PermissionDenied, match="administrators can top up"):
        b.top_up(buyer, 100, "t", principal=p)
    b.top_up(buyer, 1_000, "t", principal=ADMIN)
    with pytest.raises(errors.PermissionDenied, match="Only the buyer"):
        b.charge(buyer, "seller", 100, 0, "o", principal=w.buyer_p[1])
    sale = b.charge(buyer, "seller", 100, 0, "o", principal=p)
    with pytest.raises(errors.PermissionDenied, match="owner of the organisation"):
        b.refund(sale.id, 10, "r", principal=w.stranger)
    with pytest.raises(errors.PermissionDenied, match="owner of the organisation"):
        b.refund(sale.id, 10, "r", principal=p)
    credit = b.account("user", buyer, "buyer_credit", principal=ADMIN)
    with pytest.raises(errors.PermissionDenied, match="account's owner"):
        b.statement(credit.id, principal=w.buyer_p[1])
    with pytest.raises(errors.PermissionDenied, match="account's owner"):
        b.balance(credit.id, principal=w.owner)
    receivable = b.account("org", "seller", "holder_receivable", principal=w.owner)
    assert b.balance(receivable.id, principal=w.owner) == Won(100)
    with pytest.raises(errors.PermissionDenied):
        b.balance(receivable.id, principal=w.stranger)
    assert b.balance(credit.id, principal=w.auditor) == Won(900)  # auditors read
    with pytest.raises(errors.PermissionDenied, match="administrators and auditors"):
        b.trial_balance(principal=p)
    with pytest.raises(errors.PermissionDenied, match="administrators and auditors"):
        b.verify(principal=w.owner)
    with pytest.raises(errors.NotFound):
        b.entry(sale.id, principal=w.stranger)  # entry ids reveal nothing to others
    assert b.entry(sale.id, principal=w.owner).id == sale.id
    with pytest.raises(errors.NotFound, match="No organization named 'nope'"):
        b.charge(buyer, "nope", 100, 0, "o2", principal=p)
    with pytest.raises(errors.NotFound, match="no active user"):
        b.top_up(999_999, 100, "t2", principal=ADMIN)


@pytest.mark.parametrize("table", ["book_entries", "book_postings", "book_accounts"])
def test_the_database_refuses_update_and_delete(w, table):
    w.books.top_up(w.buyers[0], 500, "t", principal=ADMIN)
    w.books.charge(w.buyers[0], "seller", 200, 100, "o", principal=ADMIN)
    column = {"book_entries": "memo", "book_postings": "amount", "book_accounts": "type"}[table]
    value = {"book_entries": "'x'", "book_postings": "1", "book_accounts": "'x'"}[table]
    for sql in (f"UPDATE {table} SET {column} = {value}", f"DELETE FROM {table}"):
        with pytest.raises(sa.exc.DatabaseError, match="insert-only"):
            with w.platform.db.engine.begin() as conn:
                conn.execute(sa.text(sql))
    if w.platform.db.engine.dialect.name == "postgresql":
        with pytest.raises(sa.exc.DatabaseError, match="insert-only"):
            with w.platform.db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {table} CASCADE"))
    assert w.books.verify(principal=ADMIN).ok


def test_verify_finds_a_cached_balance_tampered_with(w):
    """The cached balance is not the truth: verify recomputes it from the postings."""
    w.books.top_up(w.buyers[0], 500, "t", principal=ADMIN)
    with w.platform.db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE book_balances SET balance = balance - 1"))
    check = w.books.verify(principal=ADMIN)
    assert not check.ok
    assert len(check.problems) == 2 and all("cached balance" in x for x in check.problems)
