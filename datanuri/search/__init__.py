"""Search and the data map: an embedded BM25 index with Korean and English analysis."""

from datanuri.search.service import SearchResult, SearchService

__all__ = ["SearchResult", "SearchService"]
