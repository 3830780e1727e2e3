"""Text analysis for search: Korean morphemes (Kiwi), character n-grams, English stems.

Pure functions over strings. A text is split into words (runs of letters and digits); each word
gives *terms* (noun morphemes, their compounds, the word without particles and endings, English
stems) and *grams* (Hangul bigrams, Latin trigrams) that catch what the analyser misses.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

ANALYZER_VERSION = "4"  # bump when analysis changes: the index is rebuilt on open
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
HANGUL_RE = re.compile(r"[\uac00-\ud7a3]")
LATIN_RE = re.compile(r"^[a-z]+$")
# Kiwi tags whose forms are content (nouns, roots, foreign words, numbers, verb/adjective stems).
CONTENT_TAGS = ("NNG", "NNP", "NR", "SL", "SH", "SN", "XR", "VV", "VA", "MAG")
NOUN_TAGS = ("NNG", "NNP", "NR", "SL", "SH", "XR")
# Kiwi tags that may trail a word and are dropped from its "content" form (particles, endings...).
FUNCTION_PREFIXES = ("J", "E", "XS", "VCP", "VCN", "S", "NNB")
# Without Kiwi: particles stripped from the end of a word (longest first).
PARTICLES = tuple(
    sorted(
        (
            "에서는",
            "으로는",
            "에서도",
            "에서",
            "으로",
            "에게",
            "까지",
            "부터",
            "처럼",
            "보다",
            "이나",
            "이랑",
            "과",
            "와",
            "을",
            "를",
            "은",
            "는",
            "의",
            "에",
            "도",
            "로",
            "만",
            "별",
            "가",
            "이",
        ),
        key=len,
        reverse=True,
    )
)
# English function words. "do" is also the romanised suffix of a province ("Gyeonggi-do"): half the
# catalog carries it, so as a query word it narrows nothing and costs bm25 a pass over huge postings.
STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it of on or the to with within per via "
    "do does did this that these those was were been has have had its their there which".split()
)
MAX_GRAMS_PER_WORD = 24


@dataclass(frozen=True)
class Word:
    """One analysed word: its surface, its form without particles, its terms and grams."""

    surface: str
    content: str
    parts: tuple[str, ...]
    grams: tuple[str, ...]


def hangul_grams(text: str) -> list[str]:
    """Bigrams of each Hangul run; a one-syllable run gives itself."""
    out: list[str] = []
    for run in re.findall(r"[\uac00-\ud7a3]+", text):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def latin_grams(word: str) -> list[str]:
    """Trigrams of a lower-case Latin word of four letters or more (for typo tolerance)."""
    if not LATIN_RE.match(word) or len(word) < 4:
        return []
    return [word[i : i + 3] for i in range(len(word) - 2)]


def word_grams(word: str) -> tuple[str, ...]:
    grams = hangul_grams(word) if HANGUL_RE.search(word) else latin_grams(word)
    return tuple(dict.fromkeys(grams))[:MAX_GRAMS_PER_WORD]


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer  # type: ignore[import-untyped]

    return snowballstemmer.stemmer("english")


def stem(word: str) -> str:
    """The English Snowball stem of a lower-case Latin word (other words unchanged)."""
    if LATIN_RE.match(word):
        return str(_stemmer().stemWord(word))
    return word


def strip_particles(word: str) -> str:
    """The word without a trailing Korean particle (used when Kiwi is not available)."""
    for p in PARTICLES:
        if word.endswith(p) and len(word) - len(p) >= 2:
            return word[: -len(p)]
    return word


_KIWI_LOCK = threading.Lock()
# Analyses are cached per word: a catalog repeats its words (places, themes, organisations, topic
# nouns) over and over, so after the first few hundred records nearly every word is a cache hit.
_CACHE_MAX = 400_000
_MORPHS: dict[str, tuple[tuple[str, str, int, int], ...]] = {}
_WORDS: dict[tuple[str, bool], Word | None] = {}
_INDEX_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}


@lru_cache(maxsize=1)
def _kiwi() -> Any:
    try:
        from kiwipiepy import Kiwi  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - the n-gram fallback covers it
        return None
    return Kiwi()


def kiwi_available() -> bool:
    return _kiwi() is not None


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> Any:
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[key] = value
    return value


def prime(texts: Iterable[str]) -> None:
    """Analyse every not yet cached Hangul word of `texts` with one batched Kiwi call."""
    kiwi = _kiwi()
    if kiwi is None:
        return
    todo = list(
        dict.fromkeys(
            w
            for t in texts
            if t and HANGUL_RE.search(t)
            for w in WORD_RE.findall(t)
            if w not in _MORPHS and HANGUL_RE.search(w)
        )
    )
    if not todo:
        return
    with _KIWI_LOCK:  # one word (a query's new word) is quicker passed alone than as a batch
        results = [kiwi.tokenize(todo[0])] if len(todo) == 1 else list(kiwi.tokenize(todo))
    for w, toks in zip(todo, results, strict=True):
        _remember(_MORPHS, w, tuple((t.form, t.tag, t.start, t.start + t.len) for t in toks))


def _tokens(word: str) -> tuple[tuple[str, str, int, int], ...]:
    """Kiwi morphemes of one word as (form, tag, start, end), or () without Kiwi or Hangul."""
    toks = _MORPHS.get(word)
    if toks is None:
        kiwi = _kiwi()
        if kiwi is None or not HANGUL_RE.search(word):
            return ()
        prime([word])
        toks = _MORPHS.get(word, ())
    return toks


def _compounds(nouns: list[str], max_join: int = 3) -> list[str]:
    """Contiguous joins of consecutive nouns in a word: 대기+질+측정 → 대기질, 질측정, 대기질측정."""
    out: list[str] = []
    for n in range(2, min(max_join, len(nouns)) + 1):
        out.extend("".join(nouns[i : i + n]) for i in range(len(nouns) - n + 1))
    return out


def _analyze_word(surface: str, compounds: bool) -> Word | None:
    """One word analysed on its own (Kiwi sees the word alone, as it sees a short query)."""
    low = surface.lower()
    wtoks = _tokens(surface) if HANGUL_RE.search(surface) else ()
    if wtoks:
        keep = [t for t in wtoks if t[1].startswith(CONTENT_TAGS)]
        last = max((t[3] for t in wtoks if not t[1].startswith(FUNCTION_PREFIXES)), default=None)
        content = low[:last] if last is not None else low
        nouns = [t[0].lower() for t in keep if t[1] in NOUN_TAGS]
        parts = [stem(t[0].lower()) for t in keep]
        if compounds:
            parts += _compounds(nouns)
    elif HANGUL_RE.search(low):
        content = strip_particles(low)
        parts = [content]
    else:
        if low in STOPWORDS:
            return None
        content = low
        parts = [stem(low)]
    parts = [p for p in parts if p and p not in STOPWORDS]
    if content and content not in parts and HANGUL_RE.search(content):
        parts.append(content)
    if not parts and not content:
        return None
    return Word(
        surface, content, tuple(dict.fromkeys(parts)), word_grams(content if not compounds else low)
    )


def _word(surface: str, compounds: bool) -> Word | None:
    key = (surface, compounds)
    try:
        return _WORDS[key]
    except KeyError:
        return _remember(_WORDS, key, _analyze_word(surface, compounds))


def analyze(text: str, *, compounds: bool = False) -> list[Word]:
    """Analyse a text into words. `compounds` adds joins of consecutive nouns (for indexing)."""
    words = []
    for surface in WORD_RE.findall(text or ""):
        w = _word(surface, compounds)
        if w is not None:
            words.append(w)
    return words


def _index_word(surface: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    try:
        return _INDEX_WORDS[surface]
    except KeyError:
        pass
    w = _word(surface, True)
    if w is None:
        out: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    else:
        extra = word_grams(w.content) if w.content != w.surface.lower() else ()
        out = (w.parts, tuple(dict.fromkeys((*w.grams, *extra))))
    return _remember(_INDEX_WORDS, surface, out)


_INDEX_STRS: dict[str, tuple[str, str]] = {}


def index_strings(text: str) -> tuple[str, str]:
    """`index_terms` of a text as two space-separated strings (what the FTS columns hold)."""
    terms: list[str] = []
    grams: list[str] = []
    cache = _INDEX_STRS
    for surface in WORD_RE.findall(text or ""):
        pair = cache.get(surface)
        if pair is None:
            t, g = _index_word(surface)
            pair = _remember(cache, surface, (" ".join(t), " ".join(g)))
        if pair[0]:
            terms.append(pair[0])
        if pair[1]:
            grams.append(pair[1])
    return " ".join(terms), " ".join(grams)


def index_terms(text: str) -> tuple[list[str], list[str]]:
    """The terms and grams a document field is indexed under."""
    terms: list[str] = []
    grams: list[str] = []
    for surface in WORD_RE.findall(text or ""):
        t, g = _index_word(surface)
        terms.extend(t)
        grams.extend(g)
    return terms, grams


def query_words(q: str, *, max_words: int = 32) -> list[Word]:
    """The analysed words of a query (at most `max_words`)."""
    return analyze(q)[:max_words]


def highlight_forms(words: Iterable[Word]) -> list[str]:
    """Surface strings worth highlighting for these query words (longest first)."""
    forms: set[str] = set()
    for w in words:
        for f in (w.content, *w.parts):
            if f and (len(f) >= 2 or HANGUL_RE.search(f)):
                forms.add(f)
    return sorted(forms, key=len, reverse=True)
