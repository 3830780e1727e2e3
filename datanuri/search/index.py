"""The embedded search index: one SQLite file with an FTS5 table (BM25 ranking) over analysed
terms, a documents table and a facet table. Safe to share between threads and processes."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from datanuri.catalog.documents import SearchDoc
from datanuri.search.analysis import ANALYZER_VERSION, analyze, index_strings, prime
from datanuri.search.documents import signals_of
from datanuri.search.ranking import RankingConfig, quality_sql, scale

SCHEMA_VERSION = "8"  # 7: regions as ids ("11", "11:종로구"); 8: ranking signals
Sort = Literal["relevance", "newest", "title"]

DDL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, organization TEXT NOT NULL,
  title TEXT NOT NULL, updated TEXT NOT NULL, hidden INTEGER NOT NULL,
  official REAL NOT NULL, size_s REAL NOT NULL, downloads_s REAL NOT NULL,
  completeness REAL NOT NULL, tiny REAL NOT NULL, fresh_day REAL);
CREATE INDEX IF NOT EXISTS docs_updated ON docs(updated DESC, id);
CREATE INDEX IF NOT EXISTS docs_title ON docs(title, id);
CREATE INDEX IF NOT EXISTS docs_hidden ON docs(organization) WHERE hidden = 1;
CREATE TABLE IF NOT EXISTS docs_data(id INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS facet_values(code INTEGER PRIMARY KEY, field TEXT NOT NULL, value TEXT NOT NULL,
  UNIQUE(field, value));
CREATE TABLE IF NOT EXISTS facets(doc_id INTEGER NOT NULL, code INTEGER NOT NULL,
  PRIMARY KEY(doc_id, code)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS facets_code ON facets(code);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(title_t, kw_t, desc_t, other_t, title_g, body_g,
  tokenize="unicode61 remove_diacritics 0");
CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts5(w, tokenize="unicode61 remove_diacritics 0");
CREATE VIRTUAL TABLE IF NOT EXISTS words_vocab USING fts5vocab(words, 'row');
"""


# Ids of the documents with one of some values of a facet field (parameters: field, values...).
FACET_IDS = (
    "SELECT f.doc_id FROM facets f JOIN facet_values v ON v.code = f.code "
    "WHERE v.field = ? AND v.value IN ({marks})"
)


@dataclass(frozen=True)
class Visibility:
    """Which hidden (personal, metadata not public) datasets a caller may see."""

    all_hidden: bool = False
    orgs: frozenset[str] = frozenset()
    nothing: bool = False


@dataclass
class Filters:
    """Facet filters (values of one field are OR-ed, fields AND-ed) and an update-date range."""

    values: dict[str, list[str]] = field(default_factory=dict)
    updated_from: str | None = None
    updated_to: str | None = None


@dataclass(frozen=True)
class RawHit:
    doc: SearchDoc
    score: float


@dataclass(frozen=True)
class RawResult:
    hits: list[RawHit]
    total: int
    facets: dict[str, list[tuple[str, int]]]


def doc_other(doc: SearchDoc) -> str:
    """The text of the lowest-weighted column: organisation, place, name and column names."""
    return " ".join(
        [
            doc.organization_title,
            doc.spatial or "",
            doc.name.replace("-", " ").replace("_", " "),
            " ".join(doc.columns),
        ]
    )


def doc_keywords(doc: SearchDoc) -> str:
    """The text of the keywords column: the keywords and the theme."""
    return " ".join([*doc.keywords, doc.theme or ""])


def doc_body(doc: SearchDoc) -> str:
    """Everything searchable but the title (what the body n-grams are made of)."""
    return " ".join([doc.description, doc_keywords(doc), doc_other(doc)])


def doc_words(doc: SearchDoc) -> str:
    """The words (particle-free forms) of a record's title, keywords and description: the
    vocabulary "did you mean" corrects toward. Empty for a record whose metadata is hidden, so
    no suggestion reveals it."""
    if doc.hidden:
        return ""
    text = " ".join([doc.title, *doc.keywords, doc.description])
    return " ".join(dict.fromkeys(w.content for w in analyze(text) if w.content))


