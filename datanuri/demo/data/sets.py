"""The sample datasets: one builder per dataset, each with its own seeded random stream."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from pathlib import Path

from datanuri.demo.data import people
from datanuri.demo.data.model import DemoDataset, DemoOrg
from datanuri.demo.data.regions import COMMON_ROADS, SEOUL_GU, SIDO, SIDO_BY_NAME, road_address
from datanuri.demo.data.writers import write_csv, write_ndjson, write_xlsx

ORGS: tuple[DemoOrg, ...] = (
    DemoOrg(
        "seoul-metro-gov",
        "서울특별시",
        "서울특별시 열린데이터광장 담당 부서 (가상 예시). Seoul Metropolitan Government - sample publisher.",
    ),
    DemoOrg(
        "kostat",
        "통계청",
        "국가 통계 작성 기관 (예시 데이터). Statistics Korea - sample publisher.",
    ),
    DemoOrg(
        "knpa",
        "경찰청",
        "교통사고 및 112 신고 통계 (예시 데이터). Korean National Police Agency - sample publisher.",
    ),
    DemoOrg(
        "keco",
        "한국환경공단",
        "대기오염 측정망 운영 (예시 데이터). Korea Environment Corporation - sample publisher.",
    ),
    DemoOrg(
        "nuri-hospital",
        "누리대학교병원 (가상)",
        "가상의 대학병원. 모든 환자 정보는 합성 데이터입니다. A fictional hospital; all patient data is synthetic.",
        official=False,
    ),
)

METRO_CODES = ("11", "26", "27", "28", "29", "30", "31", "36")  # 특별시·광역시·특별자치시
SYNTHETIC_NOTE = " 이 자료는 datanuri 데모용으로 생성된 합성 데이터입니다. (Synthetic demo data.)"


def _rng(seed: int, name: str) -> random.Random:
    return random.Random(f"{seed}:{name}")  # str seeds hash with SHA-512: stable across runs


def _weighted_sigungu(rng: random.Random, sidos=SIDO) -> tuple[str, str]:
    sido = rng.choices(sidos, weights=[s.population_k for s in sidos])[0]
    names, pops = zip(*sido.sigungu, strict=True)
    return sido.name, rng.choices(names, weights=pops)[0]


def _month_ends(year: int) -> list[dt.date]:
    return [dt.date(year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1) for m in range(1, 13)]


# --------------------------------------------------------------------------------------------
# 1. 시군구별 주민등록 인구 (통계청, CP949, two monthly versions)
@dataclass
class _District:
    """One district's population, updated month by month."""

    sido: str
    sigungu: str
    population: int
    male_share: float
    household_size: float


def population(out: Path, seed: int) -> DemoDataset:
    name = "population-by-sigungu"
    rng = _rng(seed, name)
    state = []
    for sido in SIDO:
        metro = sido.code in METRO_CODES
        for sgg, pop_k in sido.sigungu:
            pop = int(pop_k * 1000 * rng.uniform(0.97, 1.03))
            male_share = rng.uniform(0.478, 0.495) if metro else rng.uniform(0.490, 0.512)
            hh_size = rng.uniform(2.0, 2.35) if metro else rng.uniform(1.75, 2.15)
            state.append(_District(sido.name, sgg, pop, male_share, hh_size))
    months = [dt.date(2024, 1, 31), dt.date(2024, 2, 29)]
    by_month: list[list[list[str]]] = []
    for m in months:
        rows = []
        for st in state:
            pop = st.population
            male = round(pop * st.male_share)
            female = pop - male
            households = round(pop / st.household_size)
            rows.append(
                [
                    m.strftime("%Y.%m.%d"),
                    st.sido,
                    st.sigungu,
                    f"{pop:,}",
                    f"{households:,}",
                    f"{pop / households:.2f}",
                    f"{male:,}",
                    f"{female:,}",
                    f"{male / female:.2f}",
                ]
            )
            st.population = int(pop * (1 + rng.gauss(-0.0004, 0.0012)))  # next month
            st.household_size *= 1 - rng.uniform(0, 0.001)
        by_month.append(rows)
    header = [
        "기준일",
        "시도",
        "시군구",
        "총인구",
        "세대수",
        "세대당 인구",
        "남자",
        "여자",
        "남여 비율",
    ]
    f1 = out / "population-by-sigungu-202401.csv"
    f2 = out / "population-by-sigungu-202402.csv"
    write_csv(f1, header, by_month[0], encoding="cp949")
    write_csv(f2, header, by_month[0] + by_month[1], encoding="cp949")
    return DemoDataset(
        org="kostat",
        name=name,
        title="시군구별 주민등록 인구 및 세대 현황",
        description=(
            "전국 시도·시군구별 월말 기준 주민등록 인구(남자, 여자, 총인구)와 세대수. 매월 "
            "갱신되며 이전 달 자료를 누적합니다."
        )
        + SYNTHETIC_NOTE
        + " Resident population and households by district, month-end, cumulative monthly file (CP949).",
        keywords=("인구", "주민등록", "세대", "시군구", "population", "households"),
        theme="인구",
        license="KOGL-1",
        access="open",
        language="ko",
        spatial="전국",
        temporal_start="2024-01-31",
        temporal_end="2024-02-29",
        contact_name="인구동향과",
        contact_email="population@kostat.example",
        files=(
            (f1, "2024년 1월말 기준 최초 공개"),
            (f2, "2024년 2월말 기준 자료 추가 (1월 자료 포함, 누적)"),
        ),
    )


