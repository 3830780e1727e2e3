"""Integer encoding and key combining: codes round-trip to the values, and combined keys group
rows exactly as a pandas group-by does (no collisions), whatever compactions happen on the way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from datanuri.privacy.encoding import (
    KeyCombiner,
    codes,
    combine_codes,
    compact_dtype,
    frequency_table,
    radix_key,
    sorted_distinct,
    split_key,
)


def random_codes(rng: np.random.Generator, rows: int) -> tuple[list[np.ndarray], list[int]]:
    widths = int(rng.integers(1, 6))
    cards = [int(rng.choice([1, 2, 3, 7, 40, 300, 5000])) for _ in range(widths)]
    cols = [rng.integers(0, card, rows).astype(compact_dtype(card)) for card in cards]
    return cols, cards


def pandas_groups(cols: list[np.ndarray]) -> np.ndarray:
    """Group number of every row from pandas, in the order of the rows' code tuples."""
    df = pd.DataFrame({f"c{i}": c.astype(np.int64) for i, c in enumerate(cols)})
    return df.groupby(list(df.columns), sort=True).ngroup().to_numpy()


@pytest.mark.parametrize(
    "values",
    [
        pa.array(["b", "a", None, "b", "c", None]),
        pa.array([3, 1, 3, 2]),
        pa.array(["x", "y", "x"]).dictionary_encode(),
        pa.chunked_array([pa.array(["a", "b"]), pa.array(["b", None])]),
        # a dictionary with an entry no row uses (as Parquet may hold)
        pa.DictionaryArray.from_arrays(pa.array([0, 2, 0], pa.int32()), pa.array(["p", "q", "r"])),
    ],
)
def test_codes_round_trip(values):
    c, dictionary = codes(values)
    assert c.dtype == np.int32
    flat = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if pa.types.is_dictionary(flat.type):
        flat = flat.dictionary_decode()
    assert dictionary.take(pa.array(c)).to_pylist() == flat.to_pylist()
    assert len(set(dictionary.to_pylist())) == len(dictionary)  # one code per value
    assert sorted(set(c.tolist())) == list(range(len(dictionary)))  # every code used


def test_compact_dtype_holds_every_code():
    for card, dtype in [(1, np.uint8), (256, np.uint8), (257, np.uint16), (1 << 16, np.uint16)]:
        assert compact_dtype(card) == np.dtype(dtype)
        assert np.iinfo(compact_dtype(card)).max >= card - 1
    assert compact_dtype((1 << 16) + 1) == np.dtype(np.uint32)


@pytest.mark.parametrize("seed", range(8))
def test_combined_keys_match_a_pandas_group_by(seed):
    rng = np.random.default_rng(seed)
    rows = int(rng.integers(1, 3000))
    cols, cards = random_codes(rng, rows)
    ids, g = combine_codes(cols, cards)
    want = pandas_groups(cols)
    assert g == want.max() + 1
    np.testing.assert_array_equal(ids, want)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("limit", [1, 16, 10**9])
def test_key_combiner_with_any_compaction_schedule(seed, limit):
    """Tiny limits compact before every column (presence tables or sorting), a huge one never
    before the end: the groups and the decoded codes are the same."""
    rng = np.random.default_rng(100 + seed)
    rows = int(rng.integers(1, 2000))
    cols, cards = random_codes(rng, rows)
    # (a presence table past 4M keys would only cost memory: beyond it the end compacts by sorting)
    key = KeyCombiner(rows, limit=limit, presence_limit=min(limit * 4, 1 << 22), record=True)
    for tag, (col, card) in enumerate(zip(cols, cards, strict=True)):
        key.add(col, card, tag=tag)
    ids, g = key.result()
    want = pandas_groups(cols)
    np.testing.assert_array_equal(ids, want)
    assert key.combined == list(range(len(cols)))
    decoded = key.decode([c.dtype for c in cols])
    for col, dec in zip(cols, decoded, strict=True):
        np.testing.assert_array_equal(dec[ids], col)  # each group's codes are its rows' codes


def test_key_combiner_sorts_key_spaces_that_would_overflow():
    rng = np.random.default_rng(7)
    cols = [rng.integers(0, 2**40, 500, dtype=np.int64) for _ in range(3)]
    # never compacted for the limit: only to keep keys below 2**62
    key = KeyCombiner(500, limit=2**70, presence_limit=1 << 16)
    for col in cols:
        key.add(col, 2**40)
    ids, _ = key.result()
    np.testing.assert_array_equal(ids, pandas_groups(cols))


@pytest.mark.parametrize("seed", range(6))
def test_frequency_table_counts_every_distinct_row(seed):
    rng = np.random.default_rng(200 + seed)
    rows = int(rng.integers(1, 5000))
    cols, cards = random_codes(rng, rows)
    row_group, group_codes, count = frequency_table(cols, cards)
    df = pd.DataFrame({f"c{i}": c.astype(np.int64) for i, c in enumerate(cols)})
    want = df.value_counts(sort=False)
    assert len(count) == len(want) and count.sum() == rows
    got = {tuple(int(gc[i]) for gc in group_codes): int(count[i]) for i in range(len(count))}
    assert got == {tuple(map(int, k)): int(v) for k, v in want.items()}
    for col, gc in zip(cols, group_codes, strict=True):
        assert gc.dtype == col.dtype
        np.testing.assert_array_equal(gc[row_group], col)


@pytest.mark.parametrize("seed", range(6))
def test_sorted_distinct_gives_the_frequency_tables_groups_in_its_order(seed):
    """Rows that are already distinct (the engine's frequency table): the groups, their order
    and the row of every group are those of regrouping them, without regrouping."""
    rng = np.random.default_rng(300 + seed)
    cols, cards = random_codes(rng, int(rng.integers(1, 5000)))
    df = pd.DataFrame({f"c{i}": c for i, c in enumerate(cols)}).drop_duplicates()
    shuffled = df.sample(frac=1.0, random_state=seed)  # first-appearance order, not sorted
    distinct = [shuffled[f"c{i}"].to_numpy() for i in range(len(cols))]
    want_rows, want_codes, want_count = frequency_table(distinct, cards)
    found = sorted_distinct(distinct, cards)
    assert found is not None
    row_group, group_codes, perm = found
    np.testing.assert_array_equal(row_group, want_rows)
    for got, want, col in zip(group_codes, want_codes, distinct, strict=True):
        assert got.dtype == want.dtype == col.dtype
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(perm[row_group], np.arange(len(shuffled)))
    assert (want_count == 1).all()


def test_sorted_distinct_declines_rows_that_repeat():
    cols = [np.array([1, 0, 1], dtype=np.uint8), np.array([2, 2, 2], dtype=np.uint8)]
    assert sorted_distinct(cols, [2, 3]) is None


def test_radix_key_and_split_key_are_inverse():
    rng = np.random.default_rng(3)
    cards = [5, 1, 13, 2]
    cols = [rng.integers(0, c, 100).astype(np.int32) for c in cards]
    key, space = radix_key(list(zip(cols, cards, strict=True)))
    assert space == 5 * 13 * 2
    assert key.max() < space
    for col, back in zip(cols, split_key(key, cards), strict=True):
        np.testing.assert_array_equal(back, col)
    assert cols[0].tolist() == split_key(key, cards)[0].tolist()  # inputs left unchanged
