"""Turn analysed query words into an SQLite FTS5 MATCH expression (pure; user text is always quoted)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal

from datanuri.search.analysis import HANGUL_RE, Word

TERM_COLS = "{title_t body_t}"
GRAM_COLS = "{title_g body_g}"
Mode = Literal["all", "loose", "any"]


def quote(term: str) -> str:
    """An FTS5 string literal (never raw syntax)."""
    return '"' + term.replace('"', '""') + '"'


def _and(terms: list[str]) -> str:
    return quote(terms[0]) if len(terms) == 1 else "(" + " AND ".join(quote(t) for t in terms) + ")"


def cover(grams: tuple[str, ...]) -> list[str]:
    """Every other bigram and the last one (대기질측정 → 대기, 질측, 측정): they still span the word,
    so requiring them finds every record the full set finds, and each phrase left out spares
    bm25 a pass over its postings."""
    if len(grams) <= 2 or not all(HANGUL_RE.match(g) and len(g) == 2 for g in grams):
        return list(grams)
    picked = list(grams[::2])
    if picked[-1] != grams[-1]:
        picked.append(grams[-1])
    return picked


def word_clause(w: Word, *, latin_grams: bool = False) -> str:
    """Ways one word may match: all its morphemes, its particle-free form, or all its n-grams.

    Latin words match by their stems; their trigrams (which every English word shares with
    thousands of records, so they cost most of a query's time) join only the looser stages.
    """
    alts: list[str] = []
    morphs = [p for p in w.parts if p != w.content] or list(w.parts)
    if morphs:
        alts.append(f"{TERM_COLS} : {_and(morphs)}")
    if w.content and w.content in w.parts and morphs != [w.content]:
        alts.append(f"{TERM_COLS} : {quote(w.content)}")
    if len(w.content) == 1 and HANGUL_RE.match(w.content):
        alts.append(f"{GRAM_COLS} : {quote(w.content)}*")
    elif w.grams and (latin_grams or not alts or HANGUL_RE.search(w.content)):
        alts.append(f"{GRAM_COLS} : {_and(cover(w.grams))}")
    return alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")"


def loose_clause(w: Word) -> str:
    """One word matching by any of its terms or any one of its n-grams (a typo spares most)."""
    alts = []
    if w.parts:
        alts.append(f"{TERM_COLS} : (" + " OR ".join(quote(t) for t in w.parts) + ")")
    if w.grams:
        alts.append(f"{GRAM_COLS} : (" + " OR ".join(quote(g) for g in w.grams) + ")")
    return alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")"


def match_expression(words: list[Word], mode: Mode = "all") -> str | None:
    """Every word must match (`all`); every word must match loosely, by any one of its terms or
    n-grams (`loose`); or any term or n-gram of any word may match (`any`)."""
    words = [w for w in words if w.parts or w.grams]
    if not words:
        return None
    if mode == "all":
        return " AND ".join(word_clause(w) for w in words)
    if mode == "loose":
        return " AND ".join(loose_clause(w) for w in words)
    terms = list(dict.fromkeys(p for w in words for p in w.parts))
    grams = list(dict.fromkeys(g for w in words for g in w.grams))
    alts = []
    if terms:
        alts.append(f"{TERM_COLS} : (" + " OR ".join(quote(t) for t in terms) + ")")
    if grams:
        alts.append(f"{GRAM_COLS} : (" + " OR ".join(quote(g) for g in grams) + ")")
    return " OR ".join(alts)


def stages(
    words: list[Word], known: Callable[[str], bool] | None = None
) -> Iterator[tuple[str, str]]:
    """The match expressions to try in turn until one finds something, as (mode, expression):
    every word exactly; every word loosely; then, if `known` (does this expression match
    anything?) says some words match nothing at all, every other word exactly and loosely;
    last, any word. Stages after the first are reported as `any`. Lazy: `known` is asked only
    once the first two stages have found nothing."""
    seen: set[str] = set()

    def fresh(mode: str, expr: str | None) -> Iterator[tuple[str, str]]:
        if expr is not None and expr not in seen:
            seen.add(expr)
            yield mode, expr

    yield from fresh("all", match_expression(words, "all"))
    yield from fresh("any", match_expression(words, "loose"))
    usable = [w for w in words if w.parts or w.grams]
    if known is not None and len(usable) > 1:
        kept = [w for w in usable if known(loose_clause(w))]
        if kept and len(kept) < len(usable):  # a word found nowhere: search with the others
            yield from fresh("any", match_expression(kept, "all"))
            yield from fresh("any", match_expression(kept, "loose"))
    yield from fresh("any", match_expression(words, "any"))
