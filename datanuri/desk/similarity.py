"""Pure scoring for desk suggestions: key terms of a request, how well a dataset's fields cover
them, how likely an organisation holds the data, and which open requests say the same thing.

Everything here works on plain values (strings, counts, `SearchDoc` records); the search and
database reads live in `datanuri.desk.suggest`. Words are analysed by the search analyser
(`datanuri.search.analysis`, Kiwi morphemes), so 미세먼지농도 and 미세먼지 농도, 통계청 and 통계청의
compare equal.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from datanuri.catalog.documents import SearchDoc
from datanuri.search.analysis import (
    HANGUL_RE,
    NOUN_TAGS,
    STOPWORDS,
    Word,
    _tokens,  # Kiwi's tags of a word (cached by the analyser)
    analyze,
    index_terms,
)

# Words every request uses that say nothing about which data is wanted (checked against a
# word's particle-free form and its morphemes).
DESK_STOPWORDS = frozenset(
    (
        "데이터 자료 정보 통계 현황 목록 내역 파일 필요 요청 제공 공개 개방 부탁 희망 원하 "
        "싶 있 하 되 알 보 주 받 위하 관련 대하 등 및 또는 각 별 기준 가능 여부 경우 해당 "
        "이용 활용 분석 연구 목적 사용 확인 수 것 때 중 년 월 일 좀 혹시 만 전체 모든 가지 "
        "어디 누구 이번 최근 문의 구하 찾 dataset data request need want please list "
        "statistic inform provid avail would like"
    ).split()
)
MAX_TERMS = 12
MAX_TEXT = 5_000  # characters of a request read (a longer one says nothing more to rank by)
TITLE_WEIGHT = 2.0  # a word of the request's title counts twice a word of its description
# How much a match in each dataset field counts (the best field of a term counts).
FIELD_WEIGHTS: Mapping[str, float] = {
    "title": 1.0,
    "keywords": 0.9,
    "columns": 0.7,
    "description": 0.5,
}
DUPLICATE_THRESHOLD = 0.3


@dataclass(frozen=True)
class Term:
    """One content word of a request. It is found in a text whose analysed forms hold one of
    `any_of` (its particle-free form, or an English stem), or all of `all_of` (its morphemes)."""

    text: str  # what people read: "미세먼지"
    any_of: frozenset[str]
    all_of: tuple[str, ...]
    weight: float = 1.0
    # Synonyms (대기질 → 대기오염, air quality): each found when all its forms are.
    synonyms: tuple[tuple[str, ...], ...] = ()

    def found_in(self, forms: frozenset[str] | set[str]) -> bool:
        if any(k in forms for k in self.any_of):
            return True
        if self.all_of and all(m in forms for m in self.all_of):
            return True
        return any(alt and all(m in forms for m in alt) for alt in self.synonyms)


def _stop(w: Word) -> bool:
    """Whether a word says nothing about the data: too short, request boilerplate, or a Korean
    word with no noun in it (verbs, adverbs, pronouns: 떠난, 너무, 우리)."""
    if len(w.content) < 2 or w.content in DESK_STOPWORDS or w.content in STOPWORDS:
        return True
    toks = _tokens(w.surface) if HANGUL_RE.search(w.surface) else ()
    if toks and not any(t[1] in NOUN_TAGS for t in toks):
        return True
    parts = [p for p in w.parts if p != w.content] or list(w.parts)
    return not parts or all(p in DESK_STOPWORDS or p in STOPWORDS for p in parts)


def _morphemes(w: Word) -> tuple[str, ...]:
    return tuple(p for p in w.parts if p != w.content and p not in DESK_STOPWORDS)


def term_of(w: Word, weight: float = 1.0) -> Term:
    """The term of one analysed word."""
    any_of = set(w.parts if not HANGUL_RE.search(w.content) else ())
    if HANGUL_RE.search(w.content):
        any_of.add(w.content)
    morphs = _morphemes(w)
    return Term(w.content, frozenset(any_of), morphs if len(morphs) > 1 else (), weight)


def key_terms(title: str, description: str = "", *, limit: int = MAX_TERMS) -> list[Term]:
    """The request's content words, title words first and weighted higher, each once, at most
    `limit` (words said more often rank first among the description's)."""
    seen: dict[str, Term] = {}
    title, description = title[:MAX_TEXT], description[:MAX_TEXT]
    for w in analyze(title):
        if _stop(w) or w.content in seen:
            continue
        seen[w.content] = term_of(w, TITLE_WEIGHT)
    counts = Counter(w.content for w in analyze(description) if not _stop(w))
    words = {w.content: w for w in analyze(description)}
    for content, n in counts.most_common():
        if content in seen:
            continue
        seen[content] = term_of(words[content], min(TITLE_WEIGHT, 1.0 + 0.25 * (n - 1)))
    return list(seen.values())[:limit]


def with_synonyms(
    terms: Sequence[Term], alternatives: Callable[[str], Sequence[str]]
) -> list[Term]:
    """Terms that are also found through their synonyms (`alternatives`: a term's other terms,
    as `SynonymTable.alternatives` gives them)."""
    out = []
    for t in terms:
        alts = []
        for phrase in alternatives(t.text):
            forms = [
                w.content if HANGUL_RE.search(w.content) else (w.parts[0] if w.parts else "")
                for w in analyze(phrase)
            ]
            if forms and all(forms):
                alts.append(tuple(forms))
        out.append(replace(t, synonyms=tuple(dict.fromkeys(alts))) if alts else t)
    return out


def text_forms(text: str) -> frozenset[str]:
    """The analysed forms of a text as the index holds them (morphemes, compounds, stems)."""
    terms, _ = index_terms(text)
    return frozenset(terms) | {w.content for w in analyze(text) if w.content}


def doc_fields(doc: SearchDoc) -> dict[str, frozenset[str]]:
    """The analysed forms of each explainable field of a dataset record."""
    return {
        "title": text_forms(doc.title),
        "keywords": text_forms(" ".join([*doc.keywords, doc.theme or ""]))
        | {k.lower().replace(" ", "") for k in doc.keywords},
        "columns": text_forms(" ".join(doc.columns)),
        "description": text_forms(doc.description),
    }


def idf(df: int, n: int) -> float:
    """Inverse document frequency, smoothed; a term found nowhere weighs as a rare one."""
    return math.log(1.0 + (n + 1) / (max(df, 0) + 0.5))


@dataclass(frozen=True)
class Coverage:
    """How a dataset covers a request's terms."""

    score: float  # 0..1 (plus theme/region boosts)
    matched: tuple[str, ...]
    fields: tuple[str, ...]


def coverage(
    fields: Mapping[str, frozenset[str]],
    terms: Sequence[Term],
    weights: Mapping[str, float],
    *,
    theme_match: bool = False,
    region_match: float = 0.0,
) -> Coverage:
    """The weighted share of the request's terms a dataset's fields hold (each term counted at
    its best field), with small boosts for the request's theme and region."""
    total = sum(t.weight * weights.get(t.text, 1.0) for t in terms)
    got = 0.0
    matched: list[str] = []
    where: list[str] = []
    for t in terms:
        best = 0.0
        for name, forms in fields.items():
            if t.found_in(forms):
                best = max(best, FIELD_WEIGHTS.get(name, 0.5))
                if name not in where:
                    where.append(name)
        if best:
            matched.append(t.text)
            got += best * t.weight * weights.get(t.text, 1.0)
    if not matched:
        return Coverage(0.0, (), ())
    score = got / total if total else 0.0
    score += 0.1 * theme_match + 0.05 * region_match
    order = list(FIELD_WEIGHTS)
    where.sort(key=lambda f: order.index(f) if f in order else len(order))
    return Coverage(round(score, 4), tuple(matched), tuple(where))


# ----- organisations ---------------------------------------------------------------------------
@dataclass(frozen=True)
class OrgEvidence:
    """What is known of one organisation for a request (counts over datasets the caller sees)."""

    name: str
    term_counts: Mapping[str, int]  # request term -> its datasets holding it
    datasets: int = 0  # visible datasets in all
    theme_count: int = 0  # of them, in the request's theme
    region_count: int = 0  # of them, covering the request's region (or nationwide)
    past: float = 0.0  # similarity of the request with requests it answered (0..1)
    past_count: int = 0  # how many of those answers are similar
    past_shared: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrgScore:
    name: str
    score: float
    catalog: float
    top_terms: tuple[tuple[str, int], ...]  # (term, datasets) best first


W_THEME = 0.25
W_REGION = 0.15
W_PAST = 1.0


def org_scores(
    evidence: Sequence[OrgEvidence], terms: Sequence[Term], *, n_orgs: int
) -> list[OrgScore]:
    """Rank organisations: TF-IDF over organisations of the request's terms in their
    catalogues (a term few organisations hold says more), plus theme, region and past answers.
    The catalogue part is normalised by what a holder of every term once would score."""
    df = Counter(t for e in evidence for t, n in e.term_counts.items() if n > 0)
    n = max(n_orgs, len(evidence), 1)
    weight = {t.text: t.weight for t in terms}
    ideal = sum(t.weight * math.log(1.0 + n) for t in terms) or 1.0
    out = []
    for e in evidence:
        parts = []
        for term, count in e.term_counts.items():
            if count <= 0:
                continue
            w = weight.get(term, 1.0) * math.log(1.0 + n / df[term]) * (1.0 + math.log(count))
            parts.append((w, term, count))
        parts.sort(key=lambda p: (-p[0], p[1]))
        catalog = sum(p[0] for p in parts) / ideal
        theme = (0.5 + 0.5 * e.theme_count / e.datasets) if e.theme_count and e.datasets else 0.0
        region = (0.5 + 0.5 * e.region_count / e.datasets) if e.region_count and e.datasets else 0.0
        score = catalog + W_THEME * theme + W_REGION * region + W_PAST * e.past
        if catalog > 0 or e.past > 0 or theme > 0:
            out.append(
                OrgScore(e.name, round(score, 4), catalog, tuple((t, c) for _, t, c in parts))
            )
    out.sort(key=lambda o: (-o.score, o.name))
    return out


# ----- request similarity (duplicates, past answers) -------------------------------------------
def features(text: str, synonyms: Mapping[str, str] | None = None) -> list[str]:
    """The terms a request is compared by: each content word's particle-free form and its
    morphemes, and the join of two neighbouring Hangul words (교통 사고 → 교통사고), so spacing
    and particles do not matter. A word with a synonym counts as its set's representative."""
    syn = synonyms or {}
    out: list[str] = []
    prev: str | None = None
    for w in analyze(text[: 2 * MAX_TEXT]):
        if _stop(w):
            prev = None
            continue
        hangul = bool(HANGUL_RE.search(w.content))
        if w.content in syn:
            out.append(syn[w.content])
            prev = syn[w.content] if hangul else None
            continue
        out.append(w.content if hangul else (w.parts[0] if w.parts else w.content))
        out.extend(m for m in _morphemes(w) if len(m) >= 2 or not hangul)
        if prev is not None and hangul:
            out.append(prev + w.content)
        prev = w.content if hangul else None
    return out


def tfidf(docs: Sequence[Sequence[str]]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors of term lists (log term frequency, smoothed idf)."""
    n = len(docs)
    df = Counter(t for d in docs for t in set(d))
    out = []
    for d in docs:
        tf = Counter(d)
        vec = {
            t: (1.0 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1.0) for t, c in tf.items()
        }
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out.append({t: v / norm for t, v in vec.items()})
    return out


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


@dataclass(frozen=True)
class Similar:
    index: int  # position in the compared texts
    score: float  # 0..1
    shared: tuple[str, ...]  # the new text's words both hold, weightiest first


def similar(
    text: str,
    others: Sequence[str],
    *,
    synonyms: Mapping[str, str] | None = None,
    threshold: float = DUPLICATE_THRESHOLD,
    limit: int = 5,
) -> list[Similar]:
    """Which of `others` say what `text` says: cosine of TF-IDF vectors over the request terms
    (idf over `others` and `text`), at least `threshold`, best first, at most `limit`."""
    syn = synonyms or {}
    docs = [features(text, syn)] + [features(o, syn) for o in others]
    if not docs[0]:
        return []
    vecs = tfidf(docs)
    mine = vecs[0]
    words = [w.content for w in analyze(text) if not _stop(w)]
    out = []
    for i, vec in enumerate(vecs[1:]):
        score = min(1.0, cosine(mine, vec))
        if score < threshold:
            continue
        both = set(mine) & set(vec)
        shared = [w for w in dict.fromkeys(words) if syn.get(w, w) in both]
        shared.sort(key=lambda w: -mine.get(syn.get(w, w), 0.0))
        out.append(Similar(i, round(score, 4), tuple(shared)))
    out.sort(key=lambda s: (-s.score, s.index))
    return out[:limit]


def past_similarity(
    text: str, answered: Mapping[str, Sequence[str]], *, synonyms: Mapping[str, str] | None = None
) -> dict[str, tuple[float, int, tuple[str, ...]]]:
    """For each organisation, how close `text` is to the requests it answered: (best cosine,
    how many are similar, shared words of the best)."""
    orgs = [o for o, texts in answered.items() if texts]
    flat = [(o, t) for o in orgs for t in answered[o]]
    if not flat:
        return {}
    found = similar(text, [t for _, t in flat], synonyms=synonyms, threshold=0.15, limit=len(flat))
    out: dict[str, tuple[float, int, tuple[str, ...]]] = {}
    for s in found:
        org = flat[s.index][0]
        best, count, shared = out.get(org, (0.0, 0, ()))
        out[org] = (max(best, s.score), count + 1, shared if best >= s.score else s.shared)
    return out


def synonym_map(sets: Iterable[Sequence[str]]) -> dict[str, str]:
    """One-word synonyms mapped to one representative (the smallest one-word term of their set,
    whichever order the sets come in), for comparing requests; it maps to itself, so it is
    compared whole as well."""
    out: dict[str, str] = {}
    for s in sets:
        single = sorted(t for t in s if " " not in t)
        if len(single) < 2:
            continue
        for t in single:
            out[t] = min(out.get(t, single[0]), single[0])
    return out
