"""The pure rules of orders: calendar periods, the licence's term, VAT in a price (공급가액 and
세액 add up to the total; the tax is 10 % of the supply value to the nearest won)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from datanuri import errors
from datanuri.market import order_rules as R

UTC = dt.UTC


def test_add_period_keeps_the_day_or_takes_the_months_last():
    t = dt.datetime(2024, 1, 31, 9, tzinfo=UTC)
    assert R.add_period(t, "month") == dt.datetime(2024, 2, 29, 9, tzinfo=UTC)
    assert R.add_period(t, "month", 13) == dt.datetime(2025, 2, 28, 9, tzinfo=UTC)
    assert R.add_period(dt.datetime(2024, 2, 29, tzinfo=UTC), "year") == dt.datetime(
        2025, 2, 28, tzinfo=UTC
    )


def test_term_end():
    t = dt.datetime(2024, 3, 1, tzinfo=UTC)
    assert R.term_end(t, price_kind="one-off", period=None, term_days=30) == t + dt.timedelta(30)
    assert R.term_end(t, price_kind="one-off", period=None, term_days=None) is None
    assert R.term_end(t, price_kind="subscription", period="month", term_days=365) == dt.datetime(
        2024, 4, 1, tzinfo=UTC
    )
    last = R.term_end(
        t, price_kind="one-off", period=None, term_days=365, ends_on=dt.date(2024, 3, 10)
    )
    assert last == dt.datetime(2024, 3, 11, tzinfo=UTC)


@given(st.integers(0, 10**13))
def test_vat_split_adds_up_and_is_ten_percent(total):
    supply, tax = R.vat_split(total)
    assert supply + tax == total and supply >= 0 and tax >= 0
    assert abs(tax * 10 - supply) <= 10  # 10 % of the supply value, to the won
    # the supply value is the nearest whole won to total / 1.1 (exact rational arithmetic)
    assert abs(supply * 11 - total * 10) <= 11 // 2 + 1


def test_invoice_and_keys():
    inv = R.invoice_of(
        order_id=7,
        created=dt.datetime(2024, 12, 31, 16, tzinfo=UTC),  # 1 January in Korea
        amount=11_000,
        refunded=0,
        description="x",
        supplier=R.Party("123-45-67890", "기관"),
        buyer=R.Party("", "구매자"),
    )
    assert (inv.supply, inv.tax, inv.total) == (10_000, 1_000, 11_000)
    assert inv.written_on == dt.date(2025, 1, 1) and inv.number == "DN-20250101-000007"
    for bad in ("", "x" * 151, "a\nb"):
        with pytest.raises(errors.InvalidInput):
            R.clean_key(bad)
