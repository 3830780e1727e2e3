"""Buyer fingerprints: values stay within their declared tolerance, copies are deterministic,
and leaked 10 % subsets (shuffled, columns reordered, through CSV text or Parquet) name their
buyer and never anyone else."""

from __future__ import annotations

import io
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from datanuri.errors import InvalidInput
from datanuri.market import fingerprint_messages as M
from datanuri.market.fingerprint import (
    Scheme,
    Tolerance,
    binomial_tail_log10,
    dataset_key,
    detect,
    embed,
    needed_cells,
    row_ids,
)
from datanuri.market.trace import read_copy
from tests.market.tables import SCHEME, sold_table

KEY = dataset_key(bytes(range(32)), "prices")
BUYERS = [f"buyer-{i:02d}" for i in range(50)]


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return sold_table()


@pytest.fixture(scope="module")
def copies(table: pa.Table) -> dict[str, pa.Table]:
    return {b: embed(table, SCHEME, KEY, b) for b in BUYERS}


def leak(copy: pa.Table, rng: np.random.Generator, share: float = 0.10) -> pa.Table:
    """A random `share` of the rows, shuffled, with the columns in a random order."""
    rows = rng.choice(copy.num_rows, int(copy.num_rows * share), replace=False)
    order = list(rng.permutation(copy.column_names))
    return copy.take(pa.array(rows)).select(order)


def via_parquet(t: pa.Table) -> pa.Table:
    buf = io.BytesIO()
    pq.write_table(t, buf)
    return pq.read_table(io.BytesIO(buf.getvalue()))


def via_csv_inferred(t: pa.Table) -> pa.Table:
    """CSV text read back by a tool that infers types (ints, doubles, dates), as a buyer's would."""
    buf = io.BytesIO()
    pacsv.write_csv(t, buf)
    return pacsv.read_csv(io.BytesIO(buf.getvalue()))


def via_csv_file(t: pa.Table, path: Path, encoding: str = "utf-8") -> pa.Table:
    """CSV text in `encoding`, read back by trace's reader (every column as text)."""
    buf = io.BytesIO()
    pacsv.write_csv(t, buf)
    path.write_bytes(buf.getvalue().decode("utf-8").encode(encoding))
    return read_copy(path)


# ----- the copies ---------------------------------------------------------------------------
def test_values_move_within_their_tolerance_and_nothing_else_changes(table, copies):
    changed = {"price": 0, "rate": 0, "count": 0}
    for copy in copies.values():
        assert copy.schema == table.schema and copy.num_rows == table.num_rows
        for name in ("id", "region", "day"):
            assert copy.column(name).equals(table.column(name))
        for name in changed:  # nulls stay nulls, values stay values
            assert copy.column(name).is_null().equals(table.column(name).is_null())
        price = np.abs(copy["price"].to_numpy() - table["price"].to_numpy())
        assert price.max() <= 10
        rate0 = table["rate"].to_numpy(zero_copy_only=False)
        rate1 = copy["rate"].to_numpy(zero_copy_only=False)
        ok = ~np.isnan(rate0)
        assert np.abs(rate1[ok] - rate0[ok]).max() <= 0.05 + 1e-9
        # still written with two decimals: the CSV text of a moved value is "12.36"
        assert all(len(repr(float(v)).split(".")[-1]) <= 2 for v in rate1[ok])
        c0 = table["count"].to_numpy(zero_copy_only=False)
        c1 = copy["count"].to_numpy(zero_copy_only=False)
        has = ~np.isnan(c0)
        assert np.all(np.abs(c1[has] - c0[has]) <= 0.01 * np.abs(c0[has]))
        changed["price"] += int(np.count_nonzero(price))
        changed["rate"] += int(np.count_nonzero(rate1[ok] != rate0[ok]))
        changed["count"] += int(np.count_nonzero(c1[has] != c0[has]))
    # about one row in 10 is marked, a third of them in each column, half already right
    for name, n in changed.items():
        share = n / (len(copies) * table.num_rows)
        assert 0.005 < share < 0.03, (name, share)


