"""Bloom-filter encodings (CLKs) for privacy-preserving record linkage of dirty identifiers.

A cryptographic long-term key (CLK, Schnell, Bachteler & Reiher 2011) is one Bloom filter of
``bits`` bits per record into which the q-grams of several fields are hashed; two records that are
written alike share most q-grams and so most set bits, and their Dice coefficient
``2|A∧B| / (|A|+|B|)`` measures it without revealing the text. Made here at the holder with the
project salt, hardened against the known attacks on plain Bloom filters:

- keyed hashing per field: a q-gram's bit positions are the HMAC-SHA-256 of the q-gram under a
  field sub-key of the salt, so they cannot be recomputed without it, and "ab" in a surname sets
  other bits than "ab" in a street;
- random hashing instead of double hashing (Ranbaduge, Christen & Schnell 2020): the ``k``
  positions come from independent HMAC output words, not ``h1 + i·h2``, whose arithmetic
  structure the pattern-mining attacks exploit;
- ``hardening="balance"`` (default; Schnell, Borgs & Encheva 2016): the filter is concatenated
  with its complement and the bits permuted by a keyed permutation, so every encoding has the same
  Hamming weight (half its bits) and the number of set bits no longer tells a long name from a
  short one or frequent q-grams from rare ones;
- ``hardening="xor_fold"``: the two halves of the filter are XOR-ed, so no bit maps back to one
  q-gram; costs some accuracy.

Encoding vectorises over the column: q-grams are cut per position with Arrow string kernels
(a loop over the longest value's length, not over rows), the bit positions are computed once per
distinct q-gram, and the filters are set with NumPy fancy indexing. Similarity uses NumPy's
``bitwise_count`` on 64-bit words; blocking is bit-sampling LSH for the Hamming distance joined
in DuckDB. The decision threshold is read from the scores (`match.clk_match`).
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from typing import Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.linkage.normalise import Kind, normalise

Hardening = Literal["none", "balance", "xor_fold"]
FIELD_INFO = b"datanuri clk field/1\x00"
PERMUTATION_INFO = b"datanuri clk permutation/1"
PAD = "_"
_CHUNK = 50_000  # rows set per step (bits x chunk bools in memory)


@dataclass(frozen=True)
class ClkField:
    """One field hashed into the CLK: its column, normalisation, q-gram length and bits per q-gram."""

    column: str
    kind: Kind = "text"
    q: int = 2
    k: int = 20


@dataclass(frozen=True)
class ClkOptions:
    """How CLKs are made: filter length in bits (a multiple of 64) and the hardening."""

    bits: int = 1024
    hardening: Hardening = "balance"


def qgrams(values: pa.Array, q: int) -> tuple[np.ndarray, pa.Array]:
    """(row index, q-gram) of every q-gram of every value, padded with ``_`` on both ends."""
    padded = pc.binary_join_element_wise(PAD * (q - 1), values, PAD * (q - 1), "")
    lengths = np.asarray(pc.fill_null(pc.utf8_length(padded), 0).to_numpy(zero_copy_only=False))
    rows: list[np.ndarray] = []
    grams: list[pa.Array] = []
    longest = int(lengths.max()) if len(lengths) else 0
    for start in range(max(longest - q + 1, 0)):
        take = np.flatnonzero(lengths >= start + q)
        piece = pc.utf8_slice_codeunits(padded.take(pa.array(take)), start, start + q)
        rows.append(take)
        grams.append(piece)
    if not rows:
        return np.zeros(0, np.int64), pa.array([], pa.string())
    return np.concatenate(rows), pa.concat_arrays(grams)


def _positions(key: bytes, grams: list[str], k: int, bits: int) -> np.ndarray:
    """(len(grams), k) bit positions of each distinct q-gram: HMAC output words, mod ``bits``."""
    blocks = math.ceil(k / 16)
    out = np.empty((len(grams), blocks * 16), np.int64)
    for i, g in enumerate(grams):  # once per distinct q-gram, not per row
        data = g.encode("utf-8")
        digest = b"".join(
            hmac.new(key, bytes([b]) + data, hashlib.sha256).digest() for b in range(blocks)
        )
        out[i] = np.frombuffer(digest, dtype=">u2")
    return out[:, :k] % bits


def _field_key(salt: bytes, column_name: str) -> bytes:
    return hmac.new(salt, FIELD_INFO + column_name.encode("utf-8"), hashlib.sha256).digest()


def _permutation(salt: bytes, n: int) -> np.ndarray:
    seed = hmac.new(salt, PERMUTATION_INFO, hashlib.sha256).digest()
    return np.random.default_rng(np.frombuffer(seed, dtype=np.uint32)).permutation(n)


def encode(
    table: pa.Table,
    fields: list[ClkField],
    salt: bytes,
    options: ClkOptions | None = None,
    *,
    field_names: list[str] | None = None,
) -> np.ndarray:
    """The CLKs of ``table``'s rows as a packed (rows, bytes) uint8 matrix.

    ``field_names`` name the fields in the keyed hashing (default the column names); holders
    whose columns are named differently pass the project's common names so their CLKs agree.
    """
    opts = options or ClkOptions()
    if opts.bits % 64:
        raise ValueError("CLK length must be a multiple of 64 bits")
    n = table.num_rows
    names = field_names or [f.column for f in fields]
    index_parts: list[np.ndarray] = []
    pos_parts: list[np.ndarray] = []
    for f, name in zip(fields, names, strict=True):
        rows, grams = qgrams(normalise(table.column(f.column), f.kind), f.q)
        if not len(rows):
            continue
        enc = pc.dictionary_encode(grams)
        vocab = enc.dictionary.to_pylist()
        codes = np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        pos = _positions(_field_key(salt, name), vocab, f.k, opts.bits)[codes]  # (m, k)
        index_parts.append(np.repeat(rows, f.k))
        pos_parts.append(pos.reshape(-1))
    rows_all = np.concatenate(index_parts) if index_parts else np.zeros(0, np.int64)
    pos_all = np.concatenate(pos_parts) if pos_parts else np.zeros(0, np.int64)
    order = np.argsort(rows_all, kind="stable")
    rows_all, pos_all = rows_all[order], pos_all[order]
    perm = _permutation(salt, 2 * opts.bits) if opts.hardening == "balance" else None
    width = {"none": opts.bits, "balance": 2 * opts.bits, "xor_fold": opts.bits // 2}[
        opts.hardening
    ]
    out = np.zeros((n, width // 8), np.uint8)
    for lo in range(0, n, _CHUNK):
        hi = min(lo + _CHUNK, n)
        a, b = np.searchsorted(rows_all, [lo, hi])
        bloom = np.zeros((hi - lo, opts.bits), bool)
        bloom[rows_all[a:b] - lo, pos_all[a:b]] = True
        if opts.hardening == "balance":
            assert perm is not None
            bloom = np.concatenate([bloom, ~bloom], axis=1)[:, perm]
        elif opts.hardening == "xor_fold":
            half = opts.bits // 2
            bloom = bloom[:, :half] ^ bloom[:, half:]
        out[lo:hi] = np.packbits(bloom, axis=1)
    return out


# ------------------------------------------------------------------------------------------
# storage: a CLK column is fixed-size binary (Parquet) or base64 text (CSV)


def to_arrow(clks: np.ndarray, *, text: bool = False) -> pa.Array:
    """A CLK matrix as an Arrow column: fixed-size binary, or base64 strings when ``text``."""
    width = clks.shape[1]
    raw = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(width), len(clks), [None, pa.py_buffer(np.ascontiguousarray(clks).tobytes())]
    )
    if not text:
        return raw
    src = pa.table({"c": raw.cast(pa.binary())})  # noqa: F841 - read by DuckDB
    with duckdb.connect() as con:
        col = con.sql("SELECT to_base64(c) AS c FROM src").to_arrow_table().column("c")
    return col.combine_chunks()


def from_arrow(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A CLK column (fixed-size binary, binary or base64 text) as a packed uint8 matrix."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        src = pa.table({"c": column})  # noqa: F841 - read by DuckDB
        with duckdb.connect() as con:
            column = con.sql("SELECT from_base64(c) AS c FROM src").to_arrow_table().column("c")
        column = column.combine_chunks()
    if pa.types.is_fixed_size_binary(column.type):
        width = column.type.byte_width
        data = column.buffers()[1]
        start = column.offset * width
        flat = np.frombuffer(data, np.uint8)[start : start + width * len(column)]
        return flat.reshape(len(column), width).copy()
    if len(column) == 0:
        return np.zeros((0, 0), np.uint8)
    column = column.cast(pa.binary())
    offsets = np.frombuffer(column.buffers()[1], np.int32)[
        column.offset : column.offset + len(column) + 1
    ]
    width = int(offsets[1] - offsets[0])
    if not np.all(np.diff(offsets) == width):
        raise ValueError("CLKs of different lengths in one column")
    flat = np.frombuffer(column.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
    return flat.reshape(len(column), width).copy()


# ------------------------------------------------------------------------------------------
# similarity, blocking and the threshold


def _words(clks: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(clks).view(np.uint64)


def dice(a: np.ndarray, b: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Dice coefficients of the pairs (a[left[i]], b[right[i]]), with NumPy popcounts."""
    wa, wb = _words(a), _words(b)
    ca = np.bitwise_count(wa).sum(axis=1, dtype=np.int64)
    cb = np.bitwise_count(wb).sum(axis=1, dtype=np.int64)
    out = np.empty(len(left), np.float64)
    step = 32_768  # pairs per step: the gathered words stay in the CPU cache
    buf = np.empty((min(step, len(left)), wa.shape[1]), np.uint64)
    for lo in range(0, len(left), step):
        li, ri = left[lo : lo + step], right[lo : lo + step]
        both = buf[: len(li)]
        np.take(wa, li, axis=0, out=both)
        both &= wb[ri]
        common = np.bitwise_count(both).sum(axis=1, dtype=np.int64)
        total = ca[li] + cb[ri]
        out[lo : lo + step] = np.where(total > 0, 2.0 * common / np.maximum(total, 1), 0.0)
    return out


