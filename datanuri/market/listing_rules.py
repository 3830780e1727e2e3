"""The rules of a listing as pure functions and typed values: price models (integer won), the
title and description, the statuses and which changes each allows, and the sample's size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from datanuri.errors import Conflict, InvalidInput
from datanuri.market import listing_messages as M

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
PRICE_MIN_KRW = 1
PRICE_MAX_KRW = 10_000_000_000  # 100억 원: above it, a contract outside the market
SAMPLE_MAX_ROWS = 100
STATUSES = ("draft", "published", "unpublished", "archived")
# What each change needs the listing to be now.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "changed": ("draft", "published", "unpublished"),
    "published": ("draft", "unpublished"),
    "unpublished": ("published",),
    "archived": ("draft", "published", "unpublished"),
}


@dataclass(frozen=True)
class OneOff:
    """One payment per version bought."""

    per_version_krw: int
    kind: Literal["one-off"] = "one-off"


@dataclass(frozen=True)
class Subscription:
    """A payment per month or per year, for every version published meanwhile."""

    period: Literal["month", "year"]
    krw: int
    kind: Literal["subscription"] = "subscription"


@dataclass(frozen=True)
class FreeForResearch:
    """No charge, under a research-only licence."""

    kind: Literal["free-research"] = "free-research"


Price = OneOff | Subscription | FreeForResearch


def _krw(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            M.MSG_PRICE_AMOUNT.format(min=PRICE_MIN_KRW, max=PRICE_MAX_KRW, value=value)
        )
    if not PRICE_MIN_KRW <= value <= PRICE_MAX_KRW:
        raise InvalidInput(
            M.MSG_PRICE_AMOUNT.format(min=PRICE_MIN_KRW, max=PRICE_MAX_KRW, value=value)
        )
    return value


def price_from_dict(d: dict[str, Any]) -> Price:
    """A price from its JSON form: {"kind": "one-off", "per_version_krw": 50000},
    {"kind": "subscription", "period": "month", "krw": 30000} or {"kind": "free-research"}."""
    kind = d.get("kind")
    if kind == "one-off":
        return OneOff(_krw(d.get("per_version_krw")))
    if kind == "subscription":
        period = d.get("period")
        if period not in ("month", "year"):
            raise InvalidInput(M.MSG_PRICE_PERIOD.format(period=period))
        return Subscription(period, _krw(d.get("krw")))
    if kind == "free-research":
        return FreeForResearch()
    raise InvalidInput(M.MSG_PRICE.format(kind=kind))


def price_to_dict(p: Price) -> dict[str, Any]:
    if isinstance(p, OneOff):
        return {"kind": p.kind, "per_version_krw": p.per_version_krw}
    if isinstance(p, Subscription):
        return {"kind": p.kind, "period": p.period, "krw": p.krw}
    return {"kind": p.kind}


def price_columns(p: Price) -> tuple[str, int | None, str | None]:
    """(kind, amount in won, period) as stored."""
    if isinstance(p, OneOff):
        return p.kind, p.per_version_krw, None
    if isinstance(p, Subscription):
        return p.kind, p.krw, p.period
    return p.kind, None, None


def price_of(kind: str, krw: int | None, period: str | None) -> Price:
    """The stored columns back as a price."""
    return price_from_dict({"kind": kind, "per_version_krw": krw, "krw": krw, "period": period})


def won(amount: int) -> str:
    """An amount as written in Korea: "50,000원"."""
    return f"{amount:,}원"


def price_words(p: Price, lang: str) -> str:
    """A price in a few words, e.g. "버전당 50,000원" / "50,000 KRW per version"."""
    ko = lang == "ko"
    if isinstance(p, OneOff):
        return (
            f"버전당 {won(p.per_version_krw)}" if ko else f"{p.per_version_krw:,} KRW per version"
        )
    if isinstance(p, Subscription):
        if ko:
            return f"{'월' if p.period == 'month' else '연'} {won(p.krw)} 구독"
        return f"{p.krw:,} KRW per {p.period} (subscription)"
    return "연구 목적 무료" if ko else "Free for research"


def clean_title(value: str) -> str:
    text = " ".join(value.split())
    if not 1 <= len(text) <= TITLE_MAX:
        raise InvalidInput(M.MSG_TITLE.format(max=TITLE_MAX))
    return text


def clean_description(value: str) -> str:
    text = value.strip()
    if len(text) > DESCRIPTION_MAX:
        raise InvalidInput(M.MSG_DESCRIPTION.format(max=DESCRIPTION_MAX))
    return text


def check_change(status: str, change: str) -> None:
    """Refuse `change` ("changed", "published", "unpublished", "archived") from `status`."""
    if status not in ALLOWED_FROM[change]:
        raise Conflict(M.MSG_STATUS.format(status=status, action=change))


def parse_price(text: str) -> Price:
    """A price as the CLI writes it: "one-off:50000", "subscription:month:30000" or
    "free-research"."""
    parts = text.strip().split(":")
    try:
        if parts[0] == "one-off" and len(parts) == 2:
            return price_from_dict({"kind": "one-off", "per_version_krw": int(parts[1])})
        if parts[0] == "subscription" and len(parts) == 3:
            return price_from_dict(
                {"kind": "subscription", "period": parts[1], "krw": int(parts[2])}
            )
        if parts == ["free-research"]:
            return FreeForResearch()
    except ValueError:
        pass
    raise InvalidInput(M.MSG_PRICE_TEXT.format(text=text))
