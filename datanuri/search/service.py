"""`platform.search`: keeps the index in step with the catalog and answers searches and the data map."""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from datanuri import errors, regions
from datanuri.accounts.models import Organization
from datanuri.accounts.policy import decide
from datanuri.accounts.principal import Principal
from datanuri.catalog.documents import SearchDoc
from datanuri.catalog.models import Dataset, Version
from datanuri.harvest.models import HarvestRecord
from datanuri.market.listings import published_summaries
from datanuri.regions import ids
from datanuri.search import messages as M
from datanuri.search.analysis import highlight_forms, query_words
from datanuri.search.backend import Index, open_index
from datanuri.search.documents import FACET_FIELDS, doc_from_orm
from datanuri.search.highlight import snippet
from datanuri.search.index import Filters, RawResult, Visibility
from datanuri.search.models import SynonymRow
from datanuri.search.query import Stage, ranked_stages
from datanuri.search.ranking import RankingConfig
from datanuri.search.suggest import Speller, suggestion
from datanuri.search.synonyms import (
    MAX_TERM_CHARS,
    MAX_TERMS_PER_SET,
    MAX_WORDS,
    SynonymSet,
    SynonymTable,
    normalize,
)
from datanuri.store.db import Database

log = logging.getLogger("datanuri.search")
SORTS = ("relevance", "newest", "title")
MAX_QUERY_CHARS = 500
MAX_PER_PAGE = 100
#: The deepest result a search pages to (pages past it are refused, not computed).
MAX_OFFSET = 100_000
MSG_QUERY_TOO_LONG = "The query is {n} characters long; keep it under " + str(MAX_QUERY_CHARS) + "."
MSG_PAGE_TOO_FAR = (
    "Results start at number {start:,}, past the last one a search pages to ({limit:,}). Narrow "
    "the search with words or filters, or use the catalogue dumps (/catalog.jsonld) for everything."
)
MSG_BAD_SORT = "Unknown sort {sort!r}; use one of: relevance, newest, title."
MSG_BAD_FACET = "Unknown facet {name!r}; known facets: " + ", ".join(FACET_FIELDS) + "."
MSG_BAD_DATE = "{what} must be a date like 2024-01-31; got {value!r}."
Progress = Callable[[int, int | None], None]
#: A search with fewer results than this (or not matching every word) gets a "did you mean".
SUGGEST_BELOW = 3
#: How long another process's synonym edits may take to reach this one's searches (seconds).
SYNONYMS_TTL = 10.0


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    page: int
    per_page: int
    sort: str
    mode: str
    results: list[dict[str, Any]]
    facets: dict[str, list[dict[str, Any]]]
    docs: tuple[SearchDoc, ...] = ()  # the records behind `results`, for other formats (CKAN)
    suggestion: str | None = None  # a corrected query ("did you mean"), when this one found little

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "pages": math.ceil(self.total / self.per_page) if self.per_page else 0,
            "sort": self.sort,
            "mode": self.mode,
            "results": self.results,
            "facets": self.facets,
            "suggestion": self.suggestion,
        }


def visibility_for(p: Principal) -> Visibility:
    """Which datasets `p` may find, by the same policy the catalog applies to `read_metadata`."""
    if not decide(p, "read_metadata", access_level="open").allowed:
        return Visibility(nothing=True)
    if decide(p, "read_metadata", access_level="personal", metadata_public=False).allowed:
        return Visibility(all_hidden=True)
    orgs = frozenset(
        o
        for o in p.org_roles
        if decide(p, "read_metadata", org=o, access_level="personal", metadata_public=False).allowed
    )
    return Visibility(orgs=orgs)


def parse_date(value: str | None, what: str, *, end: bool = False) -> str | None:
    """An ISO bound for `updated_at` comparisons; an end date includes its whole day."""
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise errors.InvalidInput(MSG_BAD_DATE.format(what=what, value=value)) from exc
    if end:
        day += dt.timedelta(days=1)
    return day.isoformat()


def region_filter(values: Sequence[str]) -> list[str]:
    """Region filter values as ids; names ("서울특별시", "서울특별시/종로구") and codes are read
    as the id they name, and a value naming nothing is kept (it matches nothing)."""
    return [ids.to_id(v) or v for v in values]


