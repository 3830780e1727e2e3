"""The generated demo files: determinism, metadata, encodings, well-formed tables, consistent people."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from datanuri.demo.data import DemoDataset, generate
from datanuri.demo.data.regions import SIDO

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CP949_FILES = (
    "population-by-sigungu-202401.csv",
    "population-by-sigungu-202402.csv",
    "traffic-accidents-2024.csv",
    "air-quality-seoul-2024h1.csv",
)


def by_name(datasets: list[DemoDataset], name: str) -> DemoDataset:
    matches = [d for d in datasets if d.name == name]
    assert len(matches) == 1, f"expected one dataset named {name!r}"
    return matches[0]


def read_table(
    path: Path, encoding: str, delimiter: str = ","
) -> tuple[list[str], list[list[str]]]:
    text = path.read_bytes().decode(encoding)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return rows[0], rows[1:]


def all_files(datasets: list[DemoDataset]) -> list[Path]:
    return [p for d in datasets for p, _ in d.files]


# ----- determinism ----------------------------------------------------------------------------
def test_same_seed_same_bytes(tmp_path: Path, demo):
    out1, _, datasets1 = demo
    orgs2, datasets2 = generate(tmp_path / "again")
    assert [d.name for d in datasets1] == [d.name for d in datasets2]
    for d1, d2 in zip(datasets1, datasets2, strict=True):
        assert [(p.name, n) for p, n in d1.files] == [(p.name, n) for p, n in d2.files]
        for (p1, _), (p2, _) in zip(d1.files, d2.files, strict=True):
            assert p1.read_bytes() == p2.read_bytes(), f"{p1.name} differs between runs"


def test_other_seed_other_data(tmp_path: Path, demo):
    _, _, datasets = demo
    _, other = generate(tmp_path / "other", seed=1)
    differing = [
        p1.name
        for p1, p2 in zip(all_files(datasets), all_files(other), strict=True)
        if p1.read_bytes() != p2.read_bytes()
    ]
    assert len(differing) == len(all_files(datasets))


def test_generate_is_small(tmp_path: Path):
    _, datasets = generate(
        tmp_path
    )  # its speed is not asserted here: timings belong in benchmarks/
    assert sum(p.stat().st_size for p in all_files(datasets)) < 5_000_000


# ----- metadata -------------------------------------------------------------------------------
def test_catalogue_shape(demo):
    out, orgs, datasets = demo
    assert len(datasets) >= 6
    org_names = [o.name for o in orgs]
    assert len(set(org_names)) == len(org_names)
    assert len({d.org for d in datasets}) >= 4
    for o in orgs:
        assert NAME_RE.match(o.name) and o.title and o.description
    names = [d.name for d in datasets]
    assert len(set(names)) == len(names)
    for d in datasets:
        assert NAME_RE.match(d.name) and len(d.name) <= 100, d.name
        assert d.org in org_names
        assert d.access in ("open", "restricted", "personal")
        assert d.language in ("ko", "en")
        assert re.search("[가-힣]", d.title) and re.search("[가-힣]", d.description)
        assert d.keywords and d.theme and d.license and "@" in d.contact_email and d.contact_name
        for value in (d.temporal_start, d.temporal_end):
            if value is not None:
                dt.date.fromisoformat(value)
        assert d.files, d.name
        for path, note in d.files:
            assert path.is_file() and path.parent == out and note
    accesses = Counter(d.access for d in datasets)
    assert accesses["personal"] == 1 and accesses["restricted"] >= 1 and accesses["open"] >= 5


def test_versioned_dataset_grows(demo):
    _, _, datasets = demo
    versioned = [d for d in datasets if len(d.files) >= 2]
    assert versioned
    d = by_name(datasets, "population-by-sigungu")
    (v1, note1), (v2, note2) = d.files
    _, rows1 = read_table(v1, "cp949")
    _, rows2 = read_table(v2, "cp949")
    assert len(rows2) > len(rows1) and rows2[: len(rows1)] == rows1
    assert note1 != note2
    assert {r[0] for r in rows2} == {"2024.01.31", "2024.02.29"}


def test_formats_are_mixed(demo):
    _, _, datasets = demo
    suffixes = {p.suffix for p in all_files(datasets)}
    assert {".csv", ".tsv", ".xlsx", ".ndjson"} <= suffixes


# ----- encodings ------------------------------------------------------------------------------
@pytest.mark.parametrize("filename", CP949_FILES)
def test_cp949_files_are_really_cp949(demo, filename):
    out, _, _ = demo
    data = (out / filename).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("cp949")
    assert re.search("[가-힣]", text.splitlines()[0])  # Korean headers


def test_utf8_files(demo):
    out, _, _ = demo
    patients = (out / "nuri-hospital-outpatient-visits.csv").read_bytes()
    assert patients.startswith(b"\xef\xbb\xbf")
    patients.decode("utf-8")
    for name in (
        "seoul-bus-stop-ridership-202403.tsv",
        "seoul-112-calls-2024q1.csv",
        "establishments-by-region-industry.ndjson",
    ):
        data = (out / name).read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        data.decode("utf-8")


# ----- well-formed tables ---------------------------------------------------------------------
def test_delimited_files_are_rectangular(demo):
    out, _, datasets = demo
    for path in all_files(datasets):
        if path.suffix not in (".csv", ".tsv"):
            continue
        enc = "cp949" if path.name in CP949_FILES else "utf-8-sig"
        header, rows = read_table(path, enc, "\t" if path.suffix == ".tsv" else ",")
        assert len(set(header)) == len(header) and all(header)
        assert 100 <= len(rows) <= 20_000, (path.name, len(rows))
        bad = [i for i, r in enumerate(rows) if len(r) != len(header)]
        assert not bad, f"{path.name}: ragged rows {bad[:5]}"


def test_population_values(demo):
    out, _, _ = demo
    header, rows = read_table(out / "population-by-sigungu-202402.csv", "cp949")
    col = {h: i for i, h in enumerate(header)}
    assert {"시도", "시군구", "남자", "여자", "총인구", "세대수", "기준일"} <= set(col)
    assert {r[col["시도"]] for r in rows} == {s.name for s in SIDO} and len(SIDO) == 17
    n = lambda s: int(s.replace(",", ""))  # noqa: E731
    assert any("," in r[col["총인구"]] for r in rows)
    for r in rows:
        assert re.fullmatch(r"\d{4}\.\d{2}\.\d{2}", r[col["기준일"]])
        assert re.fullmatch(r"\d{1,3}(,\d{3})*", r[col["총인구"]])
        assert n(r[col["남자"]]) + n(r[col["여자"]]) == n(r[col["총인구"]])
        assert 1.5 < n(r[col["총인구"]]) / n(r[col["세대수"]]) < 2.7
    gangnam = [r for r in rows if r[col["시군구"]] == "강남구"]
    ulleung = [r for r in rows if r[col["시군구"]] == "울릉군"]
    assert n(gangnam[0][col["총인구"]]) > 40 * n(ulleung[0][col["총인구"]])


def test_accident_values(demo):
    out, _, _ = demo
    header, rows = read_table(out / "traffic-accidents-2024.csv", "cp949")
    col = {h: i for i, h in enumerate(header)}
    assert len(rows) >= 1000
    for r in rows:
        dt.datetime.strptime(r[col["발생일시"]], "%Y-%m-%d %H:%M")
        assert int(r[col["사망자수"]]) + int(r[col["부상자수"]]) >= 1
        if r[col["기상상태"]] == "눈":
            assert r[col["발생일시"]][5:7] in ("01", "02", "12")
    assert [r[col["발생일시"]] for r in rows] == sorted(r[col["발생일시"]] for r in rows)
    assert len({r[0] for r in rows}) == len(rows)


def test_air_quality_values(demo):
    out, _, _ = demo
    header, rows = read_table(out / "air-quality-seoul-2024h1.csv", "cp949")
    assert {"측정소명", "PM10", "PM2.5", "O3"} <= set(header)
    col = {h: i for i, h in enumerate(header)}
    dashes = 0
    for r in rows:
        dt.datetime.strptime(r[col["측정일자"]], "%Y%m%d")
        for h in ("PM10", "PM2.5", "O3", "NO2", "CO", "SO2"):
            v = r[col[h]]
            if v == "-":
                dashes += 1
            else:
                assert float(v) >= 0
        if "-" not in (r[col["PM10"]], r[col["PM2.5"]]):
            assert int(r[col["PM2.5"]]) <= int(r[col["PM10"]])
    assert 0 < dashes < len(rows) * 6 * 0.05
    assert "." in rows[0][col["O3"]] or rows[0][col["O3"]] == "-"


def test_xlsx_opens(demo):
    out, _, _ = demo
    wb = openpyxl.load_workbook(out / "seoul-public-wifi.xlsx", read_only=True)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert {"설치장소명", "도로명주소", "위도", "경도", "설치년도"} <= set(header)
    col = {h: i for i, h in enumerate(header)}
    assert len(body) >= 500
    for r in body:
        assert 37.3 < r[col["위도"]] < 37.8 and 126.7 < r[col["경도"]] < 127.3
        assert isinstance(r[col["설치년도"]], int) and 2010 <= r[col["설치년도"]] <= 2024
        assert r[col["도로명주소"]].startswith("서울특별시 ")


def test_ndjson_records(demo):
    out, _, _ = demo
    lines = (out / "establishments-by-region-industry.ndjson").read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) >= 1000
    keys = {tuple(r) for r in records}
    assert len(keys) == 1 and all(k.isascii() for k in next(iter(keys)))
    assert any(r["establishments"] is None for r in records)
    assert len({(r["year"], r["region_code"], r["industry_code"]) for r in records}) == len(records)


def test_restricted_calls_use_korean_dates(demo):
    out, _, _ = demo
    header, rows = read_table(out / "seoul-112-calls-2024q1.csv", "utf-8")
    for r in rows:
        assert re.fullmatch(r"2024년 \d{1,2}월 \d{1,2}일", r[header.index("접수일자")])


# ----- the personal dataset -------------------------------------------------------------------
def _check_digit_by_hand(digits: str) -> int:
    weights = "234567892345"
    acc = 0
    for d, w in zip(digits[:12], weights, strict=True):
        acc += int(d) * int(w)
    return (11 - acc % 11) % 10


def test_patients_are_consistent(demo):
    out, _, datasets = demo
    d = by_name(datasets, "nuri-hospital-outpatient-visits")
    assert d.access == "personal"
    header, rows = read_table(d.files[0][0], "utf-8-sig")
    col = {h: i for i, h in enumerate(header)}
    assert {"이름", "주민등록번호", "전화번호", "주소", "나이", "성별", "진단명", "진료일"} <= set(
        col
    )
    assert len(rows) >= 1000
    sido_names = tuple(s.name for s in SIDO)
    identities: dict[str, tuple] = {}
    for r in rows:
        rrn = r[col["주민등록번호"]]
        assert re.fullmatch(r"\d{6}-[1-4]\d{6}", rrn), rrn
        digits = rrn.replace("-", "")
        assert _check_digit_by_hand(digits) == int(digits[12]), rrn
        g = digits[6]
        century = 1900 if g in "12" else 2000
        birth = dt.date(century + int(digits[:2]), int(digits[2:4]), int(digits[4:6]))
        visit = dt.date.fromisoformat(r[col["진료일"]])
        age = visit.year - birth.year
        if (visit.month, visit.day) < (birth.month, birth.day):
            age -= 1
        assert int(r[col["나이"]]) == age, (rrn, r[col["진료일"]], r[col["나이"]])
        assert r[col["성별"]] == ("남" if g in "13" else "여")
        assert re.fullmatch(r"010-\d{4}-\d{4}", r[col["전화번호"]])
        assert r[col["주소"]].startswith(sido_names)
        assert re.fullmatch(r"[A-Z]\d{2}(\.\d)? \S.*", r[col["진단명"]])
        assert 2 <= len(r[col["이름"]]) <= 4
        ident = (r[col["이름"]], rrn, r[col["전화번호"]], r[col["주소"]])
        assert (
            identities.setdefault(r[col["환자번호"]], ident) == ident
        )  # a patient stays the same person
    assert len(identities) < len(rows)  # some patients come back
    assert len({i[1] for i in identities.values()}) == len(
        identities
    )  # no two patients share an RRN
    assert {rrn[7] for _, rrn, _, _ in identities.values()} == {"1", "2", "3", "4"}


def test_personal_validators_agree_with_file(demo):
    from datanuri.demo.data.people import is_valid_rrn

    out, _, _ = demo
    header, rows = read_table(out / "nuri-hospital-outpatient-visits.csv", "utf-8-sig")
    i = header.index("주민등록번호")
    assert all(is_valid_rrn(r[i]) for r in rows)
    broken = rows[0][i][:-1] + str((int(rows[0][i][-1]) + 3) % 10)
    assert not is_valid_rrn(broken)


def test_xlsx_bytes_do_not_depend_on_the_clock(demo):
    """Two runs in the same second match anyway; check the zip and core properties carry no "now"."""
    import zipfile

    out, _, _ = demo
    today = dt.date.today()
    with zipfile.ZipFile(out / "seoul-public-wifi.xlsx") as z:
        stamps = {i.date_time for i in z.infolist()}
        core = z.read("docProps/core.xml").decode("utf-8")
    assert len(stamps) == 1 and dt.date(*next(iter(stamps))[:3]) != today
    assert today.isoformat() not in core