# --------------------------------------------------------------------------------------------
# 2. 교통사고 발생 정보 (경찰청, CP949)
_ACC_TYPES = {
    "차대차": (72, ("측면충돌", "추돌", "정면충돌", "기타")),
    "차대사람": (18, ("횡단중", "차도통행중", "길가장자리구역통행중", "보도통행중", "기타")),
    "차량단독": (10, ("공작물충돌", "전도전복", "도로이탈", "기타")),
}
_VIOLATIONS = (
    ("안전운전 불이행", 55),
    ("신호위반", 12),
    ("안전거리 미확보", 10),
    ("교차로 통행방법 위반", 8),
    ("중앙선 침범", 6),
    ("보행자 보호의무 위반", 6),
    ("과속", 1),
    ("기타", 2),
)
_HOUR_W = (2, 1.5, 1.2, 1, 1, 1.5, 3, 5, 7, 5, 4.5, 5, 5, 5, 5.5, 6, 6.5, 7.5, 8, 6.5, 5, 4, 3.5, 3)


def _weather(rng: random.Random, month: int) -> tuple[str, str]:
    if month in (12, 1, 2):
        w = rng.choices(("맑음", "흐림", "눈", "비", "안개", "기타"), (70, 15, 7, 5, 1, 2))[0]
    elif month in (6, 7, 8, 9):
        w = rng.choices(("맑음", "흐림", "비", "안개", "기타"), (60, 15, 22, 1, 2))[0]
    else:
        w = rng.choices(("맑음", "흐림", "비", "안개", "기타"), (75, 13, 9, 2, 1))[0]
    road = {
        "맑음": lambda: rng.choices(("건조", "젖음/습기"), (96, 4))[0],
        "흐림": lambda: rng.choices(("건조", "젖음/습기"), (90, 10))[0],
        "비": lambda: rng.choices(("젖음/습기", "침수", "건조"), (93, 2, 5))[0],
        "눈": lambda: rng.choices(("적설", "서리/결빙", "젖음/습기"), (50, 35, 15))[0],
        "안개": lambda: rng.choices(("건조", "젖음/습기"), (60, 40))[0],
        "기타": lambda: rng.choices(("건조", "기타"), (70, 30))[0],
    }[w]()
    return w, road


