"""Turn analysed query words into an SQLite FTS5 MATCH expression (pure; user text is always quoted)."""

from __future__ import annotations

from typing import Literal

from datanuri.search.analysis import HANGUL_RE, Word

TERM_COLS = "{title_t body_t}"
GRAM_COLS = "{title_g body_g}"
Mode = Literal["all", "any"]


def quote(term: str) -> str:
    """An FTS5 string literal (never raw syntax)."""
    return '"' + term.replace('"', '""') + '"'


def _and(terms: list[str]) -> str:
    return quote(terms[0]) if len(terms) == 1 else "(" + " AND ".join(quote(t) for t in terms) + ")"


def word_clause(w: Word) -> str:
    """Ways one word may match: all its morphemes, its particle-free form, or all its n-grams."""
    alts: list[str] = []
    morphs = [p for p in w.parts if p != w.content] or list(w.parts)
    if morphs:
        alts.append(f"{TERM_COLS} : {_and(morphs)}")
    if w.content and w.content in w.parts and morphs != [w.content]:
        alts.append(f"{TERM_COLS} : {quote(w.content)}")
    if len(w.content) == 1 and HANGUL_RE.match(w.content):
        alts.append(f"{GRAM_COLS} : {quote(w.content)}*")
    elif w.grams:
        alts.append(f"{GRAM_COLS} : {_and(list(w.grams))}")
    return alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")"


def match_expression(words: list[Word], mode: Mode = "all") -> str | None:
    """Every word must match (`all`), or any term or n-gram of any word (`any`)."""
    words = [w for w in words if w.parts or w.grams]
    if not words:
        return None
    if mode == "all":
        return " AND ".join(word_clause(w) for w in words)
    terms = list(dict.fromkeys(p for w in words for p in w.parts))
    grams = list(dict.fromkeys(g for w in words for g in w.grams))
    alts = []
    if terms:
        alts.append(f"{TERM_COLS} : (" + " OR ".join(quote(t) for t in terms) + ")")
    if grams:
        alts.append(f"{GRAM_COLS} : (" + " OR ".join(quote(g) for g in grams) + ")")
    return " OR ".join(alts)
