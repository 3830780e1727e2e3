"""The demo market's price history: a synthetic, documented record of data products sold over
two years, so price suggestions have comparables and their backtest has something to replay.

Nothing here is a real sale. Each observation is a made-up data product ("합성" in its label)
with features drawn at random (seeded, so every demo has the same history) and a yearly price
made by this documented law, in log10 won:

    log10(price) = theme level                          (THEME_LEVEL: 5.1 culture … 6.1 finance)
                 + 0.18 · (log10(1 + rows) − 4)          (larger tables cost more)
                 + 0.10 · (log10(1 + columns) − 1.2)
                 − 0.15 · log10(1 + age in days)         (stale data is worth less)
                 + 0.08 · log10(1 + updates per year)    (frequently renewed data costs more)
                 + 0.10 · log10(1 + downloads)           (demand)
                 + 0.06 · log10(1 + desk requests)
                 + 0.05 · log10(1 + past sales)
                 + 0.012 · months since the start        (prices drift up ~3 % a year)
                 + noise ~ Normal(0, 0.08)               (negotiation, what buyers will pay)

then rounded to 10,000 won. The model (`market/pricing.py`) does not see the drift or the law's
form, only the features: its backtest error is an honest measure of how well the features
explain prices, with the noise (about ±20 %) as the floor no model can beat.

`seed_price_history(platform)` records it once (admins' `PriceAdvisor.record_history`, source
``demo-synthetic``); the integrator calls it from `datanuri demo` next to the demo listing.

`seed_demo_fingerprints(platform)` makes the demo's listed dataset (the restricted 112 calls)
deliver fingerprinted copies: the holder's ``fingerprint`` key and the scheme `DEMO_SCHEME`
(rows named by their case number; the arrival time in minutes, written with one decimal, moves
by at most 0.3 minutes; one row in two marked, since only that column can carry marks and a
fifth of it is empty), so a buyer's download carries their marks and `datanuri trace` names
them from a tenth of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from datanuri.accounts.principal import SYSTEM
from datanuri.errors import NotFound
from datanuri.market.fingerprint import Scheme, Tolerance
from datanuri.market.price_advisor import Observation
from datanuri.market.pricing import UPDATES_PER_YEAR, Features
from datanuri.market.trace import DEFAULT_KEY
from datanuri.platform import Platform

SOURCE = "demo-synthetic"
OBSERVATIONS = 240
START = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
MONTHS = 24
THEME_LEVEL = {
    "교통": 5.6,
    "보건": 6.0,
    "경제": 5.9,
    "환경": 5.3,
    "공공질서": 5.5,
    "문화관광": 5.1,
    "인구": 5.7,
    "재정금융": 6.1,
}
SUBJECTS = {
    "교통": "통행량",
    "보건": "진료 통계",
    "경제": "카드 매출",
    "환경": "대기질 측정",
    "공공질서": "신고 처리",
    "문화관광": "관광객 이동",
    "인구": "생활인구",
    "재정금융": "지역 소비",
}
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "annual", "irregular")


def price_history(n: int = OBSERVATIONS, *, seed: int = 2024) -> list[Observation]:
    """`n` synthetic sales over MONTHS months from START, in time order (see the module law)."""
    rng = np.random.default_rng(seed)
    themes = list(THEME_LEVEL)
    out = []
    months = np.sort(rng.uniform(0, MONTHS, n))
    for i, month in enumerate(months):
        theme = themes[int(rng.integers(len(themes)))]
        freq = FREQUENCIES[int(rng.integers(len(FREQUENCIES)))]
        f = Features(
            rows=int(10 ** rng.uniform(2.5, 7.5)),
            columns=int(rng.integers(4, 80)),
            age_days=float(round(10 ** rng.uniform(0, 3.2), 1)),
            update_frequency=freq,
            theme=theme,
            downloads=int(10 ** rng.uniform(0, 3.5)) - 1,
            requests=int(rng.poisson(2.0)),
            sales=int(rng.poisson(3.0)),
        )
        log_p = (
            THEME_LEVEL[theme]
            + 0.18 * (np.log10(1 + f.rows) - 4)
            + 0.10 * (np.log10(1 + f.columns) - 1.2)
            - 0.15 * np.log10(1 + f.age_days)
            + 0.08 * np.log10(1 + UPDATES_PER_YEAR[freq])
            + 0.10 * np.log10(1 + f.downloads)
            + 0.06 * np.log10(1 + f.requests)
            + 0.05 * np.log10(1 + f.sales)
            + 0.012 * month
            + rng.normal(0, 0.08)
        )
        price = max(10_000, int(round(10**log_p / 10_000)) * 10_000)
        at = START + dt.timedelta(days=float(month) * 30.44)
        label = f"{SUBJECTS[theme]} 자료 (합성 #{i + 1})"
        out.append(Observation(label, f, price, at, source=SOURCE))
    return out


def seed_price_history(
    platform: Platform, report: Callable[[str], None] = lambda _msg: None
) -> int:
    """Record the synthetic history once (nothing if it is there); how many were added."""
    if platform.prices.history_size(SOURCE):
        return 0
    added = platform.prices.record_history(price_history(), principal=SYSTEM)
    report(f"market price history: {added} synthetic sales recorded")
    return added


DEMO_FINGERPRINT_DATASET = "seoul-112-calls"
DEMO_SCHEME = Scheme(
    id_columns=("접수번호",),
    columns={"현장도착소요(분)": Tolerance(absolute=0.3, decimals=1)},
    gamma=2,
)


def seed_demo_fingerprints(
    platform: Platform, report: Callable[[str], None] = lambda _msg: None
) -> bool:
    """Give the demo's listed dataset its fingerprint key and scheme once; whether it did."""
    try:
        info = platform.catalog.get_dataset(DEMO_FINGERPRINT_DATASET, principal=SYSTEM)
    except NotFound:
        return False
    if platform.deliveries.plan(DEMO_FINGERPRINT_DATASET, principal=SYSTEM) is not None:
        return False
    keys = platform.privacy.list_keys(info.organization, principal=SYSTEM)
    if DEFAULT_KEY not in {k.name for k in keys}:
        platform.privacy.create_key(info.organization, DEFAULT_KEY, principal=SYSTEM)
    platform.deliveries.set_scheme(DEMO_FINGERPRINT_DATASET, DEMO_SCHEME, principal=SYSTEM)
    report(f"{DEMO_FINGERPRINT_DATASET}: buyers' downloads carry their fingerprint")
    return True
