"""Pure rules of market orders: the term an order entitles its buyer for, subscription periods,
VAT (부가가치세) in a price, and the fields of a Korean tax invoice (세금계산서). No I/O."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Literal

from datanuri import errors
from datanuri.market import order_messages as M

KEY_MAX = 150
VAT_RATE_PERCENT = 10
Period = Literal["month", "year"]


def clean_key(key: str) -> str:
    """An order's idempotency key: 1 to 150 printable characters."""
    if not isinstance(key, str) or not 0 < len(key) <= KEY_MAX or not key.isprintable():
        raise errors.InvalidInput(M.MSG_KEY_FORMAT.format(key=key))
    return key


def add_period(t: dt.datetime, period: Period, count: int = 1) -> dt.datetime:
    """`t` plus `count` calendar months or years; a day past the month's end becomes its last
    day (31 January + 1 month = 28 or 29 February)."""
    months = count * (12 if period == "year" else 1)
    y, m = divmod(t.month - 1 + months, 12)
    year, month = t.year + y, m + 1
    day = min(t.day, calendar.monthrange(year, month)[1])
    return t.replace(year=year, month=month, day=day)


def term_end(
    start: dt.datetime,
    *,
    price_kind: str,
    period: Period | None,
    term_days: int | None,
    ends_on: dt.date | None = None,
) -> dt.datetime | None:
    """When an order's entitlement ends: a subscription at the end of the period paid, others
    after the licence's term (None: no end); never after the licence's last day."""
    if price_kind == "subscription":
        assert period is not None
        end: dt.datetime | None = add_period(start, period)
    else:
        end = start + dt.timedelta(days=term_days) if term_days is not None else None
    if ends_on is not None:
        last = dt.datetime.combine(ends_on + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        end = last if end is None else min(end, last)
    return end


def vat_split(total: int) -> tuple[int, int]:
    """(공급가액, 세액) of a VAT-inclusive price in whole won: the supply value is the total over
    1.1 rounded to the nearest won (half up), the tax what is left, so they add up to `total`."""
    if total < 0:
        raise ValueError("a negative total")
    supply = (total * 100 + (100 + VAT_RATE_PERCENT) // 2) // (100 + VAT_RATE_PERCENT)
    return supply, total - supply


@dataclass(frozen=True)
class Party:
    """공급자 or 공급받는자: 등록번호 (business registration number), 상호 (name), 대표자, 주소."""

    registration_no: str
    name: str
    representative: str = ""
    address: str = ""
    email: str = ""


@dataclass(frozen=True)
class InvoiceLine:
    """One line: what was sold, its supply value and tax."""

    description: str
    quantity: int
    supply: int
    tax: int


@dataclass(frozen=True)
class Invoice:
    """A printable invoice with the fields of a Korean tax invoice (세금계산서)."""

    number: str
    written_on: dt.date  # 작성일자
    supplier: Party  # 공급자
    buyer: Party  # 공급받는자
    lines: tuple[InvoiceLine, ...]
    refunded: int  # won refunded so far (a refund is a separate, negative invoice in practice)

    @property
    def supply(self) -> int:  # 공급가액
        return sum(x.supply for x in self.lines)

    @property
    def tax(self) -> int:  # 세액
        return sum(x.tax for x in self.lines)

    @property
    def total(self) -> int:  # 합계금액
        return self.supply + self.tax


def invoice_of(
    *,
    order_id: int,
    created: dt.datetime,
    amount: int,
    refunded: int,
    description: str,
    supplier: Party,
    buyer: Party,
) -> Invoice:
    """The invoice of one order (written on its day in Korean time)."""
    supply, tax = vat_split(amount)
    kst = dt.timezone(dt.timedelta(hours=9))
    day = created.astimezone(kst).date()
    return Invoice(
        number=f"DN-{day:%Y%m%d}-{order_id:06d}",
        written_on=day,
        supplier=supplier,
        buyer=buyer,
        lines=(InvoiceLine(description, 1, supply, tax),),
        refunded=refunded,
    )
