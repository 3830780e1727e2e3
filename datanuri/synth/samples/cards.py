"""Card purchase transactions: merchant categories with Korean names, log-normal amounts per
category, hours and weekdays that depend on the category, shops near the cardholder's home."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from datanuri.synth.samples.model import (
    BATCH_ROWS,
    PERIOD_DAYS,
    PERIOD_START_S,
    TIME,
    SampleKind,
    Text,
    draw,
    hour_seconds,
    timestamps,
    weights_cdf,
)
from datanuri.synth.samples.places import places

# Hour-of-day profiles (KST), 24 relative weights each.
PROFILES: dict[str, tuple[float, ...]] = {
    "allday": (3, 2, 1.5, 1, 1, 1, 2, 4, 6, 5, 5, 6, 7, 6, 5, 5, 5, 6, 7, 7, 7, 6, 5, 4),
    "meals": (0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 3, 12, 20, 8, 2, 1, 2, 7, 15, 14, 7, 3, 1, 0),
    "coffee": (0, 0, 0, 0, 0, 0, 1, 6, 10, 8, 6, 5, 8, 10, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0),
    "commute": (1, 0, 0, 0, 0, 1, 4, 14, 16, 7, 4, 4, 4, 4, 4, 5, 6, 12, 14, 8, 5, 4, 3, 2),
    "evening": (4, 2, 1, 1, 0, 0, 1, 2, 3, 4, 5, 5, 6, 6, 5, 5, 5, 5, 6, 7, 9, 11, 11, 8),
    "daytime": (0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 7, 9, 9, 9, 9, 9, 9, 9, 8, 7, 5, 3, 1, 0),
    "night": (8, 7, 5, 3, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 9),
    "office": (0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 9, 8, 4, 7, 9, 9, 8, 6, 2, 0, 0, 0, 0, 0),
    "leisure": (1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 7, 8, 7, 5, 3),
}


@dataclass(frozen=True)
class Category:
    """A merchant category: its share of transactions and its amounts and times."""

    name: str  # Korean, as card companies' 업종 read
    english: str
    share: float  # relative frequency
    median_krw: int  # amount ~ LogNormal(log median, sigma)
    sigma: float
    profile: str  # PROFILES key
    weekend: float  # a weekend day's weight relative to a weekday's
    online: bool = False


CATEGORIES: tuple[Category, ...] = (
    Category("편의점", "convenience store", 17, 5_200, 0.75, "allday", 1.0),
    Category("한식", "Korean restaurant", 12, 11_000, 0.55, "meals", 1.0),
    Category("커피전문점", "coffee shop", 10, 5_600, 0.45, "coffee", 0.9),
    Category("대중교통", "public transport", 8, 1_450, 0.25, "commute", 0.6),
    Category("온라인쇼핑", "online shopping", 9, 32_000, 1.0, "evening", 1.1, online=True),
    Category("대형마트", "hypermarket", 5, 58_000, 0.8, "daytime", 1.8),
    Category("슈퍼마켓", "supermarket", 6, 17_000, 0.8, "daytime", 1.2),
    Category("주유소", "gas station", 4, 60_000, 0.35, "daytime", 1.0),
    Category("택시", "taxi", 3, 12_000, 0.55, "night", 1.2),
    Category("제과점", "bakery", 3, 9_000, 0.5, "coffee", 1.2),
    Category("양식", "Western restaurant", 3, 24_000, 0.55, "meals", 1.4),
    Category("주점", "bar", 3, 48_000, 0.7, "night", 1.3),
    Category("약국", "pharmacy", 3, 8_500, 0.7, "daytime", 0.8),
    Category("의원", "clinic", 3, 15_000, 0.9, "office", 0.4),
    Category("의류", "clothing", 3, 55_000, 0.8, "daytime", 1.6),
    Category("영화관", "cinema", 1.5, 26_000, 0.4, "leisure", 2.2),
    Category("미용실", "hair salon", 1.5, 25_000, 0.6, "daytime", 1.5),
    Category("학원", "private academy", 1.5, 250_000, 0.5, "office", 0.3),
    Category("통신요금", "telecom bill", 1, 65_000, 0.3, "allday", 1.0, online=True),
)
CARDS_PER_ROW = 1 / 40  # distinct cards: rows / 40 (at least 1,000)
HOME_SHARE, SIDO_SHARE = 0.7, 0.2  # shop in the card's home 시군구, its 시도, else anywhere
INSTALMENT_FROM, INSTALMENT_P = 50_000, 0.25  # amounts from 50,000 won: 2-12 months, p = 0.25
MIX = 0x9E3779B97F4A7C15  # a card's home comes from its number (no table of cards is kept)

SCHEMA = pa.schema(
    [
        ("transaction_id", pa.int64()),
        ("card_id", pa.int64()),
        ("approved_at", TIME),
        ("category", pa.string()),
        ("category_en", pa.string()),
        ("channel", pa.string()),
        ("region_id", pa.string()),
        ("sido_name", pa.string()),
        ("sigungu_name", pa.string()),
        ("amount_krw", pa.int64()),
        ("instalment_months", pa.int8()),
    ]
)


def day_weights(cat: Category) -> np.ndarray:
    """Weights of the period's days for `cat` (the period starts on a Monday)."""
    return np.where(np.arange(PERIOD_DAYS) % 7 < 5, 1.0, cat.weekend)