def test_embedding_is_deterministic_and_keyed(table, copies):
    assert embed(table, SCHEME, KEY, "buyer-03").equals(copies["buyer-03"])
    assert not copies["buyer-03"].equals(copies["buyer-04"])
    other = embed(table, SCHEME, dataset_key(bytes(range(32)), "other"), "buyer-03")
    assert not other.equals(copies["buyer-03"])


def test_the_row_order_of_the_source_does_not_matter(table, copies):
    """Marks follow the rows' ids, not their positions: a shuffled source gets the same marks."""
    order = pa.array(np.random.default_rng(1).permutation(table.num_rows))
    shuffled = embed(table.take(order), SCHEME, KEY, "buyer-09")
    assert shuffled.equals(copies["buyer-09"].take(order))


# ----- detection ----------------------------------------------------------------------------
def test_detection_and_false_accusation_rates_over_many_buyers_and_leaks(table, copies, tmp_path):
    """50 buyers x 6 random 10 % leaks each (shuffled rows, reordered columns), through Parquet,
    CSV read by trace's reader (text) and CSV read with type inference; plus leaks of the
    unmarked original. Each leak is traced among all 50 candidates and among the 49 others."""
    rng = np.random.default_rng(2026)
    traced = named = false_accusations = cannot_tell = 0
    unmarked_accused = 0
    for i, buyer in enumerate(BUYERS):
        for j in range(6):
            part = leak(copies[buyer], rng)
            kind = (i + j) % 3
            if kind == 0:
                seen = via_parquet(part)
            elif kind == 1:
                seen = via_csv_file(part, tmp_path / f"{buyer}-{j}.csv")
            else:
                seen = via_csv_inferred(part)
            found = detect(seen, SCHEME, KEY, BUYERS)
            traced += 1
            named += [s.buyer for s in found.accused] == [buyer]
            false_accusations += sum(s.buyer != buyer for s in found.accused)
            cannot_tell += found.verdict == "cannot_tell"
            others = detect(seen, SCHEME, KEY, [b for b in BUYERS if b != buyer])
            assert others.verdict == "no_match" and not others.accused
    for _ in range(20):
        found = detect(leak(table, rng), SCHEME, KEY, BUYERS)
        assert found.verdict == "no_match"
        unmarked_accused += len(found.accused)
    print(
        f"\nfingerprint: {traced} leaks of 10 % among {len(BUYERS)} candidates: detection rate "
        f"{named / traced:.3f}, false accusations {false_accusations} (+{unmarked_accused} on "
        f"20 leaks of the original), cannot tell {cannot_tell}"
    )
    assert false_accusations == 0 and unmarked_accused == 0
    assert named == traced


def test_a_traced_copy_reports_its_evidence(copies):
    found = detect(leak(copies["buyer-17"], np.random.default_rng(5)), SCHEME, KEY, BUYERS)
    assert found.verdict == "accused" and found.accused[0].buyer == "buyer-17"
    best = found.accused[0]
    assert best.matches == best.cells == found.cells >= found.needed == needed_cells(50)
    assert found.confidence(best) > 1 - 1e-12
    assert found.scores[0] is best
    # every other candidate agrees on about half the cells, as chance would
    halves = [s.matches / s.cells for s in found.scores[1:]]
    assert 0.35 < float(np.mean(halves)) < 0.65


def test_cp949_csv_and_parquet_chain(table, copies, tmp_path):
    """A copy converted CSV (CP949) -> Parquet -> CSV -> Parquet by a buyer is still theirs."""
    part = leak(copies["buyer-30"], np.random.default_rng(11))
    first = via_csv_file(part, tmp_path / "leak.csv", encoding="cp949")
    assert set(first.column_names) == set(table.column_names)
    typed = via_csv_inferred(via_parquet(first))
    pq.write_table(typed, tmp_path / "leak.parquet")
    found = detect(read_copy(tmp_path / "leak.parquet"), SCHEME, KEY, BUYERS)
    assert [s.buyer for s in found.accused] == ["buyer-30"]


