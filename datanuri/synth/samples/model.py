"""What every sample dataset kind is: its name, its Arrow schema, a seeded batch generator, its
datasheet and column notes. The four kinds live in their own modules and register here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from datanuri.errors import InvalidInput
from datanuri.synth.samples import messages as M

MIN_ROWS, MAX_ROWS = 10_000, 100_000_000
BATCH_ROWS = 65_536  # rows a generator aims at per record batch (whole groups: sessions, people)
PERIOD_START = dt.datetime(2026, 3, 2)  # a Monday; every kind covers 28 days in Korean time
PERIOD_DAYS = 28
PERIOD_START_S = int((PERIOD_START - dt.datetime(1970, 1, 1)).total_seconds())

TIME = pa.timestamp("ms")  # Parquet keeps no seconds unit: times are stored in milliseconds
Batches = Callable[[int, int], Iterator[pa.RecordBatch]]  # (rows, seed) -> batches


@dataclass(frozen=True)
class Text:
    """A text in Korean and English."""

    ko: str
    en: str


@dataclass(frozen=True)
class SampleKind:
    """One kind of developer dataset: how to make it and how it is described."""

    kind: str  # the CLI's name: queries, traces, cards, sns
    dataset: str  # the catalog dataset name
    title: Text
    keywords: tuple[str, ...]
    theme: str
    schema: pa.Schema
    generate: Batches  # whole-group batches; `exact_batches` cuts them to the row count
    sheet: tuple[tuple[str, Text], ...]  # datasheet sections: (heading key, text)
    properties: tuple[Text, ...]  # the stated properties the tests check
    columns: tuple[tuple[str, Text], ...]  # (column, description)


def check_rows(rows: int) -> int:
    """`rows` if it is a size a sample dataset may have, else InvalidInput."""
    if not MIN_ROWS <= rows <= MAX_ROWS:
        raise InvalidInput(M.MSG_ROWS_RANGE.format(low=MIN_ROWS, high=MAX_ROWS, rows=rows))
    return rows


def exact_batches(kind: SampleKind, rows: int, seed: int) -> Iterator[pa.RecordBatch]:
    """`kind`'s batches for `seed`, exactly `rows` rows in all (the last group may be cut)."""
    left = check_rows(rows)
    for batch in kind.generate(rows, seed):
        if batch.num_rows >= left:
            yield batch.slice(0, left)
            return
        left -= batch.num_rows
        yield batch


def zipf_cdf(n: int, s: float) -> np.ndarray:
    """The cumulative distribution of ranks 1..n with P(r) ∝ r^-s."""
    w = np.arange(1, n + 1, dtype=np.float64) ** -s
    cdf = np.cumsum(w)
    return cdf / cdf[-1]


def draw(rng: np.random.Generator, cdf: np.ndarray, size: int) -> np.ndarray:
    """`size` indices drawn from the distribution with cumulative `cdf` (0-based)."""
    out = np.searchsorted(cdf, rng.random(size), side="right")
    return np.minimum(out, len(cdf) - 1)


def weights_cdf(weights: np.ndarray | list[float] | tuple[float, ...]) -> np.ndarray:
    """The cumulative distribution of non-negative `weights`."""
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    return cdf / cdf[-1]


def hour_seconds(rng: np.random.Generator, hourly: np.ndarray, size: int) -> np.ndarray:
    """Seconds after midnight: an hour drawn from the 24 `hourly` weights, uniform inside it."""
    hours = draw(rng, weights_cdf(hourly), size)
    return hours * 3600 + rng.integers(0, 3600, size)


def timestamps(seconds: np.ndarray) -> pa.Array:
    """Korean local times (no zone) from seconds since the epoch."""
    return pa.array(seconds.astype("datetime64[s]").astype("datetime64[ms]"), type=TIME)
