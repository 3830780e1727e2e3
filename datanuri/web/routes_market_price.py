"""Market price suggestions: the JSON API (`/api/v1/market/listings/{id}/price-suggestion`,
`/api/v1/market/price-backtest`). Handlers are thin: one service call with the caller's
principal; the model is `datanuri/market/pricing.py`."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from datanuri.web.auth import PublishCaller, ReadCaller
from datanuri.web.deps import PlatformDep, RowId

router = APIRouter(tags=["market prices"])


class NearestOut(BaseModel):
    label: str
    annual_krw: int


class ReasonOut(BaseModel):
    code: str = Field(description="comparables | feature | frequency")
    en: str
    ko: str


class FeaturesOut(BaseModel):
    rows: int
    columns: int
    age_days: float
    update_frequency: str | None
    theme: str | None
    downloads: int
    requests: int
    sales: int


class SuggestionOut(BaseModel):
    listing: int
    dataset: str
    price_kind: str = Field(description="one-off | subscription-month | subscription-year")
    current_krw: int | None
    suggested_krw: int = Field(description="In the listing's price kind (a month's price, …)")
    annual_krw: int = Field(description="The suggestion as a yearly figure")
    low_krw: int
    high_krw: int
    comparables: int
    nearest: list[NearestOut]
    reasons: list[ReasonOut]
    features: FeaturesOut


class BacktestOut(BaseModel):
    observations: int
    predicted: int
    mape: float = Field(description="Mean absolute percentage error, %")
    median_ape: float = Field(description="Median absolute percentage error, %")
    within_25pct: float
    baseline_mape: float = Field(description="The naive peer's (median price so far) MAPE, %")
    baseline_median_ape: float


@router.get("/market/listings/{listing_id}/price-suggestion", response_model=SuggestionOut)
def price_suggestion(listing_id: RowId, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """A suggested price for a listing from comparables and demand, with the reasons in Korean
    and English (the listing's holders)."""
    return p.prices.suggest_price(listing_id, principal=me).to_dict()


@router.get("/market/price-backtest", response_model=BacktestOut)
def price_backtest(
    me: ReadCaller,
    p: PlatformDep,
    min_train: int = Query(
        30, ge=5, le=10_000, description="Observations before the first one predicted"
    ),
) -> dict[str, Any]:
    """The price model's walk-forward backtest on the market's price history: its error beside
    a naive peer's."""
    out = dataclasses.asdict(p.prices.backtest(principal=me, min_train=min_train))
    out.pop("errors")
    return out