def accidents(out: Path, seed: int) -> DemoDataset:
    name = "traffic-accidents-2024"
    rng = _rng(seed, name)
    start = dt.datetime(2024, 1, 1)
    events = []
    for _ in range(3000):
        day = start + dt.timedelta(days=rng.randrange(366))
        hour = rng.choices(range(24), _HOUR_W)[0]
        when = day.replace(
            hour=hour, minute=rng.randrange(0, 60, 5) if rng.random() < 0.6 else rng.randrange(60)
        )
        events.append(when)
    events.sort()
    rows = []
    per_day: dict[dt.date, int] = {}
    for when in events:
        sido, sgg = _weighted_sigungu(rng)
        kinds = list(_ACC_TYPES)
        kind = rng.choices(kinds, [_ACC_TYPES[k][0] for k in kinds])[0]
        detail = rng.choice(_ACC_TYPES[kind][1])
        night = when.hour >= 20 or when.hour < 6
        p_death = {"차대차": 0.006, "차대사람": 0.035, "차량단독": 0.05}[kind] * (2 if night else 1)
        deaths = (1 + (rng.random() < 0.1)) if rng.random() < p_death else 0
        if kind == "차대차":
            injured = 1 + min(int(rng.expovariate(0.9)), 6)
        elif kind == "차대사람":
            injured = 1 + (rng.random() < 0.05)
        else:
            injured = min(int(rng.expovariate(0.8)), 4) + (deaths == 0)
        if deaths and kind == "차대사람":
            injured = 0 if rng.random() < 0.8 else injured
        weather, road = _weather(rng, when.month)
        n = per_day[when.date()] = per_day.get(when.date(), 0) + 1
        violation = rng.choices(*zip(*_VIOLATIONS, strict=True))[0]
        if violation == "보행자 보호의무 위반" and kind != "차대사람":
            violation = "안전운전 불이행"
        rows.append(
            [
                f"{when:%Y%m%d}{n:04d}",
                when.strftime("%Y-%m-%d %H:%M"),
                "월화수목금토일"[when.weekday()],
                sido,
                sgg,
                kind,
                detail,
                violation,
                deaths,
                injured,
                weather,
                road,
            ]
        )
    header = [
        "사고번호",
        "발생일시",
        "요일",
        "시도",
        "시군구",
        "사고유형",
        "사고유형 세부",
        "법규위반",
        "사망자수",
        "부상자수",
        "기상상태",
        "노면상태",
    ]
    f = out / "traffic-accidents-2024.csv"
    write_csv(f, header, rows, encoding="cp949")
    return DemoDataset(
        org="knpa",
        name=name,
        title="2024년 교통사고 발생 정보",
        description=(
            "2024년 전국 인명피해 교통사고의 발생일시, 장소(시도·시군구), 사고유형, 사상자 수, "
            "기상 및 노면 상태."
        )
        + SYNTHETIC_NOTE
        + " Injury road accidents in 2024 with time, place, type, casualties, weather and road surface.",
        keywords=("교통사고", "사망자", "부상자", "기상", "노면", "traffic accidents"),
        theme="교통",
        license="KOGL-1",
        access="open",
        language="ko",
        spatial="전국",
        temporal_start="2024-01-01",
        temporal_end="2024-12-31",
        contact_name="교통안전계",
        contact_email="traffic@knpa.example",
        files=((f, "최초 공개"),),
    )


# --------------------------------------------------------------------------------------------
# 3. 대기오염 일평균 측정 자료 (한국환경공단, CP949, "-" nulls)
_ROADSIDE = (
    ("한강대로", "용산구"),
    ("청계천로", "중구"),
    ("종로", "종로구"),
    ("강남대로", "서초구"),
    ("신촌로", "마포구"),
    ("화랑로", "성북구"),
)


def air_quality(out: Path, seed: int) -> DemoDataset:
    name = "air-quality-seoul-daily"
    rng = _rng(seed, name)
    stations = [(g.name, g.name, "도시대기") for g in SEOUL_GU] + [
        (s, gu, "도로변대기") for s, gu in _ROADSIDE
    ]
    codes = {s[0]: 111121 + 10 * i for i, s in enumerate(stations)}
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(182)]  # Jan - Jun
    # city-wide daily factors: AR(1) on log scale, with a few spring yellow-dust days
    level = 0.0
    city = []
    for d in days:
        level = 0.7 * level + rng.gauss(0, 0.35)
        dust = 1.0
        if d.month in (3, 4, 5) and rng.random() < 0.04:
            dust = rng.uniform(2.5, 5.0)
        season_pm = {1: 1.15, 2: 1.2, 3: 1.35, 4: 1.1, 5: 0.95, 6: 0.75}[d.month]
        season_o3 = {1: 0.55, 2: 0.7, 3: 0.9, 4: 1.1, 5: 1.35, 6: 1.45}[d.month]
        city.append((math.exp(level) * season_pm, dust, season_o3))
    station_bias = {s[0]: rng.uniform(0.85, 1.15) for s in stations}
    down = {(s[0], d) for s in stations for d in days if rng.random() < 0.006}  # whole-day outages
    rows = []
    for d, (pm, dust, o3s) in zip(days, city, strict=True):
        for st, gu, net in stations:
            road = net == "도로변대기"
            b = station_bias[st] * (1.15 if road else 1.0) * rng.lognormvariate(0, 0.12)
            pm10 = 38 * pm * dust * b
            pm25 = pm10 * (0.35 if dust > 1 else rng.uniform(0.5, 0.68))
            no2 = (
                0.028
                * (1.35 if road else 1.0)
                * (1.25 - 0.06 * d.month)
                * math.sqrt(pm)
                * rng.lognormvariate(0, 0.15)
            )
            o3 = max(
                0.003,
                0.026 * o3s / (1.3 if road else 1.0) * rng.lognormvariate(0, 0.18)
                - 0.15 * (no2 - 0.028),
            )
            co = 0.45 * (1.2 if road else 1.0) * math.sqrt(pm) * rng.lognormvariate(0, 0.1)
            so2 = 0.0028 * rng.lognormvariate(0, 0.15)
            values = [
                f"{so2:.4f}",
                f"{co:.1f}",
                f"{o3:.3f}",
                f"{no2:.3f}",
                f"{round(pm10)}",
                f"{round(pm25)}",
            ]
            if (st, d) in down:
                values = ["-"] * 6
            else:
                values = [v if rng.random() > 0.012 else "-" for v in values]
            rows.append([f"서울 {gu}", net, codes[st], st, d.strftime("%Y%m%d"), *values])
    header = [
        "지역",
        "망",
        "측정소코드",
        "측정소명",
        "측정일자",
        "SO2",
        "CO",
        "O3",
        "NO2",
        "PM10",
        "PM2.5",
    ]
    f = out / "air-quality-seoul-2024h1.csv"
    write_csv(f, header, rows, encoding="cp949")
    return DemoDataset(
        org="keco",
        name=name,
        title="서울 대기오염 측정소별 일평균 자료 (2024년 상반기)",
        description="서울 도시대기·도로변대기 측정소의 일평균 농도(SO2, CO, O3, NO2: ppm / PM10, PM2.5: ㎍/㎥). "
        "측정기 점검 등으로 값이 없는 경우 '-'로 표시합니다."
        + SYNTHETIC_NOTE
        + " Daily mean air pollutant concentrations at Seoul monitoring stations; '-' marks missing values.",
        keywords=("대기오염", "미세먼지", "초미세먼지", "PM10", "PM2.5", "오존", "air quality"),
        theme="환경",
        license="KOGL-1",
        access="open",
        language="ko",
        spatial="서울특별시",
        temporal_start="2024-01-01",
        temporal_end="2024-06-30",
        contact_name="대기측정망 운영팀",
        contact_email="airdata@keco.example",
        files=((f, "최초 공개"),),
    )


