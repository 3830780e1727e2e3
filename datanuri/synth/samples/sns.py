"""SNS posts: Korean short texts from templates and a vocabulary, hashtags with Zipf
popularity, and a reply graph grown by preferential attachment among recent posts."""

from __future__ import annotations

import string
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.synth.samples.model import (
    BATCH_ROWS,
    PERIOD_DAYS,
    PERIOD_START_S,
    TIME,
    SampleKind,
    Text,
    draw,
    timestamps,
    zipf_cdf,
)

REPLY_P = 0.35  # share of posts that reply to an earlier post
WINDOW = 65_536  # the attachment list keeps its most recent entries: replies go to recent posts
CHUNK = 2_048  # posts whose parents are drawn together (from the posts before the chunk)
USER_S, TAG_S = 1.0, 1.1  # Zipf exponents of users' activity and of hashtags
USERS_PER_ROW = 1 / 20
TAGS_ORIGINAL = (0.3, 0.3, 0.25, 0.15)  # P(0..3 hashtags) on a post that replies to nothing
TAGS_REPLY = (0.85, 0.15, 0.0, 0.0)
HOURLY = np.array(
    [4.0, 2.5, 1.4, 0.8, 0.6, 0.8, 1.6, 3.0, 4.2, 4.4, 4.5, 4.8,
     5.6, 5.0, 4.6, 4.6, 4.8, 5.2, 5.8, 6.4, 7.0, 7.6, 7.8, 6.2]
)  # fmt: skip

WORDS: dict[str, tuple[str, ...]] = {
    "place": (
        "성수동", "연남동", "을지로", "해운대", "광안리", "전주 한옥마을", "경주", "강릉",
        "여의도", "잠실", "판교", "제주", "속초", "수원 행궁동", "대구 동성로", "인천 송도",
    ),
    "food": (
        "떡볶이", "삼겹살", "냉면", "마라탕", "치킨", "김밥", "국밥", "파스타", "초밥", "빙수",
        "칼국수", "돈가스", "탕후루", "짜장면", "비빔밥", "붕어빵",
    ),
    "feel": (
        "너무 좋았어요", "최고였다", "생각보다 별로", "또 가고 싶다", "완전 추천", "줄이 너무 길다",
        "가성비 좋음", "분위기 미쳤다", "행복하다", "피곤하다",
    ),
    "emo": ("ㅋㅋ", "ㅋㅋㅋ", "ㅎㅎ", "ㅠㅠ", "!!", "^^", "~"),
    "weather": ("비 온다", "날씨 좋다", "미세먼지 심하다", "너무 춥다", "벚꽃 폈다", "바람 분다"),
    "thing": (
        "야구 경기", "축구 경기", "드라마 마지막 화", "새 앨범", "전시회", "콘서트", "신작 게임",
        "예능", "웹툰 신작", "뮤지컬",
    ),
    "activity": ("헬스", "러닝", "독서", "요가", "자전거", "산책", "등산", "영화 보기", "공부"),
}  # fmt: skip
ORIGINALS = (
    "오늘 {place}에서 {food} 먹었는데 {feel} {emo}",
    "{place} 다녀왔어요. {feel}",
    "{food} 먹고 싶다 {emo}",
    "아침부터 {weather} {emo}",
    "{thing} 본 사람? {feel} {emo}",
    "퇴근하고 {activity} 완료 {emo}",
    "주말에 {place} 갈 사람 {emo}",
    "{place} {food} 맛집 찾았다 {emo}",
    "요즘 {activity}에 빠졌어요 {emo}",
    "{weather}… {food} 생각난다",
)
REPLIES = (
    "저도요 {emo}",
    "{place} 어디예요?",
    "와 {feel} {emo}",
    "부럽다 {emo}",
    "정보 감사합니다!",
    "ㅋㅋㅋ 공감 {emo}",
    "{food} 맛있죠 {emo}",
    "다음엔 같이 가요 {emo}",
)
HASHTAGS = (
    "#일상", "#맛집", "#주말", "#카페", "#여행", "#데일리", "#먹스타그램", "#오운완", "#퇴근",
    "#봄", "#서울", "#부산", "#제주", "#맛스타그램", "#소통", "#좋아요", "#추천", "#나들이",
    "#운동", "#책", "#영화", "#드라마", "#야구", "#축구", "#전시", "#공연", "#반려견",
    "#고양이", "#오늘뭐먹지", "#집밥", "#캠핑", "#등산", "#러닝", "#다이어트", "#빵스타그램",
    "#여행스타그램", "#벚꽃", "#비오는날", "#출근", "#월요일",
)  # fmt: skip

SCHEMA = pa.schema(
    [
        ("post_id", pa.int64()),
        ("user_id", pa.int64()),
        ("posted_at", TIME),
        ("text", pa.string()),
        ("hashtags", pa.string()),
        ("reply_to", pa.int64()),
    ]
)


