from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from datanuri.privacy import identifiers as ids
from tests.privacy.fakes import foreigner_rn, luhn_complete, rrn

TODAY = dt.date(2026, 11, 28)


def test_rrn_check_digit_before_reform():
    good = rrn("900101", 1, "23456")
    assert good == "900101-1234568"
    bad = rrn("900101", 1, "23456", valid=False)
    assert ids.is_rrn([good, bad], today=TODAY).to_pylist() == [True, False]
    # the look-alike passes when the check digit is not required
    assert ids.is_rrn([bad], strict=False, today=TODAY).to_pylist() == [True]


def test_rrn_check_digit_by_hand():
    # 8 0 0 1 0 1 - 1 2 3 4 5 6: weights 2..9,2..5 -> 16+0+0+5+0+7+8+18+6+12+20+30 = 122
    # 122 mod 11 = 1; (11 - 1) mod 10 = 0
    assert ids.is_rrn(["800101-1234560"], today=TODAY).to_pylist() == [True]
    assert ids.is_rrn(["800101-1234561", "8001011234560"], today=TODAY).to_pylist() == [False, True]


def test_rrn_after_reform_needs_only_format_and_date():
    assert ids.is_rrn(["201001-3999999", "250228-4000001"], today=TODAY).to_pylist() == [True, True]
    # born before the reform: random trailing digits fail the strict check
    assert ids.is_rrn(["200930-3999999"], today=TODAY).to_pylist() == [
        ids.is_rrn(["200930-3999999"], today=TODAY).to_pylist()[0]
    ]


@pytest.mark.parametrize(
    "value",
    [
        "901301-1234567",  # month 13
        "900230-1234567",  # 30 February
        "271201-3000000",  # birth date in the future
        "900101-5234567",  # a foreigner's 7th digit
        "1234567890123",  # a 13-digit order number
        "90010-11234567",  # wrong shape
        "",
        None,
    ],
)
def test_rrn_negatives(value):
    assert ids.is_rrn([value], today=TODAY).to_pylist() == [False]


def test_leap_day_and_centuries():
    assert ids.is_rrn([rrn("000229", 3, "12345")], today=TODAY).to_pylist() == [
        True
    ]  # 2000 leap year
    assert ids.is_rrn([rrn("000229", 1, "12345")], today=TODAY).to_pylist() == [
        False
    ]  # 1900 is not


def test_foreigner_rn():
    good = foreigner_rn("850315", 5, "12345")
    assert ids.is_foreigner_rn([good], today=TODAY).to_pylist() == [True]
    assert ids.is_rrn([good], today=TODAY).to_pylist() == [False]
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert ids.is_foreigner_rn([bad], today=TODAY).to_pylist() == [False]


def test_business_rn():
    # 220-81-62517: 2+6+0+8+3+42+2+15+5=83, + floor(1*5/10)=0 -> 83; (10 - 3) mod 10 = 7
    assert ids.is_business_rn(["220-81-62517", "2208162517"]).to_pylist() == [True, True]
    assert ids.is_business_rn(["220-81-62518", "220-81-6251", None]).to_pylist() == [
        False,
        False,
        False,
    ]


def test_luhn_and_cards():
    card = luhn_complete("455673758121")  # 13 digits
    assert ids.luhn_valid(["4111 1111 1111 1111", "4111111111111112", card]).to_pylist() == [
        True,
        False,
        True,
    ]
    assert ids.is_card_number(
        ["4111-1111-1111-1111", "5500 0000 0000 0004", "1111-1111-1111-1117"]
    ).to_pylist() == [True, True, False]
    # numbers stored as integers are handled too
    assert ids.luhn_valid(pa.array([4111111111111111, 4111111111111112])).to_pylist() == [
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("check", "good", "bad"),
    [
        (
            ids.is_mobile_phone,
            ["010-1234-5678", "01012345678", "+82-10-1234-5678", "011 234 5678"],
            ["02-123-4567", "010-12-5678", "1588-1234"],
        ),
        (
            ids.is_landline_phone,
            ["02-123-4567", "031-1234-5678", "(02)123-4567".replace("(", "").replace(")", "-")],
            ["010-1234-5678", "09-123-4567"],
        ),
        (ids.is_email, ["a.b@example.co.kr", "x+y@d.io"], ["nope@", "@x.com", "a@b"]),
        (
            ids.is_ip,
            ["192.168.0.1", "8.8.8.8", "2001:db8::1", "::1"],
            ["256.1.1.1", "1.2.3", "abc"],
        ),
        (
            ids.is_passport,
            ["M12345678", "M123A4567", "S98765432"],
            ["X12345678", "M1234567", "m12345678"],
        ),
        (
            ids.is_driver_licence,
            ["11-12-123456-12", "서울 12-123456-12", "111212345612"],
            ["30-12-123456-12", "11-12-12345-12"],
        ),
        (
            ids.is_bank_account,
            ["110-123-456789", "123-456789-01-234"],
            ["1-2-3", "110123456789", "12-34-56"],
        ),
        (
            ids.is_korean_name,
            ["김철수", "남궁민수", "이영", "황보은"],
            ["철수", "Kim", "김", "김철수입니다요"],
        ),
        (
            ids.is_road_address,
            [
                "서울특별시 종로구 세종대로 175",
                "경기도 성남시 분당구 판교역로 235",
                "부산광역시 해운대구 해운대로 264 (우동)",
            ],
            ["세종대로", "서울특별시 강남구", "그냥 텍스트 12"],
        ),
        (
            ids.is_lot_address,
            [
                "서울특별시 강남구 역삼동 737",
                "경기도 양평군 양서면 양수리 123-4",
                "서울특별시 종로구 종로1가 1번지",
            ],
            ["서울특별시 종로구 세종대로 175", "역삼동"],
        ),
        (ids.is_us_ssn, ["123-45-6789"], ["000-12-3456", "666-12-3456", "123456789"]),
    ],
)
def test_format_validators(check, good, bad):
    assert check(good).to_pylist() == [True] * len(good)
    assert check(bad).to_pylist() == [False] * len(bad)


def test_chunked_and_nulls():
    arr = pa.chunked_array([["010-1234-5678", None], ["x"]])
    assert ids.is_mobile_phone(arr).to_pylist() == [True, False, False]


def test_find_and_mask_in_text():
    r = rrn("900101", 1, "23456")
    text = (
        f"고객(주민번호 {r}) 연락처 010-1234-5678, 메일 kim@example.com, 주소 서울특별시 종로구 "
        "세종대로 175 방문. 주문번호 1234567890123"
    )
    spans = ids.find_identifiers(text)
    kinds = [s.kind for s in spans]
    assert kinds == ["rrn", "mobile_phone", "email", "road_address"]
    assert all(s.validated for s in spans)
    assert text[spans[0].start : spans[0].end] == r
    masked = ids.mask_identifiers([text, None, "없음"]).to_pylist()
    assert (
        masked[0]
        == "고객(주민번호 [rrn]) 연락처 [mobile_phone], 메일 [email], 주소 [road_address] 방문. 주문번호 1234567890123"
    )
    assert masked[1:] == [None, "없음"]
    # a span with a bad check digit is still found (and masked) but marked as not validated
    bad = rrn("900101", 1, "23456", valid=False)
    (span,) = ids.find_identifiers(f"번호 {bad}")
    assert span.kind == "rrn" and not span.validated
    assert ids.mask_identifiers([f"{r},{r}"], replacement="<{label}>").to_pylist() == [
        "<주민등록번호>,<주민등록번호>"
    ]