# --------------------------------------------------------------------------------------------
# 4. 공공와이파이 설치 위치 (서울특별시, XLSX)
_WIFI_PLACES = (
    ("주민센터", 18, lambda g, dong: f"{dong} 주민센터", "1층 민원실"),
    ("버스정류소", 30, lambda g, dong: f"{dong} 버스정류소", "정류소 쉘터"),
    ("공원", 14, lambda g, dong: f"{dong[:2]}어린이공원", "공원 입구 가로등"),
    ("도서관", 8, lambda g, dong: f"{g}립 {dong[:2]}도서관", "1층 열람실"),
    ("경로당", 10, lambda g, dong: f"{dong} 경로당", "거실"),
    ("전통시장", 8, lambda g, dong: f"{dong[:2]}시장", "시장 중앙 통로"),
    ("보건소", 4, lambda g, dong: f"{g} 보건소", "1층 대기실"),
    ("행정기관", 8, lambda g, dong: f"{g}청", "본관 1층 로비"),
)


def wifi(out: Path, seed: int) -> DemoDataset:
    name = "seoul-public-wifi"
    rng = _rng(seed, name)
    rows = []
    for i in range(1, 1201):
        gu = rng.choice(SEOUL_GU)
        dong = rng.choice(gu.dongs)
        kind, _, label, spot = rng.choices(_WIFI_PLACES, [p[1] for p in _WIFI_PLACES])[0]
        year = rng.choices(range(2012, 2025), (2, 2, 3, 3, 4, 4, 5, 6, 8, 12, 10, 8, 6))[0]
        provider = (
            "자가망_U무선망"
            if year >= 2020 and rng.random() < 0.7
            else rng.choice(("SKT", "KT", "LGU+"))
        )
        address = road_address("서울특별시", gu.name, rng.choice(gu.roads), rng.randint(1, 420))
        rows.append(
            [
                f"WF{year % 100:02d}-{i:05d}",
                gu.name,
                label(gu.name, dong),
                address,
                spot,
                kind,
                provider,
                year,
                round(gu.lat + rng.gauss(0, 0.011), 6),
                round(gu.lon + rng.gauss(0, 0.014), 6),
            ]
        )
    rows.sort(key=lambda r: (r[1], r[0]))
    header = [
        "관리번호",
        "자치구",
        "설치장소명",
        "도로명주소",
        "상세위치",
        "설치유형",
        "서비스구분",
        "설치년도",
        "위도",
        "경도",
    ]
    f = out / "seoul-public-wifi.xlsx"
    write_xlsx(
        f,
        "공공와이파이",
        header,
        rows,
        widths=(12, 10, 24, 36, 16, 12, 14, 10, 12, 12),
        number_formats={9: "0.000000", 10: "0.000000"},
    )
    return DemoDataset(
        org="seoul-metro-gov",
        name=name,
        title="서울시 공공와이파이 설치 위치",
        description="서울시 자치구별 공공와이파이 설치 장소, 도로명주소, 설치년도와 좌표(WGS84)."
        + SYNTHETIC_NOTE
        + " Public Wi-Fi access points in Seoul with road-name address, year and coordinates (XLSX).",
        keywords=("공공와이파이", "무료 와이파이", "통신", "위치", "Wi-Fi"),
        theme="과학기술",
        license="KOGL-1",
        access="open",
        language="ko",
        spatial="서울특별시",
        temporal_start="2012-01-01",
        temporal_end="2024-12-31",
        contact_name="스마트도시정책관 디지털정책과",
        contact_email="wifi@seoul-metro-gov.example",
        files=((f, "최초 공개"),),
    )


