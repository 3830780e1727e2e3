"""Turn analysed query words into an SQLite FTS5 MATCH expression (pure; user text is always quoted)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

from datanuri.search.analysis import HANGUL_RE, Word, query_words
from datanuri.search.synonyms import MAX_WORDS, SynonymTable

TERM_COLS = "{title_t kw_t desc_t other_t}"
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


@dataclass(frozen=True)
class Unit:
    """Query words that match together: the words typed, or any synonym of them as a whole."""

    words: tuple[Word, ...]
    synonyms: tuple[tuple[Word, ...], ...] = ()


class Stage(NamedTuple):
    """One expression to try: its mode, the expression with synonyms and the one without."""

    mode: str
    expr: str
    exact: str


def units(words: list[Word], synonyms: SynonymTable | None) -> list[Unit]:
    """Group query words into units: the longest run (up to `MAX_WORDS`) that a synonym set
    names becomes one unit with the set's other terms; other words stand alone."""
    words = [w for w in words if w.parts or w.grams]
    if not synonyms:
        return [Unit((w,)) for w in words]
    out: list[Unit] = []
    i = 0
    while i < len(words):
        for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
            run = words[i : i + n]
            alts: tuple[str, ...] = ()
            for phrase in (
                " ".join(w.surface for w in run),
                " ".join(w.content or w.surface for w in run),
            ):
                alts = alts or synonyms.alternatives(phrase)
            if alts:
                analysed = tuple(
                    tuple(a)
                    for a in (query_words(t) for t in alts)
                    if any(x.parts or x.grams for x in a)
                )
                out.append(Unit(tuple(run), analysed))
                i += n
                break
        else:
            out.append(Unit((words[i],)))
            i += 1
    return out


def _group(clauses: list[str], joiner: str) -> str:
    return clauses[0] if len(clauses) == 1 else "(" + f" {joiner} ".join(clauses) + ")"


def term_clause(w: Word) -> str:
    """One word matching by any of its analysed terms only (no n-grams)."""
    return f"{TERM_COLS} : (" + " OR ".join(quote(t) for t in w.parts) + ")"


def unit_clause(u: Unit, mode: Mode) -> str:
    """The clause of one unit: its words (all, or each loosely), or one of its synonyms. In the
    loose stage a synonym matches by its terms only: its n-grams are not what the person typed
    (drugstore's "sto" is in "bus stop")."""
    one = word_clause if mode == "all" else loose_clause
    syn = word_clause if mode == "all" else term_clause
    options = [_group([one(w) for w in u.words], "AND")]
    options += [
        _group([syn(w) for w in alt], "AND") for alt in u.synonyms if all(w.parts for w in alt)
    ]
    return _group(list(dict.fromkeys(options)), "OR")


def expanded_expression(us: list[Unit], mode: Mode) -> str | None:
    """`match_expression` over units: a word with synonyms matches through any of them."""
    if not us:
        return None
    if mode == "any":
        base = match_expression([w for u in us for w in u.words], "any")
        extra = list(
            dict.fromkeys(p for u in us for alt in u.synonyms for w in alt for p in w.parts)
        )
        if base is None or not extra:
            return base
        return f"{base} OR {TERM_COLS} : (" + " OR ".join(quote(t) for t in extra) + ")"
    return " AND ".join(unit_clause(u, mode) for u in us)


def ranked_stages(
    words: list[Word],
    known: Callable[[str], bool] | None = None,
    synonyms: SynonymTable | None = None,
) -> Iterator[Stage]:
    """`stages` with synonyms: each stage's expression lets a word match through its synonyms,
    and carries the expression without them (`exact`), which the index uses to rank hits found
    only through a synonym lower."""
    seen: set[str] = set()

    def fresh(mode: str, ws: list[Word], how: Mode) -> Iterator[Stage]:
        exact = match_expression(ws, how)
        expr = expanded_expression(units(ws, synonyms), how) if synonyms else exact
        if expr is not None and exact is not None and expr not in seen:
            seen.add(expr)
            yield Stage(mode, expr, exact)

    yield from fresh("all", words, "all")
    yield from fresh("any", words, "loose")
    usable = [w for w in words if w.parts or w.grams]
    if known is not None and len(usable) > 1:
        kept = [
            w
            for w in usable
            if known(expanded_expression(units([w], synonyms), "loose") or loose_clause(w))
        ]
        if kept and len(kept) < len(usable):  # a word found nowhere: search with the others
            yield from fresh("any", kept, "all")
            yield from fresh("any", kept, "loose")
    yield from fresh("any", words, "any")
