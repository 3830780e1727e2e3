"""Identifier and code columns: found by name and values, profiled as categories."""

import random

import pytest

from datanuri.tables import ingest
from datanuri.tables.roles import CODE, IDENTIFIER, column_role, name_hint


def _accidents(tmp_path, n=200):
    rng = random.Random(7)
    lines = ["사고번호,접수순서,법정동코드,우편번호,발생연도,사망자수,부상자수,거리"]
    for i in range(n):
        lines.append(
            f"{2023000100 + i},{i + 1},{rng.choice([1111010100, 2611010100, 1168010100])},"
            f"{rng.choice(['05510', '13529', '63001'])},{rng.choice([2021, 2022, 2023])},"
            f"{rng.randint(0, 3)},{rng.randint(0, 10)},{rng.randint(10, 5000)}"
        )
    src = tmp_path / "acc.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return src


def test_identifiers_and_codes_are_recorded_and_profiled_as_categories(tmp_path):
    res = ingest(_accidents(tmp_path), tmp_path / "o.parquet")
    roles = {f["name"]: f.get("role") for f in res.schema["fields"]}
    assert roles == {
        "사고번호": IDENTIFIER,
        "접수순서": IDENTIFIER,  # no hint: unique values in a gapless run
        "법정동코드": CODE,
        "우편번호": CODE,
        "발생연도": None,
        "사망자수": None,
        "부상자수": None,
        "거리": None,
    }
    types = {f["name"]: f["type"] for f in res.schema["fields"]}
    assert types["사고번호"] == "integer" and types["우편번호"] == "string"
    cols = {c["name"]: c for c in res.profile["columns"]}
    for name in ("사고번호", "접수순서", "법정동코드"):
        assert cols[name]["role"] == roles[name]
        assert not {"mean", "std", "p50", "histogram"} & set(cols[name])
        assert cols[name]["top_values"] and cols[name]["distinct"] > 0
    assert cols["법정동코드"]["distinct"] == 3
    assert "mean" in cols["사망자수"] and "histogram" in cols["거리"]


@pytest.mark.parametrize(
    ("name", "stats", "role"),
    [
        (
            "station_id",
            {"type": "integer", "count": 10, "distinct": 10, "min": 5, "max": 900},
            IDENTIFIER,
        ),
        ("stationId", {"type": "integer", "count": 10, "distinct": 3, "min": 5, "max": 9}, CODE),
        (
            "측정소코드",
            {"type": "string", "count": 10, "distinct": 4, "min": "A1", "max": "B2"},
            CODE,
        ),
        ("width", {"type": "integer", "count": 30, "distinct": 30, "min": 100, "max": 9000}, None),
        ("순위", {"type": "integer", "count": 30, "distinct": 30, "min": 1, "max": 30}, IDENTIFIER),
        ("값", {"type": "integer", "count": 30, "distinct": 30, "min": 2000, "max": 2029}, None),
        ("값", {"type": "integer", "count": 5, "distinct": 5, "min": 1, "max": 5}, None),
        ("값", {"type": "integer", "count": 30, "distinct": 30, "min": -5, "max": 24}, None),
        ("값", {"type": "number", "count": 30, "distinct": 30, "min": 1.0, "max": 30.0}, None),
        (
            "값",
            {
                "type": "string",
                "count": 3,
                "distinct": 3,
                "min": "012",
                "max": "345",
                "digit_codes": True,
            },
            CODE,
        ),
        ("id", {"type": "integer", "count": 0, "distinct": 0}, None),
    ],
)
def test_column_role(name, stats, role):
    assert column_role(name, stats) == role


def test_name_hints():
    assert all(name_hint(n) for n in ("접수번호", "ID", "user_id", "zipCode", "No", "일련번호"))
    assert not any(name_hint(n) for n in ("width", "note", "인구", "Number of cars", "video"))


def test_digit_codes_are_judged_over_every_part_of_a_column():
    """The column is read a batch at a time: a width, a letter or a leading zero in any part
    decides, as over the whole column."""
    import pyarrow as pa

    from datanuri.tables.roles import digit_codes

    def parts(*chunks):
        return [pa.array(c, pa.string()) for c in chunks]

    assert digit_codes(parts(["13529", None], [], ["05510"]))  # the zero comes later
    assert not digit_codes(parts(["13529"], ["63001"]))  # no leading zero anywhere
    assert not digit_codes(parts(["05510"], ["1352"]))  # two widths, in different parts
    assert not digit_codes(parts(["05510"], ["0551A"]))  # a letter in a later part
    assert not digit_codes(parts([None], []))  # nothing but nulls