# --------------------------------------------------------------------------------------------
# 5. 버스 정류소별 승하차 인원 (서울특별시, UTF-8 TSV, English headers)
_STOPS = (
    "서울역버스환승센터",
    "광화문",
    "종로2가",
    "시청앞",
    "을지로입구",
    "동대문역사문화공원",
    "신촌오거리",
    "홍대입구역",
    "합정역",
    "여의도환승센터",
    "영등포역",
    "노량진역",
    "사당역",
    "강남역",
    "역삼역",
    "삼성역",
    "잠실역",
    "천호역",
    "건대입구역",
    "왕십리역",
    "청량리역",
    "수유역",
    "노원역",
    "연신내역",
    "목동역",
    "구로디지털단지역",
    "신림역",
    "서울대입구역",
    "고속터미널",
    "교대역",
)
_ROUTES = ("143", "150", "160", "262", "273", "370", "401", "470", "472", "601", "740", "7016")


def bus(out: Path, seed: int) -> DemoDataset:
    name = "seoul-bus-stop-ridership"
    rng = _rng(seed, name)
    ars = {s: f"{rng.randint(1, 25):02d}{rng.randint(100, 399):03d}" for s in _STOPS}
    pop = {s: rng.lognormvariate(0, 0.6) for s in _STOPS}
    routes = {r: rng.sample(_STOPS, rng.randint(8, 12)) for r in _ROUTES}
    route_w = {r: rng.uniform(0.6, 1.5) for r in _ROUTES}
    rows = []
    for i in range(31):
        d = dt.date(2024, 3, 1) + dt.timedelta(days=i)
        dayf = (
            0.62
            if d.weekday() == 6 or d == dt.date(2024, 3, 1)
            else 0.78
            if d.weekday() == 5
            else 1.0
        )
        for r in _ROUTES:
            for s in routes[r]:
                mean = 420 * pop[s] * route_w[r] * dayf
                on = max(0, round(rng.gauss(mean, mean * 0.08)))
                off = max(0, round(on * rng.uniform(0.85, 1.15)))
                rows.append([d.isoformat(), r, ars[s], s, on, off])
    f = out / "seoul-bus-stop-ridership-202403.tsv"
    write_csv(
        f,
        ["use_date", "route_no", "ars_id", "stop_name", "boardings", "alightings"],
        rows,
        encoding="utf-8",
        delimiter="\t",
        lineterminator="\n",
    )
    return DemoDataset(
        org="seoul-metro-gov",
        name=name,
        title="서울 버스 노선·정류소별 일별 승하차 인원 (2024년 3월)",
        description="교통카드 기준 서울 시내버스 노선·정류소별 일별 승차 및 하차 인원 (탭 구분, UTF-8, 영문 컬럼명)."
        + SYNTHETIC_NOTE
        + " Daily boardings and alightings per bus route and stop (tab-separated, English headers).",
        keywords=("버스", "승하차", "대중교통", "교통카드", "bus", "ridership"),
        theme="교통",
        license="CC-BY-4.0",
        access="open",
        language="ko",
        spatial="서울특별시",
        temporal_start="2024-03-01",
        temporal_end="2024-03-31",
        contact_name="교통정책과",
        contact_email="bus@seoul-metro-gov.example",
        files=((f, "최초 공개"),),
    )


