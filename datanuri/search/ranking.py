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
    freshness: float = 0.15  # 1 for a version made today, ½ after `half_life_days`, ⅓ after twice
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


def day_number(when: str | dt.datetime | None) -> float | None:
    """Days since the Unix epoch of an ISO time (naive times are UTC); None if unreadable."""
    if when is None or when == "":
        return None
    try:
        t = when if isinstance(when, dt.datetime) else dt.datetime.fromisoformat(when)
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.timestamp() / 86400


def freshness_of(age_days: float, half_life_days: float) -> float:
    """1 / (1 + age / half life): 1 today, ½ after a half life, never negative."""
    return 1.0 / (1.0 + max(0.0, age_days) / half_life_days) if half_life_days > 0 else 0.0


@dataclass(frozen=True)
class SignalValues:
    """A record's signals scaled to [0, 1] (freshness kept as a day number: it changes daily).
    The index stores these, so ranking is plain SQL arithmetic on them."""

    official: float
    size: float
    downloads: float
    completeness: float
    tiny: float
    fresh_day: float | None


def scale(s: Signals, w: SignalWeights) -> SignalValues:
    """The stored form of a record's signals under the scale parameters of `w`."""
    return SignalValues(
        official=1.0 if s.official else 0.0,
        size=log_share(s.rows, w.full_rows),
        downloads=log_share(s.downloads, w.full_downloads),
        completeness=min(1.0, max(0.0, s.completeness)),
        tiny=1.0 if s.rows is not None and s.rows < w.tiny_rows else 0.0,
        fresh_day=day_number(s.fresh_at),
    )


def quality(s: Signals, w: SignalWeights, now: dt.datetime) -> float:
    """The quality factor 1 + Σ wᵢ·sᵢ of one record, within `w.bounds()`."""
    v = scale(s, w)
    today = day_number(now) or 0.0
    fresh = freshness_of(today - v.fresh_day, w.half_life_days) if v.fresh_day is not None else 0.0
    return (
        1.0
        + w.official * v.official
        + w.size * v.size
        + w.downloads * v.downloads
        + w.completeness * v.completeness
        + w.tiny * v.tiny
        + w.freshness * fresh
    )


def quality_sql(w: SignalWeights, now: dt.datetime, t: str = "d", *, greatest: str = "max") -> str:
    """`quality` as an SQL expression over the stored `SignalValues` columns of table `t`
    (numbers only: the weights are floats of a typed config, `now` a float). `greatest` is the
    two-argument maximum of the dialect (SQLite `max`, PostgreSQL `greatest`)."""
    today = float(day_number(now) or 0.0)
    half = float(w.half_life_days)
    fresh = (
        f"(CASE WHEN {t}.fresh_day IS NULL THEN 0.0 ELSE 1.0 / (1.0 + "
        f"{greatest}(0.0, {today!r} - {t}.fresh_day) / {half!r}) END)"
        if half > 0
        else "0.0"
    )
    return (
        f"(1.0 + {float(w.official)!r} * {t}.official + {float(w.size)!r} * {t}.size_s"
        f" + {float(w.downloads)!r} * {t}.downloads_s + {float(w.completeness)!r} * {t}.completeness"
        f" + {float(w.tiny)!r} * {t}.tiny + {float(w.freshness)!r} * {fresh})"
    )
