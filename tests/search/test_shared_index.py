"""Several API processes share one search index file: what one writes, the others find, and their
"did you mean" vocabulary follows it."""

from __future__ import annotations

from datanuri.accounts import ANONYMOUS
from datanuri.accounts.principal import SYSTEM
from datanuri.search import SearchService


def test_another_process_sees_new_words(platform):
    other = SearchService(platform.db, platform.config.data_dir / "search")  # its own connection
    try:
        assert "미세먼지측정망" not in other.speller().counts  # cached now
        platform.accounts.create_organization("org-a", title="A", principal=SYSTEM)
        platform.catalog.create_dataset(
            "dust", organization="org-a", title="미세먼지측정망 위치", principal=SYSTEM
        )
        assert "미세먼지측정망" in other.speller().counts
        found = other.search("미세먼지측정망", principal=ANONYMOUS)
        assert "dust" in [r["name"] for r in found.results]
    finally:
        other.close()
