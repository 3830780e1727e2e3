"""The demo's market listing: the restricted 112 calls offered on a yearly subscription under a
commercial internal-use licence, with a synthetic sample (made up here, never rows of the data:
the case numbers say so), published once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from datanuri.accounts.principal import SYSTEM
from datanuri.errors import Conflict, NotFound
from datanuri.market import licence as L
from datanuri.market import listing_rules as rules
from datanuri.market.listings import SyntheticSample
from datanuri.platform import Platform

DEMO_LISTING_DATASET = "seoul-112-calls"
DEMO_LISTING_TITLE = "서울 112 신고 처리 현황 — 기업 내부 분석용 연간 구독"
DEMO_LISTING_DESCRIPTION = (
    "경찰서별 112 신고 접수·처리 자료를 연 단위로 구독합니다. 새 분기 자료가 게시되면 구독 기간 "
    "동안 함께 이용할 수 있습니다. 표본은 실제 신고가 아닌 합성 자료입니다."
)
HEADER = "접수번호,접수일자,접수시각,관할경찰서,사건종별,긴급도,현장도착소요(분),처리결과"
SAMPLE_ROWS = (
    "합성-000001,2024년 1월 3일,08:15:00,종로경찰서,교통사고,code 1,4.2,사건처리",
    "합성-000002,2024년 1월 3일,21:40:00,마포경찰서,소음,code 3,,현장종결",
    "합성-000003,2024년 1월 4일,02:05:00,강남경찰서,주취자,code 2,7.9,현장종결",
    "합성-000004,2024년 1월 5일,13:30:00,송파경찰서,분실물,code 4,,타기관인계",
    "합성-000005,2024년 1월 6일,19:55:00,중부경찰서,폭력,code 0,3.1,사건처리",
)


def seed_demo_listing(
    platform: Platform, src_dir: Path, report: Callable[[str], None] = lambda _msg: None
) -> int | None:
    """Publish the demo listing once (nothing if the dataset has any listing); its id."""
    try:
        platform.catalog.get_dataset(DEMO_LISTING_DATASET, principal=SYSTEM)
    except NotFound:
        return None
    if platform.listings.search(principal=SYSTEM, dataset=DEMO_LISTING_DATASET, mine=True):
        return None
    src_dir.mkdir(parents=True, exist_ok=True)
    sample = src_dir / "seoul-112-calls-synthetic-sample.csv"
    sample.write_text("\n".join((HEADER, *SAMPLE_ROWS)) + "\n", encoding="utf-8")
    made = platform.listings.create(
        DEMO_LISTING_DATASET,
        title=DEMO_LISTING_TITLE,
        description=DEMO_LISTING_DESCRIPTION,
        price=rules.Subscription("year", 1_200_000),
        terms=L.template("commercial-internal"),
        sample=SyntheticSample(sample),
        principal=SYSTEM,
    )
    platform.listings.publish(made.id, principal=SYSTEM)
    report(f"{DEMO_LISTING_DATASET}: market listing {made.id} on sale")
    return made.id


# Demo buyers of the market: prepaid credit topped up by the administrator, and a short sales
# history of the demo listing (one buyer subscribed; another subscribed and got part back).
DEMO_BUYERS: tuple[tuple[str, str, int], ...] = (
    ("buyer@datanuri.local", "박구매 Buyer", 3_000_000),
    ("buyer2@datanuri.local", "최구독 Subscriber", 2_000_000),
)
DEMO_PARTIAL_REFUND = 200_000


def seed_demo_orders(
    platform: Platform, report: Callable[[str], None] = lambda _msg: None, *, password: str
) -> int:
    """The demo buyers with credit and their orders of the demo listing, once (every step has
    a fixed idempotency key, so loading again changes nothing); how many orders exist."""
    found = platform.listings.search(principal=SYSTEM, dataset=DEMO_LISTING_DATASET, mine=True)
    if not found:
        return 0
    listing = found[0].id
    made = 0
    for i, (email, name, credit) in enumerate(DEMO_BUYERS):
        try:
            platform.accounts.create_user(
                email, display_name=name, password=password, principal=SYSTEM
            )
        except Conflict:
            pass
        platform.orders.top_up(email, credit, key=f"demo-credit-{email}", principal=SYSTEM)
        buyer = platform.accounts.principal_for(email)
        order = platform.orders.place(listing, key=f"demo-order-{email}", principal=buyer)
        if i == 1:
            platform.orders.refund(
                order.id, key="demo-refund-1", amount=DEMO_PARTIAL_REFUND, principal=SYSTEM
            )
        if not order.replayed:
            made += 1
            report(f"{DEMO_LISTING_DATASET}: {email} bought listing {listing} (order {order.id})")
    return made
