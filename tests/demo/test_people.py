"""RRN helpers, cross-checked against an implementation written differently."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from datanuri.demo.data import people


def independent_check_digit(first12: str) -> int:
    weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    total = 0
    i = 0
    while i < 12:
        total = total + int(first12[i]) * weights[i]
        i += 1
    remainder = total % 11
    check = 11 - remainder
    if check >= 10:
        check -= 10
    return check


def test_check_digit_known_values():
    # 800101-1234567: 2*8+3*0+4*0+5*1+6*0+7*1+8*1+9*2+2*3+3*4+4*5+5*6 = 122; 122 % 11 = 1; (11-1)%10 = 0
    assert people.rrn_check_digit("800101123456") == 0
    assert independent_check_digit("800101123456") == 0
    # a remainder of 0 gives 11 -> 1, a remainder of 1 gives 10 -> 0
    assert people.is_valid_rrn("800101-1234560")
    assert not people.is_valid_rrn("800101-1234567")


def test_check_digit_matches_independent_implementation():
    rng = random.Random(7)
    for _ in range(5000):
        first12 = "".join(str(rng.randrange(10)) for _ in range(12))
        assert people.rrn_check_digit(first12) == independent_check_digit(first12), first12


@pytest.mark.parametrize(
    "bad", ["", "12345", "800101-123456", "800101-12345678", "8001011234560x", None, 8001011234560]
)
def test_is_valid_rrn_rejects_malformed(bad):
    assert not people.is_valid_rrn(bad)


def test_is_valid_rrn_rejects_impossible_dates_and_wrong_check():
    first12 = "800230123456"  # 30 February
    assert not people.is_valid_rrn(f"{first12[:6]}-{first12[6:]}{independent_check_digit(first12)}")
    good = people.make_rrn(random.Random(1), dt.date(1991, 7, 14), "F")
    assert people.is_valid_rrn(good) and people.is_valid_rrn(good.replace("-", ""))
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert not people.is_valid_rrn(wrong)


@pytest.mark.parametrize(
    "birth,sex,digit",
    [
        (dt.date(1955, 3, 1), "M", "1"),
        (dt.date(1999, 12, 31), "F", "2"),
        (dt.date(2000, 1, 1), "M", "3"),
        (dt.date(2016, 12, 27), "F", "4"),
    ],
)
def test_make_rrn_encodes_birth_and_gender(birth, sex, digit):
    rng = random.Random(3)
    for _ in range(50):
        rrn = people.make_rrn(rng, birth, sex)
        assert rrn[:6] == birth.strftime("%y%m%d") and rrn[6] == "-" and rrn[7] == digit
        assert independent_check_digit(rrn.replace("-", "")[:12]) == int(rrn[-1])
        assert people.rrn_birth_date(rrn) == birth


def test_age_on_is_full_years():
    b = dt.date(2000, 2, 29)
    assert people.age_on(b, dt.date(2024, 2, 28)) == 23
    assert people.age_on(b, dt.date(2024, 2, 29)) == 24
    assert people.age_on(dt.date(1990, 6, 15), dt.date(2024, 6, 14)) == 33


def test_names_look_korean():
    rng = random.Random(5)
    names = [
        people.korean_name(rng, rng.choice("MF"), rng.randint(1930, 2020)) for _ in range(2000)
    ]
    assert all(2 <= len(n) <= 4 and all("가" <= ch <= "힣" for ch in n) for n in names)
    kim = sum(n.startswith("김") and not n.startswith("김김") for n in names) / len(names)
    assert 0.15 < kim < 0.28  # 김 is about a fifth of Koreans