# --------------------------------------------------------------------------------------------
# 6. 시도·산업별 사업체 현황 (통계청, NDJSON, English)
_KSIC = (  # section, English name, share of establishments (%), workers per establishment
    ("A", "Agriculture, forestry and fishing", 0.1, 8),
    ("B", "Mining and quarrying", 0.03, 12),
    ("C", "Manufacturing", 9.5, 9),
    ("D", "Electricity, gas, steam and air conditioning supply", 0.3, 6),
    ("E", "Water supply; sewage, waste management and materials recovery", 0.2, 12),
    ("F", "Construction", 4.5, 8),
    ("G", "Wholesale and retail trade", 24.0, 3),
    ("H", "Transportation and storage", 9.0, 2.5),
    ("I", "Accommodation and food service activities", 19.5, 2.8),
    ("J", "Information and communication", 1.2, 15),
    ("K", "Financial and insurance activities", 0.8, 20),
    ("L", "Real estate activities", 4.0, 3),
    ("M", "Professional, scientific and technical activities", 2.5, 10),
    ("N", "Business facilities management and business support services", 1.5, 17),
    ("O", "Public administration and defence; compulsory social security", 0.2, 60),
    ("P", "Education", 4.0, 8),
    ("Q", "Human health and social work activities", 3.2, 12),
    ("R", "Arts, sports and recreation related services", 2.2, 3),
    ("S", "Membership organizations, repair and other personal services", 9.0, 2.4),
    ("T", "Activities of households as employers", 0.0005, 1.5),
    ("U", "Activities of extraterritorial organizations and bodies", 0.0005, 10),
)


def business(out: Path, seed: int) -> DemoDataset:
    name = "establishments-by-region-industry"
    rng = _rng(seed, name)
    total_pop = sum(s.population_k for s in SIDO)
    records = []
    for year in range(2019, 2024):
        growth = 1 + 0.012 * (year - 2019)
        for sido in SIDO:
            n_all = 6_100_000 * sido.population_k / total_pop * growth
            metro = sido.code in METRO_CODES
            for code, industry, share, size in _KSIC:
                if code in ("A", "B"):  # farms and mines are outside the cities
                    share *= 0.15 if metro else 2.0
                est = round(n_all * share / 100 * rng.uniform(0.85, 1.15))
                workers = round(est * size * rng.uniform(0.8, 1.2))
                female = round(workers * rng.uniform(0.25, 0.65))
                rec = {
                    "year": year,
                    "region_code": sido.code,
                    "region": sido.english,
                    "industry_code": code,
                    "industry": industry,
                    "establishments": est,
                    "workers": workers,
                    "female_workers": female,
                }
                if est < 3:  # too few to publish: suppressed, as statistics offices do
                    rec.update(establishments=None, workers=None, female_workers=None)
                records.append(rec)
    f = out / "establishments-by-region-industry.ndjson"
    write_ndjson(f, records)
    return DemoDataset(
        org="kostat",
        name=name,
        title="시도·산업대분류별 사업체 및 종사자 현황",
        description="전국사업체조사 형식의 연도별·시도별·한국표준산업분류(KSIC) 대분류별 사업체 수와 종사자 수. "
        "사업체가 3개 미만인 칸은 비공개(null)입니다."
        + SYNTHETIC_NOTE
        + (
            " Establishments and workers by year, province and KSIC section (NDJSON, English "
            "field names; cells under 3 suppressed)."
        ),
        keywords=("사업체", "종사자", "산업", "KSIC", "establishments", "employment"),
        theme="경제",
        license="KOGL-1",
        access="open",
        language="en",
        spatial="전국",
        temporal_start="2019-12-31",
        temporal_end="2023-12-31",
        contact_name="경제총조사과",
        contact_email="business@kostat.example",
        files=((f, "최초 공개"),),
    )


