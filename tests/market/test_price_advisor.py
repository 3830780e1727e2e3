"""Price suggestions through the service on both databases: a listing's features come from its
dataset (newest version's rows and columns, theme, update frequency, downloads, desk demand);
comparables are the recorded history and the other priced listings; only the holder asks; the
backtest replays the recorded history; only admins record it."""

from __future__ import annotations

import pytest

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.demo.market_history import SOURCE, price_history, seed_price_history
from datanuri.market import licence as L
from datanuri.market import listing_rules as rules
from datanuri.market import pricing
from datanuri.market.listings import SyntheticSample
from tests.market import world as W


@pytest.fixture
def world(platform, tmp_path):
    people = W.build(platform, tmp_path)
    platform.catalog.update_dataset("air", theme="환경", update_frequency="daily", principal=SYSTEM)
    for _ in range(3):  # three downloads by the holder
        b"".join(platform.catalog.download("air", format="csv", principal=people["ed"]))
    people["tmp"] = tmp_path
    return people


def _listing(platform, world, price: rules.Price, dataset: str = "air") -> int:
    terms = L.template(
        "research-only" if isinstance(price, rules.FreeForResearch) else "commercial-internal"
    )
    return platform.listings.create(
        dataset, title="대기질 자료", price=price, terms=terms,
        sample=SyntheticSample(world["tmp"] / "synthetic.csv"), principal=world["ed"],
    ).id  # fmt: skip


def test_suggest_price_for_a_listing(platform, world):
    assert seed_price_history(platform) == len(price_history())
    assert seed_price_history(platform) == 0  # once
    mine = _listing(platform, world, rules.Subscription("month", 90_000))
    other = _listing(platform, world, rules.OneOff(400_000), dataset="cohort-deid")
    got = platform.prices.suggest_price(mine, principal=world["ed"])
    f = got.features
    assert (f.rows, f.columns, f.theme, f.update_frequency) == (3, 5, "환경", "daily")
    assert f.downloads == 3 and f.sales == 0 and f.age_days < 1
    assert got.price_kind == "subscription-month" and got.current_krw == 90_000
    assert got.suggestion.comparables == len(price_history()) + 1  # history + the other listing
    # the same as the pure model on the same comparables (an independent assembly of them)
    history = [pricing.Comparable(o.label, o.features, o.annual_krw, o.at) for o in price_history()]
    row = platform.listings.get(other, principal=world["ed"])
    deid = platform.prices.suggest_price(other, principal=world["ed"]).features
    live = pricing.Comparable(row.title, deid, 400_000, row.created_at)
    expected = pricing.suggest(f, [*history, live])
    assert got.suggestion.annual_krw == expected.annual_krw
    assert got.suggested_krw == expected.for_kind("subscription-month")
    assert [r.code for r in got.suggestion.reasons][-1] == "frequency"
    assert "매일" in got.suggestion.reasons[-1].ko

    # a draft is not found by others; a listing on sale is seen but not theirs to price
    with pytest.raises(errors.NotFound):
        platform.prices.suggest_price(mine, principal=world["out"])
    platform.listings.publish(mine, principal=world["ed"])
    with pytest.raises(errors.PermissionDenied):
        platform.prices.suggest_price(mine, principal=world["mem"])
    with pytest.raises(errors.NotFound):
        platform.prices.suggest_price(10_000, principal=world["ed"])
    free = _listing(platform, world, rules.FreeForResearch())
    with pytest.raises(errors.InvalidInput, match="free for research"):
        platform.prices.suggest_price(free, principal=world["ed"])


def test_backtest_and_history_rights(platform, world):
    with pytest.raises(errors.InvalidInput, match="backtest needs at least"):
        platform.prices.backtest(principal=world["ed"])
    with pytest.raises(errors.PermissionDenied):
        platform.prices.record_history(price_history()[:3], principal=world["ed"])
    seed_price_history(platform)
    assert platform.prices.history_size(SOURCE) == len(price_history())
    got = platform.prices.backtest(principal=world["out"])
    history = [pricing.Comparable(o.label, o.features, o.annual_krw, o.at) for o in price_history()]
    assert got.mape == pytest.approx(pricing.backtest(history).mape)
    assert got.mape < got.baseline_mape
