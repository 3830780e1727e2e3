"""Validators for Korean (and common international) personal identifiers, vectorised over Arrow.

Every ``is_*`` function takes an Arrow array (or chunked array, or a Python list) and returns a
``pyarrow.BooleanArray`` of the same length; nulls are ``False``. Format checks run as RE2
regular expressions in Arrow compute; checksums run on NumPy digit matrices. Nothing loops over
rows in Python.

The rules:

- 주민등록번호 (resident registration number, RRN): ``YYMMDD-GNNNNNN``. G (the 7th digit) gives
  sex and century (9/0: 1800s, 1/2: 1900s, 3/4: 2000s; 5–8 are foreigners). The birth date must
  be a real date, not in the future. Numbers issued before October 2020 end in a check digit:
  ``(11 - sum(d_i * w_i) mod 11) mod 10`` with weights 2,3,4,5,6,7,8,9,2,3,4,5. Since October
  2020 the last six digits are random, so for people born from 2020-10-01 only format and date are
  checked. With ``strict=True`` (the default) older birth dates need a valid check digit (an
  older person who got a new-style number is then missed; ``strict=False`` accepts them).
- 외국인등록번호 (foreigner registration number): same shape, G in 5–8, check digit
  ``(13 - sum mod 11) mod 10`` for numbers issued before October 2020.
- 사업자등록번호 (business registration number): ``NNN-NN-NNNNN``, weights 1,3,7,1,3,7,1,3,5 plus
  ``floor(5 * d9 / 10)``, check ``(10 - sum mod 10) mod 10``.
- Card numbers: 13–19 digits, Luhn check.
- Passport (M/S/R/O/D/G + 8 digits, or the 2021 format M + 3 digits + letter + 4 digits), driver's
  licence (region + 2 + 6 + 2 digits), mobile and landline phones, bank accounts, email, IPv4/IPv6,
  road-name and lot-number addresses, Korean personal names (surname list plus shape): format
  checks only (no public checksum exists).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ArrayLike: TypeAlias = pa.Array | pa.ChunkedArray | list[Any]

# --------------------------------------------------------------------------------------------
# helpers


def as_string_array(values: ArrayLike) -> pa.Array:
    """A flat ``pa.string()`` array, trimmed of surrounding whitespace."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.string())
    elif not isinstance(values, pa.Array):
        values = pa.array(values)
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if not pa.types.is_string(values.type):
        values = pc.cast(values, pa.string())
    return pc.utf8_trim_whitespace(values)


def _full(values: pa.Array, pattern: str, *, ignore_case: bool = False) -> np.ndarray:
    """Boolean NumPy mask: the whole value matches ``pattern`` (RE2); nulls are False."""
    hit = pc.match_substring_regex(values, f"^(?:{pattern})$", ignore_case=ignore_case)
    return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)


def _strip(values: pa.Array, chars: str = r"[\s\-.]") -> pa.Array:
    return pc.replace_substring_regex(values, chars, "")


def _digit_matrix(values: pa.Array, ok: np.ndarray, width: int) -> np.ndarray:
    """An (n, width) int64 matrix of the digits of the values where ``ok`` (others are zeros).

    Values selected by ``ok`` must consist of exactly ``width`` ASCII digits.
    """
    n = len(values)
    filler = "0" * width
    safe = pc.if_else(pa.array(ok, pa.bool_()), pc.fill_null(values, filler), filler)
    safe = pc.cast(safe, pa.binary())
    if isinstance(safe, pa.ChunkedArray):  # pragma: no cover - defensive
        safe = safe.combine_chunks()
    offsets = np.frombuffer(safe.buffers()[1], dtype=np.int32)[safe.offset : safe.offset + n + 1]
    data = np.frombuffer(safe.buffers()[2], dtype=np.uint8) if n else np.zeros(0, np.uint8)
    start = int(offsets[0]) if n else 0
    mat = data[start : start + width * n].reshape(n, width).astype(np.int64) - 48
    return mat


def _to_arrow(mask: np.ndarray) -> pa.BooleanArray:
    return pa.array(mask, pa.bool_())