class SearchService:
    """Search over the catalog with an index chosen by `backend` (`backend.choose`): an FTS5
    file in `index_dir`, or tables of the PostgreSQL database shared by every process."""

    def __init__(
        self,
        db: Database,
        index_dir: Path,
        *,
        ranking: RankingConfig | None = None,
        backend: str = "auto",
    ) -> None:
        self.db = db
        self.index: Index = open_index(db, Path(index_dir), ranking, backend)
        self._lock = threading.Lock()
        self._synonyms: tuple[float, SynonymTable] | None = None
        self._speller: tuple[tuple[int, int], Speller] | None = None
        if self.index.fresh:
            self.reindex()

    def close(self) -> None:
        self.index.close()

    # ----- keeping in step --------------------------------------------------------------------
    def on_change(self, name: str) -> None:
        """Catalog listener: re-index one dataset (or drop it if gone). Never fails the caller."""
        try:
            self.refresh(name)
        except Exception:  # the catalog change is committed; a stale entry is fixed by reindex
            log.exception(
                "could not update the search index for %s; run `datanuri search reindex`", name
            )

    def refresh(self, name: str) -> None:
        with self.db.session() as s:
            ds = s.scalar(select(Dataset).where(Dataset.name == name).options(*self._load()))
            doc = (  # drafts and datasets whose versions were all withdrawn are in no list
                doc_from_orm(
                    ds,
                    source=self._sources(s, [name]).get(name),
                    listings=published_summaries(s, [ds.id]).get(ds.id, ()),
                )
                if ds is not None and ds.listed
                else None
            )
        if doc is None:
            self.index.delete(name)
        else:
            self.index.put(doc)

    def on_org_change(self, organization: str) -> None:
        """Accounts listener: re-index an organisation's datasets (e.g. it became official)."""
        try:
            with self.db.session() as s:
                rows = list(
                    s.scalars(
                        select(Dataset)
                        .join(Dataset.organization)
                        .where(Organization.name == organization)
                        .options(*self._load())
                    )
                )
                sources = self._sources(s, [d.name for d in rows])
                offers = published_summaries(s, [d.id for d in rows])
                docs = [
                    doc_from_orm(d, source=sources.get(d.name), listings=offers.get(d.id, ()))
                    for d in rows
                ]
            self.index.put_many(docs)
        except Exception:  # the change is committed; a stale entry is fixed by reindex
            log.exception(
                "could not update the search index for %s; run `datanuri search reindex`",
                organization,
            )

    @staticmethod
    def _sources(s: Any, names: Sequence[str]) -> dict[str, str]:
        rows = s.execute(
            select(HarvestRecord.dataset_name, HarvestRecord.remote_url).where(
                HarvestRecord.dataset_name.in_(names)
            )
        )
        return {n: u for n, u in rows}

    def fresh_doc(self, name: str) -> SearchDoc | None:
        """The record of one dataset read now from the catalog (no visibility check; callers check)."""
        with self.db.session() as s:
            ds = s.scalar(select(Dataset).where(Dataset.name == name).options(*self._load()))
            return (
                doc_from_orm(
                    ds,
                    source=self._sources(s, [name]).get(name),
                    listings=published_summaries(s, [ds.id]).get(ds.id, ()),
                )
                if ds is not None
                else None
            )

    @staticmethod
    def _load() -> list[Any]:
        return [
            selectinload(Dataset.versions).selectinload(Version.distributions),
            selectinload(Dataset.organization),
        ]

    def reindex(self, *, progress: Progress | None = None, batch: int = 500) -> int:
        """Rebuild the index from the catalog; returns the number of datasets indexed."""
        with self.db.session() as s:
            names = list(s.scalars(select(Dataset.name).order_by(Dataset.id)))
        self.index.clear()
        done = 0
        for i in range(0, len(names), batch):
            with self.db.session() as s:
                chunk = names[i : i + batch]
                sources = self._sources(s, chunk)
                rows = list(
                    s.scalars(select(Dataset).where(Dataset.name.in_(chunk)).options(*self._load()))
                )
                offers = published_summaries(s, [d.id for d in rows])
                docs = [
                    doc_from_orm(d, source=sources.get(d.name), listings=offers.get(d.id, ()))
                    for d in rows
                    if d.listed
                ]
            done += self.index.put_many(docs)
            if progress:
                progress(done, len(names))
        return done

    # ----- searching ----------------------------------------------------------------------------
    def search(
        self,
        q: str = "",
        *,
        principal: Principal,
        filters: Mapping[str, Sequence[str]] | None = None,
        updated_from: str | None = None,
        updated_to: str | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
        offset: int | None = None,
        facets: bool = True,
        facet_limit: int = 50,
        max_per_page: int = MAX_PER_PAGE,
    ) -> SearchResult:
        """Find datasets. Values of one filter are alternatives; different filters all apply.

        Every word of `q` must match (in any of its analysed forms); if nothing does, any word may.
        """
        q = (q or "").strip()
        if len(q) > MAX_QUERY_CHARS:
            raise errors.InvalidInput(MSG_QUERY_TOO_LONG.format(n=len(q)))
        if sort not in SORTS:
            raise errors.InvalidInput(MSG_BAD_SORT.format(sort=sort))
        values: dict[str, list[str]] = {}
        for key, vals in (filters or {}).items():
            if key not in FACET_FIELDS and key != "sigungu":
                raise errors.InvalidInput(MSG_BAD_FACET.format(name=key))
            clean = [str(v) for v in ([vals] if isinstance(vals, str) else vals) if str(v).strip()]
            if key in ("region", "sigungu"):
                clean = region_filter(clean)
            if clean:
                values[key] = clean
        flt = Filters(
            values,
            parse_date(updated_from, "updated_from"),
            parse_date(updated_to, "updated_to", end=True),
        )
        page = max(1, int(page))
        per_page = (
            max(0, min(int(per_page), max_per_page))
            if offset is not None
            else max(1, min(int(per_page), max_per_page))
        )
        start = max(0, int(offset)) if offset is not None else (page - 1) * per_page
        if start > MAX_OFFSET:
            raise errors.InvalidInput(MSG_PAGE_TOO_FAR.format(start=start, limit=MAX_OFFSET))
        words = query_words(q)
        vis = visibility_for(principal)
        tries = (
            ranked_stages(words, self.index.matches_any, self.synonym_table()) if q else iter(())
        )
        first = next(tries, None)
        mode = first.mode if first else "all"
        raw = self._run(first, flt, vis, sort, start, per_page, facets, facet_limit)
        for stage in tries:  # nothing matched every word: loosen
            if raw.total:
                break
            mode = stage.mode
            raw = self._run(stage, flt, vis, sort, start, per_page, facets, facet_limit)
        fix = (
            suggestion(words, self.speller())
            if q and (mode != "all" or raw.total < SUGGEST_BELOW)
            else None
        )
        forms = highlight_forms(words)
        results = [self._result(h.doc, h.score, forms) for h in raw.hits]
        facet_out = {
            f: [{"value": v, "count": n} for v, n in raw.facets.get(f, [])] for f in FACET_FIELDS
        }
        return SearchResult(
            q,
            raw.total,
            page,
            per_page,
            sort,
            mode if q else "browse",
            results,
            facet_out,
            tuple(h.doc for h in raw.hits),
            fix,
        )

    def _run(
        self,
        stage: Stage | None,
        flt: Filters,
        vis: Visibility,
        sort: str,
        start: int,
        limit: int,
        facets: bool,
        facet_limit: int,
    ) -> RawResult:
        match = stage.expr if stage is not None else None
        if match is None and flt is not None and sort == "relevance":
            sort = "newest"
        try:
            return self.index.query(
                match,
                exact=stage.exact if stage is not None else None,
                filters=flt,
                visibility=vis,
                sort=sort,  # type: ignore[arg-type]
                offset=start,
                limit=limit,
                with_facets=facets,
                facet_limit=facet_limit,
            )
        except ValueError as exc:
            raise errors.InvalidInput(f"The query could not be run ({exc}); simplify it.") from exc

    @staticmethod
    def _result(doc: SearchDoc, score: float, forms: list[str]) -> dict[str, Any]:
        return {
            "name": doc.name,
            "title": doc.title,
            "title_highlight": snippet(doc.title, forms, width=300),
            "snippet": snippet(doc.description or doc.title, forms),
            "organization": doc.organization,
            "organization_title": doc.organization_title,
            "theme": doc.theme,
            "keywords": list(doc.keywords),
            "license": doc.license,
            "access_level": doc.access_level,
            "language": doc.language,
            "formats": list(doc.formats),
            "regions": list(doc.regions),
            "latest_version": doc.latest_version,
            "updated_at": doc.updated_at,
            "score": round(-score, 4),
            "url": f"/api/v1/datasets/{doc.name}",
        }

    # ----- synonyms and suggestions -------------------------------------------------------------
    def synonym_table(self) -> SynonymTable:
        """The synonym sets searches use (read again from the database every `SYNONYMS_TTL`)."""
        with self._lock:
            cached = self._synonyms
            if cached is not None and time.monotonic() - cached[0] < SYNONYMS_TTL:
                return cached[1]
        with self.db.session() as s:
            table = SynonymTable.of(r.terms for r in s.scalars(select(SynonymRow)))
        with self._lock:
            self._synonyms = (time.monotonic(), table)
        return table

    def speller(self) -> Speller:
        """The "did you mean" vocabulary of the index as it is now (rebuilt after writes)."""
        with self._lock:
            cached = self._speller
            gen = self.index.version()  # also changed by other processes writing the index
            if cached is not None and cached[0] == gen:
                return cached[1]
        sp = Speller(self.index.vocabulary())
        with self._lock:
            self._speller = (gen, sp)
        return sp

    def list_synonyms(self, *, principal: Principal) -> list[SynonymSet]:
        """Every synonym set, in the order they were made (platform admins)."""
        self._require_admin(principal)
        with self.db.session() as s:
            return [
                SynonymSet(r.id, tuple(r.terms), r.origin)
                for r in s.scalars(select(SynonymRow).order_by(SynonymRow.id))
            ]

    def add_synonyms(self, terms: Sequence[str], *, principal: Principal) -> SynonymSet:
        """Make these terms synonyms of each other (platform admins). A set already holding one
        of them takes the others in (sets sharing a term become one set)."""
        self._require_admin(principal)
        clean = list(dict.fromkeys(_clean_term(t) for t in terms))
        if len(clean) < 2:
            raise errors.InvalidInput(M.MSG_SYN_TOO_FEW[1])
        with self.db.session() as s:
            rows = list(s.scalars(select(SynonymRow).order_by(SynonymRow.id)))
            joined = [r for r in rows if set(r.terms) & set(clean)]
            merged = list(dict.fromkeys([t for r in joined for t in r.terms] + clean))
            if len(merged) > MAX_TERMS_PER_SET:
                raise errors.InvalidInput(M.MSG_SYN_TOO_MANY[1].format(n=MAX_TERMS_PER_SET))
            keep = joined[0] if joined else SynonymRow(origin="admin")
            keep.terms = merged
            keep.updated_at = dt.datetime.now(dt.UTC)
            if not joined:
                s.add(keep)
            for r in joined[1:]:
                s.delete(r)
            s.flush()
            out = SynonymSet(keep.id, tuple(merged), keep.origin)
        self._forget_synonyms()
        return out

    def remove_synonym(self, term: str, *, principal: Principal) -> list[SynonymSet]:
        """Take a term out of every set (platform admins); a set left with one term goes.
        Returns the sets that changed, as they are now (empty terms: removed)."""
        self._require_admin(principal)
        key = normalize(term)
        changed: list[SynonymSet] = []
        with self.db.session() as s:
            for r in s.scalars(select(SynonymRow).order_by(SynonymRow.id)):
                if key not in r.terms:
                    continue
                rest = [t for t in r.terms if t != key]
                if len(rest) < 2:
                    s.delete(r)
                    changed.append(SynonymSet(r.id, (), r.origin))
                else:
                    r.terms = rest
                    r.updated_at = dt.datetime.now(dt.UTC)
                    changed.append(SynonymSet(r.id, tuple(rest), r.origin))
        if not changed:
            raise errors.NotFound(M.MSG_SYN_NOT_FOUND[1].format(term=term))
        self._forget_synonyms()
        return changed

    def _forget_synonyms(self) -> None:
        with self._lock:
            self._synonyms = None

    @staticmethod
    def _require_admin(principal: Principal) -> None:
        d = decide(principal, "manage_search")
        if d.allowed:
            return
        if d.login_helps:
            raise errors.NotAuthenticated(d.reason)
        raise errors.PermissionDenied(d.reason)

    def get_docs(self, names: Sequence[str]) -> list[SearchDoc]:
        """Index records of these datasets (no visibility check; callers filter)."""
        return [d for d in (self.index.get(n) for n in names) if d is not None]

    # ----- data map -----------------------------------------------------------------------------
    def datamap(self, *, principal: Principal) -> dict[str, Any]:
        """The catalog as trees with counts: by theme, by organisation, by region (시도 → 시군구),
        and how many datasets have a market listing on sale (`for_sale`)."""
        vis = visibility_for(principal)
        total = self.index.query(
            None, filters=Filters(), visibility=vis, limit=0, with_facets=False
        ).total
        themes = self.index.facet_counts("theme", vis)
        orgs = self.index.facet_counts("organization", vis)
        titles = self.index.org_titles()
        by_sido = dict(self.index.facet_counts("region", vis))
        by_sgg = dict(self.index.facet_counts("sigungu", vis))
        tree = []
        for s in regions.sido_list():
            children = [
                {"name": g, "count": by_sgg[f"{s.code}:{g}"]}
                for g in s.sigungu
                if f"{s.code}:{g}" in by_sgg
            ]
            tree.append(
                {
                    "code": s.code,
                    "name": s.name,
                    "name_en": s.name_en,
                    "count": by_sido.get(s.code, 0),
                    "children": children,
                }
            )
        return {
            "total": total,
            "themes": [{"name": t, "count": n} for t, n in themes],
            "organizations": [{"name": o, "title": titles.get(o, o), "count": n} for o, n in orgs],
            "regions": tree,
            "for_sale": dict(self.index.facet_counts("for_sale", vis)).get("yes", 0),
        }


def _clean_term(term: str) -> str:
    """A term as stored (normalised), or an error saying what a term may be."""
    key = normalize(str(term))
    if not key or len(key) > MAX_TERM_CHARS or len(key.split()) > MAX_WORDS:
        raise errors.InvalidInput(
            M.MSG_SYN_BAD_TERM[1].format(term=str(term)[:80], words=MAX_WORDS, chars=MAX_TERM_CHARS)
        )
    return key