def test_rounding_to_the_declared_precision_keeps_the_marks(copies):
    part = leak(copies["buyer-44"], np.random.default_rng(3))
    rate = part.column("rate").to_numpy(zero_copy_only=False)
    rounded = part.set_column(
        part.column_names.index("rate"), "rate", pa.array(np.round(rate, 2), from_pandas=True)
    )
    found = detect(rounded, SCHEME, KEY, BUYERS)
    assert [s.buyer for s in found.accused] == ["buyer-44"] and found.scores[
        0
    ].matches == found.cells


def test_too_few_rows_cannot_tell(copies):
    part = leak(copies["buyer-01"], np.random.default_rng(8), share=0.01)  # ~100 rows, ~10 cells
    found = detect(part, SCHEME, KEY, BUYERS)
    assert found.verdict == "cannot_tell" and not found.accused
    assert 0 < found.cells < found.needed


def test_a_copy_without_the_id_columns_cannot_tell(copies):
    part = leak(copies["buyer-01"], np.random.default_rng(8)).drop_columns(["id"])
    found = detect(part, SCHEME, KEY, BUYERS)
    assert found.verdict == "cannot_tell" and found.missing_ids == ("id",) and found.cells == 0


def test_a_copy_with_one_marked_column_left_is_still_traced(copies):
    part = leak(copies["buyer-21"], np.random.default_rng(4), share=0.3)
    part = part.drop_columns(["rate", "count"])
    found = detect(part, SCHEME, KEY, BUYERS)
    assert found.missing_marked == ("count", "rate")
    assert [s.buyer for s in found.accused] == ["buyer-21"]


def test_noise_on_some_marked_cells_still_names_the_buyer_and_nobody_else(table, copies):
    """A leaker who moves a quarter of the prices by an amount within tolerance flips some marks;
    the binomial test still names them, and never another candidate."""
    rng = np.random.default_rng(12)
    part = leak(copies["buyer-05"], rng, share=0.3)
    price = part.column("price").to_numpy()
    noise = np.where(rng.random(len(price)) < 0.25, rng.integers(-5, 6, len(price)), 0)
    noisy = part.set_column(part.column_names.index("price"), "price", pa.array(price + noise))
    found = detect(noisy, SCHEME, KEY, BUYERS)
    assert [s.buyer for s in found.accused] == ["buyer-05"]
    assert found.accused[0].matches < found.cells


def test_rows_named_by_stable_columns_instead_of_a_key(table):
    """No key column: the region and day with a row number within them name each row."""
    scheme = Scheme(
        id_columns=("region", "day", "n"),
        columns={"price": Tolerance(absolute=4)},
        gamma=5,
    )
    n = pa.array(np.arange(table.num_rows) % 97, pa.int64())
    source = table.drop_columns(["id"]).append_column("n", n)
    copy = embed(source, scheme, KEY, "buyer-02")
    assert np.abs(copy["price"].to_numpy() - source["price"].to_numpy()).max() <= 4
    part = via_csv_inferred(leak(copy, np.random.default_rng(9)))
    found = detect(part, scheme, KEY, BUYERS)
    assert [s.buyer for s in found.accused] == ["buyer-02"]


def test_row_ids_are_the_same_in_typed_and_text_copies(table, tmp_path):
    cols = ("id", "region", "day")
    text = via_csv_file(table.slice(0, 500), tmp_path / "ids.csv")
    assert row_ids(text, cols) == row_ids(table.slice(0, 500), cols)


# ----- the scheme ---------------------------------------------------------------------------
def test_scheme_json_round_trip():
    assert Scheme.from_dict(SCHEME.to_dict()) == SCHEME


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"id_columns": [], "columns": {"p": {"absolute": 1}}}, M.MSG_SCHEME_NO_ID),
        ({"id_columns": ["id"], "columns": {}}, M.MSG_SCHEME_NO_COLUMNS),
        (
            {"id_columns": ["id"], "columns": {"p": {"absolute": 0.001, "decimals": 2}}},
            M.MSG_SCHEME_BAD_TOLERANCE.format(column="p", unit="0.01"),
        ),
        (
            {"id_columns": ["id"], "columns": {"id": {"absolute": 5}}},
            M.MSG_SCHEME_ID_MARKED.format(column="id"),
        ),
        (
            {"id_columns": ["id"], "columns": {"p": {"absolute": 5}}, "gamma": 0},
            M.MSG_SCHEME_BAD_GAMMA.format(value=0),
        ),
    ],
)
def test_bad_schemes_are_refused_with_a_reason(data, message):
    with pytest.raises(InvalidInput) as err:
        Scheme.from_dict(data)
    assert err.value.message == message


