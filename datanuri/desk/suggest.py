"""What may already answer a data request, and who likely holds the data: datasets found by the
request's text (with why they match), organisations ranked from their catalogue, themes and past
answers, and existing requests that look like the same one (to join instead of filing twice).

Datasets come from the search service (which applies visibility, Korean analysis, synonyms and
the loosening of a query none of whose records hold every word): one search for the request's
key terms together and one per key term, whose totals and organisation facets also give the
IDF weights and each organisation's catalogue counts. The scoring is pure (`similarity`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from datanuri import errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.models import Organization
from datanuri.accounts.principal import Principal
from datanuri.catalog.documents import SearchDoc
from datanuri.catalog.vocab import NATIONWIDE_ID as NATIONWIDE
from datanuri.catalog.vocab import THEMES
from datanuri.desk.reasons import catalog_reason, past_reason, region_reason, theme_reason
from datanuri.desk.similarity import (
    OrgEvidence,
    Term,
    coverage,
    doc_fields,
    idf,
    key_terms,
    org_scores,
    past_similarity,
    similar,
    synonym_map,
    with_synonyms,
)
from datanuri.regions import ids
from datanuri.search.service import MAX_QUERY_CHARS, SearchResult, SearchService
from datanuri.store.db import Database

MAX_LIMIT = 20
CANDIDATES = 30  # datasets read from each search
QUERY_TERMS = 8  # key terms in the joint query
FACET_LIMIT = 10_000
MIN_DATASET_SCORE = 0.3  # measured on the labelled set: answers score 0.32 and up
MIN_ORG_SCORE = 0.3
MAX_TERM_REASONS = 2
SPELLED_WEIGHT = 0.8  # a word found only as corrected counts a little less
COMMON_SHARE = 0.5  # a word most datasets hold does not make a suggestion on its own


@dataclass(frozen=True)
class RequestText:
    """The parts of a request that suggestions are computed from."""

    title: str
    description: str = ""
    theme: str | None = None
    region: str | None = None  # 시도/시군구 code (datanuri.regions)


@dataclass(frozen=True)
class OpenRequest:
    """An existing request a new one may duplicate."""

    id: int
    title: str
    description: str


@dataclass(frozen=True)
class DatasetMatch:
    """An existing dataset that may answer the request, and why."""

    name: str
    title: str
    organization: str
    score: float
    matched: tuple[str, ...]  # the request's terms found in the dataset
    fields: tuple[str, ...]  # where they were found: "title", "keywords", "columns", ...
    listings: tuple[int, ...] = ()  # its market listings on sale (ids): it can be bought


@dataclass(frozen=True)
class OrgMatch:
    """An organisation likely to hold the data, with its reasons as (Korean, English) texts."""

    name: str
    title: str
    score: float
    reasons: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DuplicateMatch:
    """An existing request that looks like the same one."""

    request_id: int
    title: str
    score: float  # 0..1
    shared: tuple[str, ...]  # terms both share


@dataclass(frozen=True)
class Suggestions:
    datasets: tuple[DatasetMatch, ...] = ()
    organizations: tuple[OrgMatch, ...] = ()
    duplicates: tuple[DuplicateMatch, ...] = ()


class Suggester:
    """Suggestions for a request text, only from what `principal` may see."""

    def __init__(self, db: Database, search: SearchService, access: AccessControl) -> None:
        self.db, self.search, self.access = db, search, access

    def suggest(
        self,
        text: RequestText,
        *,
        principal: Principal,
        open_requests: Sequence[OpenRequest] = (),
        past_answers: Mapping[str, Sequence[str]] = {},  # organisation -> texts it answered
        limit: int = 5,
    ) -> Suggestions:
        limit = max(0, min(int(limit), MAX_LIMIT))
        if not limit:
            return Suggestions()
        table = self.search.synonym_table()
        syn = synonym_map([k, *v] for k, v in table.others.items())
        terms = with_synonyms(key_terms(text.title, text.description), table.alternatives)
        look = self._look_up(terms, text, principal) if terms else None
        datasets = self._datasets(look, terms, text, principal, limit) if look else ()
        orgs = self._organizations(look, terms, text, past_answers, syn, limit)
        return Suggestions(datasets, orgs, self._duplicates(text, open_requests, syn, limit))

    # ----- reading the catalogue through search (visibility applied there) --------------------
    def _look_up(self, terms: Sequence[Term], text: RequestText, principal: Principal) -> Lookup:
        """One search per key term (how many visible datasets hold it, and which organisations),
        one with the key terms together, and counts by organisation, theme and region."""
        find = self.search.search
        every = find("", principal=principal, per_page=1, facet_limit=FACET_LIMIT)
        look = Lookup(
            total=every.total,
            org_totals=_counts(every.facets, "organization"),
        )
        candidates: dict[str, tuple[SearchDoc, int]] = {}

        def take(docs: Sequence[SearchDoc], rank_base: int) -> None:
            for i, d in enumerate(docs):
                if d.name not in candidates or candidates[d.name][1] > rank_base + i:
                    candidates[d.name] = (d, rank_base + i)

        query = " ".join(t.text for t in terms[:QUERY_TERMS])[:MAX_QUERY_CHARS]
        joint = find(query, principal=principal, per_page=CANDIDATES, facets=False)
        take(joint.docs, 0)
        for term in terms:
            t, r = self._term_search(term, principal)
            if any(x.text == t.text for x in look.terms):  # a misspelling of a word already there
                continue
            look.terms.append(t)
            if r.mode != "all" or not r.total:  # the word itself is in no visible dataset
                look.df[t.text] = 0
                continue
            look.df[t.text] = r.total
            for org, n in _counts(r.facets, "organization").items():
                look.term_orgs.setdefault(org, {})[t.text] = n
            take(r.docs, CANDIDATES)
        if text.theme:
            r = find(
                "",
                principal=principal,
                filters={"theme": [text.theme]},
                per_page=1,
                facet_limit=FACET_LIMIT,
            )
            look.theme_orgs = _counts(r.facets, "organization")
        sido = _sido(text.region)
        if sido:
            r = find(
                "",
                principal=principal,
                filters={"region": [sido, NATIONWIDE]},
                per_page=1,
                facet_limit=FACET_LIMIT,
            )
            look.region_orgs = _counts(r.facets, "organization")
        look.candidates = candidates
        return look

    def _term_search(self, t: Term, principal: Principal) -> tuple[Term, SearchResult]:
        """The search for one key term; a word the catalogue does not know is searched again as
        the search's "did you mean" spells it (미세먼즤 → 미세먼지), and stands for it if found."""
        find = self.search.search
        r = find(t.text, principal=principal, per_page=CANDIDATES, facet_limit=FACET_LIMIT)
        if (r.mode == "all" and r.total) or not r.suggestion:
            return t, r
        fixed = with_synonyms(key_terms(r.suggestion), self.search.synonym_table().alternatives)
        if len(fixed) != 1 or fixed[0].text == t.text:
            return t, r
        again = find(
            fixed[0].text, principal=principal, per_page=CANDIDATES, facet_limit=FACET_LIMIT
        )
        if again.mode != "all" or not again.total:
            return t, r
        return replace(fixed[0], weight=t.weight * SPELLED_WEIGHT), again

    def _datasets(
        self,
        look: Lookup,
        terms: Sequence[Term],
        text: RequestText,
        principal: Principal,
        limit: int,
    ) -> tuple[DatasetMatch, ...]:
        terms = look.terms or terms
        weights = {t.text: idf(look.df.get(t.text, 0), look.total) for t in terms}
        sido = _sido(text.region)
        scored = []
        for doc, rank in look.candidates.values():
            cov = coverage(
                doc_fields(doc),
                terms,
                weights,
                theme_match=bool(text.theme) and doc.theme == text.theme,
                region_match=_region_match(doc.regions, sido),
            )
            if cov.score >= MIN_DATASET_SCORE and _telling(cov.matched, look):
                scored.append((cov, rank, doc))
        scored.sort(key=lambda x: (-x[0].score, x[1], x[2].name))
        out: list[DatasetMatch] = []
        with self.db.session() as s:
            for cov, _, doc in scored:
                if len(out) >= limit:
                    break
                if self._may_read(s, doc.name, principal):
                    out.append(
                        DatasetMatch(
                            doc.name,
                            doc.title,
                            doc.organization,
                            cov.score,
                            cov.matched,
                            cov.fields,
                            tuple(int(x["id"]) for x in doc.listings),
                        )
                    )
        return tuple(out)

    def _may_read(self, s: Session, name: str, principal: Principal) -> bool:
        """The catalogue's own check, besides the search index's visibility filter."""
        try:
            ds = self.access.dataset(s, name)
        except errors.NotFound:
            return False
        return self.access.decide(s, principal, "read_metadata", dataset=ds).allowed

    def _organizations(
        self,
        look: Lookup | None,
        terms: Sequence[Term],
        text: RequestText,
        past_answers: Mapping[str, Sequence[str]],
        syn: Mapping[str, str],
        limit: int,
    ) -> tuple[OrgMatch, ...]:
        look = look or Lookup()
        terms = look.terms or terms
        body = f"{text.title} {text.title} {text.description}"
        past = past_similarity(body, past_answers, synonyms=syn)
        names = set(look.term_orgs) | set(look.theme_orgs) | set(past)
        evidence = [
            OrgEvidence(
                name=o,
                term_counts=look.term_orgs.get(o, {}),
                datasets=look.org_totals.get(o, 0),
                theme_count=look.theme_orgs.get(o, 0),
                region_count=look.region_orgs.get(o, 0),
                past=past.get(o, (0.0, 0, ()))[0],
                past_count=past.get(o, (0.0, 0, ()))[1],
                past_shared=past.get(o, (0.0, 0, ()))[2],
            )
            for o in sorted(names)
        ]
        by_name = {e.name: e for e in evidence}
        ranked = [
            o
            for o in org_scores(evidence, terms, n_orgs=len(look.org_totals))
            if o.score >= MIN_ORG_SCORE
        ][:limit]
        titles = self._org_titles([o.name for o in ranked])
        out = []
        for o in ranked:
            if o.name not in titles:  # an organisation since removed
                continue
            e = by_name[o.name]
            reasons = [catalog_reason(t, n) for t, n in o.top_terms[:MAX_TERM_REASONS]]
            if text.theme and e.theme_count:
                label = THEMES.get(text.theme, (text.theme, text.theme))
                reasons.append(theme_reason(label[0], label[1], e.theme_count))
            sido = _sido(text.region)
            if sido and e.region_count:
                reasons.append(
                    region_reason(
                        ids.region_label(sido), ids.region_label(sido, "en"), e.region_count
                    )
                )
            if e.past_count:
                reasons.append(past_reason(e.past_count, e.past_shared))
            out.append(OrgMatch(o.name, titles[o.name], o.score, tuple(reasons)))
        return tuple(out)

    def _org_titles(self, names: Sequence[str]) -> dict[str, str]:
        if not names:
            return {}
        with self.db.session() as s:
            rows = s.execute(
                select(Organization.name, Organization.title).where(Organization.name.in_(names))
            )
            return {n: t for n, t in rows}

    def _duplicates(
        self,
        text: RequestText,
        open_requests: Sequence[OpenRequest],
        syn: Mapping[str, str],
        limit: int,
    ) -> tuple[DuplicateMatch, ...]:
        if not open_requests:
            return ()
        found = similar(
            f"{text.title} {text.title} {text.description}",
            [f"{r.title} {r.title} {r.description}" for r in open_requests],
            synonyms=syn,
            limit=limit,
        )
        return tuple(
            DuplicateMatch(
                open_requests[s.index].id, open_requests[s.index].title, s.score, s.shared
            )
            for s in found
        )


