"""Synthetic Korean people: names, resident registration numbers (주민등록번호), phone numbers.

Every value is made up. Resident registration numbers follow the pre-2020 structure
YYMMDD-GSSSSSC: birth date, a gender/century digit G (1/2 for men/women born 1900-1999, 3/4 for
2000-2099), five digits (birth-registration region and serial) and a check digit C over the
first twelve digits with weights 2,3,4,5,6,7,8,9,2,3,4,5: C = (11 - sum % 11) % 10.
"""

from __future__ import annotations

import datetime as dt
import random
import re

RRN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_RRN_RE = re.compile(r"^(\d{6})-?(\d{7})$")

# Surname shares in percent (rounded, after the 2015 census).
SURNAMES: tuple[tuple[str, float], ...] = (
    ("김", 21.5),
    ("이", 14.7),
    ("박", 8.4),
    ("최", 4.7),
    ("정", 4.3),
    ("강", 2.3),
    ("조", 2.1),
    ("윤", 2.1),
    ("장", 2.0),
    ("임", 1.7),
    ("한", 1.5),
    ("오", 1.5),
    ("서", 1.5),
    ("신", 1.4),
    ("권", 1.4),
    ("황", 1.4),
    ("안", 1.4),
    ("송", 1.3),
    ("전", 1.1),
    ("홍", 1.1),
    ("유", 1.1),
    ("고", 0.9),
    ("문", 0.9),
    ("양", 0.9),
    ("손", 0.9),
    ("배", 0.8),
    ("백", 0.8),
    ("허", 0.7),
    ("남", 0.6),
    ("심", 0.5),
    ("노", 0.4),
    ("하", 0.5),
    ("곽", 0.4),
    ("성", 0.4),
    ("차", 0.4),
    ("주", 0.4),
    ("우", 0.4),
    ("구", 0.4),
    ("민", 0.3),
    ("류", 0.3),
    ("나", 0.3),
    ("진", 0.3),
    ("지", 0.3),
    ("엄", 0.3),
    ("채", 0.2),
    ("원", 0.3),
    ("천", 0.2),
    ("방", 0.2),
    ("공", 0.2),
    ("현", 0.2),
    ("함", 0.2),
    ("변", 0.3),
    ("염", 0.1),
    ("여", 0.1),
    ("추", 0.1),
    ("도", 0.1),
    ("소", 0.1),
    ("석", 0.1),
    ("선", 0.1),
    ("설", 0.1),
    ("마", 0.1),
    ("길", 0.1),
    ("연", 0.1),
    ("위", 0.1),
    ("표", 0.1),
    ("명", 0.1),
    ("기", 0.1),
    ("반", 0.1),
    ("왕", 0.05),
    ("금", 0.05),
    ("옥", 0.05),
    ("육", 0.05),
    ("인", 0.05),
    ("맹", 0.05),
    ("제", 0.05),
    ("모", 0.05),
    ("탁", 0.05),
    ("국", 0.05),
    ("남궁", 0.04),
    ("황보", 0.02),
    ("제갈", 0.02),
    ("선우", 0.01),
)