def fill(rng: np.random.Generator, templates: tuple[str, ...], which: np.ndarray) -> pa.Array:
    """Texts: row i is template `which[i]` with each {slot} a uniform word of WORDS[slot]."""
    order = np.argsort(which, kind="stable")
    pieces = []
    for j, template in enumerate(templates):
        m = int(np.count_nonzero(which == j))
        if m == 0:
            continue
        parts: list[pa.Array | str] = []
        for literal, slot, _, _ in string.Formatter().parse(template):
            if literal:
                parts.append(literal)
            if slot:
                words = pa.array(WORDS[slot])
                parts.append(words.take(pa.array(rng.integers(0, len(words), m))))
        column = [p if isinstance(p, pa.Array) else pa.array([p] * m) for p in parts]
        pieces.append(pc.binary_join_element_wise(*column, ""))
    joined = pa.concat_arrays(pieces)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return joined.take(pa.array(inverse))


def hashtags(rng: np.random.Generator, count: np.ndarray) -> pa.Array:
    """Hashtag lists ("#일상 #카페"), `count` tags each, Zipf over HASHTAGS, none twice."""
    tags = pa.array([*HASHTAGS, ""])
    t = len(HASHTAGS)
    cdf = zipf_cdf(t, TAG_S)
    chosen = [draw(rng, cdf, len(count)) for _ in range(3)]
    chosen[1] = np.where(chosen[1] == chosen[0], (chosen[0] + 1) % t, chosen[1])
    clash = (chosen[2] == chosen[0]) | (chosen[2] == chosen[1])
    chosen[2] = np.where(clash, (np.maximum(chosen[0], chosen[1]) + 1) % t, chosen[2])
    while np.any(bad := (chosen[2] == chosen[0]) | (chosen[2] == chosen[1])):
        chosen[2] = np.where(bad, (chosen[2] + 1) % t, chosen[2])
    cols = [tags.take(pa.array(np.where(k < count, c, t))) for k, c in enumerate(chosen)]
    return pc.utf8_trim_whitespace(pc.binary_join_element_wise(*cols, " "))


def post_seconds(post: np.ndarray, rows: int) -> np.ndarray:
    """Posting times: posts spread evenly over the days in order, each day warped by HOURLY."""
    x = np.clip((post - 0.5) / rows, 0, 1 - 1e-12) * PERIOD_DAYS
    day = np.floor(x)
    cdf = np.concatenate([[0.0], np.cumsum(HOURLY) / HOURLY.sum()])
    hour = np.interp(x - day, cdf, np.arange(25))
    return PERIOD_START_S + (day * 86_400).astype(np.int64) + (hour * 3_600).astype(np.int64)


def generate(rows: int, seed: int) -> Iterator[pa.RecordBatch]:
    """Batches of posts in posting order; a reply's parent is an earlier post."""
    rng = np.random.default_rng([seed, 4])
    user_cdf = zipf_cdf(max(1_000, int(rows * USERS_PER_ROW)), USER_S)
    ring = np.zeros(WINDOW, np.int64)  # attachment list: each post once, plus once per reply
    filled = head = 0
    next_post = 1
    n = BATCH_ROWS
    while True:
        post = np.arange(next_post, next_post + n)
        reply = rng.random(n) < REPLY_P
        parent = np.zeros(n, np.int64)
        for lo in range(0, n, CHUNK):
            hi = min(n, lo + CHUNK)
            r = reply[lo:hi] & (filled > 0)
            reply[lo:hi] = r
            k = int(r.sum())
            parent[lo:hi][r] = ring[rng.integers(0, filled, k)] if k else 0
            new = np.concatenate([post[lo:hi], parent[lo:hi][r]])
            where = (head + np.arange(len(new))) % WINDOW
            ring[where] = new
            head = (head + len(new)) % WINDOW
            filled = min(WINDOW, filled + len(new))
        text = fill(rng, ORIGINALS, rng.integers(0, len(ORIGINALS), n))
        answer = fill(rng, REPLIES, rng.integers(0, len(REPLIES), n))
        tags = hashtags(
            rng,
            np.where(
                reply, draw(rng, np.cumsum(TAGS_REPLY), n), draw(rng, np.cumsum(TAGS_ORIGINAL), n)
            ),
        )
        yield pa.record_batch(
            [
                pa.array(post, pa.int64()),
                pa.array(draw(rng, user_cdf, n) + 1, pa.int64()),
                timestamps(post_seconds(post, rows)),
                pc.if_else(pa.array(reply), answer, text),
                tags,
                pa.array(parent, pa.int64(), mask=~reply),
            ],
            schema=SCHEMA,
        )
        next_post += n


def _t(ko: str, en: str) -> Text:
    return Text(ko, en)