@dataclass
class Lookup:
    """What the searches told about a request (mutable while it is read)."""

    total: int = 0  # visible datasets
    terms: list[Term] = field(default_factory=list)  # the key terms, as spelled in the catalogue
    org_totals: dict[str, int] = field(default_factory=dict)
    df: dict[str, int] = field(default_factory=dict)  # term -> visible datasets holding it
    term_orgs: dict[str, dict[str, int]] = field(default_factory=dict)  # org -> term -> count
    theme_orgs: dict[str, int] = field(default_factory=dict)
    region_orgs: dict[str, int] = field(default_factory=dict)
    candidates: dict[str, tuple[SearchDoc, int]] = field(default_factory=dict)


def _counts(facets: Mapping[str, list[dict[str, Any]]], name: str) -> dict[str, int]:
    return {str(f["value"]): int(f["count"]) for f in facets.get(name, [])}


def _sido(region: str | None) -> str | None:
    if not region:
        return None
    rid = ids.to_id(region) or region
    return rid.split(":")[0] or None


def _region_match(regions: Sequence[str], sido: str | None) -> float:
    if not sido:
        return 0.0
    held = {r.split(":")[0] for r in regions}
    return 1.0 if sido in held else 0.5 if NATIONWIDE in held else 0.0


def _telling(matched: Sequence[str], look: Lookup) -> bool:
    """Whether a match says something: some matched word is not held by most datasets."""
    if look.total < 4:
        return bool(matched)
    return any(look.df.get(t, 0) <= COMMON_SHARE * look.total for t in matched)