# Given names popular in each birth era, by sex.
GIVEN_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("M", "old"): tuple(
        "영수 영호 영철 정호 상철 성수 광수 영식 정수 종수 병철 기철 재호 상호 "
        "성호 용수 영길 만수 춘식 동수 진호 명수 창호 태식".split()
    ),
    ("F", "old"): tuple(
        "영숙 정숙 순자 영자 미숙 경숙 영희 명숙 옥순 정희 순희 말순 춘자 영순 "
        "경자 정자 숙자 복순 금순 정순 혜숙 미자 영애 길자".split()
    ),
    ("M", "mid"): tuple(
        "성민 준호 지훈 현우 동현 성진 정훈 상현 재훈 성훈 민석 진우 영민 승현 "
        "준영 대현 상우 경민 태훈 종현 재석 형준 민호 우진".split()
    ),
    ("F", "mid"): tuple(
        "지영 은정 미영 수진 현정 지은 은영 정은 혜진 선영 미정 은주 지혜 소영 "
        "현주 수정 은희 윤정 미경 유진 혜정 지연 민정 경아".split()
    ),
    ("M", "young"): tuple(
        "민수 현준 지훈 성현 민재 준혁 승민 도현 건우 민규 지환 태민 현수 준수 "
        "동욱 재현 상민 우현 시우 주원 정민 윤호 재민 승우".split()
    ),
    ("F", "young"): tuple(
        "지은 수빈 민지 유진 지현 서현 예진 수연 다은 은비 지원 하은 예은 소연 "
        "지수 채원 민서 수민 가은 나연 유나 서영 혜원 다인".split()
    ),
    ("M", "kid"): tuple(
        "민준 서준 도윤 예준 시우 하준 지호 주원 지후 준우 준서 건우 도현 현우 "
        "지훈 우진 선우 서진 유준 연우 은우 이안 시윤 정우".split()
    ),
    ("F", "kid"): tuple(
        "서연 서윤 지우 하윤 민서 하은 지민 윤서 채원 지유 수아 지아 서아 다은 "
        "예은 수빈 소율 예린 하린 지안 아린 시아 나은 유나".split()
    ),
}


def _era(birth_year: int) -> str:
    if birth_year < 1965:
        return "old"
    if birth_year < 1985:
        return "mid"
    if birth_year < 2003:
        return "young"
    return "kid"


def korean_name(rng: random.Random, sex: str, birth_year: int) -> str:
    surnames, weights = zip(*SURNAMES, strict=True)
    surname = rng.choices(surnames, weights=weights)[0]
    return surname + rng.choice(GIVEN_NAMES[(sex, _era(birth_year))])


def rrn_check_digit(first12: str) -> int:
    """Check digit of a resident registration number from its first twelve digits."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"need exactly 12 digits, got {first12!r}")
    total = sum(int(d) * w for d, w in zip(first12, RRN_WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def is_valid_rrn(s: str) -> bool:
    """True if `s` (with or without the dash) has a real birth date, a known gender digit and a valid check digit."""
    m = _RRN_RE.match(s.strip()) if isinstance(s, str) else None
    if not m:
        return False
    digits = m.group(1) + m.group(2)
    try:
        rrn_birth_date(digits)
    except ValueError:
        return False
    return rrn_check_digit(digits[:12]) == int(digits[12])


_CENTURY = {
    "9": 1800,
    "0": 1800,
    "1": 1900,
    "2": 1900,
    "3": 2000,
    "4": 2000,
    "5": 1900,
    "6": 1900,
    "7": 2000,
    "8": 2000,
}


def rrn_birth_date(rrn: str) -> dt.date:
    """Birth date encoded in a resident registration number (raises ValueError if impossible)."""
    digits = rrn.replace("-", "")
    if len(digits) != 13 or not digits.isdigit():
        raise ValueError(f"not a resident registration number: {rrn!r}")
    century = _CENTURY[digits[6]]
    return dt.date(century + int(digits[:2]), int(digits[2:4]), int(digits[4:6]))


def make_rrn(rng: random.Random, birth: dt.date, sex: str) -> str:
    """A synthetic resident registration number with a valid check digit."""
    if not 1900 <= birth.year <= 2099:
        raise ValueError("births from 1900 to 2099 only")
    g = (1 if sex == "M" else 2) + (2 if birth.year >= 2000 else 0)
    region = rng.randrange(0, 96)  # birth-registration office (historically 00-95)
    office = rng.randrange(0, 100)
    serial = rng.randint(1, 5)
    first12 = f"{birth:%y%m%d}{g}{region:02d}{office:02d}{serial}"
    return f"{first12[:6]}-{first12[6:]}{rrn_check_digit(first12)}"


def mobile_number(rng: random.Random) -> str:
    return f"010-{rng.randint(2000, 9999)}-{rng.randint(0, 9999):04d}"


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years (만 나이) on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
