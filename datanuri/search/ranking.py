"""How relevance is scored: BM25 field weights and quality signals, combined in one bounded formula.

    final = bm25 × (1 + Σ wᵢ·sᵢ) × (synonym_weight if the record matched only through a synonym)

`bm25` is FTS5's score over the weighted fields (title > keywords > description > other text);
each signal sᵢ is a number in [0, 1] computed from the record, so the quality factor stays within
[1 + Σ negative wᵢ, 1 + Σ positive wᵢ] (0.6 – 2.5 with the defaults): a strong signal can reorder
records of comparable text relevance but cannot lift a record that barely matches above one whose
title is the query. Dividing bm25 by the best score of the query (a normalisation to [0, 1]) would
not change the order, so the index ranks by the product directly. Pure functions and values.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class FieldWeights:
    """BM25 weights of the index's columns (analysed terms of each field, then n-grams)."""

    title: float = 8.0
    keywords: float = 4.0
    description: float = 1.0
    other: float = 0.5  # organisation, theme, place, name, column names
    title_grams: float = 1.5
    body_grams: float = 0.3

    def as_tuple(self) -> tuple[float, ...]:
        """In the order of the FTS columns (title_t, kw_t, desc_t, other_t, title_g, body_g)."""
        return tuple(getattr(self, f.name) for f in fields(self))


@dataclass(frozen=True)
class SignalWeights:
    """How much each quality signal (in [0, 1]) adds to or takes from the quality factor."""

    official: float = 0.6  # the holder is an organisation the admins marked official
    size: float = 0.25  # log of the row count, 1 at `full_rows`
    freshness: float = 0.15  # 1 for a version made today, half after `half_life_days`
    downloads: float = 0.3  # log of the download count, 1 at `full_downloads`
    completeness: float = 0.2  # share of description, keywords, theme, licence and coverage given
    tiny: float = -0.4  # fewer than `tiny_rows` rows (a test upload), or no version at all
    full_rows: int = 1_000_000
    full_downloads: int = 10_000
    half_life_days: float = 365.0
    tiny_rows: int = 30
    synonym: float = 0.6  # multiplies the score of a record found only through a synonym

    def bounds(self) -> tuple[float, float]:
        """The lowest and highest quality factor these weights can give."""
        ws = (
            self.official,
            self.size,
            self.freshness,
            self.downloads,
            self.completeness,
            self.tiny,
        )
        return 1 + sum(w for w in ws if w < 0), 1 + sum(w for w in ws if w > 0)


@dataclass(frozen=True)
class RankingConfig:
    """The field weights and signal weights of relevance ranking (`PLAIN`: signals off)."""

    fields: FieldWeights = FieldWeights()
    signals: SignalWeights = SignalWeights()
    use_signals: bool = True


PLAIN = RankingConfig(use_signals=False)


@dataclass(frozen=True)
class Signals:
    """The quality facts of one record that ranking reads (stored in the index beside it)."""

    official: bool
    rows: int | None
    downloads: int
    completeness: float
    fresh_at: str | None  # ISO time of the latest version (or of the last update)


def log_share(value: int | None, full: int) -> float:
    """log(1 + value) / log(1 + full), clipped to [0, 1]; 0 for no value."""
    if not value or value <= 0:
        return 0.0
    return min(1.0, math.log1p(value) / math.log1p(max(full, 1)))


def freshness(fresh_at: str | None, now: dt.datetime, half_life_days: float) -> float:
    """1 for today, halving every `half_life_days`; 0 when the date is unknown or unreadable."""
    if not fresh_at:
        return 0.0
    try:
        t = dt.datetime.fromisoformat(fresh_at)
    except ValueError:
        return 0.0
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    age = max(0.0, (now - t).total_seconds() / 86400)
    return float(0.5 ** (age / half_life_days)) if half_life_days > 0 else 0.0


def quality(s: Signals, w: SignalWeights, now: dt.datetime) -> float:
    """The quality factor 1 + Σ wᵢ·sᵢ of one record, within `w.bounds()`."""
    tiny = 1.0 if s.rows is not None and s.rows < w.tiny_rows else 0.0
    return (
        1.0
        + w.official * (1.0 if s.official else 0.0)
        + w.size * log_share(s.rows, w.full_rows)
        + w.freshness * freshness(s.fresh_at, now, w.half_life_days)
        + w.downloads * log_share(s.downloads, w.full_downloads)
        + w.completeness * min(1.0, max(0.0, s.completeness))
        + w.tiny * tiny
    )