def card_homes(card: np.ndarray) -> np.ndarray:
    """Each card's home place, a fixed function of its number."""
    u = (card.astype(np.uint64) * np.uint64(MIX)) >> np.uint64(11)
    return np.minimum(
        np.searchsorted(places().cdf, u.astype(np.float64) / 2.0**53, side="right"),
        len(places().cdf) - 1,
    )


def generate(rows: int, seed: int) -> Iterator[pa.RecordBatch]:
    """Batches of transactions (each one independent given its card)."""
    rng = np.random.default_rng([seed, 3])
    pl = places()
    cat_cdf = weights_cdf([c.share for c in CATEGORIES])
    names = pa.array([c.name for c in CATEGORIES])
    english = pa.array([c.english for c in CATEGORIES])
    online = np.array([c.online for c in CATEGORIES])
    cards = max(1_000, int(rows * CARDS_PER_ROW))
    next_id = 1
    n = BATCH_ROWS
    while True:
        cat = draw(rng, cat_cdf, n)
        seconds = np.empty(n, np.int64)
        amount = np.empty(n, np.float64)
        for i, c in enumerate(CATEGORIES):
            at = np.flatnonzero(cat == i)
            day = draw(rng, weights_cdf(day_weights(c)), len(at))
            hourly = np.asarray(PROFILES[c.profile], dtype=np.float64)
            seconds[at] = PERIOD_START_S + day * 86_400 + hour_seconds(rng, hourly, len(at))
            amount[at] = rng.lognormal(np.log(c.median_krw), c.sigma, len(at))
        won = np.maximum(np.rint(amount / 10).astype(np.int64) * 10, 100)
        card = rng.integers(1, cards + 1, n)
        home = card_homes(card)
        u = rng.random(n)
        shop = np.where(
            u < HOME_SHARE,
            home,
            np.where(u < HOME_SHARE + SIDO_SHARE, pl.same_sido(rng, home), pl.home(rng, n)),
        )
        web = online[cat]
        months = np.where(
            (won >= INSTALMENT_FROM) & (rng.random(n) < INSTALMENT_P), rng.integers(2, 13, n), 0
        )
        idx = pa.array(shop, mask=web)
        yield pa.record_batch(
            [
                pa.array(np.arange(next_id, next_id + n), pa.int64()),
                pa.array(card, pa.int64()),
                timestamps(seconds),
                names.take(pa.array(cat)),
                english.take(pa.array(cat)),
                pa.array(np.where(web, "online", "offline")),
                pl.region_id.take(idx),
                pl.sido_name.take(idx),
                pl.sigungu.take(idx),
                pa.array(won, pa.int64()),
                pa.array(months, pa.int8()),
            ],
            schema=SCHEMA,
        )
        next_id += n


def _t(ko: str, en: str) -> Text:
    return Text(ko, en)


def _table(lang: str) -> str:
    """The categories' parameters as lines of text."""
    return "\n".join(
        f"- {c.name if lang == 'ko' else c.english}: {c.share / sum(x.share for x in CATEGORIES):.1%}, "
        f"{c.median_krw:,}원/won, σ = {c.sigma}, {c.profile}, "
        f"{'주말' if lang == 'ko' else 'weekend'} ×{c.weekend}"
        for c in CATEGORIES
    )