_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _valid_date(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    month_ok = (month >= 1) & (month <= 12)
    m = np.clip(month, 1, 12) - 1
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days = _DAYS[m] + ((m == 1) & leap)
    return month_ok & (day >= 1) & (day <= days)


# --------------------------------------------------------------------------------------------
# resident / foreigner registration numbers

RRN_WEIGHTS = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])
#: Numbers issued from this date on have random trailing digits and no check digit.
RRN_RANDOM_FROM = _dt.date(2020, 10, 1)
_RRN_SHAPE = r"\d{6}-?\d{7}"
_YYMMDD = r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"


@dataclass(frozen=True)
class RegistrationChecks:
    """Per-value results of the registration-number checks (NumPy boolean arrays)."""

    shape: np.ndarray  # 13 digits, optional hyphen after the 6th
    date: np.ndarray  # a real, past birth date for the century given by the 7th digit
    citizen: np.ndarray  # 7th digit is 1-4, 9 or 0
    foreigner: np.ndarray  # 7th digit is 5-8
    checksum_citizen: np.ndarray  # RRN check digit holds
    checksum_foreigner: np.ndarray  # foreigner check digit holds
    after_reform: np.ndarray  # born on or after 2020-10-01: trailing digits are random


def registration_checks(values: ArrayLike, *, today: _dt.date | None = None) -> RegistrationChecks:
    """Run every registration-number check on ``values`` at once."""
    arr = as_string_array(values)
    shape = _full(arr, _RRN_SHAPE)
    d = _digit_matrix(_strip(arr, "-"), shape, 13)
    g = d[:, 6]
    century = np.select([np.isin(g, (9, 0)), np.isin(g, (1, 2, 5, 6))], [1800, 1900], 2000)
    year = century + d[:, 0] * 10 + d[:, 1]
    month = d[:, 2] * 10 + d[:, 3]
    day = d[:, 4] * 10 + d[:, 5]
    today = today or _dt.date.today()
    ordinal = year * 10000 + month * 100 + day
    date = (
        shape
        & _valid_date(year, month, day)
        & (ordinal <= today.year * 10000 + today.month * 100 + today.day)
    )
    s = (d[:, :12] * RRN_WEIGHTS).sum(axis=1) % 11
    reform = RRN_RANDOM_FROM.year * 10000 + RRN_RANDOM_FROM.month * 100 + RRN_RANDOM_FROM.day
    return RegistrationChecks(
        shape=shape,
        date=date,
        citizen=shape & np.isin(g, (1, 2, 3, 4, 9, 0)),
        foreigner=shape & np.isin(g, (5, 6, 7, 8)),
        checksum_citizen=shape & ((11 - s) % 10 == d[:, 12]),
        checksum_foreigner=shape & ((13 - s) % 10 == d[:, 12]),
        after_reform=ordinal >= reform,
    )


def is_rrn(
    values: ArrayLike, *, strict: bool = True, today: _dt.date | None = None
) -> pa.BooleanArray:
    """주민등록번호 of a Korean citizen (see the module docstring for the rules)."""
    c = registration_checks(values, today=today)
    check_ok = c.checksum_citizen | c.after_reform if strict else np.ones_like(c.shape)
    return _to_arrow(c.citizen & c.date & check_ok)


def is_foreigner_rn(
    values: ArrayLike, *, strict: bool = True, today: _dt.date | None = None
) -> pa.BooleanArray:
    """외국인등록번호 (7th digit 5-8)."""
    c = registration_checks(values, today=today)
    check_ok = c.checksum_foreigner | c.after_reform if strict else np.ones_like(c.shape)
    return _to_arrow(c.foreigner & c.date & check_ok)


# --------------------------------------------------------------------------------------------
# business registration number, cards


BRN_WEIGHTS = np.array([1, 3, 7, 1, 3, 7, 1, 3, 5])


def is_business_rn(values: ArrayLike) -> pa.BooleanArray:
    """사업자등록번호 ``NNN-NN-NNNNN`` with its check digit."""
    arr = as_string_array(values)
    shape = _full(arr, r"\d{3}-?\d{2}-?\d{5}")
    d = _digit_matrix(_strip(arr, "-"), shape, 10)
    s = (d[:, :9] * BRN_WEIGHTS).sum(axis=1) + (d[:, 8] * 5) // 10
    return _to_arrow(shape & ((10 - s % 10) % 10 == d[:, 9]))


