from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from datanuri.privacy.detect import detect
from tests.privacy.adult import ADULT, COLUMNS
from tests.privacy.fakes import luhn_complete, people, rrn


def test_korean_people_table():
    d = detect(people(300))
    assert d["주민등록번호"].category == "direct" and d["주민등록번호"].kind == "rrn"
    assert d["주민등록번호"].confidence > 0.95 and d["주민등록번호"].match_rate == 1.0
    assert any("checksum" in e for e in d["주민등록번호"].evidence)
    assert (d["휴대전화"].category, d["휴대전화"].kind) == ("direct", "mobile_phone")
    assert (d["이메일"].category, d["이메일"].kind) == ("direct", "email")
    assert (d["성명"].category, d["성명"].kind) == ("direct", "name")
    assert (d["주소"].category, d["주소"].kind) == ("direct", "road_address")
    assert (d["나이"].category, d["나이"].kind) == ("quasi", "age")
    assert (d["성별"].category, d["성별"].kind) == ("quasi", "sex")
    assert (d["시도"].category, d["시도"].kind) == ("quasi", "region")
    assert (d["진단명"].category, d["진단명"].kind) == ("sensitive", "health")
    assert (d["메모"].category, d["메모"].kind) == ("direct", "free_text")
    assert d["금액"].category == "other"
    assert set(d.direct_identifiers) == {
        "성명",
        "주민등록번호",
        "휴대전화",
        "이메일",
        "주소",
        "메모",
    }
    assert d.to_dict()["columns"][0]["column"] == "성명"


def test_values_without_telling_headers():
    rng = np.random.default_rng(1)
    n = 200
    good = [
        rrn(f"{int(y):02d}0{int(m)}1{int(dd)}", 1, f"{int(x):05d}")
        for y, m, dd, x in zip(
            rng.integers(50, 99, n),
            rng.integers(1, 9, n),
            rng.integers(0, 9, n),
            rng.integers(0, 99999, n),
            strict=True,
        )
    ]
    bad = [
        v[:-1] + str((int(v[-1]) + 1) % 10) for v in good
    ]  # pre-2020 look-alikes: bad check digits
    orders = [
        f"{int(x):013d}" for x in rng.integers(10**12, 10**13 - 1, n)
    ]  # 13-digit order numbers
    cards = [luhn_complete("4" + f"{int(x):014d}") for x in rng.integers(0, 10**14, n)]
    table = pa.table(
        {
            "col_a": good,
            "col_b": bad,
            "col_c": orders,
            "col_d": cards,
            "col_e": [f"{int(x)}" for x in rng.integers(0, 5, n)],
        }
    )
    d = detect(table)
    assert (d["col_a"].category, d["col_a"].kind) == ("direct", "rrn")
    assert d["col_b"].kind != "rrn"
    assert d["col_c"].kind not in ("rrn", "card_number", "foreigner_rn")
    assert d["col_c"].kind == "record_key"  # all distinct: it still links records
    assert (d["col_d"].category, d["col_d"].kind) == ("direct", "card_number")
    assert d["col_e"].category == "other"


def test_english_headers_on_adult_sample():
    table = pacsv.read_csv(
        ADULT,
        read_options=pacsv.ReadOptions(column_names=COLUMNS),
        parse_options=pacsv.ParseOptions(delimiter=","),
        convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
    ).slice(0, 2000)
    d = detect(table, sample_size=500)
    assert d.sampled_rows == 500 and d.total_rows == 2000
    for col in (
        "age",
        "sex",
        "race",
        "marital-status",
        "native-country",
        "education",
        "workclass",
        "occupation",
    ):
        assert d[col].category == "quasi", col
    assert d["income"].category == "sensitive"
    assert d["fnlwgt"].category in ("other", "direct")  # a census weight: nearly unique
    assert d["hours-per-week"].category == "other"


def test_sampling_is_seeded():
    t = people(50)
    assert detect(t, sample_size=20, seed=3) == detect(t, sample_size=20, seed=3)


def test_no_identifier_fits_in_the_digits_detection_skips():
    """Detection does not run the identifier checks on integer columns below 10**SHORT_INT_DIGITS;
    that is only sound while no identifier format validates so short a number."""
    from datanuri.privacy.detect import SHORT_INT_DIGITS
    from datanuri.privacy.identifiers import IDENTIFIERS, as_string_array

    rng = np.random.default_rng(1)
    top = 10**SHORT_INT_DIGITS
    short = np.concatenate(
        [
            np.arange(0, 200_000),
            rng.integers(0, top, 200_000),
            [top - 1],
            -rng.integers(0, top, 1000),
        ]
    )
    values = as_string_array(pa.array(short))
    for kind, ident in IDENTIFIERS.items():
        assert not any(ident.validate(values).to_pylist()), kind
    # and a long integer column is still checked: 13-digit RRNs stored as numbers are found
    numbers = [int(rrn("900101", 1, f"{i:05d}").replace("-", "")) for i in range(50)]
    found = detect(pa.table({"번호": pa.array(numbers, pa.int64())})).columns[0]
    assert found.category == "direct" and found.kind == "rrn"
