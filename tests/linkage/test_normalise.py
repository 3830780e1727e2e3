"""Normalisation: every common way of writing a name, date, phone or RRN becomes one text."""

from __future__ import annotations

import pyarrow as pa
import pytest

from datanuri.linkage.normalise import (
    normalise,
    normalise_date,
    normalise_name,
    normalise_phone,
    normalise_rrn,
    normalise_text,
)

DATES = [
    ("1990-01-02", "1990-01-02"),
    ("1990.1.2", "1990-01-02"),
    ("1990. 1. 2.", "1990-01-02"),
    ("1990/01/02", "1990-01-02"),
    ("1990년 1월 2일", "1990-01-02"),
    ("19900102", "1990-01-02"),
    ("１９９０－０１－０２", "1990-01-02"),  # full-width
    ("900102-1", "1990-01-02"),  # RRN seventh digit: 1900s
    ("000102-3", "2000-01-02"),  # 3: 2000s
    ("900102-2******", "1990-01-02"),  # masked RRN
    ("9001021234567", "1990-01-02"),  # a whole RRN
    ("850304", "1985-03-04"),  # pivot: above this year's two digits -> 1900s
    ("100304", "2010-03-04"),
    ("2000-02-29", "2000-02-29"),  # leap day
    ("1900-02-29", None),  # no leap day in 1900
    ("1990-02-30", None),
    ("1990-13-01", None),
    ("tomorrow", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), DATES)
def test_dates(raw, expected):
    assert normalise_date([raw], pivot_year=2026).to_pylist() == [expected]


def test_dates_typed_columns():
    import datetime as dt

    col = pa.array([dt.date(1990, 1, 2), None])
    assert normalise_date(col).to_pylist() == ["1990-01-02", None]


PHONES = [
    ("010-1234-5678", "01012345678"),
    ("010 1234 5678", "01012345678"),
    ("(010)1234.5678", "01012345678"),
    ("+82 10-1234-5678", "01012345678"),
    ("+82-010-1234-5678", "01012345678"),
    ("0082 10 1234 5678", "01012345678"),
    ("０１０－１２３４－５６７８", "01012345678"),  # full-width
    ("02-123-4567", "021234567"),
    ("1234", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), PHONES)
def test_phones(raw, expected):
    assert normalise_phone([raw]).to_pylist() == [expected]


NAMES = [
    ("홍길동", "홍길동"),
    ("홍 길동", "홍길동"),
    (" 홍　길동 ", "홍길동"),  # ideographic space
    ("\u1112\u1169\u11bc\u1100\u1175\u11af\u1103\u1169\u11bc", "홍길동"),  # decomposed jamo
    ("ＨＯＮＧ Gil-dong", "honggildong"),  # full-width Latin, hyphen
    ("O'Brien", "obrien"),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("raw", "expected"), NAMES)
def test_names(raw, expected):
    assert normalise_name([raw]).to_pylist() == [expected]


def test_rrn_and_text():
    assert normalise_rrn(
        ["900102-1234567", "900102 1234567", "９００１０２－１２３４５６７", "12"]
    ).to_pylist() == [
        "9001021234567",
        "9001021234567",
        "9001021234567",
        None,
    ]
    assert normalise_text(["서울특별시  종로구   세종대로 1", "  "]).to_pylist() == [
        "서울특별시 종로구 세종대로 1",
        None,
    ]


def test_whole_columns_keep_their_length_and_order():
    col = pa.chunked_array([["1990-01-02", None], ["19900102"]])
    assert normalise(col, "date").to_pylist() == ["1990-01-02", None, "1990-01-02"]
    assert len(normalise(pa.array([], pa.string()), "name")) == 0
