"""The catalog's controlled vocabularies, one definition each, checked by `catalog/fields.py` for
every door (API, CLI, console) and labelled by the web pages: themes, licences, update
frequencies (갱신주기, with their DCAT EU frequency URIs), provision types and region ids.

A region id is a 시도 code ("11") or a 시군구 as "<시도 code>:<시군구 name>" ("11:종로구"), from the
shipped `datanuri/regions` list (시군구 have no codes there)."""

from __future__ import annotations

from functools import lru_cache

from datanuri import errors
from datanuri.regions import NATIONWIDE, parse_regions, sido_list

Pair = tuple[str, str]

# The national portal's categories, stored in Korean.
THEMES: dict[str, Pair] = {
    "교통": ("교통", "Transport"),
    "경제": ("경제", "Economy"),
    "공공질서": ("공공질서", "Public order"),
    "과학기술": ("과학기술", "Science & technology"),
    "보건": ("보건", "Health"),
    "인구": ("인구", "Population"),
    "환경": ("환경", "Environment"),
    "교육": ("교육", "Education"),
    "문화관광": ("문화관광", "Culture & tourism"),
    "농림": ("농림", "Agriculture"),
    "재정금융": ("재정금융", "Finance"),
    "사회복지": ("사회복지", "Welfare"),
    "국토관리": ("국토관리", "Land"),
    "산업고용": ("산업고용", "Industry & jobs"),
    "재난안전": ("재난안전", "Safety"),
    "정보통신": ("정보통신", "Information & communication"),
    "공공행정": ("공공행정", "Public administration"),
}

LICENSES: dict[str, Pair] = {
    "KOGL-1": ("공공누리 제1유형 (출처표시)", "KOGL Type 1 (attribution)"),
    "KOGL-2": (
        "공공누리 제2유형 (출처표시, 상업적 이용금지)",
        "KOGL Type 2 (attribution, non-commercial)",
    ),
    "KOGL-3": (
        "공공누리 제3유형 (출처표시, 변경금지)",
        "KOGL Type 3 (attribution, no derivatives)",
    ),
    "KOGL-4": (
        "공공누리 제4유형 (출처표시, 상업적 이용금지, 변경금지)",
        "KOGL Type 4 (attribution, non-commercial, no derivatives)",
    ),
    "CC-BY-4.0": ("크리에이티브 커먼즈 저작자표시 4.0", "Creative Commons Attribution 4.0"),
    "CC0-1.0": ("CC0 (퍼블릭 도메인)", "CC0 (public domain)"),
    "proprietary": ("보유 기관 전용", "Proprietary"),
}

EU_FREQ = "http://publications.europa.eu/resource/authority/frequency"
# 갱신주기 → (ko, en) and its DCAT dct:accrualPeriodicity URI.
FREQUENCIES: dict[str, Pair] = {
    "realtime": ("실시간", "Real time"),
    "daily": ("일간", "Daily"),
    "weekly": ("주간", "Weekly"),
    "monthly": ("월간", "Monthly"),
    "quarterly": ("분기", "Quarterly"),
    "semiannual": ("반기", "Every six months"),
    "annual": ("연간", "Yearly"),
    "asneeded": ("수시", "As needed"),
    "irregular": ("비정기", "Irregular"),
}
FREQUENCY_URIS: dict[str, str] = {
    "realtime": f"{EU_FREQ}/CONT",
    "daily": f"{EU_FREQ}/DAILY",
    "weekly": f"{EU_FREQ}/WEEKLY",
    "monthly": f"{EU_FREQ}/MONTHLY",
    "quarterly": f"{EU_FREQ}/QUARTERLY",
    "semiannual": f"{EU_FREQ}/ANNUAL_2",
    "annual": f"{EU_FREQ}/ANNUAL",
    "asneeded": f"{EU_FREQ}/UPDATE_CONT",
    "irregular": f"{EU_FREQ}/IRREG",
}