KIND = SampleKind(
    kind="sns",
    dataset="synthetic-sns-posts",
    title=_t("합성 SNS 게시물", "Synthetic SNS posts"),
    keywords=("합성데이터", "SNS", "게시물", "해시태그", "댓글", "synthetic", "social media"),
    theme="정보통신",
    schema=SCHEMA,
    generate=generate,
    sheet=(
        (
            "motivation",
            _t(
                "소셜 서비스, 해시태그 추천, 대화 스레드 분석, 한국어 짧은 글 처리를 만드는 "
                "개발자가 실제 사람의 글 없이 시험할 수 있도록 만든 합성 데이터입니다.",
                "For developers of social services, hashtag recommendation, thread analysis and "
                "Korean short-text processing, without anyone's real posts.",
            ),
        ),
        (
            "composition",
            _t(
                "한 행은 게시물 하나입니다. 게시물 번호(게시 순서), 이용자 번호, 게시 시각(한국 "
                "시간), 한국어 본문, 해시태그(공백으로 구분, 없으면 빈 문자열), 답글이면 원글 "
                "번호입니다. 본문은 정해진 틀과 어휘로 만든 것이며 실제 글이 아닙니다.",
                "One row is one post: post number (in posting order), user, time (Korean local "
                "time), Korean text, hashtags (space-separated, empty when none) and, for a "
                "reply, the number of the post it answers. Texts are made from fixed templates "
                "and a vocabulary; none is a real post.",
            ),
        ),
        (
            "collection",
            _t(
                f"통계 모형으로 생성했습니다. 게시물은 28일에 걸쳐 순서대로 고르게 놓이고 하루 "
                f"안에서는 시간대별 가중치(밤 9~10시가 가장 많음)로 시각을 정합니다. 이용자는 "
                f"행 수의 1/20명 중 Zipf(지수 {USER_S})로 뽑습니다. 게시물의 {REPLY_P:.0%}는 "
                f"답글이며, 원글은 선호적 연결로 고릅니다: 각 게시물이 한 번, 답글을 받을 때마다 "
                f"한 번씩 더 들어가는 목록의 최근 {WINDOW:,}개 항목 중 하나를 균등하게 뽑으므로, "
                f"최근 게시물이 뽑힐 확률은 1 + 받은 답글 수에 비례합니다({CHUNK:,}개 단위로 그 "
                f"앞의 게시물에서 뽑음). 본문은 원글 틀 {len(ORIGINALS)}개, 답글 틀 "
                f"{len(REPLIES)}개에 장소·음식·감정 등의 어휘를 균등하게 넣어 만듭니다. 해시태그는 "
                f"{len(HASHTAGS)}개 중 Zipf(지수 {TAG_S})로 중복 없이, 원글은 0~3개(30/30/25/15%), "
                f"답글은 0~1개(85/15%) 붙습니다.",
                f"Generated by a statistical model. Posts are spread evenly over 28 days in "
                f"order, their time of day warped by hourly weights (peak at 21-22 h). Users are "
                f"drawn Zipf (exponent {USER_S}) over rows / 20. {REPLY_P:.0%} of posts are "
                f"replies; the parent is chosen by preferential attachment: uniformly among the "
                f"latest {WINDOW:,} entries of a list holding each post once and once more per "
                f"reply it received, so a recent post is chosen with probability proportional to "
                f"1 + its replies (parents of a block of {CHUNK:,} posts are drawn from the posts "
                f"before the block). Texts fill {len(ORIGINALS)} post templates and "
                f"{len(REPLIES)} reply templates with uniform words (places, food, feelings...). "
                f"Hashtags: distinct, Zipf (exponent {TAG_S}) over {len(HASHTAGS)}; 0-3 on a post "
                f"(30/30/25/15%), 0-1 on a reply (85/15%).",
            ),
        ),
    ),
    properties=(
        _t(
            "답글은 언제나 더 먼저 게시된 글을 가리킵니다(시간 순으로 순환 없음).",
            "A reply always points to an earlier post (the graph is acyclic in time).",
        ),
        _t(
            "답글이 받는 글에 몰립니다: 답글의 분포는 균등 선택보다 꼬리가 훨씬 깁니다.",
            "Replies concentrate on posts that already have replies: a much heavier tail "
            "than uniform choice.",
        ),
        _t("게시물의 약 35%가 답글입니다.", "About 35% of posts are replies."),
    ),
    columns=(
        ("post_id", _t("게시물 번호(게시 순서)", "Post number (posting order)")),
        ("user_id", _t("이용자 번호(합성)", "User number (synthetic)")),
        ("posted_at", _t("게시 시각(한국 시간)", "Time of posting (Korean time)")),
        ("text", _t("본문", "Text")),
        ("hashtags", _t("해시태그(공백으로 구분)", "Hashtags (space-separated)")),
        ("reply_to", _t("원글 번호(답글일 때)", "Post answered (for a reply)")),
    ),
)
