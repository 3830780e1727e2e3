"""The pure money rules (datanuri/market/money.py), against exact fractions: splits add up to the
amount to the won, each share is its quota rounded to a neighbouring whole number, refunds in any
steps give back exactly what each part got; amounts are integers or refused."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datanuri import errors
from datanuri.market import money
from datanuri.market.money import Leg, Won

FAST = settings(max_examples=200, deadline=None)


@FAST
@given(
    total=st.integers(0, 10**12),
    weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=6).filter(any),
)
def test_allocate_is_exact_and_each_share_neighbours_its_quota(total, weights):
    parts = money.allocate(total, weights)
    assert sum(parts) == total
    assert all(type(p) is int for p in parts)
    quotas = [Fraction(total * w, sum(weights)) for w in weights]
    assert all(q - 1 < p < q + 1 for p, q in zip(parts, quotas, strict=True))
    # Largest remainder: a share rounded up never has a smaller remainder than one rounded down.
    up = [q - int(q) for p, q in zip(parts, quotas, strict=True) if p > q]
    down = [q - int(q) for p, q in zip(parts, quotas, strict=True) if p < q]
    assert not up or not down or min(up) >= max(down)


def test_allocate_examples():
    assert money.allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert money.allocate(10, [0, 5]) == [0, 10]
    assert money.allocate(0, [3, 4]) == [0, 0]
    with pytest.raises(errors.InvalidInput):
        money.allocate(5, [0, 0])
    with pytest.raises(errors.InvalidInput):
        money.allocate(-1, [1])


@FAST
@given(amount=st.integers(1, 10**12), fee_bps=st.integers(0, 10_000))
def test_split_fee_rounds_the_fee_to_the_nearest_won(amount, fee_bps):
    net, fee = money.split_fee(amount, fee_bps)
    assert net + fee == amount and net >= 0 and fee >= 0
    exact = Fraction(amount * fee_bps, 10_000)
    assert abs(fee - exact) <= Fraction(1, 2)


@FAST
@given(
    net=st.integers(0, 10**6),
    fee=st.integers(0, 10**6),
    cuts=st.lists(st.integers(1, 10**6), max_size=8),
)
def test_refunds_in_any_steps_never_take_back_more_than_each_part_got(net, fee, cuts):
    total = net + fee
    if total == 0:
        return
    given_back = [0, 0]
    done = 0
    steps = [c for c in cuts if c <= total] + [total]
    for step in steps:
        amount = min(step, total - done)
        if amount == 0:
            break
        parts = money.refund_parts([net, fee], done, amount)
        assert sum(parts) == amount and min(parts) >= 0
        given_back = [g + p for g, p in zip(given_back, parts, strict=True)]
        done += amount
        assert given_back[0] <= net and given_back[1] <= fee
    assert given_back == [net, fee]  # refunded in full: exactly what each part received
    with pytest.raises(errors.InvalidInput, match="more than is left"):
        money.refund_parts([net, fee], done, 1)


def test_entries_must_balance():
    assert money.check_entry([Leg(1, 5), Leg(2, -5)])
    for legs, message in [
        ([Leg(1, 5)], "at least two"),
        ([Leg(1, 5), Leg(2, -4)], "add up to 1"),
        ([Leg(1, 5), Leg(1, -5)], "only once"),
        ([Leg(1, 0), Leg(2, 0)], "non-zero"),
        ([Leg(1, 5.0), Leg(2, -5.0)], "whole number"),  # type: ignore[arg-type]
    ]:
        with pytest.raises(errors.InvalidInput, match=message):
            money.check_entry(legs)


def test_won_is_whole_and_has_no_floats():
    assert Won(5) + Won(7) == Won(12) and -Won(3) == Won(-3) and str(Won(1234567)) == "₩1,234,567"
    assert Won.positive(3) == Won(3)
    for bad in (1.0, "1", True, None):
        with pytest.raises(errors.InvalidInput, match="whole number"):
            Won(bad)  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidInput, match="more than 0"):
        Won.positive(0)