def luhn_valid(values: ArrayLike) -> pa.BooleanArray:
    """Digit strings (spaces/hyphens allowed) of 12-19 digits whose Luhn checksum holds."""
    arr = _strip(as_string_array(values), r"[\s\-]")
    shape = _full(arr, r"\d{12,19}")
    padded = pc.utf8_lpad(arr, width=19, padding="0")
    d = _digit_matrix(padded, shape, 19)
    from_right = 18 - np.arange(19)
    doubled = np.where(from_right % 2 == 1, d * 2, d)
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    return _to_arrow(shape & (doubled.sum(axis=1) % 10 == 0))


def is_card_number(values: ArrayLike) -> pa.BooleanArray:
    """Payment card numbers: 13-19 digits (in groups or not), issuer prefix 2-6 or 9, Luhn."""
    arr = as_string_array(values)
    shape = _full(arr, r"[2-69]\d{3}([\s\-]?\d{4}){2}[\s\-]?\d{1,7}")
    return _to_arrow(shape & np.asarray(luhn_valid(arr).to_numpy(zero_copy_only=False)))


# --------------------------------------------------------------------------------------------
# format-only identifiers

PASSPORT = r"[MSRODG]\d{8}|[MSRODG]\d{3}[A-Z]\d{4}"
DRIVER_REGIONS = (
    "서울|부산|경기|강원|충북|충남|전북|전남|경북|경남|제주|대구|인천|광주|대전|울산|세종"
)
DRIVER_LICENCE = rf"(?:1[1-9]|2[0-8]|{DRIVER_REGIONS})[\s\-]?\d{{2}}[\s\-]?\d{{6}}[\s\-]?\d{{2}}"
MOBILE = r"(?:\+82[\s\-]?|0)1[016789][\s\-.]?\d{3,4}[\s\-.]?\d{4}"
LANDLINE = r"(?:\+82[\s\-]?|0)(?:2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70)[\s\-.)]?\d{3,4}[\s\-.]?\d{4}"
BANK_ACCOUNT = r"\d{2,6}-\d{2,6}-\d{1,7}(?:-\d{1,3})?"
EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
IPV6 = (
    r"(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}:){1,7}:"
    r"|(?:[0-9A-Fa-f]{1,4}:){1,6}:[0-9A-Fa-f]{1,4}"
    r"|::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4}"
    r"|::"
)
US_SSN = (
    r"(?:00[1-9]|0[1-9]\d|[1-578]\d\d|6[0-57-9]\d|66[0-57-9])"  # area
    r"-(?:0[1-9]|[1-9]\d)"  # group
    r"-(?:000[1-9]|00[1-9]\d|0[1-9]\d\d|[1-9]\d{3})"  # serial
)
_REGION_WORD = r"[가-힣]+(?:특별시|광역시|특별자치시|특별자치도|도|시|군|구)"
ROAD_ADDRESS = r"[가-힣A-Za-z0-9·]+(?:로|길)\s?\d+(?:-\d+)?"
LOT_ADDRESS = r"[가-힣0-9]+(?:동|리|가)\s?(?:산\s?)?\d+(?:-\d+)?(?:번지)?"

#: Korean surnames (the most common ~120, covering well over 99% of the population), compound first.
SURNAMES_COMPOUND = ("남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방", "어금", "망절")
SURNAMES = tuple(
    "김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 유 전 홍 고 문 양 손 배 백 허 남 심 노 하 곽 "
    "성 차 주 우 구 민 진 나 지 엄 채 원 천 방 공 현 함 변 염 여 추 도 소 석 선 설 마 길 연 위 표 명 기 반 "
    "라 왕 금 옥 육 인 맹 제 모 탁 국 어 은 편 용 예 경 봉 사 부 가 복 태 목 형 계 피 두 감 음 빈 동 온 호 "
    "범 좌 팽 승 간 상 시 갈 서 단 견 당 화 창 옹 순 묵 연 궁 학 근 엽 대 초 기".split()
)
_SURNAME_RE = "|".join(SURNAMES_COMPOUND) + "|" + "|".join(dict.fromkeys(SURNAMES))
KOREAN_NAME = rf"(?:{'|'.join(SURNAMES_COMPOUND)})[가-힣]{{1,2}}|(?:{'|'.join(dict.fromkeys(SURNAMES))})[가-힣]{{1,2}}"
ENGLISH_NAME = r"[A-Z][a-z]+(?:[\s\-][A-Z][a-z]+){1,2}"


