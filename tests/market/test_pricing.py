"""Price suggestions, pure: the ridge fit against an independent closed-form solution, the
reasons in English and Korean, and the walk-forward backtest on the demo's synthetic history
(its error reported, and far below the naive median-price peer's)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from datanuri.demo.market_history import price_history
from datanuri.errors import InvalidInput
from datanuri.market import pricing


@pytest.fixture(scope="module")
def history() -> list[pricing.Comparable]:
    return [pricing.Comparable(o.label, o.features, o.annual_krw, o.at) for o in price_history()]


def test_the_fit_is_weighted_ridge_regression_on_log_price(history):
    model = pricing.fit(history)
    # independent reference: weighted ridge in closed form on centred data (intercept free)
    x = model.design.matrix([c.features for c in history])
    y = np.log10([c.annual_krw for c in history])
    w = 1 + np.log2(1 + np.array([c.features.sales for c in history], float))
    xm, ym = np.average(x, axis=0, weights=w), np.average(y, weights=w)
    xc, yc = x - xm, y - ym
    beta = np.linalg.solve(
        xc.T @ (w[:, None] * xc) + pricing.ALPHA_RIDGE * np.eye(x.shape[1]), xc.T @ (w * yc)
    )
    assert np.allclose(model.coef, beta, atol=1e-8)
    assert model.intercept == pytest.approx(ym - xm @ beta)
    coef = dict(zip(pricing.NUMERIC, model.coef, strict=False))
    assert coef["rows"] > 0 and coef["age_days"] < 0 and coef["downloads"] > 0  # the law's signs


def test_a_suggestion_with_reasons_in_both_languages(history):
    mine = pricing.Features(
        rows=2_000_000, columns=30, age_days=3, update_frequency="daily", theme="교통",
        downloads=500, requests=4, sales=0,
    )  # fmt: skip
    s = pricing.suggest(mine, history)
    assert s.low_krw < s.annual_krw < s.high_krw and s.comparables == len(history)
    assert len(s.nearest) == pricing.NEAREST
    codes = [r.code for r in s.reasons]
    assert codes[0] == "comparables" and codes[-1] == "frequency"
    assert s.reasons[0].en.startswith("Similar listings sold at") and "원" in s.reasons[0].en
    assert s.reasons[0].ko.startswith("비슷한 상품의 판매 가격")
    assert s.reasons[-1].en == "This one is updated daily." and "매일" in s.reasons[-1].ko
    assert all(r.ko != r.en for r in s.reasons)
    # a fresher, larger, busier table of the same theme is suggested more than a stale small one
    stale = pricing.Features(2_000, 5, 900, "irregular", "교통", 0, 0, 0)
    assert pricing.suggest(stale, history).annual_krw < s.annual_krw
    assert s.for_kind("subscription-month") == pytest.approx(s.annual_krw / 12, rel=0.06)


def test_backtest_on_the_demo_history(history):
    r = pricing.backtest(history, min_train=30)
    assert r.observations == len(history) and r.predicted == len(history) - 30
    print(
        f"MAPE {r.mape:.1f} %, median APE {r.median_ape:.1f} %, baseline MAPE {r.baseline_mape:.1f} %"
    )
    assert r.mape < r.baseline_mape / 2 and r.median_ape < r.baseline_median_ape
    assert r.mape < 40  # the history's noise alone is about ±20 %


def test_too_little_to_go_on():
    one = pricing.Comparable(
        "a", pricing.Features(10, 2, 1, None, None), 10_000, dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    with pytest.raises(InvalidInput, match="at least 5 priced comparable"):
        pricing.suggest(one.features, [one] * 3)
    with pytest.raises(InvalidInput, match="a backtest needs at least"):
        pricing.backtest([one] * 10, min_train=30)
    assert pricing.annual("subscription-month", 100_000) == 1_200_000
