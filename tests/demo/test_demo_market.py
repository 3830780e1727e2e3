"""The demo's market listing: the restricted 112 calls on sale once, with a synthetic sample,
in the "for sale" facet; loading again adds nothing."""

from datanuri.accounts.principal import ANONYMOUS
from datanuri.demo.load import load_demo
from datanuri.demo.market import DEMO_LISTING_DATASET, seed_demo_listing


def test_the_demo_offers_the_112_calls(platform, tmp_path):
    load_demo(platform, tmp_path / "src")
    (offer,) = platform.listings.search(principal=ANONYMOUS)
    assert offer.dataset == DEMO_LISTING_DATASET and offer.status == "published"
    assert offer.sample_source == "synthetic"
    assert all(str(r[0]).startswith("합성-") for r in offer.sample_rows)
    assert seed_demo_listing(platform, tmp_path / "src") is None  # again: still one
    found = platform.search.search("", principal=ANONYMOUS, filters={"for_sale": ["yes"]})
    assert [r["name"] for r in found.results] == [DEMO_LISTING_DATASET]
    types = [
        platform.ledger.public_receipt(i)["entry"]["type"] for i in range(platform.ledger.size())
    ]
    assert types.count("market.listing.published") == 1
    assert platform.ledger.audit().ok


def test_the_demo_has_buyers_with_credit_and_sales(platform, tmp_path):
    from datanuri.accounts.principal import SYSTEM
    from datanuri.demo.load import DEMO_PASSWORD
    from datanuri.demo.market import DEMO_BUYERS, DEMO_PARTIAL_REFUND, seed_demo_orders

    load_demo(platform, tmp_path / "src")
    buyer = platform.accounts.principal_for(DEMO_BUYERS[0][0])
    (order,) = platform.orders.mine(principal=buyer)
    assert order.dataset == DEMO_LISTING_DATASET and order.access == "active"
    assert platform.orders.credit(principal=buyer).balance == DEMO_BUYERS[0][2] - order.amount
    org = order.organization
    sales = platform.orders.sales(org, principal=SYSTEM)
    assert len(sales) == 2 and sorted(x.refunded for x in sales) == [0, DEMO_PARTIAL_REFUND]
    assert seed_demo_orders(platform, password=DEMO_PASSWORD) == 0  # again: nothing more
    assert len(platform.orders.sales(org, principal=SYSTEM)) == 2
    assert platform.books.verify(principal=SYSTEM).ok