def lsh_candidates(
    a: np.ndarray, b: np.ndarray, *, bands: int = 40, bits_per_band: int = 24, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs by bit-sampling LSH: pairs that agree on every sampled bit of some band.

    Two filters at Hamming distance d of L bits agree on a sampled bit with probability 1 - d/L,
    so near pairs share a band often and far pairs almost never (Indyk & Motwani 1998).
    """
    total_bits = a.shape[1] * 8
    rng = np.random.default_rng(seed)
    ua, ub = np.unpackbits(a, axis=1), np.unpackbits(b, axis=1)
    weights = (1 << np.arange(bits_per_band, dtype=np.uint64)).astype(np.uint64)
    la, lb = [], []
    for band in range(bands):
        sample = rng.choice(total_bits, size=bits_per_band, replace=False)
        la.append(
            (ua[:, sample].astype(np.uint64) * weights).sum(axis=1) * np.uint64(bands)
            + np.uint64(band)
        )
        lb.append(
            (ub[:, sample].astype(np.uint64) * weights).sum(axis=1) * np.uint64(bands)
            + np.uint64(band)
        )
    left = pa.table(
        {"h": np.concatenate(la), "i": np.tile(np.arange(len(a), dtype=np.int64), bands)}
    )
    right = pa.table(
        {"h": np.concatenate(lb), "j": np.tile(np.arange(len(b), dtype=np.int64), bands)}
    )
    with duckdb.connect() as con:
        con.register("l", left)
        con.register("r", right)
        pairs = con.sql("SELECT DISTINCT i, j FROM l JOIN r USING (h)").to_arrow_table()
    return (
        np.asarray(pairs.column("i").to_numpy(), np.int64),
        np.asarray(pairs.column("j").to_numpy(), np.int64),
    )


def all_pairs(na: int, nb: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (no blocking): for small files and for checking the blocking's recall."""
    return np.repeat(np.arange(na), nb), np.tile(np.arange(nb), na)


def otsu_threshold(scores: np.ndarray, *, bins: int = 100) -> float:
    """The score that best splits ``scores`` in two classes (Otsu 1979: maximal between-class
    variance); on a linkage's candidate scores, the valley between non-matches and matches."""
    if len(scores) == 0:
        return 1.0
    counts, edges = np.histogram(scores, bins=bins, range=(0.0, 1.0))
    mids = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(counts)
    w1 = w0[-1] - w0
    m0 = np.cumsum(counts * mids)
    mean0 = np.divide(m0, w0, out=np.zeros(bins), where=w0 > 0)
    mean1 = np.divide(m0[-1] - m0, w1, out=np.zeros(bins), where=w1 > 0)
    between = w0 * w1 * (mean0 - mean1) ** 2
    return float(edges[int(np.argmax(between)) + 1])
