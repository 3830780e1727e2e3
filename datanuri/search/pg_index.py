"""The shared search index: the documents of `index.py` in tables of the main PostgreSQL database.

Every process reads and writes the same rows, so a publish through one is found by all at once.
The analysis stays in Python, exactly as for FTS5: a document's six index columns become one
`tsvector` built from their tokens (terms weighted A–D by field, n-grams behind `~`, see
`tsquery.py`) under a GIN index; matching is a `tsquery` translated from the same FTS5
expression, and relevance is FTS5's bm25 computed in SQL over the vector's positions and weights
(the same field weights, idf from the same document counts), times the quality factor of
`ranking.py`. The tables are made by migration 0016.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from datanuri.catalog.documents import SearchDoc
from datanuri.search.analysis import ANALYZER_VERSION, prime
from datanuri.search.documents import signals_of
from datanuri.search.index import (
    SCHEMA_VERSION,
    Filters,
    RawHit,
    RawResult,
    Sort,
    Visibility,
    doc_body,
    doc_columns,
    doc_words,
)
from datanuri.search.ranking import RankingConfig, quality_sql, scale
from datanuri.search.tsquery import Compiled, Phrase, compile_match, phrase_tsquery, tokens
from datanuri.search.tsquery import vector_literal as vector_of

LAYOUT = f"pg1:{SCHEMA_VERSION}:{ANALYZER_VERSION}"
#: the tables the PostgreSQL index keeps itself (raw SQL, like the FTS5 file: no ORM models)
TABLES = ("search_docs", "search_terms", "search_meta")
SEP = "\x1f"  # between a facet's field and its value in `search_docs.facets`
K1, B = 1.2, 0.75  # FTS5's bm25 constants
#: The advisory lock every writer holds for its transaction, so the document frequencies in
#: `search_terms` and the totals in `search_meta` stay exact between processes (writes are short).
WRITE_LOCK = 0x5EA4C0016

_COLS = (
    "name, organization, title, updated, hidden, official, size_s, downloads_s, completeness, "
    "tiny, fresh_day, ntok, vec, facets, words, data"
)
_INSERT = (
    f"INSERT INTO search_docs({_COLS}) VALUES(:name, :organization, :title, :updated, :hidden, "
    ":official, :size_s, :downloads_s, :completeness, :tiny, :fresh_day, :ntok, "
    "CAST(:vec AS tsvector), CAST(:facets AS text[]), CAST(:words AS text[]), :data) "
    "ON CONFLICT (name) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in _COLS.split(", ")[1:])
)


def facet_key(field: str, value: str) -> str:
    """How one facet value of a document is stored."""
    return f"{field}{SEP}{value}"


def idf(n_rows: int, n_hits: int) -> float:
    """FTS5's idf of a phrase found in `n_hits` of `n_rows` rows (never below 1e-6)."""
    v = math.log((0.5 + n_rows - n_hits) / (0.5 + n_hits)) if n_rows else 0.0
    return v if v > 0 else 1e-6


