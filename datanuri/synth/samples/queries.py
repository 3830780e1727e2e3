"""Search query logs: Korean queries with Zipf popularity, grouped in sessions, with clicks
under a cascade model (the click-through rate falls with the result's position)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

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
    zipf_cdf,
)

ZIPF_S = 1.07  # popularity exponent of the query vocabulary
VOCAB_SEED = 21  # the vocabulary's popularity order is the same for every seed
SESSION_P = 0.45  # session length ~ Geometric(p): mean 1 / p = 2.2 queries
GAP_MEAN_S = 35.0  # seconds between queries of a session ~ Exponential(mean)
RESULTS = 10  # results shown per query
CLICK_ALPHA, CLICK_DECAY = 0.42, 0.8  # P(click result k | examined) = alpha * k^-decay
DWELL_MEDIAN_S, DWELL_SIGMA = 45.0, 1.0  # dwell after a click ~ LogNormal(log median, sigma)
MOBILE_SHARE = 0.72
USERS_PER_ROW = 1 / 25  # distinct users: rows / 25 (at least 1,000)
# Share of searches per hour of the day (KST): quiet at night, peaks late morning and evening.
HOURLY = np.array(
    [2.0, 1.2, 0.7, 0.5, 0.5, 0.8, 1.6, 3.0, 4.6, 5.6, 6.0, 5.8,
     5.6, 5.8, 5.9, 5.7, 5.5, 5.4, 5.3, 5.8, 6.4, 6.8, 6.0, 3.9]
)  # fmt: skip

PLACES = (
    "서울", "부산", "강남", "홍대", "성수", "판교", "대구", "인천", "광주", "대전", "수원", "제주",
)  # fmt: skip
GENERIC = (
    "추천", "가격", "후기", "비교", "순위", "방법", "할인", "예약", "신청", "오늘", "근처", "2026",
)  # fmt: skip
PLACE_HEADS = (
    "날씨", "맛집", "카페", "부동산", "아파트 시세", "호텔", "병원", "치과", "소아과", "학원",
    "헬스장", "미용실", "주차장", "전시회", "축제", "캠핑장", "중고차", "이사업체",
)  # fmt: skip
ITEM_HEADS = (
    "주식", "환율", "로또 당첨번호", "코스피", "비트코인", "뉴스", "드라마", "영화", "여행",
    "항공권", "등산", "자전거", "다이어트", "레시피", "김치찌개 레시피", "아이폰", "갤럭시",
    "노트북", "에어컨", "냉장고", "청소기", "운동화", "패딩", "화장품", "선크림", "수능", "토익",
    "자격증", "공무원 시험", "채용", "알바", "연말정산", "건강보험", "국민연금", "청약",
    "전세 대출", "전기차", "지하철 노선도", "버스 시간표", "KTX 예매",
)  # fmt: skip


@lru_cache(maxsize=1)
def vocabulary() -> tuple[str, ...]:
    """Every query text, most popular first (a fixed shuffle of heads and head + modifier)."""
    texts = [*PLACE_HEADS, *ITEM_HEADS]
    texts += [f"{p} {h}" for h in PLACE_HEADS for p in PLACES]
    texts += [f"{h} {g}" for h in (*PLACE_HEADS, *ITEM_HEADS) for g in GENERIC]
    order = np.random.default_rng(VOCAB_SEED).permutation(len(texts))
    return tuple(texts[i] for i in order)


def click_probabilities() -> np.ndarray:
    """P(click on result k | results above not clicked), k = 1..RESULTS."""
    return CLICK_ALPHA * np.arange(1, RESULTS + 1, dtype=np.float64) ** -CLICK_DECAY


SCHEMA = pa.schema(
    [
        ("session_id", pa.int64()),
        ("user_id", pa.int64()),
        ("searched_at", TIME),
        ("device", pa.string()),
        ("query", pa.string()),
        ("query_rank", pa.int32()),
        ("query_in_session", pa.int16()),
        ("click_position", pa.int8()),
        ("dwell_seconds", pa.int32()),
    ]
)


def generate(rows: int, seed: int) -> Iterator[pa.RecordBatch]:
    """Batches of whole sessions, for ever (the caller cuts them at `rows`)."""
    rng = np.random.default_rng([seed, 1])
    vocab = pa.array(vocabulary())
    cdf = zipf_cdf(len(vocab), ZIPF_S)
    clicks = click_probabilities()
    users = max(1_000, int(rows * USERS_PER_ROW))
    sessions_per_batch = int(BATCH_ROWS * SESSION_P)
    next_session = 1
    while True:
        s = sessions_per_batch
        length = rng.geometric(SESSION_P, s)
        n = int(length.sum())
        session = np.repeat(np.arange(s), length)
        first = np.cumsum(length) - length
        ordinal = np.arange(n) - np.repeat(first, length)
        day = rng.integers(0, PERIOD_DAYS, s)
        start = PERIOD_START_S + day * 86_400 + hour_seconds(rng, HOURLY, s)
        gaps = np.rint(rng.exponential(GAP_MEAN_S, n)).astype(np.int64) + 1
        gaps[first] = 0
        elapsed = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first], length)
        rank = draw(rng, cdf, n)
        # cascade: results examined top-down; the first one clicked ends the query
        hit = rng.random((n, RESULTS)) < clicks
        any_hit = hit.any(axis=1)
        position = np.where(any_hit, hit.argmax(axis=1) + 1, 0)
        dwell = np.rint(rng.lognormal(np.log(DWELL_MEDIAN_S), DWELL_SIGMA, n)).astype(np.int32)
        device = np.where(rng.random(s) < MOBILE_SHARE, "mobile", "pc")
        user = rng.integers(1, users + 1, s)
        yield pa.record_batch(
            [
                pa.array(next_session + session, pa.int64()),
                pa.array(np.repeat(user, length), pa.int64()),
                timestamps(np.repeat(start, length) + elapsed),
                pa.array(np.repeat(device, length)),
                vocab.take(pa.array(rank)),
                pa.array(rank + 1, pa.int32()),
                pa.array(ordinal + 1, pa.int16()),
                pa.array(position, pa.int8(), mask=~any_hit),
                pa.array(np.maximum(dwell, 1), pa.int32(), mask=~any_hit),
            ],
            schema=SCHEMA,
        )
        next_session += s


def _t(ko: str, en: str) -> Text:
    return Text(ko, en)


KIND = SampleKind(
    kind="queries",
    dataset="synthetic-search-query-logs",
    title=_t("합성 검색 질의 로그", "Synthetic search query logs"),
    keywords=("합성데이터", "검색 로그", "세션", "클릭", "synthetic", "search log"),
    theme="정보통신",
    schema=SCHEMA,
    generate=generate,
    sheet=(
        (
            "motivation",
            _t(
                "검색 서비스를 만드는 개발자와 스타트업이 실제 이용자의 검색 기록 없이 세션 분석, "
                "자동완성, 순위 학습, 클릭 모형을 시험할 수 있도록 만든 합성 데이터입니다.",
                "For developers and start-ups building search: sessions, autocomplete, learning "
                "to rank and click models can be tried without anyone's real search history.",
            ),
        ),
        (
            "composition",
            _t(
                "한 행은 한 번의 검색입니다. 세션 번호, 이용자 번호, 검색 시각(한국 시간), 기기"
                "(mobile/pc), 한국어 검색어, 검색어의 인기 순위, 세션 안의 순번, 클릭한 결과의 "
                "위치(1~10, 클릭이 없으면 빈 값), 클릭 후 체류 시간(초)입니다. 실제 사람은 "
                "한 명도 들어 있지 않습니다.",
                "One row is one search: session, user, time (Korean local time), device, the "
                "Korean query, its popularity rank, its order in the session, the position of "
                "the clicked result (1-10, empty when nothing was clicked) and the dwell time "
                "after the click in seconds. No real person is in it.",
            ),
        ),
        (
            "collection",
            _t(
                f"통계 모형으로 생성했습니다. 검색어 어휘는 주제어와 지역·수식어의 조합 "
                f"{len(vocabulary()):,}개이며 인기 순위 r의 확률은 r^-{ZIPF_S}에 비례합니다"
                f"(Zipf). 세션 길이는 기하분포(p = {SESSION_P}, 평균 {1 / SESSION_P:.1f}개), "
                f"세션 시작은 28일(2026-03-02~03-29) 중 균등한 날짜와 시간대별 가중치(오전 "
                f"10시와 밤 9시 무렵이 가장 많음), 검색 사이 간격은 평균 {GAP_MEAN_S:.0f}초의 "
                f"지수분포입니다. 클릭은 캐스케이드 모형입니다: 결과 {RESULTS}개를 위에서부터 보며 "
                f"k번째 결과를 {CLICK_ALPHA}·k^-{CLICK_DECAY}의 확률로 클릭하고, 첫 클릭에서 "
                f"멈춥니다. 체류 시간은 중앙값 {DWELL_MEDIAN_S:.0f}초, σ = {DWELL_SIGMA}의 "
                f"로그정규분포, 기기는 {MOBILE_SHARE:.0%}가 mobile, 이용자는 행 수의 1/25명 "
                f"중 균등하게 뽑습니다. 검색어는 세션 안에서도 서로 독립입니다.",
                f"Generated by a statistical model. The vocabulary is {len(vocabulary()):,} "
                f"topic words and topic + place/modifier pairs; the query of popularity rank r "
                f"has probability proportional to r^-{ZIPF_S} (Zipf). Session length is "
                f"Geometric(p = {SESSION_P}, mean {1 / SESSION_P:.1f}); a session starts on a "
                f"uniform day of 28 (2026-03-02 to 03-29) at an hour drawn from hourly weights "
                f"(peaks around 10:00 and 21:00); gaps between queries are Exponential with mean "
                f"{GAP_MEAN_S:.0f} s. Clicks follow a cascade model: the {RESULTS} results are "
                f"examined top-down, result k is clicked with probability "
                f"{CLICK_ALPHA}·k^-{CLICK_DECAY}, and the first click ends the query. Dwell is "
                f"LogNormal (median {DWELL_MEDIAN_S:.0f} s, σ = {DWELL_SIGMA}); "
                f"{MOBILE_SHARE:.0%} of sessions are mobile; users are uniform over rows / 25. "
                f"Queries are independent, also within a session.",
            ),
        ),
    ),
    properties=(
        _t(
            f"검색어 인기 순위의 Zipf 지수를 최대가능도로 추정하면 {ZIPF_S}에 가깝습니다.",
            f"The Zipf exponent estimated by maximum likelihood from the ranks is close to "
            f"{ZIPF_S}.",
        ),
        _t(
            "결과 위치별 클릭률은 위치가 내려갈수록 줄어듭니다.",
            "The click-through rate falls with the result's position.",
        ),
        _t(
            "세션 안의 검색 시각은 순번대로 늘어납니다.",
            "Within a session, times increase with the query's order.",
        ),
    ),
    columns=(
        ("session_id", _t("세션 번호", "Session number")),
        ("user_id", _t("이용자 번호(합성)", "User number (synthetic)")),
        ("searched_at", _t("검색 시각(한국 시간)", "Time of the search (Korean time)")),
        ("device", _t("기기: mobile 또는 pc", "Device: mobile or pc")),
        ("query", _t("검색어", "Query text")),
        ("query_rank", _t("검색어의 인기 순위(1이 가장 많음)", "Popularity rank of the query")),
        ("query_in_session", _t("세션 안의 순번", "Order of the query in its session")),
        ("click_position", _t("클릭한 결과의 위치(빈 값: 클릭 없음)", "Clicked position")),
        ("dwell_seconds", _t("클릭 후 체류 시간(초)", "Dwell time after the click (s)")),
    ),
)
