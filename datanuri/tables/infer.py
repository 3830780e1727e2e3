"""Type inference over a whole column, batch by batch, with cheap narrowing.

Each column starts with every candidate type alive. Each batch counts, per alive candidate,
the values that fail to parse; a candidate dies when its failures exceed `MIXED_RATIO` of the
values seen (or at once for boolean words outside one vocabulary and for zero-padded codes,
which must stay text). Most string columns lose all candidates in their first batch, so later
batches cost nothing for them. At the end the first candidate in `convert.ORDER` with no
failures is the column's type. If none is clean but one failed on at most `MIXED_RATIO` of the
values, the column stays text and the failing values are reported as "type" problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from datanuri.tables import convert as C

MIXED_RATIO = 0.01
MIXED_MIN_VALUES = 100
# At most this share of a column's values may be missing-value markers for it to keep its type.
NULL_TOKEN_SHARE = 0.05
NULL_TOKEN_MIN_VALUES = 10  # ... or one marker, in a column of at least this many values
NULL_TOKEN_MAX_CHARS = 20  # a marker is short and has no digit ("측정불가", "해당없음", "…")
# a candidate that parsed every value in a batch implies these had no failures either
IMPLIES = {"date_compact": ("integer", "number"), "integer": ("number",)}


@dataclass
class ColumnInference:
    """Running inference state of one column."""

    name: str
    nonnull: int = 0
    alive: dict[str, int] = field(default_factory=lambda: {c: 0 for c in C.ORDER})
    tokens: dict[str, int] = field(default_factory=lambda: {c: 0 for c in C.ORDER})
    bool_words: set[str] = field(default_factory=set)

    def update(self, a: pa.Array) -> None:
        """Narrow the candidates with one batch of (null-mapped) strings."""
        if not self.alive:
            return
        n = len(a) - a.null_count
        if n == 0:
            return
        self.nonnull += n
        if ("integer" in self.alive or "number" in self.alive) and C.has_leading_zero(a):
            self.alive.pop("integer", None)
            self.alive.pop("number", None)
        clean: set[str] = set()
        markers: pa.Array | None = None
        for cand in list(self.alive):
            if cand in clean:
                continue
            parsed = C.PARSERS[cand][1](a)
            bad = n - (len(parsed) - parsed.null_count)
            if cand == "boolean" and bad == 0:
                self.bool_words |= C.bool_vocabularies(a)
                vocabs = {C.TRUE_WORDS.get(w) or C.FALSE_WORDS.get(w) for w in self.bool_words}
                if len(vocabs) > 1:
                    bad = n
            room = MIXED_RATIO * self.nonnull + token_room(self.nonnull)
            if cand != "boolean" and 0 < bad and self.alive[cand] + self.tokens[cand] + bad <= room:
                if markers is None:
                    markers = missing_markers(a)
                tok = pc.sum(pc.and_(C.failures(a, parsed), markers)).as_py() or 0
                self.tokens[cand] += tok
                bad -= tok
            self.alive[cand] += bad
            if bad == 0 and self.tokens[cand] == 0:
                clean.update(IMPLIES.get(cand, ()))
            if cand == "boolean" and bad:
                self.alive.pop(cand)
            elif self.alive[cand] > MIXED_RATIO * self.nonnull or self.tokens[cand] > token_room(
                self.nonnull
            ):
                self.alive.pop(cand)

    def result(self) -> tuple[str | None, str | None]:
        """(candidate to convert with or None for text, candidate whose failures are problems or None)."""
        alive = dict(self.alive)
        if (
            "boolean" in alive
            and self.bool_words & {"y", "n"}
            and not {"y", "n"} <= self.bool_words
        ):
            alive.pop("boolean")  # a lone Y or N is more likely a code than a yes/no column
        if self.nonnull == 0:
            return None, None
        for cand in C.ORDER:
            if alive.get(cand) == 0 and self.tokens[cand] == 0:
                return cand, None
        for cand in C.ORDER:
            if alive.get(cand) == 0:  # clean but for missing-value markers: they become nulls
                return cand, cand
        if self.nonnull >= MIXED_MIN_VALUES:
            for cand in C.ORDER:
                if cand in alive:
                    return None, cand
        return None, None


def token_room(values: int) -> float:
    """How many missing-value markers a column of `values` values may have and keep its type."""
    return max(NULL_TOKEN_SHARE * values, 1.0 if values >= NULL_TOKEN_MIN_VALUES else 0.0)


def missing_markers(a: pa.Array) -> pa.Array:
    """Boolean mask of the values that read as missing-value markers: short, without a digit."""
    short = pc.less_equal(pc.utf8_length(a), NULL_TOKEN_MAX_CHARS)
    return pc.fill_null(pc.and_(short, pc.invert(pc.match_substring_regex(a, "[0-9]"))), False)


def field_type(candidate: str | None) -> tuple[str, str | None]:
    """The Frictionless (type, format) of a candidate (None = string)."""
    if candidate is None:
        return "string", None
    ftype, _, fmt = C.PARSERS[candidate]
    return ftype, fmt


def infer_table(batches: list[pa.RecordBatch]) -> list[tuple[str | None, str | None]]:
    """Infer every column of a small in-memory list of string batches (helper for tests)."""
    if not batches:
        return []
    cols = [ColumnInference(n) for n in batches[0].schema.names]
    for b in batches:
        for ci, col in zip(cols, b.columns, strict=True):
            ci.update(C.nullify_tokens(col))
    return [c.result() for c in cols]
