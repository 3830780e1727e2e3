"""Market orders over HTTP: the API (an order charged once per key, its invoice with Korean
tax-invoice fields, credit), and the console: checkout from the listing page (the page's key
makes a second press order nothing more), the buyer's orders, the printable invoice in Korean
and English, and the holder's sales and payouts."""

from __future__ import annotations

import re
from typing import Any

from datanuri.accounts.principal import SYSTEM
from tests.market import orders_world as W
from tests.web.test_console_pages import login


def _token(platform: Any, email: str) -> dict[str, str]:
    t = platform.accounts.create_token(
        name="t", scopes=["read", "publish"], for_email=email, principal=SYSTEM
    )[1]
    return {"Authorization": f"Bearer {t}"}


def test_api_order_once_per_key_and_invoice(platform, api, tmp_path):
    w = W.build(platform, tmp_path)
    platform.orders.top_up("buyer@example.org", 60_000, key="t", principal=SYSTEM)
    h = _token(platform, "buyer@example.org")
    assert api.get("/api/v1/market/credit", headers=h).json()["balance"] == 60_000
    body = {"listing_id": w["listings"]["one_off"], "key": "k-1"}
    first = api.post("/api/v1/market/orders", json=body, headers=h)
    again = api.post("/api/v1/market/orders", json=body, headers=h)
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and again.json()["replayed"]
    assert api.get("/api/v1/market/credit", headers=h).json()["balance"] == 10_000
    short = api.post("/api/v1/market/orders", json={**body, "key": "k-2"}, headers=h)
    assert short.status_code == 409 and "Top up" in short.text
    inv = api.get(f"/api/v1/market/orders/{first.json()['id']}/invoice", headers=h).json()
    assert (inv["supply"], inv["tax"], inv["total"]) == (45_455, 4_545, 50_000)
    assert inv["supplier"]["name"] == "서울연구원"
    assert [x["id"] for x in api.get("/api/v1/market/orders", headers=h).json()] == [
        first.json()["id"]
    ]


def test_checkout_orders_invoice_and_sales_pages(platform, api, tmp_path):
    w = W.build(platform, tmp_path)
    platform.orders.top_up("buyer@example.org", 100_000, key="t", principal=SYSTEM)
    browser, _ = login(api, "buyer@example.org")
    lid = w["listings"]["one_off"]
    page = browser.get(f"/market/listings/{lid}")
    assert page.status_code == 200 and 'id="buy-form"' in page.text
    form = dict(re.findall(r'name="(csrf_token|order_key)" value="([^"]+)"', page.text))
    for _ in range(2):  # a double press: one order
        done = browser.post(f"/market/listings/{lid}/buy", data=form, follow_redirects=False)
        assert done.status_code == 303 and "/console/market/orders" in done.headers["location"]
    mine = browser.get("/console/market/orders")
    assert mine.status_code == 200 and mine.text.count('id="order-') == 1
    assert "50,000" in mine.text and "50,000원" in mine.text  # credit left
    (oid,) = re.findall(r'id="order-(\d+)"', mine.text)
    ko = browser.get(f"/console/market/orders/{oid}/invoice")
    for field in (
        "공급자",
        "공급받는자",
        "등록번호",
        "상호",
        "공급가액",
        "세액",
        "합계금액",
        "작성일자",
    ):
        assert field in ko.text
    assert "45,455" in ko.text and "4,545" in ko.text
    en = browser.get(f"/console/market/orders/{oid}/invoice?lang=en")
    assert "Supply value" in en.text and "Total" in en.text
    # Another buyer cannot see it; the holder's owner sees the sale and what is owed.
    other, _ = login(api, "other@example.org")
    assert other.get(f"/console/market/orders/{oid}/invoice").status_code == 404
    holder, _ = login(api, "own@example.org")
    sales = holder.get("/console/market/sales")
    assert f'id="sale-{oid}"' in sales.text and "45,000" in sales.text
    # Logged out: to the login page.
    anon = api.get("/console/market/orders", follow_redirects=False)
    assert anon.status_code == 303 and "/login" in anon.headers["location"]
