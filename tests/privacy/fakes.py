"""Generated Korean personal data for tests (seeded; valid check digits where rules exist)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

WEIGHTS = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
SURNAMES = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "남궁", "황보"]
GIVEN = ["민준", "서연", "도윤", "지우", "하준", "서윤", "시우", "지민", "은우", "수아", "철", "영"]
REGIONS = [
    ("서울특별시", "종로구", "세종대로", "사직동"),
    ("서울특별시", "강남구", "테헤란로", "역삼동"),
    ("부산광역시", "해운대구", "해운대로", "우동"),
    ("경기도", "성남시", "판교역로", "삼평동"),
    ("대구광역시", "중구", "국채보상로", "동인동"),
]


def rrn(birth: str, gender: int, middle: str, *, valid: bool = True) -> str:
    digits = [int(c) for c in birth + str(gender) + middle]
    s = sum(d * w for d, w in zip(digits, WEIGHTS, strict=True))
    check = (11 - s % 11) % 10
    if not valid:
        check = (check + 1) % 10
    return f"{birth}-{gender}{middle}{check}"


def foreigner_rn(birth: str, gender: int, middle: str) -> str:
    digits = [int(c) for c in birth + str(gender) + middle]
    s = sum(d * w for d, w in zip(digits, WEIGHTS, strict=True))
    return f"{birth}-{gender}{middle}{(13 - s % 11) % 10}"


def luhn_complete(prefix: str) -> str:
    digits = [int(c) for c in prefix]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:  # positions 1,3,... from the right once the check digit is appended
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return prefix + str((10 - total % 10) % 10)


def people(n: int, seed: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)
    rows: dict[str, list] = {
        k: []
        for k in (
            "성명",
            "주민등록번호",
            "휴대전화",
            "이메일",
            "주소",
            "나이",
            "성별",
            "시도",
            "진단명",
            "메모",
            "금액",
        )
    }
    for i in range(n):
        year = int(rng.integers(1940, 2005))
        month, day = int(rng.integers(1, 13)), int(rng.integers(1, 29))
        g = int(rng.integers(1, 3)) + (2 if year >= 2000 else 0)
        r = rrn(f"{year % 100:02d}{month:02d}{day:02d}", g, f"{int(rng.integers(0, 100000)):05d}")
        sido, sgg, road, _ = REGIONS[int(rng.integers(len(REGIONS)))]
        phone = f"010-{int(rng.integers(1000, 10000))}-{int(rng.integers(1000, 10000))}"
        rows["성명"].append(
            SURNAMES[int(rng.integers(len(SURNAMES)))] + GIVEN[int(rng.integers(len(GIVEN)))]
        )
        rows["주민등록번호"].append(r)
        rows["휴대전화"].append(phone)
        rows["이메일"].append(f"user{i}@example.co.kr")
        rows["주소"].append(f"{sido} {sgg} {road} {int(rng.integers(1, 300))}")
        rows["나이"].append(2026 - year)
        rows["성별"].append("남" if g % 2 else "여")
        rows["시도"].append(sido)
        rows["진단명"].append(["당뇨", "고혈압", "천식", "감기"][int(rng.integers(4))])
        rows["메모"].append(
            f"상담 요청, 연락처 {phone} 로 회신 바람"
            if i % 3 == 0
            else "특이사항 없음, 다음 방문 예정"
        )
        rows["금액"].append(float(rng.normal(50000, 10000)))
    return pa.table(rows)