class PgSearchIndex:
    """The index in the tables `search_docs` and `search_meta` of a PostgreSQL database."""

    def __init__(self, engine: Engine, ranking: RankingConfig | None = None) -> None:
        self.engine = engine
        self.ranking = ranking or RankingConfig()
        self.fresh = self._prepare()

    def _prepare(self) -> bool:
        """Empty the index if another layout or analyser made it. True if now empty."""
        with self.engine.begin() as c:
            row = c.execute(text("SELECT value FROM search_meta WHERE key = 'layout'")).first()
            if row is None or row[0] != LAYOUT:
                self._empty(c)
                c.execute(
                    text(
                        "INSERT INTO search_meta(key, value) VALUES('layout', :v) "
                        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
                    ),
                    {"v": LAYOUT},
                )
                self._bump(c)
                return True
        return self.count() == 0

    @staticmethod
    def _bump(c: Connection) -> None:
        c.execute(text("SELECT nextval('search_generation')"))

    @staticmethod
    def _empty(c: Connection) -> None:
        """Remove every document and count; inside a write transaction."""
        c.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK})
        c.execute(text("DELETE FROM search_docs"))
        c.execute(text("DELETE FROM search_terms"))
        c.execute(
            text(
                "INSERT INTO search_meta(key, value) VALUES('docs', '0'), ('tokens', '0') "
                "ON CONFLICT (key) DO UPDATE SET value = '0'"
            )
        )

    @staticmethod
    def _count(c: Connection, terms: Counter[str], docs: int, tokens: int) -> None:
        """Add these changes to the document frequencies and totals; under `WRITE_LOCK`."""
        changed = sorted((lex, n) for lex, n in terms.items() if n)
        if changed:
            lex = [x for x, _ in changed]
            c.execute(
                text(
                    "INSERT INTO search_terms(lexeme, df) SELECT * FROM "
                    "unnest(CAST(:l AS text[]), CAST(:n AS integer[])) "
                    "ON CONFLICT (lexeme) DO UPDATE SET df = search_terms.df + EXCLUDED.df"
                ),
                {"l": lex, "n": [n for _, n in changed]},
            )
            c.execute(
                text("DELETE FROM search_terms WHERE lexeme = ANY(CAST(:l AS text[])) AND df <= 0"),
                {"l": lex},
            )
        for key, d in (("docs", docs), ("tokens", tokens)):
            if d:
                c.execute(
                    text(
                        "UPDATE search_meta SET value = CAST(CAST(value AS bigint) + :d AS text) "
                        "WHERE key = :k"
                    ),
                    {"k": key, "d": d},
                )

    @staticmethod
    def _remove(c: Connection, names: Sequence[str]) -> None:
        """Delete these documents and take them out of the counts; under `WRITE_LOCK`."""
        gone = c.execute(
            text(
                "DELETE FROM search_docs WHERE name = ANY(CAST(:n AS text[])) "
                "RETURNING ntok, tsvector_to_array(vec)"
            ),
            {"n": list(names)},
        ).all()
        terms: Counter[str] = Counter()
        for _, lexemes in gone:
            terms.subtract(lexemes)
        PgSearchIndex._count(c, terms, -len(gone), -sum(int(n) for n, _ in gone))

    @property
    def generation(self) -> int:
        """Changes with every write by any process (caches of the vocabulary compare it)."""
        with self.engine.connect() as c:
            return int(c.execute(text("SELECT last_value FROM search_generation")).scalar_one())

    def version(self) -> tuple[int, int]:
        """The generation: the sequence every process's writes advance."""
        return self.generation, 0

    def close(self) -> None:
        """Nothing to close: the connections belong to the database's engine."""

    def count(self) -> int:
        with self.engine.connect() as c:
            return int(c.execute(text("SELECT count(*) FROM search_docs")).scalar_one())

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
            prime(t for d in docs for t in (d.title, doc_body(d)))
        cols = list(columns) if columns is not None else [doc_columns(d) for d in docs]
        if not docs:
            return 0
        last = {d.name: (d, col) for d, col in zip(docs, cols, strict=True)}
        rows: list[dict[str, Any]] = []
        terms: Counter[str] = Counter()
        ntok = 0
        for d, col in last.values():
            g = scale(signals_of(d), self.ranking.signals)
            vec = vector_of(col)
            terms.update(vec.lexemes)
            ntok += vec.ntok
            rows.append(
                {
                    "name": d.name,
                    "organization": d.organization,
                    "title": d.title.casefold(),
                    "updated": d.updated_at,
                    "hidden": bool(d.hidden),
                    "official": g.official,
                    "size_s": g.size,
                    "downloads_s": g.downloads,
                    "completeness": g.completeness,
                    "tiny": g.tiny,
                    "fresh_day": g.fresh_day,
                    "ntok": vec.ntok,
                    "vec": vec.text,
                    "facets": sorted({facet_key(f, v) for f, v in d.facet_values()}),
                    "words": sorted(set(tokens(doc_words(d)))),
                    "data": json.dumps(d.to_dict(), ensure_ascii=False),
                }
            )
        with self.engine.begin() as c:
            c.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK})
            self._remove(c, sorted(last))
            c.execute(text(_INSERT), rows)
            self._count(c, terms, len(rows), ntok)
            self._bump(c)
        return len(docs)

    def delete(self, name: str) -> None:
        with self.engine.begin() as c:
            c.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK})
            self._remove(c, [name])
            self._bump(c)

    def clear(self) -> None:
        with self.engine.begin() as c:
            self._empty(c)
            self._bump(c)

    def names(self) -> set[str]:
        with self.engine.connect() as c:
            return set(c.execute(text("SELECT name FROM search_docs")).scalars())

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
        """Matching documents (all when `match` is None) after filters and visibility, one page,
        ranked as `SearchIndex.query` ranks them (bm25 of the same phrases times quality)."""
        if visibility.nothing:
            return RawResult([], 0, {})
        if match is None and sort == "relevance":
            sort = "newest"
        conds, params = self._conditions(filters, visibility)
        with self.engine.connect() as c:  # one connection (one pool check-out) per search
            if match is None:
                order = "d.title ASC, d.id" if sort == "title" else "d.updated DESC, d.id"
                final = "0.0"
            else:
                final, order = self._ranking_sql(c, match, exact, sort, params)
                conds.insert(0, "d.vec @@ CAST(:q AS tsquery)")
            where = (" WHERE " + " AND ".join(conds)) if conds else ""
            page = (
                [
                    (int(i), float(sc))
                    for i, sc in c.execute(
                        text(
                            f"SELECT d.id, {final} AS final FROM search_docs d{where} "
                            f"ORDER BY {order} LIMIT :lim OFFSET :off"
                        ),
                        {**params, "lim": limit, "off": offset},
                    )
                ]
                if limit > 0
                else []
            )
            if offset == 0 and len(page) < limit:
                total = len(page)
            else:
                total = int(
                    c.execute(
                        text(f"SELECT count(*) FROM search_docs d{where}"), params
                    ).scalar_one()
                )
            facets: dict[str, list[tuple[str, int]]] = {}
            if with_facets and total:
                counted = c.execute(
                    text(
                        f"SELECT f, count(*) FROM search_docs d CROSS JOIN unnest(d.facets) f"
                        f"{where} GROUP BY f"
                    ),
                    params,
                ).all()
                facets = _name_facets(counted, facet_limit)
            data = self._records(c, [i for i, _ in page])
        hits = [RawHit(SearchDoc.from_dict(json.loads(data[i])), sc) for i, sc in page]
        return RawResult(hits, total, facets)

    def _ranking_sql(
        self, c: Connection, match: str, exact: str | None, sort: Sort, params: dict[str, Any]
    ) -> tuple[str, str]:
        """The score (`final`) and ORDER BY of a text search, binding their parameters: bm25
        of `match` times quality; with synonyms, hits of `exact` by `exact` alone and the others
        `synonym` times their bm25 (as `SearchIndex.query`)."""
        expr = compile_match(match)
        params["q"] = expr.tsquery
        ex = compile_match(exact) if exact is not None and exact != match else None
        n_rows, avgdl, hits = self._stats(c, [*expr.phrases, *(ex.phrases if ex else ())])
        score = self._score(expr, "m", params, n_rows, avgdl, hits)
        if ex is not None:
            params["qe"] = ex.tsquery
            syn = float(self.ranking.signals.synonym)
            score = (
                "(CASE WHEN d.vec @@ CAST(:qe AS tsquery) THEN "
                f"{self._score(ex, 'e', params, n_rows, avgdl, hits)} "
                f"ELSE {score} * {syn!r} END)"
            )
        quality = quality_sql(self.ranking.signals, dt.datetime.now(dt.UTC), greatest="greatest")
        final = f"{score} * {quality}" if sort != "title" and self.ranking.use_signals else score
        order = {
            "relevance": "final ASC, d.updated DESC, d.id",
            "newest": "d.updated DESC, final ASC, d.id",
            "title": "d.title ASC, d.id",
        }[sort]
        return final, order

    def _score(
        self,
        expr: Compiled,
        tag: str,
        params: dict[str, Any],
        n_rows: int,
        avgdl: float,
        hits: dict[str, int],
    ) -> str:
        """FTS5's bm25 of a document `d` for the phrases of `expr`, as SQL (negative: lower is
        better); their idf (from `hits`, documents per phrase) is bound as parameters named
        after `tag`."""
        if not expr.phrases:
            return "0.0"
        w = self.ranking.fields.as_tuple()
        lex: list[str] = []
        pfx: list[bool] = []
        idfs: list[float] = []
        wa: list[float] = []
        wb: list[float] = []
        wc: list[float] = []
        wd: list[float] = []
        guard: list[str | None] = []
        for p, g in zip(expr.phrases, expr.guards, strict=True):
            guard.append(g)
            lex.append(_first_lexeme(p))
            pfx.append(p.prefix)
            idfs.append(idf(n_rows, int(hits[phrase_tsquery(p)])))
            ws = (w[0], w[1], w[2], w[3]) if p.group == "term" else (w[4], w[5], 0.0, 0.0)
            for lst, x in zip((wa, wb, wc, wd), ws, strict=True):
                lst.append(float(x))
        params.update(
            {
                f"{tag}_lex": lex,
                f"{tag}_pfx": pfx,
                f"{tag}_idf": idfs,
                f"{tag}_wa": wa,
                f"{tag}_wb": wb,
                f"{tag}_wc": wc,
                f"{tag}_wd": wd,
                f"{tag}_guard": guard,
            }
        )
        arrays = ", ".join(
            [f"CAST(:{tag}_lex AS text[])", f"CAST(:{tag}_pfx AS boolean[])"]
            + [f"CAST(:{tag}_{k} AS float8[])" for k in ("idf", "wa", "wb", "wc", "wd")]
            + [f"CAST(:{tag}_guard AS tsquery[])"]
        )
        hits_in = " + ".join(
            f"p.w{x} * coalesce(cardinality(array_positions(u.weights, '{x.upper()}')), 0)"
            for x in "abcd"
        )
        norm = f"{K1!r} * ({1 - B!r} + {B!r} * d.ntok / {float(avgdl)!r})"
        return (
            f"(SELECT -coalesce(sum(x.idf * x.tf * {K1 + 1!r} / (x.tf + {norm})), 0.0) FROM "
            f"(SELECT p.k, max(p.idf) AS idf, sum({hits_in}) AS tf FROM unnest(d.vec) u "
            f"JOIN unnest({arrays}) WITH ORDINALITY AS p(lex, pfx, idf, wa, wb, wc, wd, guard, k) "
            "ON (u.lexeme = p.lex OR (p.pfx AND starts_with(u.lexeme, p.lex))) "
            "AND (p.guard IS NULL OR d.vec @@ p.guard) "
            "GROUP BY p.k) x WHERE x.tf > 0)"
        )

    @staticmethod
    def _stats(c: Connection, phrases: Sequence[Phrase]) -> tuple[int, float, dict[str, int]]:
        """The number of documents, their mean token count and how many documents match each
        phrase (keyed by its tsquery), in one round trip: read from `search_terms` for a
        lexeme, counted through the GIN index for a prefix or a phrase of several tokens (rare:
        one Hangul syllable, punctuation inside a keyword)."""
        single = {
            phrase_tsquery(p): p.lexemes[0] for p in phrases if len(p.lexemes) == 1 and not p.prefix
        }
        rest = [q for q in dict.fromkeys(phrase_tsquery(p) for p in phrases) if q not in single]
        found: dict[str, int] = {}
        totals: dict[str, int] = {}
        for kind, key, n in c.execute(
            text(
                "SELECT 't', lexeme, df FROM search_terms WHERE lexeme = ANY(CAST(:l AS text[])) "
                "UNION ALL SELECT 'm', key, CAST(value AS bigint) FROM search_meta "
                "WHERE key IN ('docs', 'tokens')"
            ),
            {"l": sorted(set(single.values()))},
        ):
            (found if kind == "t" else totals)[key] = int(n)
        n_rows, n_tokens = totals.get("docs", 0), totals.get("tokens", 0)
        avgdl = (float(n_tokens) / n_rows) if n_rows else 1.0
        out = {q: int(found.get(lex, 0)) for q, lex in single.items()}
        if rest:
            counts = c.execute(
                text(
                    "SELECT "
                    + ", ".join(
                        f"(SELECT count(*) FROM search_docs WHERE vec @@ CAST(:p{i} AS tsquery))"
                        for i in range(len(rest))
                    )
                ),
                {f"p{i}": q for i, q in enumerate(rest)},
            ).one()
            out.update(zip(rest, (int(n) for n in counts), strict=True))
        return n_rows, avgdl, out

    @staticmethod
    def _records(c: Connection, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = c.execute(
            text("SELECT id, data FROM search_docs WHERE id = ANY(CAST(:ids AS bigint[]))"),
            {"ids": list(ids)},
        )
        return {int(i): d for i, d in rows}

    @staticmethod
    def _conditions(filters: Filters, vis: Visibility) -> tuple[list[str], dict[str, Any]]:
        """SQL conditions on the documents table `d` (visibility, facets, dates) and parameters."""
        conds: list[str] = []
        params: dict[str, Any] = {}
        if not vis.all_hidden:
            if vis.orgs:
                conds.append("(NOT d.hidden OR d.organization = ANY(CAST(:orgs AS text[])))")
                params["orgs"] = sorted(vis.orgs)
            else:
                conds.append("NOT d.hidden")
        for i, (fld, values) in enumerate(sorted(filters.values.items())):
            if not values:
                continue
            conds.append(f"d.facets && CAST(:f{i} AS text[])")
            params[f"f{i}"] = [facet_key(fld, v) for v in values]
        if filters.updated_from:
            conds.append("d.updated >= :updated_from")
            params["updated_from"] = filters.updated_from
        if filters.updated_to:
            conds.append("d.updated < :updated_to")
            params["updated_to"] = filters.updated_to
        return conds, params

    def matches_any(self, match: str) -> bool:
        """Whether any document (visible or not) matches an FTS expression; False if it is invalid."""
        try:
            q = compile_match(match).tsquery
        except ValueError:
            return False
        with self.engine.connect() as c:
            return bool(
                c.execute(
                    text(
                        "SELECT EXISTS(SELECT 1 FROM search_docs WHERE vec @@ CAST(:q AS tsquery))"
                    ),
                    {"q": q},
                ).scalar_one()
            )

    def vocabulary(self) -> dict[str, int]:
        """Every word of the records' titles, keywords and descriptions (hidden records left
        out), with the number of records using it."""
        with self.engine.connect() as c:
            rows = c.execute(
                text("SELECT w, count(*) FROM search_docs CROSS JOIN unnest(words) w GROUP BY w")
            )
            return {w: int(n) for w, n in rows}

    def facet_counts(self, field_name: str, visibility: Visibility) -> list[tuple[str, int]]:
        """Counts of every value of one facet over all visible documents."""
        if visibility.nothing:
            return []
        conds, params = self._conditions(Filters(), visibility)
        conds.append("starts_with(f, :prefix)")
        params["prefix"] = field_name + SEP
        with self.engine.connect() as c:
            rows = c.execute(
                text(
                    "SELECT f, count(*) FROM search_docs d CROSS JOIN unnest(d.facets) f WHERE "
                    + " AND ".join(conds)
                    + " GROUP BY f"
                ),
                params,
            ).all()
        counted = [(f.split(SEP, 1)[1], int(n)) for f, n in rows]
        return sorted(counted, key=lambda vn: (-vn[1], vn[0]))

    def get(self, name: str) -> SearchDoc | None:
        """The stored record of one dataset, or None."""
        with self.engine.connect() as c:
            data = c.execute(
                text("SELECT data FROM search_docs WHERE name = :n"), {"n": name}
            ).scalar()
        return SearchDoc.from_dict(json.loads(data)) if data else None

    def org_titles(self) -> dict[str, str]:
        with self.engine.connect() as c:
            rows = c.execute(
                text(
                    "SELECT organization, min(CAST(data AS jsonb) ->> 'organization_title') "
                    "FROM search_docs GROUP BY organization"
                )
            )
            return {o: t for o, t in rows}

    def visible_names(self, visibility: Visibility) -> list[str]:
        """Names of every dataset a caller may see, sorted."""
        if visibility.nothing:
            return []
        conds, params = self._conditions(Filters(), visibility)
        where = (" WHERE " + " AND ".join(conds)) if conds else ""
        with self.engine.connect() as c:
            return list(
                c.execute(
                    text(f"SELECT d.name FROM search_docs d{where} ORDER BY d.name"), params
                ).scalars()
            )

    def visible_docs(self, visibility: Visibility) -> list[SearchDoc]:
        """Every dataset record a caller may see, by name."""
        if visibility.nothing:
            return []
        conds, params = self._conditions(Filters(), visibility)
        where = (" WHERE " + " AND ".join(conds)) if conds else ""
        with self.engine.connect() as c:
            rows = c.execute(
                text(f"SELECT d.data FROM search_docs d{where} ORDER BY d.name"), params
            ).scalars()
            return [SearchDoc.from_dict(json.loads(r)) for r in rows]


def _first_lexeme(p: Phrase) -> str:
    """The lexeme a phrase is counted by (its first: a phrase of several tokens is rare, made
    only by punctuation inside a keyword, and is counted by where its first token occurs)."""
    lex = p.lexemes
    return lex[0] if lex else "~"


def _name_facets(counted: Sequence[Any], limit: int) -> dict[str, list[tuple[str, int]]]:
    """Facet counts as each field's values, most frequent first (then by value)."""
    by_field: dict[str, list[tuple[str, int]]] = {}
    for key, n in counted:
        fld, value = key.split(SEP, 1)
        by_field.setdefault(fld, []).append((value, int(n)))
    return {
        f: sorted(vals, key=lambda vn: (-vn[1], vn[0]))[:limit]
        for f, vals in sorted(by_field.items())
    }
