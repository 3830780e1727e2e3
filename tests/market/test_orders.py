"""Market orders on both databases: paying from prepaid credit, idempotency keys, the
entitlement a paid order grants (checked at each download: sample only before payment, refused
again after expiry or revocation), refunds, subscriptions renewing or lapsing, new versions
announced to subscribers, and invoices."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from datanuri import errors
from datanuri.accounts import SYSTEM
from datanuri.accounts.models import Entitlement
from datanuri.accounts.request_tables import Notification
from datanuri.market.orders import FEE_BPS
from datanuri.notify.models import Delivery
from tests.helpers import air_csv
from tests.market import orders_world as W


@pytest.fixture
def world(platform, tmp_path):
    w = W.build(platform, tmp_path)
    w["tmp"] = tmp_path
    return w


def _kinds(platform) -> list[str]:
    return [
        platform.ledger.public_receipt(i)["entry"]["type"] for i in range(platform.ledger.size())
    ]


def _download(platform, who) -> bytes:
    return b"".join(platform.catalog.download("air", format="csv", principal=who))


def _balances(platform) -> dict[str, int]:
    tb = platform.books.trial_balance(principal=SYSTEM)
    assert tb.balanced
    return tb.by_type


def test_paid_order_grants_access_once_per_key(platform, world):
    o, buyer = platform.orders, world["buyer"]
    one_off = world["listings"]["one_off"]
    # Before paying: the listing shows its synthetic sample, the rows are refused.
    shown = platform.listings.get(one_off, principal=buyer)
    assert [r[0] for r in shown.sample_rows] == ["합성측정소1", "합성측정소2"]
    with pytest.raises(errors.PermissionDenied):
        _download(platform, buyer)
    # No credit: nothing is ordered, nothing charged, still no rows.
    with pytest.raises(errors.Conflict):
        o.place(one_off, key="k1", principal=buyer)
    assert o.mine(principal=buyer) == []
    with pytest.raises(errors.PermissionDenied):
        _download(platform, buyer)
    # Anyone but an administrator cannot top up.
    with pytest.raises(errors.PermissionDenied):
        o.top_up("buyer@example.org", 100_000, key="t1", principal=buyer)
    assert o.top_up("buyer@example.org", 100_000, key="t1", principal=SYSTEM).balance == 100_000
    order = o.place(one_off, key="k1", principal=buyer)
    assert (order.status, order.amount, order.access, order.version) == (
        "paid",
        50_000,
        "active",
        1,
    )
    assert order.fee == 50_000 * FEE_BPS // 10_000
    assert order.ends_at is not None and order.ends_at > order.starts_at
    assert "측정소명" in _download(platform, buyer).decode()
    # The same key again: the same order, charged once.
    again = o.place(one_off, key="k1", principal=buyer)
    assert again.id == order.id and again.replayed
    assert o.credit(principal=buyer).balance == 50_000
    assert _balances(platform)["holder_receivable"] == 45_000
    assert _balances(platform)["platform_fee"] == 5_000
    # The same key for another order is refused; a buyer never sees another's order.
    with pytest.raises(errors.Conflict):
        o.place(world["listings"]["monthly"], key="k1", principal=buyer)
    with pytest.raises(errors.NotFound):
        o.get(order.id, principal=world["other"])
    assert [x.id for x in o.sales("org-a", principal=world["own"])] == [order.id]
    with pytest.raises(errors.PermissionDenied):
        o.sales("org-a", principal=buyer)
    kinds = _kinds(platform)
    assert kinds.count("market.sale.charged") == 1 and kinds.count("market.order.placed") == 1
    assert kinds.index("market.sale.charged") < kinds.index("entitlement.granted")
    # The other buyer still gets the sample only.
    with pytest.raises(errors.PermissionDenied):
        _download(platform, world["other"])
    # The holder's owner heard of the sale.
    with platform.db.session() as s:
        told = s.scalars(
            select(Notification.kind).where(Notification.user_id == world["own"].user_id)
        )
        assert "market.order.sold" in list(told)


def test_expiry_revocation_and_refunds_take_effect_at_the_next_request(platform, world):
    o, buyer = platform.orders, world["buyer"]
    one_off = world["listings"]["one_off"]
    o.top_up("buyer@example.org", 200_000, key="t", principal=SYSTEM)
    first = o.place(one_off, key="a", principal=buyer)
    _download(platform, buyer)
    with platform.db.session() as s:  # the term runs out
        s.execute(
            update(Entitlement)
            .where(
                Entitlement.id
                == select(Entitlement.id)
                .where(Entitlement.user_id == buyer.user_id)
                .scalar_subquery()
            )
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    with pytest.raises(errors.PermissionDenied):
        _download(platform, buyer)
    assert o.get(first.id, principal=buyer).access == "expired"
    second = o.place(one_off, key="b", principal=buyer)
    _download(platform, buyer)
    # The holder revokes (a licence breach): refused at once, no money moves.
    with pytest.raises(errors.PermissionDenied):
        o.revoke(second.id, principal=buyer)
    assert o.revoke(second.id, principal=world["own"]).access == "revoked"
    with pytest.raises(errors.PermissionDenied):
        _download(platform, buyer)
    assert o.credit(principal=buyer).balance == 100_000
    # A partial refund, repeated under its key, then the rest: the credit comes back in full.
    third = o.place(one_off, key="c", principal=buyer)
    with pytest.raises(errors.PermissionDenied):
        o.refund(third.id, key="r1", amount=10_000, principal=buyer)
    part = o.refund(third.id, key="r1", amount=10_000, principal=world["own"])
    assert (part.refunded, part.status, part.access) == (10_000, "paid", "active")
    assert o.refund(third.id, key="r1", amount=10_000, principal=world["own"]).refunded == 10_000
    _download(platform, buyer)
    with pytest.raises(errors.InvalidInput):
        o.refund(third.id, key="r2", amount=40_001, principal=world["own"])
    full = o.refund(third.id, key="r3", principal=world["own"])
    assert (full.refunded, full.status, full.access) == (50_000, "refunded", "revoked")
    with pytest.raises(errors.Conflict):
        o.refund(third.id, key="r4", principal=world["own"])
    with pytest.raises(errors.PermissionDenied):
        _download(platform, buyer)
    assert o.credit(principal=buyer).balance == 100_000
    assert platform.books.verify(principal=SYSTEM).ok
    assert _kinds(platform).count("market.sale.refunded") == 2


def test_subscription_renews_lapses_and_delivers_new_versions(platform, world):
    o, buyer = platform.orders, world["buyer"]
    o.top_up("buyer@example.org", 70_000, key="t", principal=SYSTEM)
    order = o.place(world["listings"]["monthly"], key="s", principal=buyer)
    assert order.period == "month" and order.subscription_id is not None
    (sub,) = o.subscriptions(principal=buyer)
    assert sub.status == "active" and sub.paid_until == order.ends_at
    assert o.renew_due(now=sub.paid_until - dt.timedelta(seconds=1)).renewed == 0
    done = o.renew_due(now=sub.paid_until + dt.timedelta(seconds=1))
    assert (done.renewed, done.lapsed) == (1, 0)
    (sub2,) = o.subscriptions(principal=buyer)
    assert sub2.renewals == 1 and sub2.paid_until > sub.paid_until
    assert o.credit(principal=buyer).balance == 10_000
    assert len(o.mine(principal=buyer)) == 2
    # A new version is covered by the entitlement and announced to the subscriber, in the
    # console and as a signed webhook to the buyer's endpoint.
    hook = platform.channels.webhooks.create(
        "https://93.184.216.34/hook", kinds=["market.*"], principal=buyer
    )
    platform.catalog.publish(
        "air", air_csv(world["tmp"] / "a2.csv", extra_rows=2), principal=SYSTEM
    )
    with platform.db.session() as s:
        told = list(
            s.scalars(select(Notification.kind).where(Notification.user_id == buyer.user_id))
        )
        sent = list(
            s.scalars(select(Delivery.kind).where(Delivery.endpoint_id == hook.endpoint.id))
        )
    assert "market.version.delivered" in told
    assert sent == ["market.version.delivered"]
    assert "관측소1" in _download(platform, buyer).decode()
    # The next period: 10,000 won is short of 30,000, so it lapses (nothing charged).
    done = o.renew_due(now=sub2.paid_until + dt.timedelta(seconds=1))
    assert (done.renewed, done.lapsed) == (0, 1)
    assert o.subscriptions(principal=buyer)[0].status == "lapsed"
    assert o.credit(principal=buyer).balance == 10_000
    assert "market.subscription.lapsed" in _kinds(platform)
    assert platform.books.verify(principal=SYSTEM).ok


def test_free_research_order_and_invoice(platform, world):
    o, buyer = platform.orders, world["buyer"]
    free = o.place(world["listings"]["free"], key="f", principal=buyer)
    assert (free.amount, free.entry_id, free.access) == (0, None, "active")
    _download(platform, buyer)
    with pytest.raises(errors.Conflict):
        o.refund(free.id, key="x", principal=world["own"])
    o.top_up("buyer@example.org", 50_000, key="t", principal=SYSTEM)
    paid = o.place(world["listings"]["one_off"], key="p", principal=buyer)
    inv = o.invoice(paid.id, principal=buyer)
    assert (inv.supply, inv.tax, inv.total) == (45_455, 4_545, 50_000)
    assert inv.supplier.name == "서울연구원" and inv.buyer.email == "buyer@example.org"
    assert o.invoice(paid.id, principal=world["own"]).number == inv.number
    with pytest.raises(errors.NotFound):
        o.invoice(paid.id, principal=world["other"])
    # A holder does not buy its own listing; an anonymous caller must log in.
    with pytest.raises(errors.Conflict):
        o.place(world["listings"]["one_off"], key="own", principal=world["own"])