# --------------------------------------------------------------------------------------------
# 7. 외래 진료 기록 (가상 병원, personal, UTF-8 with BOM)
_DIAGNOSES = (  # KCD code, name, department, min age, max age, weight
    ("J00", "급성 비인두염[감기]", "가정의학과", 0, 100, 14),
    ("J03.9", "상세불명의 급성 편도염", "이비인후과", 0, 70, 5),
    ("J20.9", "상세불명의 급성 기관지염", "내과", 0, 100, 9),
    ("J45.9", "상세불명의 천식", "내과", 3, 100, 4),
    ("J30.4", "상세불명의 알레르기비염", "이비인후과", 3, 80, 6),
    ("I10", "본태성(일차성) 고혈압", "내과", 35, 100, 12),
    ("E11.9", "합병증을 동반하지 않은 2형 당뇨병", "내과", 35, 100, 8),
    ("E78.5", "상세불명의 고지질혈증", "내과", 35, 100, 6),
    ("K29.7", "상세불명의 위염", "내과", 15, 100, 7),
    ("K21.9", "식도염을 동반하지 않은 위-식도역류병", "내과", 20, 100, 5),
    ("M54.5", "요통", "정형외과", 20, 100, 7),
    ("M17.9", "상세불명의 무릎관절증", "정형외과", 50, 100, 5),
    ("M51.2", "기타 명시된 추간판전위", "정형외과", 25, 90, 3),
    ("L20.9", "상세불명의 아토피피부염", "피부과", 0, 40, 3),
    ("F32.9", "상세불명의 우울에피소드", "정신건강의학과", 15, 100, 3),
    ("H52.1", "근시", "안과", 5, 50, 3),
    ("H25.9", "상세불명의 노년성 백내장", "안과", 60, 100, 3),
    ("K02.9", "상세불명의 치아우식", "치과", 5, 100, 4),
    ("A09", "감염성 및 상세불명 기원의 기타 위장염 및 결장염", "내과", 0, 100, 5),
    ("N39.0", "부위가 명시되지 않은 요로감염", "비뇨의학과", 15, 100, 3),
    ("R51", "두통", "신경과", 10, 100, 3),
    ("I63.9", "상세불명의 뇌경색증", "신경과", 55, 100, 2),
)
_PEDIATRIC = {"가정의학과", "내과"}


