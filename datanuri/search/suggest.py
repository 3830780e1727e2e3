"""“Did you mean”: the nearest words of the index's vocabulary to a query's unknown words.

Pure. Hangul is compared letter by letter (jamo: 짏 = ㅈ ㅣ ㄹ ㅎ, so 대기짏 is one letter away
from 대기질), Latin by letters. Candidates come from a deletion index (every word with one letter
left out, SymSpell's idea), which finds each word one edit away in a dictionary lookup instead of a
pass over the whole vocabulary; they are then ranked by edit distance, then by how many datasets
use them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from datanuri.search.analysis import Word

_L = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_V = ("ㅏ", "ㅐ", "ㅑ", "ㅒ", "ㅓ", "ㅔ", "ㅕ", "ㅖ", "ㅗ", "ㅗㅏ", "ㅗㅐ", "ㅗㅣ", "ㅛ", "ㅜ",
      "ㅜㅓ", "ㅜㅔ", "ㅜㅣ", "ㅠ", "ㅡ", "ㅡㅣ", "ㅣ")  # fmt: skip
_T = ("", "ㄱ", "ㄲ", "ㄱㅅ", "ㄴ", "ㄴㅈ", "ㄴㅎ", "ㄷ", "ㄹ", "ㄹㄱ", "ㄹㅁ", "ㄹㅂ", "ㄹㅅ",
      "ㄹㅌ", "ㄹㅍ", "ㄹㅎ", "ㅁ", "ㅂ", "ㅂㅅ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")  # fmt: skip
MIN_LETTERS = 3  # shorter words are too often a real word of their own


def jamo(text: str) -> str:
    """Hangul syllables spelled out in letters (compound vowels and final clusters split)."""
    out: list[str] = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            out += [_L[code // 588], _V[(code % 588) // 28], _T[code % 28]]
        else:
            out.append(ch)
    return "".join(out)


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of two strings, or `limit + 1` once it is known to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _deletes(s: str) -> set[str]:
    return {s, *(s[:i] + s[i + 1 :] for i in range(len(s)))}


def max_edits(letters: int) -> int:
    """Edits allowed for a word of this many letters: one for short words, two for longer."""
    return 1 if letters <= 6 else 2


@dataclass
class Speller:
    """A vocabulary (word → datasets using it) with its deletion index."""

    counts: Mapping[str, int]
    _index: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for w in self.counts:
            if len(jamo(w)) >= MIN_LETTERS:
                for d in _deletes(jamo(w)):
                    self._index.setdefault(d, []).append(w)

    def knows(self, word: str) -> bool:
        return word in self.counts

    def correct(self, word: str) -> str | None:
        """The vocabulary word nearest to `word` (within `max_edits`), or None."""
        spelled = jamo(word)
        if len(spelled) < MIN_LETTERS or word in self.counts:
            return None
        limit = max_edits(len(spelled))
        seen: set[str] = set()
        best: tuple[int, int, str] | None = None
        for d in _deletes(spelled):
            for cand in self._index.get(d, ()):
                if cand in seen:
                    continue
                seen.add(cand)
                dist = distance(spelled, jamo(cand), limit)
                if dist <= limit:
                    key = (dist, -self.counts[cand], cand)
                    best = key if best is None or key < best else best
        return best[2] if best else None


def suggestion(words: Iterable[Word], speller: Speller) -> str | None:
    """The query with each unknown word replaced by its nearest known word; None if none is."""
    out: list[str] = []
    changed = False
    for w in words:
        key = (w.content or w.surface).lower()
        fix = None if speller.knows(key) else speller.correct(key)
        if fix is not None and fix != key:
            out.append(fix)
            changed = True
        else:
            out.append(w.surface)
    return " ".join(out) if changed else None