def _format_check(
    pattern: str, *, ignore_case: bool = False
) -> Callable[[ArrayLike], pa.BooleanArray]:
    def check(values: ArrayLike) -> pa.BooleanArray:
        return _to_arrow(_full(as_string_array(values), pattern, ignore_case=ignore_case))

    return check


is_passport = _format_check(PASSPORT)
is_driver_licence = _format_check(DRIVER_LICENCE)
is_mobile_phone = _format_check(MOBILE)
is_landline_phone = _format_check(LANDLINE)
is_email = _format_check(EMAIL)
is_ipv4 = _format_check(IPV4)
is_ipv6 = _format_check(IPV6)
is_us_ssn = _format_check(US_SSN)
is_korean_name = _format_check(KOREAN_NAME)
is_english_name = _format_check(ENGLISH_NAME)


def is_ip(values: ArrayLike) -> pa.BooleanArray:
    arr = as_string_array(values)
    return _to_arrow(_full(arr, IPV4) | _full(arr, IPV6))


def is_bank_account(values: ArrayLike) -> pa.BooleanArray:
    """Hyphenated account numbers of 10-14 digits (bank formats vary; format only)."""
    arr = as_string_array(values)
    shape = _full(arr, BANK_ACCOUNT)
    n_digits = np.asarray(
        pc.fill_null(pc.utf8_length(_strip(arr, r"\D")), 0).to_numpy(zero_copy_only=False)
    )
    return _to_arrow(shape & (n_digits >= 10) & (n_digits <= 14))


def _contains(values: pa.Array, pattern: str) -> np.ndarray:
    hit = pc.match_substring_regex(values, pattern)
    return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)


def is_road_address(values: ArrayLike) -> pa.BooleanArray:
    """도로명주소: a region word (시/도/군/구) followed by a road name (…로/…길) and a building number."""
    arr = as_string_array(values)
    return _to_arrow(
        _contains(arr, rf"{_REGION_WORD}\s")
        & _contains(arr, rf"(?:^|\s){ROAD_ADDRESS}(?:\s|,|\(|$)")
    )


def is_lot_address(values: ArrayLike) -> pa.BooleanArray:
    """지번주소: a region word followed by a 동/리/가 and a lot number."""
    arr = as_string_array(values)
    return _to_arrow(
        _contains(arr, rf"{_REGION_WORD}\s")
        & _contains(arr, rf"(?:^|\s){LOT_ADDRESS}(?:\s|,|\(|$)")
    )


# --------------------------------------------------------------------------------------------
# registry

IdentifierKind = Literal[
    "rrn",
    "foreigner_rn",
    "business_rn",
    "passport",
    "driver_licence",
    "mobile_phone",
    "landline_phone",
    "card_number",
    "bank_account",
    "email",
    "ip_address",
    "road_address",
    "lot_address",
    "korean_name",
    "english_name",
    "us_ssn",
]


@dataclass(frozen=True)
class Identifier:
    """One kind of identifier: its validator, how it looks inside free text, and what it is."""

    kind: str
    label_ko: str
    label_en: str
    validate: Callable[[ArrayLike], pa.BooleanArray]
    text_pattern: str | None  # a pattern for spans inside free text (None: not searched in text)
    direct: bool  # a direct identifier (True) or a quasi-identifier (False)
    has_checksum: bool = False


