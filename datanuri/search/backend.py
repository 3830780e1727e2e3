"""Which search index a service uses: the `Index` protocol both backends keep, and the choice
between the FTS5 file (SQLite, the embedded default) and the shared PostgreSQL tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal, Protocol

from datanuri.catalog.documents import SearchDoc
from datanuri.errors import ConfigError
from datanuri.search.index import Filters, RawResult, SearchIndex, Sort, Visibility
from datanuri.search.ranking import RankingConfig
from datanuri.store.db import Database

Backend = Literal["fts5", "postgres"]
SETTINGS = ("auto", "fts5", "postgres")
MSG_BAD_BACKEND = "search_backend must be one of auto, fts5, postgres; got {value!r}."
MSG_PG_NEEDS_PG = (
    "search_backend = postgres needs a PostgreSQL database_url; this one is {dialect}. "
    "Set search_backend = auto or fts5."
)


class Index(Protocol):
    """What `SearchService` asks of a search index."""

    ranking: RankingConfig
    fresh: bool  # empty when opened (the service then builds it from the catalog)

    @property
    def generation(self) -> int: ...

    def version(self) -> tuple[int, int]:
        """Changes whenever the index does, whichever process wrote it (vocabulary caches)."""
        ...

    def close(self) -> None: ...
    def count(self) -> int: ...
    def put(self, doc: SearchDoc) -> None: ...
    def put_many(
        self,
        docs: Iterable[SearchDoc],
        *,
        columns: Sequence[tuple[str, str, str, str, str, str]] | None = None,
    ) -> int: ...
    def delete(self, name: str) -> None: ...
    def clear(self) -> None: ...
    def names(self) -> set[str]: ...
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
    ) -> RawResult: ...
    def matches_any(self, match: str) -> bool: ...
    def vocabulary(self) -> dict[str, int]: ...
    def facet_counts(self, field_name: str, visibility: Visibility) -> list[tuple[str, int]]: ...
    def get(self, name: str) -> SearchDoc | None: ...
    def org_titles(self) -> dict[str, str]: ...
    def visible_names(self, visibility: Visibility) -> list[str]: ...
    def visible_docs(self, visibility: Visibility) -> list[SearchDoc]: ...


def choose(setting: str, dialect: str) -> Backend:
    """The backend for a `search_backend` setting on a database of this dialect: `auto` is
    PostgreSQL's tables on PostgreSQL and the FTS5 file otherwise."""
    if setting not in SETTINGS:
        raise ConfigError(MSG_BAD_BACKEND.format(value=setting))
    if setting == "fts5":
        return "fts5"
    if setting == "postgres" and dialect != "postgresql":
        raise ConfigError(MSG_PG_NEEDS_PG.format(dialect=dialect))
    return "postgres" if dialect == "postgresql" else "fts5"


def open_index(
    db: Database, index_dir: Path, ranking: RankingConfig | None, setting: str = "auto"
) -> Index:
    """The index a search service over `db` uses (an FTS5 file in `index_dir`, or PostgreSQL)."""
    if choose(setting, db.engine.dialect.name) == "postgres":
        from datanuri.search.pg_index import PgSearchIndex

        return PgSearchIndex(db.engine, ranking)
    return SearchIndex(Path(index_dir) / "index.sqlite3", ranking)