KIND = SampleKind(
    kind="cards",
    dataset="synthetic-card-transactions",
    title=_t("합성 카드 승인 내역", "Synthetic card transactions"),
    keywords=("합성데이터", "카드", "소비", "업종", "결제", "synthetic", "card transactions"),
    theme="경제",
    schema=SCHEMA,
    generate=generate,
    sheet=(
        (
            "motivation",
            _t(
                "소비 분석, 가계부, 이상 거래 탐지, 상권 분석을 만드는 개발자가 실제 카드 내역 "
                "없이 업종별 금액과 시간 패턴을 시험할 수 있도록 만든 합성 데이터입니다.",
                "For developers of spending analytics, budgeting apps, fraud detection and "
                "retail-area analysis: category amounts and time patterns without anyone's real "
                "card records.",
            ),
        ),
        (
            "composition",
            _t(
                "한 행은 한 건의 카드 승인입니다. 거래 번호, 카드 번호(합성), 승인 시각(한국 "
                "시간), 업종(한국어, 영어), 채널(offline/online), 가맹점 지역(온라인은 빈 값), "
                "금액(원, 10원 단위), 할부 개월(0은 일시불)입니다.",
                "One row is one card approval: transaction, card (synthetic), time (Korean local "
                "time), merchant category (Korean and English), channel (offline/online), the "
                "shop's region (empty online), amount in won (multiples of 10) and instalment "
                "months (0: paid at once).",
            ),
        ),
        (
            "collection",
            _t(
                "통계 모형으로 생성했습니다. 업종은 아래 비율로 뽑고, 금액은 업종별 중앙값과 σ의 "
                "로그정규분포(10원 단위로 반올림, 최소 100원)입니다. 날짜는 28일 중 주말 가중치를 "
                "둔 분포, 시각은 업종의 시간대 유형(meals: 점심·저녁, coffee: 출근·점심 뒤, "
                "commute: 출퇴근, night: 밤, office: 업무 시간, evening: 저녁, daytime: 낮, "
                "leisure: 오후·저녁, allday: 종일)을 따릅니다. 카드는 행 수의 1/40장 중 균등하게 "
                "뽑고, 카드마다 집 시군구가 정해져 있어 가맹점은 70% 그 시군구, 20% 같은 시도, "
                "10% 인구 비례의 아무 곳입니다. 5만 원 이상은 25%가 2~12개월 할부입니다. 업종별 "
                "비율, 중앙값, σ, 시간대, 주말 배수:\n" + _table("ko"),
                "Generated by a statistical model. The category is drawn with the shares below; "
                "the amount is LogNormal with the category's median and σ (rounded to 10 won, at "
                "least 100). The day is drawn over 28 days with the category's weekend weight, "
                "the hour from its profile (meals: lunch and dinner, coffee: morning and after "
                "lunch, commute: rush hours, night, office hours, evening, daytime, leisure, "
                "allday). Cards are uniform over rows / 40; each card has a home 시군구, and the "
                "shop is there (70%), in its 시도 (20%) or anywhere by population (10%). From "
                "50,000 won, 25% of payments are in 2-12 instalments. Categories with share, "
                "median, σ, profile and weekend factor:\n" + _table("en"),
            ),
        ),
    ),
    properties=(
        _t(
            "업종별 금액의 중앙값과 로그 표준편차는 위에 적은 값에 가깝습니다.",
            "Each category's median amount and log standard deviation are close to the values "
            "stated above.",
        ),
        _t(
            "음식점(한식, 양식)의 결제는 12시와 18~19시에 가장 많고, 대형마트의 주말 하루 결제는 "
            "평일 하루보다 많습니다.",
            "Restaurant payments peak at 12 h and 18-19 h; a hypermarket's weekend day has more "
            "payments than a weekday.",
        ),
        _t("온라인 결제에는 가맹점 지역이 없습니다.", "Online payments have no shop region."),
    ),
    columns=(
        ("transaction_id", _t("거래 번호", "Transaction number")),
        ("card_id", _t("카드 번호(합성)", "Card number (synthetic)")),
        ("approved_at", _t("승인 시각(한국 시간)", "Time of approval (Korean time)")),
        ("category", _t("업종", "Merchant category (Korean)")),
        ("category_en", _t("업종(영어)", "Merchant category (English)")),
        ("channel", _t("채널: offline 또는 online", "Channel: offline or online")),
        ("region_id", _t("가맹점 지역 id", "Region id of the shop")),
        ("sido_name", _t("가맹점 시도", "시도 of the shop")),
        ("sigungu_name", _t("가맹점 시군구", "시군구 of the shop")),
        ("amount_krw", _t("승인 금액(원)", "Amount (won)")),
        ("instalment_months", _t("할부 개월(0: 일시불)", "Instalment months (0: at once)")),
    ),
)