# 제공형태: how the holder provides the data.
PROVISION_TYPES: dict[str, Pair] = {
    "file": ("파일", "File"),
    "api": ("오픈 API", "Open API"),
    "link": ("외부 링크", "External link"),
    "visual": ("시각화", "Visualisation"),
    "request": ("이용 신청 후 제공", "On request"),
}

NATIONWIDE_ID = "00"  # 전국: national coverage

MSG_NOT_IN = "The {field} {value!r} is not one we know. Use one of: {allowed}."
MSG_REGION = (
    "{value!r} is not a region id. Use a 시도 code (e.g. 11 for 서울특별시), "
    '"<시도 code>:<시군구 name>" (e.g. 11:종로구) or 00 for 전국. 시도 codes: {allowed}.'
)
MSG_TOO_MANY_REGIONS = (
    "{n:,} regions given; a dataset takes at most {limit}. Pick the 시도 instead."
)


def _allowed(vocab: dict[str, Pair]) -> str:
    return ", ".join(f"{k} ({ko})" if ko != k else k for k, (ko, _en) in vocab.items())


def check_choice(field: str, value: str, vocab: dict[str, Pair]) -> str:
    """`value` if it is a key of `vocab`, else a clear error listing the allowed keys."""
    if value not in vocab:
        raise errors.InvalidInput(
            MSG_NOT_IN.format(field=field, value=value, allowed=_allowed(vocab))
        )
    return value


def check_license(value: str) -> str:
    """A licence: one of LICENSES, or a licence's URL (as harvested DCAT records give it)."""
    if value.startswith(("https://", "http://")) and " " not in value:
        return value
    return check_choice("license", value, LICENSES)


def label(vocab: dict[str, Pair], key: str | None, lang: str = "ko") -> str:
    """The label of `key` in `lang`, or the key itself when it is not in the vocabulary."""
    if key is None:
        return ""
    pair = vocab.get(key)
    return key if pair is None else pair[0 if lang == "ko" else 1]


# ----- regions ----------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def region_names() -> dict[str, Pair]:
    """Every region id → (Korean name, English name), 시도 first then their 시군구."""
    out: dict[str, Pair] = {NATIONWIDE_ID: ("전국", "Nationwide")}
    for s in sido_list():
        out[s.code] = (s.name, s.name_en)
        for g in s.sigungu:
            out[f"{s.code}:{g}"] = (f"{s.name} {g}", f"{g}, {s.name_en}")
    return out


def check_regions(values: list[str], limit: int) -> list[str]:
    """Region ids checked against the shipped list, in order, each once."""
    if len(values) > limit:
        raise errors.InvalidInput(MSG_TOO_MANY_REGIONS.format(n=len(values), limit=limit))
    known = region_names()
    out: list[str] = []
    for v in values:
        if not isinstance(v, str) or v not in known:
            codes = ", ".join(f"{s.code} ({s.name})" for s in sido_list())
            raise errors.InvalidInput(MSG_REGION.format(value=v, allowed=codes))
        out.append(v)
    return list(dict.fromkeys(out))


def regions_from_text(text: str | None) -> list[str]:
    """The region ids named in an old free-text coverage ("서울특별시 종로구, 부산" → 11:종로구,
    26), "전국" as 00; what the migration and harvested records use to fill `regions`."""
    if not text:
        return []
    codes = {s.name: s.code for s in sido_list()}
    found = [
        codes[r.sido] if r.sigungu is None else f"{codes[r.sido]}:{r.sigungu}"
        for r in parse_regions(text)
    ]
    if not found and any(w in text.lower() for w in NATIONWIDE):
        found = [NATIONWIDE_ID]
    return found


def region_label(region_id: str, lang: str = "ko") -> str:
    """The name of a region id ("11:종로구" → "서울특별시 종로구"), or the id if unknown."""
    pair = region_names().get(region_id)
    return region_id if pair is None else pair[0 if lang == "ko" else 1]