def _patient_home(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.7:
        gu = rng.choice(SEOUL_GU)
        addr = road_address("서울특별시", gu.name, rng.choice(gu.roads), rng.randint(1, 420))
    else:
        sidos = (
            [SIDO_BY_NAME["경기도"], SIDO_BY_NAME["인천광역시"]]
            if r < 0.9
            else [s for s in SIDO if s.code != "11"]
        )
        sido, sgg = _weighted_sigungu(rng, sidos)
        addr = road_address(sido, sgg, rng.choice(COMMON_ROADS), rng.randint(1, 300))
    if rng.random() < 0.55:
        addr += f", {rng.randint(101, 115)}동 {rng.randint(1, 25)}{rng.randint(1, 6):02d}호"
    return addr


@dataclass(frozen=True)
class _Patient:
    """A synthetic patient: the direct identifiers the de-identification demo removes."""

    id: str
    name: str
    rrn: str
    sex: str
    birth: dt.date
    phone: str
    address: str


def patients(out: Path, seed: int) -> DemoDataset:
    name = "nuri-hospital-outpatient-visits"
    rng = _rng(seed, name)
    people_: list[_Patient] = []
    for _ in range(800):
        age_guess = min(
            95,
            int(
                rng.choices(
                    (rng.uniform(0, 15), rng.uniform(15, 45), rng.uniform(45, 90)), (20, 30, 50)
                )[0]
            ),
        )
        birth = dt.date(2023 - age_guess, 1, 1) + dt.timedelta(days=rng.randrange(365))
        birth = max(birth, dt.date(1925, 1, 1))
        sex = rng.choice("MF")
        people_.append(
            _Patient(
                id=f"{10_000_000 + rng.randrange(90_000_000)}",
                name=people.korean_name(rng, sex, birth.year),
                rrn=people.make_rrn(rng, birth, sex),
                sex=sex,
                birth=birth,
                phone=people.mobile_number(rng),
                address=_patient_home(rng),
            )
        )
    visits = []
    first = dt.date(2024, 1, 2)
    for _ in range(2000):
        p = rng.choice(people_)
        day = first + dt.timedelta(days=rng.randrange(180))
        while day.weekday() == 6:
            day += dt.timedelta(days=1)
        age = people.age_on(p.birth, day)
        options = [d for d in _DIAGNOSES if d[3] <= age <= d[4]]
        code, diag, dept, _, _, _ = rng.choices(options, [d[5] for d in options])[0]
        if age < 15 and dept in _PEDIATRIC:
            dept = "소아청소년과"
        visits.append((day, p, age, dept, f"{code} {diag}"))
    visits.sort(key=lambda v: (v[0], v[1].id))
    rows = [
        [
            p.id,
            p.name,
            p.rrn,
            "남" if p.sex == "M" else "여",
            age,
            p.phone,
            p.address,
            day.isoformat(),
            dept,
            diag,
        ]
        for day, p, age, dept, diag in visits
    ]
    header = [
        "환자번호",
        "이름",
        "주민등록번호",
        "성별",
        "나이",
        "전화번호",
        "주소",
        "진료일",
        "진료과",
        "진단명",
    ]
    f = out / "nuri-hospital-outpatient-visits.csv"
    write_csv(f, header, rows, encoding="utf-8", bom=True)
    return DemoDataset(
        org="nuri-hospital",
        name=name,
        title="외래 진료 기록 (가상 환자)",
        description="가상 병원의 외래 진료 기록: 환자 인적사항(이름, 주민등록번호, 연락처, 주소)과 진료과, KCD 진단명. "
        "나이는 진료일 기준 만 나이입니다. 모든 인물과 번호는 합성된 가상 정보입니다. "
        "Outpatient visits with direct identifiers - entirely synthetic, for trying de-identification.",
        keywords=("진료", "환자", "진단", "KCD", "개인정보", "가명처리", "patients"),
        theme="보건",
        license="proprietary",
        access="personal",
        language="ko",
        spatial="서울특별시",
        temporal_start="2024-01-02",
        temporal_end="2024-06-30",
        contact_name="의료정보팀",
        contact_email="privacy@nuri-hospital.example",
        files=((f, "최초 등록"),),
    )


# --------------------------------------------------------------------------------------------
# 8. 112 신고 접수 현황 (경찰청, restricted, UTF-8, Korean dates)
_STATIONS = tuple(
    s + "경찰서"
    for s in (
        "종로 남대문 서대문 혜화 용산 성북 동대문 마포 영등포 성동 동작 광진 서부 강북 금천 중랑 강남 관악 "
        "강서 강동 종암 구로 서초 양천 송파 노원 방배 은평 도봉 수서 중부"
    ).split()
)
_CALL_TYPES = (
    ("교통불편", 14),
    ("소음", 9),
    ("분실물", 6),
    ("시비", 10),
    ("주취자", 9),
    ("폭력", 6),
    ("절도", 5),
    ("가정폭력", 3),
    ("실종", 2),
    ("교통사고", 7),
    ("위험방지", 6),
    ("기타경찰업무", 23),
)


def police_calls(out: Path, seed: int) -> DemoDataset:
    name = "seoul-112-calls"
    rng = _rng(seed, name)
    calls = []
    for _ in range(2500):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(91))
        hour = rng.choices(
            range(24), (6, 5, 4, 3, 2, 2, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 6, 6, 7, 7, 7, 7)
        )[0]
        calls.append(dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60))))
    calls.sort()
    rows = []
    for i, t in enumerate(calls, start=1):
        kind = rng.choices(*zip(*_CALL_TYPES, strict=True))[0]
        urgent = kind in ("폭력", "가정폭력", "실종", "교통사고")
        code = rng.choices(
            ("code 0", "code 1", "code 2", "code 3", "code 4"),
            (8, 50, 30, 10, 2) if urgent else (1, 12, 45, 30, 12),
        )[0]
        arrival = (
            None
            if code in ("code 3", "code 4")
            else round(rng.lognormvariate(1.6 if code < "code 2" else 2.1, 0.4), 1)
        )
        result = rng.choices(
            ("현장종결", "사건처리", "타기관인계", "허위신고", "오인신고"),
            (30, 55, 8, 2, 5) if urgent else (70, 10, 15, 2, 3),
        )[0]
        rows.append(
            [
                f"2024-{i:06d}",
                f"{t.year}년 {t.month}월 {t.day}일",
                t.strftime("%H:%M:%S"),
                rng.choice(_STATIONS),
                kind,
                code,
                "" if arrival is None else f"{arrival}",
                result,
            ]
        )
    header = [
        "접수번호",
        "접수일자",
        "접수시각",
        "관할경찰서",
        "사건종별",
        "긴급도",
        "현장도착소요(분)",
        "처리결과",
    ]
    f = out / "seoul-112-calls-2024q1.csv"
    write_csv(f, header, rows, encoding="utf-8")
    return DemoDataset(
        org="knpa",
        name=name,
        title="서울 112 신고 접수 및 처리 현황 (2024년 1분기)",
        description="서울 관할 경찰서별 112 신고 접수 일시, 사건종별, 긴급도(code 0~4), 현장 도착 소요시간과 처리결과. "
        "치안 운영 정보로 승인된 기관만 이용할 수 있습니다."
        + SYNTHETIC_NOTE
        + " 112 emergency calls in Seoul, Q1 2024 - restricted to approved organisations.",
        keywords=("112", "신고", "치안", "경찰", "emergency calls"),
        theme="공공질서",
        license="KOGL-4",
        access="restricted",
        language="ko",
        spatial="서울특별시",
        temporal_start="2024-01-01",
        temporal_end="2024-03-31",
        contact_name="112치안종합상황실",
        contact_email="112@knpa.example",
        files=((f, "최초 등록"),),
    )


BUILDERS = (population, accidents, air_quality, wifi, bus, business, patients, police_calls)
