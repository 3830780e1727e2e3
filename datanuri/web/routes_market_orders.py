"""Market orders: the JSON API under /api/v1/market/orders, /market/sales, /market/subscriptions
and /market/credit, and the printable invoice page. Handlers are thin: one service call with the
caller's principal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from datanuri.market.order_rules import Invoice
from datanuri.web.auth import AdminCaller, PublishCaller, ReadCaller
from datanuri.web.deps import PlatformDep, RowId
from datanuri.web.pages import check_form_csrf, language
from datanuri.web.routes_console import WebUserDep, login_redirect
from datanuri.web.routes_ui import UIRoute, href_factory, ui_page

router = APIRouter(tags=["market orders"])
pages = APIRouter(include_in_schema=False, route_class=UIRoute)


class OrderOut(BaseModel):
    id: int
    key: str = Field(description="The idempotency key the order was placed under")
    buyer: str
    listing_id: int
    listing_title: str
    dataset: str
    organization: str
    version: int | None
    price_kind: str = Field(description="one-off | subscription | free-research")
    period: str | None
    amount: int = Field(description="Won paid, VAT included")
    fee: int = Field(description="The platform's part of the amount")
    refunded: int
    status: str = Field(description="paid | refunded")
    provider: str
    entry_id: int | None = Field(description="The sale's journal entry in the books")
    subscription_id: int | None
    licence_sha256: str
    starts_at: str
    ends_at: str | None
    access: str = Field(description="active | expired | revoked | none (now)")
    created_at: str
    replayed: bool = Field(description="True when the key had been used: the same order")


class OrderIn(BaseModel):
    listing_id: int = Field(ge=1)
    key: str = Field(min_length=1, max_length=150, description="Idempotency key (one order)")
    version: int | None = Field(None, ge=1, description="One-off prices: the version bought")


class RefundIn(BaseModel):
    key: str = Field(min_length=1, max_length=150, description="Idempotency key (one refund)")
    amount: int | None = Field(None, ge=1, description="Won to refund; default all that is left")


class SubscriptionOut(BaseModel):
    id: int
    buyer: str
    listing_id: int
    dataset: str
    period: str
    amount: int
    status: str = Field(description="active | lapsed | cancelled")
    paid_until: str
    renewals: int
    last_version: int | None


class CreditOut(BaseModel):
    balance: int = Field(description="Won of prepaid credit left")
    account_id: int | None


class TopUpIn(BaseModel):
    email: str = Field(max_length=320)
    amount: int = Field(ge=1)
    key: str = Field(min_length=1, max_length=150, description="Idempotency key (one top-up)")


class PartyOut(BaseModel):
    registration_no: str
    name: str
    representative: str
    address: str
    email: str


class InvoiceLineOut(BaseModel):
    description: str
    quantity: int
    supply: int
    tax: int


class InvoiceOut(BaseModel):
    number: str
    written_on: dt.date = Field(description="작성일자")
    supplier: PartyOut = Field(description="공급자")
    buyer: PartyOut = Field(description="공급받는자")
    lines: list[InvoiceLineOut]
    supply: int = Field(description="공급가액")
    tax: int = Field(description="세액 (10 %)")
    total: int = Field(description="합계금액")
    refunded: int


def _invoice(inv: Invoice) -> dict[str, Any]:
    return {
        "number": inv.number,
        "written_on": inv.written_on,
        "supplier": vars(inv.supplier),
        "buyer": vars(inv.buyer),
        "lines": [vars(x) for x in inv.lines],
        "supply": inv.supply,
        "tax": inv.tax,
        "total": inv.total,
        "refunded": inv.refunded,
    }


@router.get("/market/orders", response_model=list[OrderOut])
def my_orders(me: ReadCaller, p: PlatformDep) -> list[dict[str, Any]]:
    """Your orders, newest first."""
    return [x.to_dict() for x in p.orders.mine(principal=me)]


@router.post("/market/orders", status_code=201, response_model=OrderOut)
def place_order(body: OrderIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Order a listing, paid from your prepaid credit; the same key again returns the same order
    (charged once)."""
    return p.orders.place(
        body.listing_id, key=body.key, version=body.version, principal=me
    ).to_dict()