IDENTIFIERS: dict[str, Identifier] = {
    i.kind: i
    for i in (
        Identifier(
            "rrn",
            "주민등록번호",
            "resident registration number",
            is_rrn,
            _YYMMDD + r"[\s\-]?[1-4]\d{6}",
            True,
            True,
        ),
        Identifier(
            "foreigner_rn",
            "외국인등록번호",
            "foreigner registration number",
            is_foreigner_rn,
            _YYMMDD + r"[\s\-]?[5-8]\d{6}",
            True,
            True,
        ),
        Identifier(
            "business_rn",
            "사업자등록번호",
            "business registration number",
            is_business_rn,
            r"\d{3}-\d{2}-\d{5}",
            True,
            True,
        ),
        Identifier(
            "card_number",
            "카드번호",
            "card number",
            is_card_number,
            r"[2-69]\d{3}(?:[\s\-]?\d{4}){2}[\s\-]?\d{1,7}",
            True,
            True,
        ),
        Identifier("passport", "여권번호", "passport number", is_passport, PASSPORT, True),
        Identifier(
            "driver_licence",
            "운전면허번호",
            "driver's licence number",
            is_driver_licence,
            DRIVER_LICENCE,
            True,
        ),
        Identifier(
            "mobile_phone", "휴대전화번호", "mobile phone number", is_mobile_phone, MOBILE, True
        ),
        Identifier(
            "landline_phone", "전화번호", "landline phone number", is_landline_phone, LANDLINE, True
        ),
        Identifier(
            "bank_account", "계좌번호", "bank account number", is_bank_account, BANK_ACCOUNT, True
        ),
        Identifier("email", "이메일", "email address", is_email, EMAIL, True),
        Identifier("ip_address", "IP 주소", "IP address", is_ip, IPV4, True),
        Identifier(
            "us_ssn", "미국 사회보장번호", "US social security number", is_us_ssn, US_SSN, True
        ),
        Identifier(
            "road_address",
            "도로명주소",
            "road-name address",
            is_road_address,
            rf"{_REGION_WORD}(?:\s[가-힣]+(?:시|군|구))*\s{ROAD_ADDRESS}",
            True,
        ),
        Identifier(
            "lot_address",
            "지번주소",
            "lot-number address",
            is_lot_address,
            rf"{_REGION_WORD}(?:\s[가-힣]+(?:시|군|구))*\s{LOT_ADDRESS}",
            True,
        ),
        Identifier("korean_name", "성명", "Korean personal name", is_korean_name, None, True),
        Identifier("english_name", "성명(영문)", "personal name", is_english_name, None, True),
    )
}

#: Order in which free-text masking applies patterns (longer, more specific first).
TEXT_ORDER = (
    "email",
    "rrn",
    "foreigner_rn",
    "card_number",
    "business_rn",
    "us_ssn",
    "mobile_phone",
    "landline_phone",
    "bank_account",
    "driver_licence",
    "passport",
    "ip_address",
    "road_address",
    "lot_address",
)


# --------------------------------------------------------------------------------------------
# free text


@dataclass(frozen=True)
class Span:
    """An identifier found inside a text: ``text[start:end]`` (Python string indices)."""

    kind: str
    start: int
    end: int
    value: str
    validated: bool  # the value passes the full validator (checksum, date...), not only the shape


def _text_regex(kind: str) -> str:
    pattern = IDENTIFIERS[kind].text_pattern
    assert pattern is not None
    return pattern


def find_identifiers(text: str, *, kinds: tuple[str, ...] | None = None) -> list[Span]:
    """Spans of identifiers inside one free text, left to right, without overlaps.

    For a whole column use :func:`mask_identifiers`, which is vectorised.
    """
    kinds = kinds or TEXT_ORDER
    found: list[Span] = []
    taken = np.zeros(len(text) + 1, dtype=bool)
    for kind in TEXT_ORDER:
        if kind not in kinds:
            continue
        rx = re.compile(r"(?<![0-9A-Za-z])(?:" + _text_regex(kind) + r")(?![0-9A-Za-z])")
        matches = [m for m in rx.finditer(text) if not taken[m.start() : m.end()].any()]
        if not matches:
            continue
        valid = IDENTIFIERS[kind].validate([m.group(0) for m in matches]).to_pylist()
        for m, ok in zip(matches, valid, strict=True):
            taken[m.start() : m.end()] = True
            found.append(Span(kind, m.start(), m.end(), m.group(0), bool(ok)))
    return sorted(found, key=lambda s: s.start)


def mask_identifiers(
    values: ArrayLike,
    *,
    kinds: tuple[str, ...] | None = None,
    replacement: str = "[{kind}]",
) -> pa.Array:
    """Replace identifier spans inside every text of a column (vectorised, RE2).

    ``replacement`` may use ``{kind}`` (e.g. ``"[rrn]"``) and ``{label}`` (the Korean label).
    Shapes are masked whether or not their checksum holds: masking errs on the safe side.
    """
    arr = as_string_array(values)
    kinds = kinds or TEXT_ORDER
    for kind in TEXT_ORDER:
        if kind not in kinds:
            continue
        rep = replacement.format(kind=kind, label=IDENTIFIERS[kind].label_ko).replace("\\", "\\\\")
        rx = r"(^|[^0-9A-Za-z])(?:" + _text_regex(kind) + r")([^0-9A-Za-z]|$)"
        for _ in range(2):  # a second pass catches matches that shared a separator character
            arr = pc.replace_substring_regex(arr, rx, r"\1" + rep + r"\2")
    return arr