def test_embedding_refuses_text_and_float_id_columns(table):
    with pytest.raises(InvalidInput) as err:
        embed(table, Scheme(("id",), {"region": Tolerance(absolute=1)}), KEY, "b")
    assert "not a number" in err.value.message
    with pytest.raises(InvalidInput) as err:
        embed(table, Scheme(("rate",), {"price": Tolerance(absolute=1)}), KEY, "b")
    assert err.value.message == M.MSG_FLOAT_ID.format(column="rate")
    with pytest.raises(InvalidInput) as err:
        embed(table, Scheme(("id",), {"price": Tolerance(absolute=1, decimals=2)}), KEY, "b")
    assert err.value.message == M.MSG_INT_DECIMALS.format(column="price")


def test_tolerance_bits():
    assert Tolerance(absolute=10).bits(8) == 4  # moves of 1, 2, 4 or 8
    assert Tolerance(absolute=8).bits(8) == 4
    assert Tolerance(absolute=0.05, decimals=2).bits(8) == 3
    assert Tolerance(absolute=1e6).bits(8) == 8
    assert Tolerance(absolute=0.5).bits(8) == 0


# ----- the test statistic -------------------------------------------------------------------
@pytest.mark.parametrize(("n", "m"), [(1, 1), (10, 0), (10, 5), (10, 9), (37, 37), (60, 45)])
def test_binomial_tail_is_exact(n, m):
    exact = sum(Fraction(math.comb(n, k), 2**n) for k in range(m, n + 1))
    assert binomial_tail_log10(n, m) == pytest.approx(math.log10(exact), abs=1e-9)


def test_binomial_tail_far_below_float_range():
    assert binomial_tail_log10(4000, 4000) == pytest.approx(-4000 * math.log10(2))
    assert binomial_tail_log10(100_000, 50_000) == pytest.approx(math.log10(0.5 + 0.00126), 1e-3)


def test_needed_cells_is_the_fewest_a_perfect_match_passes_with():
    for n in (1, 50, 1000):
        k = needed_cells(n)
        assert 0.5**k < 1e-9 / n <= 0.5 ** (k - 1)


def test_the_fast_hmac_is_hmac_sha256():
    import hmac

    from datanuri.market.fingerprint import _hmacs

    messages = [b"", b"1007", "서울\x1f2024-01-01".encode(), b"x" * 200]
    for key in (KEY, b"short", bytes(range(100))):
        expected = b"".join(hmac.digest(key, m, "sha256") for m in messages)
        assert _hmacs(key, messages) == expected


def test_a_row_leaked_twice_counts_once(copies):
    part = leak(copies["buyer-12"], np.random.default_rng(6))
    doubled = pa.concat_tables([part, part, part])
    once, thrice = (detect(t, SCHEME, KEY, BUYERS) for t in (part, doubled))
    assert thrice.cells == once.cells
    assert [s.matches for s in thrice.scores] == [s.matches for s in once.scores]


def test_a_large_copy_scores_a_bounded_sample(table, copies, monkeypatch):
    from datanuri.market import fingerprint

    whole = detect(copies["buyer-40"], SCHEME, KEY, BUYERS)
    assert 600 < whole.cells < 1100  # about one row in ten, less nulls and small counts: all
    monkeypatch.setattr(fingerprint, "MAX_CELLS", 200)
    capped = detect(copies["buyer-40"], SCHEME, KEY, BUYERS)
    assert capped.cells == 200 and [s.buyer for s in capped.accused] == ["buyer-40"]
