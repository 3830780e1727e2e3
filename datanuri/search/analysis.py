"""Text analysis for search: Korean morphemes (Kiwi), character n-grams, English stems.

Pure functions over strings. A text is split into words (runs of letters and digits); each word
gives *terms* (noun morphemes, their compounds, the word without particles and endings, English
stems) and *grams* (Hangul bigrams, Latin trigrams) that catch what the analyser misses.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

ANALYZER_VERSION = "2"  # bump when analysis changes: the index is rebuilt on open
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
HANGUL_RE = re.compile(r"[\uac00-\ud7a3]")
LATIN_RE = re.compile(r"^[a-z]+$")
# Kiwi tags whose forms are content (nouns, roots, foreign words, numbers, verb/adjective stems).
CONTENT_TAGS = ("NNG", "NNP", "NR", "SL", "SH", "SN", "XR", "VV", "VA", "MAG")
NOUN_TAGS = ("NNG", "NNP", "NR", "SL", "SH", "XR")
# Kiwi tags that may trail a word and are dropped from its "content" form (particles, endings...).
FUNCTION_PREFIXES = ("J", "E", "XS", "VCP", "VCN", "S", "NNB")
# Without Kiwi: particles stripped from the end of a word (longest first).
PARTICLES = tuple(sorted(
    ("에서는", "으로는", "에서도", "에서", "으로", "에게", "까지", "부터", "처럼", "보다", "이나", "이랑",
     "과", "와", "을", "를", "은", "는", "의", "에", "도", "로", "만", "별", "가", "이"),
    key=len, reverse=True,
))
STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it of on or the to with within per via".split()
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
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def latin_grams(word: str) -> list[str]:
    """Trigrams of a lower-case Latin word of four letters or more (for typo tolerance)."""
    if not LATIN_RE.match(word) or len(word) < 4:
        return []
    return [word[i:i + 3] for i in range(len(word) - 2)]


def word_grams(word: str) -> tuple[str, ...]:
    grams = hangul_grams(word) if HANGUL_RE.search(word) else latin_grams(word)
    return tuple(dict.fromkeys(grams))[:MAX_GRAMS_PER_WORD]


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

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


@lru_cache(maxsize=1)
def _kiwi() -> Any:
    try:
        from kiwipiepy import Kiwi
    except ImportError:  # pragma: no cover - the n-gram fallback covers it
        return None
    return Kiwi()


def kiwi_available() -> bool:
    return _kiwi() is not None


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    """Kiwi morphemes of `text` as (form, tag, start, end), or [] without Kiwi."""
    kiwi = _kiwi()
    if kiwi is None or not HANGUL_RE.search(text):
        return []
    with _KIWI_LOCK:
        toks = kiwi.tokenize(text)
    return [(t.form, t.tag, t.start, t.start + t.len) for t in toks]


def _compounds(nouns: list[str], max_join: int = 3) -> list[str]:
    """Contiguous joins of consecutive nouns in a word: 대기+질+측정 → 대기질, 질측정, 대기질측정."""
    out = []
    for n in range(2, min(max_join, len(nouns)) + 1):
        out.extend("".join(nouns[i:i + n]) for i in range(len(nouns) - n + 1))
    return out


def analyze(text: str, *, compounds: bool = False) -> list[Word]:
    """Analyse a text into words. `compounds` adds joins of consecutive nouns (for indexing)."""
    text = (text or "").strip()
    spans = [(m.group(0), m.start(), m.end()) for m in WORD_RE.finditer(text)]
    if not spans:
        return []
    toks = _tokens(text)
    per_word: list[list[tuple[str, str, int, int]]] = [[] for _ in spans]
    j = 0
    for tok in toks:
        while j < len(spans) and spans[j][2] <= tok[2]:
            j += 1
        if j < len(spans) and spans[j][1] <= tok[2] < spans[j][2]:
            per_word[j].append(tok)
    words = []
    for (surface, start, _end), wtoks in zip(spans, per_word):
        low = surface.lower()
        if wtoks:
            keep = [t for t in wtoks if t[1].startswith(CONTENT_TAGS)]
            last = max((t[3] for t in wtoks if not t[1].startswith(FUNCTION_PREFIXES)), default=None)
            content = low[: last - start] if last is not None else low
            nouns = [t[0].lower() for t in keep if t[1] in NOUN_TAGS]
            parts = [stem(t[0].lower()) for t in keep]
            if compounds:
                parts += _compounds(nouns)
        elif HANGUL_RE.search(low):
            content = strip_particles(low)
            parts = [content]
        else:
            if low in STOPWORDS:
                continue
            content = low
            parts = [stem(low)]
        parts = [p for p in parts if p and p not in STOPWORDS]
        if content and content not in parts and HANGUL_RE.search(content):
            parts.append(content)
        if not parts and not content:
            continue
        words.append(Word(surface, content, tuple(dict.fromkeys(parts)), word_grams(content if not compounds else low)))
    return words


def index_terms(text: str) -> tuple[list[str], list[str]]:
    """The terms and grams a document field is indexed under."""
    terms: list[str] = []
    grams: list[str] = []
    for w in analyze(text, compounds=True):
        terms.extend(w.parts)
        extra = word_grams(w.content) if w.content != w.surface.lower() else ()
        grams.extend(dict.fromkeys((*w.grams, *extra)))
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
