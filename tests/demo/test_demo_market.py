"""The demo's market listing: the restricted 112 calls on sale once, with a synthetic sample,
in the "for sale" facet; loading again adds nothing."""

from datanuri.accounts.principal import ANONYMOUS
from datanuri.demo.market import DEMO_LISTING_DATASET, seed_demo_listing


def test_the_demo_offers_the_112_calls(loaded_demo):
    platform, src = loaded_demo
    (offer,) = platform.listings.search(principal=ANONYMOUS)
    assert offer.dataset == DEMO_LISTING_DATASET and offer.status == "published"
    assert offer.sample_source == "synthetic"
    assert all(str(r[0]).startswith("합성-") for r in offer.sample_rows)
    assert seed_demo_listing(platform, src) is None  # again: still one
    found = platform.search.search("", principal=ANONYMOUS, filters={"for_sale": ["yes"]})
    assert [r["name"] for r in found.results] == [DEMO_LISTING_DATASET]
    types = [
        platform.ledger.public_receipt(i)["entry"]["type"] for i in range(platform.ledger.size())
    ]
    assert types.count("market.listing.published") == 1
    assert platform.ledger.audit().ok
