"""The optimistic single pass writes exactly what whole-file inference (two passes) writes."""

import hashlib
import importlib

import pytest

from datanuri.tables import Limits, ingest

# The module (the package exports the function of the same name).
ingest_module = importlib.import_module("datanuri.tables.ingest")


def _csv(tmp_path, name, header, rows):
    p = tmp_path / name
    p.write_text("\n".join([header] + rows) + "\n", encoding="utf-8")
    return p


def _both(tmp_path, monkeypatch, src, batch_rows=100):
    """Ingest with the single pass allowed and forbidden; returns (fast result, slow result, used_fallback)."""
    calls = []
    real = ingest_module._two_pass

    def spy(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(ingest_module, "_two_pass", spy)
    fast = ingest(src, tmp_path / "fast.parquet", limits=Limits(batch_rows=batch_rows))
    used_fallback = bool(calls)
    monkeypatch.setattr(ingest_module, "SINGLE_PASS", False)
    slow = ingest(src, tmp_path / "slow.parquet", limits=Limits(batch_rows=batch_rows))
    monkeypatch.setattr(ingest_module, "SINGLE_PASS", True)
    h = [
        hashlib.sha256((tmp_path / f).read_bytes()).hexdigest()
        for f in ("fast.parquet", "slow.parquet")
    ]
    assert h[0] == h[1]
    assert fast == slow
    return fast, slow, used_fallback


def test_clean_file_takes_the_single_pass(tmp_path, monkeypatch):
    rows = [
        f"{i},{i * 1.5},2024-01-{i % 28 + 1:02d},{'서울' if i % 2 else 'x'},{'y' if i % 3 else 'n'},"
        f"2024-01-05 10:{i % 60:02d}:00,{20240101 + i % 28}" + ("," if i % 7 == 0 else f",{i}")
        for i in range(1000)
    ]
    src = _csv(tmp_path, "a.csv", "i,x,d,s,b,t,c,late", rows)
    fast, _, fell_back = _both(tmp_path, monkeypatch, src)
    assert not fell_back
    assert [f["type"] for f in fast.schema["fields"]] == [
        "integer",
        "number",
        "date",
        "string",
        "boolean",
        "datetime",
        "date",
        "integer",
    ]


@pytest.mark.parametrize(
    "late",
    [
        "abc",  # text after integers (more than 1% of values: the column is text)
        "0123",  # a zero-padded code: integers must stay text
        "1.5",  # integers become numbers
        "true",  # boolean vocabularies mixed (with y/n)
    ],
)
def test_a_late_batch_that_breaks_a_type_falls_back(tmp_path, monkeypatch, late):
    rows = (
        [f"{i},y" for i in range(500)]
        + [f"{late},n" for _ in range(20)]
        + [f"{i},{'true' if late == 'true' else 'n'}" for i in range(30)]
    )
    src = _csv(tmp_path, "b.csv", "n,flag", rows)
    _, _, fell_back = _both(tmp_path, monkeypatch, src)
    assert fell_back


def test_type_problems_fall_back_and_are_reported(tmp_path, monkeypatch):
    rows = [str(i) for i in range(1000)] + ["oops"] + [str(i) for i in range(500)]
    src = _csv(tmp_path, "c.csv", "n", rows)
    fast, _, fell_back = _both(tmp_path, monkeypatch, src)
    assert fell_back and fast.problem_count == 1 and fast.problems[0].line == 1002


def test_late_values_in_an_empty_first_batch_and_lone_yes(tmp_path, monkeypatch):
    rows = [f",Y,{i}" for i in range(200)] + [f"{i},N,{20240101 + i % 28}" for i in range(200)]
    src = _csv(tmp_path, "d.csv", "late,yn,code", rows)
    fast, _, fell_back = _both(tmp_path, monkeypatch, src)
    assert fell_back
    assert [f["type"] for f in fast.schema["fields"]] == ["integer", "boolean", "integer"]


def test_ragged_rows_and_empty_file(tmp_path, monkeypatch):
    rows = [f"{i},{i}" for i in range(300)] + ["1,2,3"] + [f"{i},{i}" for i in range(300)]
    fast, _, fell_back = _both(tmp_path, monkeypatch, _csv(tmp_path, "e.csv", "a,b", rows))
    assert not fell_back and fast.problem_count == 1 and fast.problems[0].line == 302
    fast, _, _ = _both(tmp_path, monkeypatch, _csv(tmp_path, "f.csv", "a,b", []))
    assert fast.rows == 0


def _parse_number_checked(a):
    """parse_number as it was: the letter check first, then the cast or the regex path."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from datanuri.tables import convert as C

    if not pc.any(pc.match_substring_regex(a, "[^0-9eE.+-]")).as_py():
        try:
            return pc.cast(a, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    t = pc.utf8_trim_whitespace(a)
    ok = pc.match_substring_regex(t, C.NUM_RE)
    t = pc.if_else(ok, pc.replace_substring(t, ",", ""), pa.scalar(None, pa.string()))
    return pc.cast(t, pa.float64())


@pytest.mark.parametrize(
    "values",
    [
        ["1", "2.5", None, "-3e2", ".5", "5.", "+1.5"],
        ["1", "inf"],
        ["nan", "1"],
        ["1e999", "2"],
        ["Infinity"],
        ["1,234.5", "2"],
        ["007", "1"],
        ["007", "x"],
        [" 1", "2"],
        ["1", "0x10"],
        [None, None],
        [],
    ],
)
def test_number_fast_cast_agrees_with_the_checked_path(values):
    import pyarrow as pa

    from datanuri.tables import convert as C

    a = pa.array(values, pa.string())
    assert C.parse_number(a).equals(_parse_number_checked(a))


def test_a_row_longer_than_a_small_block_restarts_with_big_blocks(tmp_path, monkeypatch):
    from datanuri.tables import readers

    rows = [f"{i},x{i}" for i in range(3000)] + ["1,2,3"] + [f"{i},y{i}" for i in range(3000)]
    rows[4000] = f'4000,"{"z" * 300_000}"'  # one long cell after many rows and a ragged one
    src = _csv(tmp_path, "long.csv", "n,s", rows)
    monkeypatch.setattr(readers, "SMALL_BLOCK", 1 << 16)
    small = ingest(src, tmp_path / "small.parquet", limits=Limits(batch_rows=500))
    monkeypatch.setattr(readers, "SMALL_BLOCK", 1 << 30)
    big = ingest(src, tmp_path / "big.parquet", limits=Limits(batch_rows=500))
    assert (
        small == big
        and small.rows == 6000
        and small.problem_count == 1
        and small.problems[0].line == 3002
    )
    assert (tmp_path / "small.parquet").read_bytes() == (tmp_path / "big.parquet").read_bytes()
    with pytest.raises(Exception, match="larger than 100000 bytes"):
        ingest(
            src, tmp_path / "limit.parquet", limits=Limits(batch_rows=500, max_cell_bytes=100_000)
        )


def test_leading_zero_prefilter_agrees_with_the_regex():
    import random
    import re

    import pyarrow as pa

    from datanuri.tables import convert as C

    rx, rnd = re.compile(C.LEADING_ZERO_RE), random.Random(1)
    for n in range(2000):
        vals = [
            "".join(rnd.choice("019.+-ex ") for _ in range(rnd.randint(0, 5)))
            for _ in range(rnd.randint(0, 6))
        ]
        vals += [None] if n % 3 == 0 else []
        assert C.has_leading_zero(pa.array(vals, pa.string())) == any(
            v is not None and rx.search(v) for v in vals
        ), vals


def test_null_tokens_mapped_by_the_csv_parser_as_by_nullify(tmp_path, monkeypatch):
    import pyarrow as pa

    from datanuri.tables import readers
    from datanuri.tables.convert import nullify_tokens
    from datanuri.tables.detect import detect

    cells = [
        "",
        '""',
        "-",
        '"-"',
        "NA",
        '"NA"',
        " NA",
        "NA ",
        "na",
        "N/A",
        '"N/A"',
        "null",
        "NULL",
        "Null",
        '"null "',
        "--",
        "x",
        '" "',
        '"a,b"',
        '"line\nbreak"',
        "NaN",
        "None",
        '""""',
    ]
    lines = ["a,b"] + [f"{c},{cells[(i + 3) % len(cells)]}" for i, c in enumerate(cells)]
    src = tmp_path / "n.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def read(map_nulls):
        monkeypatch.setattr(readers.CsvReader, "map_nulls", map_nulls)
        r = readers.open_reader(src, src.name, detect(src, src.name), Limits(), None)
        t = pa.Table.from_batches(list(r.batches()))
        return [t.column(i).combine_chunks() for i in range(t.num_columns)]

    parsed, plain = read(True), read(False)
    for a, b in zip(parsed, plain, strict=True):
        assert a.to_pylist() == nullify_tokens(b).to_pylist()
    assert parsed[0].null_count == 10
