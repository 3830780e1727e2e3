"""Location traces: people observed every 30 minutes over 28 days, moving between 시군구 with a
daily rhythm (home at night, work on weekdays for commuters, outings in the evening and at
weekends)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from datanuri.synth.samples.model import (
    BATCH_ROWS,
    PERIOD_DAYS,
    PERIOD_START_S,
    TIME,
    SampleKind,
    Text,
    timestamps,
)
from datanuri.synth.samples.places import places

SLOTS = 48  # observations per day, every 30 minutes
ROWS_PER_PERSON = PERIOD_DAYS * SLOTS
COMMUTER_SHARE = 0.68
LEAVE_P = 0.05  # a commuter's weekday off
WORK_SAME_SGG, WORK_SAME_SIDO = 0.35, 0.55  # else 수도권-wide (capital area) or same 시도
DEPART_MEAN_H, DEPART_SD_H = 8.0, 0.7  # leaving home ~ Normal, hours
RETURN_MEAN_H, RETURN_SD_H = 18.75, 1.0  # leaving work ~ Normal, hours
EVENING_OUT_P = 0.25  # a commuter goes out after work
DAY_OUT_P = {"weekday": 0.5, "weekend": 0.6}  # others (and everyone at weekends) go out by day
OUT_MEAN_H, OUT_SD_H = 13.0, 2.5
PLACE_TYPES = pa.array(["home", "work", "other"])

SCHEMA = pa.schema(
    [
        ("person_id", pa.int64()),
        ("observed_at", TIME),
        ("region_id", pa.string()),
        ("sido_code", pa.string()),
        ("sido_name", pa.string()),
        ("sigungu_name", pa.string()),
        ("place_type", pa.string()),
    ]
)


def generate(rows: int, seed: int) -> Iterator[pa.RecordBatch]:
    """Batches of whole people (28 days of 48 observations each)."""
    rng = np.random.default_rng([seed, 2])
    pl = places()
    per_batch = max(1, BATCH_ROWS // ROWS_PER_PERSON)
    t = np.arange(SLOTS) / 2  # the hour of each slot
    weekday = np.arange(PERIOD_DAYS) % 7 < 5  # the period starts on a Monday
    next_person = 1
    while True:
        p = per_batch
        home = pl.home(rng, p)
        commuter = rng.random(p) < COMMUTER_SHARE
        u = rng.random(p)
        work = np.where(
            u < WORK_SAME_SGG,
            home,
            np.where(
                u < WORK_SAME_SGG + WORK_SAME_SIDO, pl.same_sido(rng, home), pl.nearby(rng, home)
            ),
        )
        days = p * PERIOD_DAYS
        person = np.repeat(np.arange(p), PERIOD_DAYS)
        wd = np.tile(weekday, p)
        commutes = commuter[person] & wd & (rng.random(days) >= LEAVE_P)
        depart = np.clip(rng.normal(DEPART_MEAN_H, DEPART_SD_H, days), 5.0, 11.0)
        back = np.clip(rng.normal(RETURN_MEAN_H, RETURN_SD_H, days), depart + 4, 23.5)
        # outings: after work for commuters, by day for the others and at weekends
        evening = commutes & (rng.random(days) < EVENING_OUT_P)
        by_day = ~commutes & (
            rng.random(days) < np.where(wd, DAY_OUT_P["weekday"], DAY_OUT_P["weekend"])
        )
        out_start = np.where(
            evening,
            back + rng.uniform(0.5, 1.5, days),
            np.clip(rng.normal(OUT_MEAN_H, OUT_SD_H, days), 8.0, 20.0),
        )
        out_end = out_start + np.where(
            evening, rng.uniform(1.0, 3.0, days), rng.uniform(1.5, 5.0, days)
        )
        out_place = pl.nearby(rng, home[person])
        at_work = commutes[:, None] & (t >= depart[:, None]) & (t < back[:, None])
        out = (evening | by_day)[:, None] & (t >= out_start[:, None]) & (t < out_end[:, None])
        out &= ~at_work
        kind = np.where(at_work, 1, np.where(out, 2, 0)).ravel()
        place = np.where(
            at_work, work[person][:, None], np.where(out, out_place[:, None], home[person][:, None])
        ).ravel()
        day = np.tile(np.arange(PERIOD_DAYS), p)
        seconds = (
            PERIOD_START_S
            + (day * 86_400)[:, None]
            + (np.arange(SLOTS) * 1_800)[None, :]
            + rng.integers(0, 120, (days, SLOTS))
        ).ravel()
        idx = pa.array(place)
        yield pa.record_batch(
            [
                pa.array(next_person + np.repeat(np.arange(p), ROWS_PER_PERSON), pa.int64()),
                timestamps(seconds),
                pl.region_id.take(idx),
                pl.sido_code.take(idx),
                pl.sido_name.take(idx),
                pl.sigungu.take(idx),
                PLACE_TYPES.take(pa.array(kind)),
            ],
            schema=SCHEMA,
        )
        next_person += p


def _t(ko: str, en: str) -> Text:
    return Text(ko, en)


KIND = SampleKind(
    kind="traces",
    dataset="synthetic-location-traces",
    title=_t("합성 위치 궤적", "Synthetic location traces"),
    keywords=("합성데이터", "위치", "이동", "시군구", "출퇴근", "synthetic", "mobility"),
    theme="교통",
    schema=SCHEMA,
    generate=generate,
    sheet=(
        (
            "motivation",
            _t(
                "유동인구 분석, 상권 분석, 이동 경로 서비스를 만드는 개발자가 실제 사람의 위치 "
                "없이 시군구 단위의 하루 이동 리듬(집-직장-외출)을 다루어 볼 수 있도록 만든 "
                "합성 데이터입니다.",
                "For developers of floating-population, retail-area and mobility services: the "
                "daily rhythm of movement between 시군구 (home, work, outings) without anyone's "
                "real location.",
            ),
        ),
        (
            "composition",
            _t(
                f"한 행은 한 사람의 한 관측입니다(30분마다, 28일 동안 1인당 {ROWS_PER_PERSON:,}행). "
                "사람 번호, 관측 시각(한국 시간), 지역 id(예: 11:종로구, 세종은 36), 시도 코드와 "
                "이름, 시군구 이름, 장소 유형(home/work/other)입니다. 지역은 datanuri가 제공하는 "
                "시도·시군구 목록에서만 나옵니다.",
                f"One row is one observation of one person (every 30 minutes for 28 days: "
                f"{ROWS_PER_PERSON:,} rows a person): person, time (Korean local time), region "
                f"id (e.g. 11:종로구; 36 for 세종), 시도 code and name, 시군구 name and the kind of "
                f"place (home/work/other). Regions come only from datanuri's 시도/시군구 list.",
            ),
        ),
        (
            "collection",
            _t(
                f"통계 모형으로 생성했습니다. 집은 시도 인구(근사치)에 비례해 시도를 고르고 그 안의 "
                f"시군구를 균등하게 고릅니다. {COMMUTER_SHARE:.0%}는 출퇴근자이며 직장은 "
                f"{WORK_SAME_SGG:.0%} 같은 시군구, {WORK_SAME_SIDO:.0%} 같은 시도의 시군구, "
                f"나머지는 수도권 안의 시군구(수도권 밖이면 같은 시도)입니다. 출퇴근자는 평일 "
                f"(휴가 {LEAVE_P:.0%} 제외) 정규분포 N({DEPART_MEAN_H}, {DEPART_SD_H}²)시에 "
                f"집을 나서 N({RETURN_MEAN_H}, {RETURN_SD_H}²)시(출근 4시간 뒤 이후)에 직장을 "
                f"떠납니다. 출퇴근자는 {EVENING_OUT_P:.0%}의 평일 저녁에 퇴근 0.5~1.5시간 뒤 "
                f"1~3시간 외출하고, 그 밖의 날에는 평일 {DAY_OUT_P['weekday']:.0%}, 주말 "
                f"{DAY_OUT_P['weekend']:.0%}의 확률로 N({OUT_MEAN_H}, {OUT_SD_H}²)시에 1.5~5시간 "
                f"외출합니다. 외출 장소는 집과 같은 시도(수도권이면 수도권 전체)의 시군구입니다. "
                f"관측 시각에는 0~119초의 흔들림이 있습니다.",
                f"Generated by a statistical model. Home: a 시도 in proportion to its "
                f"(approximate) population, then one of its 시군구 uniformly. "
                f"{COMMUTER_SHARE:.0%} of people commute; their work is in the same 시군구 "
                f"({WORK_SAME_SGG:.0%}), another 시군구 of the same 시도 ({WORK_SAME_SIDO:.0%}) "
                f"or anywhere in the capital area (the same 시도 outside it). On weekdays "
                f"(except {LEAVE_P:.0%} days off) commuters leave home at "
                f"N({DEPART_MEAN_H}, {DEPART_SD_H}²) h and leave work at "
                f"N({RETURN_MEAN_H}, {RETURN_SD_H}²) h (at least 4 h later). On "
                f"{EVENING_OUT_P:.0%} of workdays they go out 0.5-1.5 h after work for 1-3 h; "
                f"on other days people go out with probability {DAY_OUT_P['weekday']:.0%} "
                f"(weekdays) or {DAY_OUT_P['weekend']:.0%} (weekends) at "
                f"N({OUT_MEAN_H}, {OUT_SD_H}²) h for 1.5-5 h, to a 시군구 of their home's 시도 "
                f"(the capital area for its residents). Times carry 0-119 s of jitter.",
            ),
        ),
    ),
    properties=(
        _t(
            "모든 지역 id는 datanuri의 시도·시군구 목록에 있습니다.",
            "Every region id is in datanuri's 시도/시군구 list.",
        ),
        _t(
            "평일 집→직장 이동은 8시대, 직장→집 이동은 19시대에 가장 많습니다.",
            "On weekdays, home-to-work moves peak in the 08 h hour and work-to-home moves in the "
            "19 h hour.",
        ),
        _t(
            "새벽 3시에는 모두 집에 있습니다.",
            "At 03:00 everyone is at home.",
        ),
    ),
    columns=(
        ("person_id", _t("사람 번호(합성)", "Person number (synthetic)")),
        ("observed_at", _t("관측 시각(한국 시간)", "Time of the observation (Korean time)")),
        ("region_id", _t("지역 id(시도 코드:시군구 이름)", "Region id (시도 code:시군구 name)")),
        ("sido_code", _t("시도 코드", "시도 code")),
        ("sido_name", _t("시도 이름", "시도 name")),
        ("sigungu_name", _t("시군구 이름(세종은 빈 값)", "시군구 name (empty for 세종)")),
        ("place_type", _t("장소 유형: home, work, other", "Kind of place: home, work, other")),
    ),
)
