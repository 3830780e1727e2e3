"""CLKs: the bits set are the keyed positions of the q-grams; Dice as a plain popcount computes it."""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pyarrow as pa
import pytest

from datanuri.linkage import clk

SALT = bytes(range(32))
PEOPLE = pa.table(
    {
        "name": ["홍길동", "홍 길동", "김철수", "john smith", "jon smith", None],
        "birth": ["1990-01-02", "1990.1.2", "1985-03-04", "1970-07-07", "1970-07-07", None],
    }
)
FIELDS = [clk.ClkField("name", "name", 2, 15), clk.ClkField("birth", "date", 2, 10)]


def reference_bits(value: str, field: str, q: int, k: int, bits: int) -> set[int]:
    """The set bits of one field's Bloom filter, written out plainly."""
    key = hmac.new(SALT, clk.FIELD_INFO + field.encode(), hashlib.sha256).digest()
    padded = "_" * (q - 1) + value + "_" * (q - 1)
    out: set[int] = set()
    for i in range(len(padded) - q + 1):
        gram = padded[i : i + q].encode()
        words: list[int] = []
        block = 0
        while len(words) < k:
            d = hmac.new(key, bytes([block]) + gram, hashlib.sha256).digest()
            words += [int.from_bytes(d[j : j + 2], "big") for j in range(0, 32, 2)]
            block += 1
        out |= {w % bits for w in words[:k]}
    return out


def test_unhardened_bits_are_the_keyed_qgram_positions():
    enc = clk.encode(PEOPLE, FIELDS, SALT, clk.ClkOptions(bits=256, hardening="none"))
    assert enc.shape == (6, 32)
    for row, (name, birth) in enumerate(
        [("홍길동", "1990-01-02"), ("홍길동", "1990-01-02"), ("김철수", "1985-03-04")]
    ):
        want = reference_bits(name, "name", 2, 15, 256) | reference_bits(birth, "birth", 2, 10, 256)
        got = set(np.flatnonzero(np.unpackbits(enc[row])).tolist())
        assert got == want
    assert not enc[5].any()  # nothing to hash, nothing set


def test_balanced_filters_have_constant_weight_and_same_people_match():
    enc = clk.encode(PEOPLE, FIELDS, SALT, clk.ClkOptions(bits=512, hardening="balance"))
    assert enc.shape == (6, 128)
    weights = np.unpackbits(enc, axis=1).sum(axis=1)
    assert (weights == 512).all()
    np.testing.assert_array_equal(enc[0], enc[1])  # spacing and date format do not matter
    folded = clk.encode(PEOPLE, FIELDS, SALT, clk.ClkOptions(bits=512, hardening="xor_fold"))
    assert folded.shape == (6, 32)
    other = clk.encode(PEOPLE, FIELDS, bytes(32), clk.ClkOptions(bits=512, hardening="none"))
    plain = clk.encode(PEOPLE, FIELDS, SALT, clk.ClkOptions(bits=512, hardening="none"))
    assert not np.array_equal(other[0], plain[0])  # another salt, other bits


def test_dice_matches_a_plain_popcount():
    rng = np.random.default_rng(7)
    a = rng.integers(0, 256, size=(30, 16), dtype=np.uint8)
    b = rng.integers(0, 256, size=(20, 16), dtype=np.uint8)
    b[3] = a[4]
    b[5] = 0
    left, right = clk.all_pairs(30, 20)
    got = clk.dice(a, b, left, right)

    def ref(x: np.ndarray, y: np.ndarray) -> float:
        xi, yi = int.from_bytes(x.tobytes(), "big"), int.from_bytes(y.tobytes(), "big")
        total = xi.bit_count() + yi.bit_count()
        return 2 * (xi & yi).bit_count() / total if total else 0.0

    want = np.array([ref(a[i], b[j]) for i, j in zip(left, right, strict=True)])
    np.testing.assert_allclose(got, want)
    assert got[4 * 20 + 3] == 1.0


def test_lsh_finds_near_pairs_and_storage_round_trips():
    enc = clk.encode(PEOPLE, FIELDS, SALT)
    left, right = clk.lsh_candidates(enc, enc, bands=50, bits_per_band=8)
    pairs = set(zip(left.tolist(), right.tolist(), strict=True))
    assert {(0, 1), (3, 4), (2, 2)} <= pairs
    for text in (False, True):
        back = clk.from_arrow(clk.to_arrow(enc, text=text))
        np.testing.assert_array_equal(back, enc)


@pytest.mark.parametrize(("low", "high"), [(0.3, 0.9), (0.55, 0.85)])
def test_otsu_splits_two_modes(low, high):
    rng = np.random.default_rng(1)
    scores = np.clip(
        np.concatenate([rng.normal(low, 0.03, 5000), rng.normal(high, 0.03, 300)]), 0, 1
    )
    t = clk.otsu_threshold(scores)
    assert low + 0.05 < t < high - 0.05