@router.get("/market/orders/{order_id}", response_model=OrderOut)
def get_order(order_id: RowId, me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    """One order (its buyer, the selling organisation's editors, administrators)."""
    return p.orders.get(order_id, principal=me).to_dict()


@router.get("/market/orders/{order_id}/invoice", response_model=InvoiceOut)
def order_invoice(order_id: RowId, me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    """The order's invoice with the fields of a Korean tax invoice."""
    return _invoice(p.orders.invoice(order_id, principal=me))


@router.post("/market/orders/{order_id}/refund", response_model=OrderOut)
def refund_order(
    order_id: RowId, body: RefundIn, me: PublishCaller, p: PlatformDep
) -> dict[str, Any]:
    """Refund part or all of an order to the buyer's credit (owners of the selling organisation,
    administrators); a full refund ends the access."""
    return p.orders.refund(order_id, key=body.key, amount=body.amount, principal=me).to_dict()


@router.post("/market/orders/{order_id}/revoke", response_model=OrderOut)
def revoke_order(order_id: RowId, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """End the buyer's access from this order now (owners of the selling organisation,
    administrators); no money moves."""
    return p.orders.revoke(order_id, principal=me).to_dict()


@router.get("/market/sales", response_model=list[OrderOut])
def org_sales(
    me: ReadCaller, p: PlatformDep, org: str = Query(..., max_length=200)
) -> list[dict[str, Any]]:
    """An organisation's sales, newest first (its owners and editors, administrators)."""
    return [x.to_dict() for x in p.orders.sales(org, principal=me)]


@router.get("/market/subscriptions", response_model=list[SubscriptionOut])
def my_subscriptions(me: ReadCaller, p: PlatformDep) -> list[dict[str, Any]]:
    """Your subscriptions, newest first."""
    return [x.to_dict() for x in p.orders.subscriptions(principal=me)]


@router.get("/market/credit", response_model=CreditOut)
def my_credit(me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    """Your prepaid credit."""
    c = p.orders.credit(principal=me)
    return {"balance": c.balance, "account_id": c.account_id}


@router.post("/market/credit/topup", response_model=CreditOut)
def top_up(body: TopUpIn, me: AdminCaller, p: PlatformDep) -> dict[str, Any]:
    """Add money received outside the platform to a buyer's prepaid credit (administrators)."""
    c = p.orders.top_up(body.email, body.amount, key=body.key, principal=me)
    return {"balance": c.balance, "account_id": c.account_id}


# ----- pages ---------------------------------------------------------------------------------
@pages.get("/console/market/orders", response_class=HTMLResponse)
def orders_page(request: Request, p: PlatformDep, who: WebUserDep) -> Response:
    """The buyer's orders, subscriptions and credit, with links to each invoice."""
    if who is None:
        return login_redirect(request)
    return ui_page(
        request,
        "console/market_orders.html",
        user=who.user,
        orders=p.orders.mine(principal=who.me),
        subscriptions=p.orders.subscriptions(principal=who.me),
        credit=p.orders.credit(principal=who.me),
        done=request.query_params.get("done"),
    )


@pages.post("/market/listings/{listing_id}/buy", response_class=HTMLResponse)
async def checkout(
    listing_id: RowId, request: Request, p: PlatformDep, who: WebUserDep
) -> Response:
    """Checkout from a listing's page: the order is paid from the buyer's credit under the key
    the page carried (a second press of the button orders nothing more)."""
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    key = str(form.get("order_key") or "")
    me = who.me
    order = await run_in_threadpool(lambda: p.orders.place(listing_id, key=key, principal=me))
    lang = language(request)
    return RedirectResponse(
        href_factory(lang)("/console/market/orders", done=str(order.id)), status_code=303
    )


@pages.get("/console/market/orders/{order_id}/invoice", response_class=HTMLResponse)
def invoice_page(order_id: RowId, request: Request, p: PlatformDep, who: WebUserDep) -> Response:
    """A printable invoice with the fields of a Korean tax invoice, in the page's language."""
    if who is None:
        return login_redirect(request)
    inv = p.orders.invoice(order_id, principal=who.me)
    return ui_page(request, "console/market_invoice.html", user=who.user, inv=inv)


@pages.get("/console/market/sales", response_class=HTMLResponse)
def sales_page(request: Request, p: PlatformDep, who: WebUserDep) -> Response:
    """The holder's sales per organisation it edits, and what the platform owes it (payouts)."""
    if who is None:
        return login_redirect(request)
    orgs = sorted(o for o, r in who.me.org_roles.items() if r in ("owner", "editor"))
    sections = []
    for org in orgs:
        sold = p.orders.sales(org, principal=who.me)
        kept = sum(x.amount - x.refunded - x.fee for x in sold if x.entry_id is not None)
        sections.append({"org": org, "orders": sold, "owed": kept})
    return ui_page(request, "console/market_sales.html", user=who.user, sections=sections)