def doc_columns(doc: SearchDoc) -> tuple[str, str, str, str, str, str]:
    """The six FTS columns of a document: analysed terms of title, keywords, description and the
    rest, then n-grams of title and body."""
    tt, tg = index_strings(doc.title)
    kt, kg = index_strings(doc_keywords(doc))
    dt_, dg = index_strings(doc.description)
    ot, og = index_strings(doc_other(doc))
    # a keyword counts whole as well as in parts
    whole = " ".join(kw.lower().replace(" ", "") for kw in doc.keywords)
    kw = " ".join(x for x in (kt, whole) if x)
    return tt, kw, dt_, ot, tg, " ".join(x for x in (dg, kg, og) if x)


class SearchIndex:
    """An FTS5 index in `path`; `put`/`delete` keep it current, `query` answers searches."""

    def __init__(self, path: Path, ranking: RankingConfig | None = None) -> None:
        self.path = Path(path)
        self.ranking = ranking or RankingConfig()
        self._now = dt.datetime.now(dt.UTC)
        self.generation = 0  # bumped on every write: caches of the vocabulary compare it
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            str(self.path), check_same_thread=False, timeout=30, isolation_level=None
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        # Queries read postings and records all over the file: keep it mapped and well cached.
        self._conn.execute("PRAGMA mmap_size=1073741824")
        self._conn.execute("PRAGMA cache_size=-65536")
        self._conn.execute("PRAGMA temp_store=MEMORY")
        self.fresh = self._prepare()

    def _prepare(self) -> bool:
        """Create the tables; drop them first if made by another analyser. True if now empty."""
        with self._lock:
            c = self._conn
            want = f"{SCHEMA_VERSION}:{ANALYZER_VERSION}"
            try:  # read the version before running the DDL: an older layout may not take it
                row = c.execute("SELECT value FROM meta WHERE key='version'").fetchone()
            except sqlite3.OperationalError:
                row = None
            if row is None or row[0] != want:
                c.executescript(
                    "DROP TABLE IF EXISTS words_vocab; DROP TABLE IF EXISTS words;"
                    "DROP TABLE IF EXISTS fts; DROP TABLE IF EXISTS facets; DROP TABLE IF EXISTS docs;"
                    "DROP TABLE IF EXISTS facet_values;"
                    "DROP TABLE IF EXISTS docs_data;"
                    "DROP TABLE IF EXISTS meta;"
                )
                c.executescript(DDL)
                c.execute("INSERT INTO meta(key, value) VALUES('version', ?)", (want,))
                return True
            c.executescript(DDL)
            return self.count() == 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM docs").fetchone()[0])

    # ----- writing --------------------------------------------------------------------------
    def put(self, doc: SearchDoc) -> None:
        self.put_many([doc])

    def put_many(
        self,
        docs: Iterable[SearchDoc],
        *,
        columns: Sequence[tuple[str, str, str, str, str, str]] | None = None,
    ) -> int:
        """Insert or replace documents in one transaction (analysing them unless `columns` given)."""
        docs = list(docs)
        if columns is None:
            prime(
                t for d in docs for t in (d.title, doc_body(d))
            )  # one Kiwi call for the new words
        cols = list(columns) if columns is not None else [doc_columns(d) for d in docs]
        n = len(docs)
        if not n:
            return 0
        if len({d.name for d in docs}) < n:  # the same dataset twice: its last record counts
            last = {d.name: (d, col) for d, col in zip(docs, cols, strict=True)}
            docs, cols = [d for d, _ in last.values()], [col for _, col in last.values()]
        with self._lock:
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            try:
                self._delete_many([d.name for d in docs])
                first = int(c.execute("SELECT coalesce(max(id), 0) + 1 FROM docs").fetchone()[0])
                ids = range(first, first + len(docs))
                sig = [scale(signals_of(d), self.ranking.signals) for d in docs]
                c.executemany(
                    "INSERT INTO docs(id, name, organization, title, updated, hidden, official, size_s,"
                    " downloads_s, completeness, tiny, fresh_day) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
                    [
                        (
                            i,
                            d.name,
                            d.organization,
                            d.title.casefold(),
                            d.updated_at,
                            int(d.hidden),
                            g.official,
                            g.size,
                            g.downloads,
                            g.completeness,
                            g.tiny,
                            g.fresh_day,
                        )
                        for i, d, g in zip(ids, docs, sig, strict=True)
                    ],
                )
                c.executemany(
                    "INSERT INTO docs_data(id, data) VALUES(?,?)",
                    [
                        (i, json.dumps(d.to_dict(), ensure_ascii=False))
                        for i, d in zip(ids, docs, strict=True)
                    ],
                )
                c.executemany(
                    "INSERT INTO fts(rowid, title_t, kw_t, desc_t, other_t, title_g, body_g)"
                    " VALUES(?,?,?,?,?,?,?)",
                    [(i, *fts) for i, fts in zip(ids, cols, strict=True)],
                )
                c.executemany(
                    "INSERT INTO words(rowid, w) VALUES(?,?)",
                    [(i, doc_words(d)) for i, d in zip(ids, docs, strict=True)],
                )
                codes = self._facet_codes({p for d in docs for p in d.facet_values()})
                c.executemany(
                    "INSERT OR IGNORE INTO facets(doc_id, code) VALUES(?,?)",
                    [
                        (i, codes[p])
                        for i, d in zip(ids, docs, strict=True)
                        for p in d.facet_values()
                    ],
                )
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
            self.generation += 1
        return n

    def _facet_codes(self, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The integer code of each (field, value), adding new ones; inside a transaction."""
        c = self._conn
        c.executemany("INSERT OR IGNORE INTO facet_values(field, value) VALUES(?,?)", sorted(pairs))
        by_field: dict[str, list[str]] = {}
        for f, v in pairs:
            by_field.setdefault(f, []).append(v)
        codes: dict[tuple[str, str], int] = {}
        for f, values in by_field.items():
            for i in range(0, len(values), 500):
                chunk = values[i : i + 500]
                for v, code in c.execute(
                    f"SELECT value, code FROM facet_values WHERE field = ? AND value IN "
                    f"({','.join('?' * len(chunk))})",
                    [f, *chunk],
                ):
                    codes[(f, v)] = code
        return codes

    def _delete_many(self, names: Sequence[str]) -> None:
        """Remove these documents (those present) from every table; inside a transaction."""
        c = self._conn
        for i in range(0, len(names), 500):
            chunk = list(names[i : i + 500])
            ids = [
                (r[0],)
                for r in c.execute(
                    f"SELECT id FROM docs WHERE name IN ({','.join('?' * len(chunk))})", chunk
                )
            ]
            if ids:
                c.executemany("DELETE FROM fts WHERE rowid=?", ids)
                c.executemany("DELETE FROM words WHERE rowid=?", ids)
                c.executemany("DELETE FROM facets WHERE doc_id=?", ids)
                c.executemany("DELETE FROM docs WHERE id=?", ids)
                c.executemany("DELETE FROM docs_data WHERE id=?", ids)

    def _delete(self, name: str) -> None:
        row = self._conn.execute("SELECT id FROM docs WHERE name=?", (name,)).fetchone()
        if row is None:
            return
        self._conn.execute("DELETE FROM fts WHERE rowid=?", (row[0],))
        self._conn.execute("DELETE FROM words WHERE rowid=?", (row[0],))
        self._conn.execute("DELETE FROM facets WHERE doc_id=?", (row[0],))
        self._conn.execute("DELETE FROM docs WHERE id=?", (row[0],))
        self._conn.execute("DELETE FROM docs_data WHERE id=?", (row[0],))

    def delete(self, name: str) -> None:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._delete(name)
            self._conn.execute("COMMIT")
            self.generation += 1

    def clear(self) -> None:
        with self._lock:
            self._conn.executescript(
                "BEGIN; DELETE FROM fts; DELETE FROM words; DELETE FROM facets; DELETE FROM facet_values; "
                "DELETE FROM docs; DELETE FROM docs_data; COMMIT;"
            )
            self.generation += 1

    def names(self) -> set[str]:
        with self._lock:
            return {r[0] for r in self._conn.execute("SELECT name FROM docs")}

    # ----- reading --------------------------------------------------------------------------
    def query(
        self,
        match: str | None,
        *,
        filters: Filters,
        visibility: Visibility,
        sort: Sort = "relevance",
        offset: int = 0,
        limit: int = 20,
        facet_limit: int = 50,
        with_facets: bool = True,
        exact: str | None = None,
    ) -> RawResult:
        """Matching documents (all when `match` is None) after filters and visibility, one page.

        The page is ranked and cut inside SQLite (FTS5's weighted bm25 times the quality factor
        of `ranking.py`, a bounded sort); only its own records are read and decoded. When `match`
        adds synonyms to `exact` (the query as typed), hits of `exact` score by it alone and the
        others `synonym` times their bm25. The total and the facet counts skip the documents table unless a
        date range needs it.
        """
        if visibility.nothing:
            return RawResult([], 0, {})
        if match is None and sort == "relevance":
            sort = "newest"
        with self._lock:
            c = self._conn
            try:
                if match is None:
                    return self._browse(
                        filters, visibility, sort, offset, limit, facet_limit, with_facets
                    )
                conds, cparams = self._conditions(filters, visibility, "h.id")
                w = ", ".join(str(x) for x in self.ranking.fields.as_tuple())
                bm25 = f"bm25(fts, {w})"
                scored = f"SELECT rowid AS id, {bm25} AS score FROM fts WHERE fts MATCH ?"
                sparams: list[Any] = [match]
                if exact is not None and exact != match:
                    syn = float(self.ranking.signals.synonym)
                    # Hits of the words typed score by them alone (a synonym they also hold adds
                    # nothing); hits found only through a synonym score `syn` times their bm25.
                    scored = (
                        f"WITH e AS (SELECT rowid AS id, {bm25} AS score FROM fts "
                        "WHERE fts MATCH ?) SELECT id, score FROM e UNION ALL "
                        f"SELECT rowid AS id, {bm25} * {syn} AS score FROM fts WHERE fts MATCH ? "
                        "AND rowid NOT IN (SELECT id FROM e)"
                    )
                    sparams = [exact, match]
                hits = "SELECT rowid AS id FROM fts WHERE fts MATCH ?"
                hparams: list[Any] = [match]
                self._now = dt.datetime.now(dt.UTC)
                where = (" WHERE " + " AND ".join(conds)) if conds else ""
                dated = bool(
                    filters.updated_from or filters.updated_to
                )  # the only conditions on `d`
                params = [*hparams, *cparams]
                order = {
                    "relevance": "final ASC, d.updated DESC, h.id",
                    "newest": "d.updated DESC, final ASC, h.id",
                    "title": "d.title ASC, h.id",
                }[sort]
                final = (
                    f"h.score * {quality_sql(self.ranking.signals, self._now)}"
                    if sort != "title" and self.ranking.use_signals
                    else "h.score"
                )
                page = (
                    c.execute(
                        f"SELECT h.id, {final} AS final FROM ({scored}) h JOIN docs d ON d.id = h.id"
                        f"{where} ORDER BY {order} LIMIT ? OFFSET ?",
                        [*sparams, *cparams, limit, offset],
                    ).fetchall()
                    if limit > 0
                    else []
                )
                if offset == 0 and len(page) < limit:
                    total = len(page)  # the whole result is on this page
                elif not dated:
                    total = c.execute(f"SELECT count(*) FROM ({hits}) h{where}", params).fetchone()[
                        0
                    ]
                else:
                    total = c.execute(
                        f"SELECT count(*) FROM ({hits}) h JOIN docs d ON d.id = h.id{where}", params
                    ).fetchone()[0]
                facets: dict[str, list[tuple[str, int]]] = {}
                if with_facets and total:
                    ids_sql = (
                        f"SELECT h.id FROM ({hits}) h{where}"
                        if not dated
                        else f"SELECT h.id FROM ({hits}) h JOIN docs d ON d.id = h.id{where}"
                    )
                    # Count by integer code, then name the few codes counted.
                    self._name_facets(
                        f"SELECT f.code, count(*) AS n FROM ({ids_sql}) m JOIN facets f ON f.doc_id = m.id "
                        "GROUP BY f.code",
                        params,
                        facets,
                        facet_limit,
                    )
                data = self._records([i for i, _ in page])
            except sqlite3.OperationalError as exc:  # e.g. an FTS expression too complex
                raise ValueError(str(exc)) from exc
        hits_out = [RawHit(SearchDoc.from_dict(json.loads(data[i])), float(sc)) for i, sc in page]
        return RawResult(hits_out, int(total), facets)

    def _browse(
        self,
        filters: Filters,
        visibility: Visibility,
        sort: Sort,
        offset: int,
        limit: int,
        facet_limit: int,
        with_facets: bool,
    ) -> RawResult:
        """Every visible document after filters, newest or by title: read in index order. Under the lock."""
        c = self._conn
        conds, params = self._conditions(filters, visibility, "d.id")
        where = (" WHERE " + " AND ".join(conds)) if conds else ""
        order = "d.title ASC, d.id" if sort == "title" else "d.updated DESC, d.id"
        page = (
            [
                r[0]
                for r in c.execute(
                    f"SELECT d.id FROM docs d{where} ORDER BY {order} LIMIT ? OFFSET ?",
                    [*params, limit, offset],
                )
            ]
            if limit > 0
            else []
        )
        if offset == 0 and len(page) < limit:
            total = len(page)
        else:
            total = c.execute(f"SELECT count(*) FROM docs d{where}", params).fetchone()[0]
        facets: dict[str, list[tuple[str, int]]] = {}
        if with_facets and total:
            counted = (
                f"SELECT f.code, count(*) AS n FROM docs d JOIN facets f ON f.doc_id = d.id{where} GROUP BY f.code"
                if conds
                else "SELECT code, count(*) AS n FROM facets GROUP BY code"
            )
            self._name_facets(counted, params, facets, facet_limit)
        data = self._records(page)
        return RawResult(
            [RawHit(SearchDoc.from_dict(json.loads(data[i])), 0.0) for i in page],
            int(total),
            facets,
        )

    def _name_facets(
        self, counted: str, params: list[Any], out: dict[str, list[tuple[str, int]]], limit: int
    ) -> None:
        """Fill `out` from a query of (code, n): each field's values, most frequent first."""
        for f, v, n in self._conn.execute(
            f"SELECT v.field, v.value, k.n FROM ({counted}) k JOIN facet_values v ON v.code = k.code "
            "ORDER BY v.field, k.n DESC, v.value",
            params,
        ):
            lst = out.setdefault(f, [])
            if len(lst) < limit:
                lst.append((v, n))

    def _records(self, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        return dict(
            self._conn.execute(
                f"SELECT id, data FROM docs_data WHERE id IN ({','.join('?' * len(ids))})",
                list(ids),
            ).fetchall()
        )

    def _conditions(
        self, filters: Filters, vis: Visibility, id_col: str
    ) -> tuple[list[str], list[Any]]:
        """SQL conditions on a hit (`id_col`) and the documents table `d`, with their parameters.
        Visibility and facet filters are tests on the id alone; only a date range reads `d`."""
        clauses: list[str] = []
        params: list[Any] = []
        if (
            not vis.all_hidden
            and self._conn.execute("SELECT EXISTS(SELECT 1 FROM docs WHERE hidden = 1)").fetchone()[
                0
            ]
        ):
            orgs = sorted(vis.orgs)
            clauses.append(
                f"{id_col} NOT IN (SELECT id FROM docs WHERE hidden = 1"
                + (f" AND organization NOT IN ({','.join('?' * len(orgs))})" if orgs else "")
                + ")"
            )
            params += orgs
        more, more_params = self._filter_conditions(filters, id_col)
        return clauses + more, params + more_params

    @staticmethod
    def _filter_conditions(filters: Filters, id_col: str) -> tuple[list[str], list[Any]]:
        """Facet filters (tests on `id_col`) and the update-date range (on the documents table `d`)."""
        clauses: list[str] = []
        params: list[Any] = []
        for fld, values in sorted(filters.values.items()):
            if not values:
                continue
            clauses.append(f"{id_col} IN ({FACET_IDS.format(marks=','.join('?' * len(values)))})")
            params += [fld, *values]
        if filters.updated_from:
            clauses.append("d.updated >= ?")
            params.append(filters.updated_from)
        if filters.updated_to:
            clauses.append("d.updated < ?")
            params.append(filters.updated_to)
        return clauses, params

    @staticmethod
    def _where(filters: Filters, vis: Visibility) -> tuple[str, list[Any]]:
        """A WHERE clause over the documents table `d` (for listings without a text match)."""
        clauses: list[str] = []
        params: list[Any] = []
        if not vis.all_hidden:
            if vis.orgs:
                clauses.append(
                    f"(d.hidden = 0 OR d.organization IN ({','.join('?' * len(vis.orgs))}))"
                )
                params += sorted(vis.orgs)
            else:
                clauses.append("d.hidden = 0")
        more, more_params = SearchIndex._filter_conditions(filters, "d.id")
        clauses += more
        params += more_params
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def matches_any(self, match: str) -> bool:
        """Whether any document (visible or not) matches an FTS expression; False if it is invalid."""
        with self._lock:
            try:
                return (
                    self._conn.execute(
                        "SELECT 1 FROM fts WHERE fts MATCH ? LIMIT 1", (match,)
                    ).fetchone()
                    is not None
                )
            except sqlite3.OperationalError:
                return False

    def version(self) -> tuple[int, int]:
        """Changes whenever the index does, written by this process (`generation`) or by another
        process sharing the file (SQLite's `PRAGMA data_version`): the key of vocabulary caches."""
        with self._lock:
            (other,) = self._conn.execute("PRAGMA data_version").fetchone()
            return self.generation, int(other)

    def vocabulary(self) -> dict[str, int]:
        """Every word of the records' titles, keywords and descriptions (hidden records left
        out), with the number of records using it."""
        with self._lock:
            return dict(self._conn.execute("SELECT term, doc FROM words_vocab"))

    def facet_counts(self, field_name: str, visibility: Visibility) -> list[tuple[str, int]]:
        """Counts of every value of one facet over all visible documents."""
        if visibility.nothing:
            return []
        where, params = self._where(Filters(), visibility)
        with self._lock:
            return [
                (v, n)
                for v, n in self._conn.execute(
                    f"SELECT v.value, count(*) FROM facet_values v JOIN facets f ON f.code = v.code "
                    f"JOIN docs d ON d.id = f.doc_id {where}"
                    f"{' AND' if where else ' WHERE'} v.field = ? GROUP BY v.value ORDER BY count(*) DESC, v.value",
                    [*params, field_name],
                )
            ]

    def get(self, name: str) -> SearchDoc | None:
        """The stored record of one dataset, or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT x.data FROM docs d JOIN docs_data x ON x.id = d.id WHERE d.name=?", (name,)
            ).fetchone()
        return SearchDoc.from_dict(json.loads(row[0])) if row else None

    def org_titles(self) -> dict[str, str]:
        with self._lock:
            return dict(
                self._conn.execute(
                    "SELECT d.organization, json_extract(x.data, '$.organization_title') FROM docs d "
                    "JOIN docs_data x ON x.id = d.id GROUP BY d.organization"
                )
            )

    def visible_names(self, visibility: Visibility) -> list[str]:
        """Names of every dataset a caller may see, sorted."""
        if visibility.nothing:
            return []
        where, params = self._where(Filters(), visibility)
        with self._lock:
            return [
                r[0]
                for r in self._conn.execute(
                    f"SELECT d.name FROM docs d{where} ORDER BY d.name", params
                )
            ]

    def visible_docs(self, visibility: Visibility) -> list[SearchDoc]:
        """Every dataset record a caller may see, by name."""
        if visibility.nothing:
            return []
        where, params = self._where(Filters(), visibility)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT x.data FROM docs d JOIN docs_data x ON x.id = d.id{where} ORDER BY d.name",
                params,
            ).fetchall()
        return [SearchDoc.from_dict(json.loads(r[0])) for r in rows]
