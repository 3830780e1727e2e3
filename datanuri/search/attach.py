"""`search_for(platform)`: the platform's search service, attached on first use if not wired yet."""

from __future__ import annotations

import threading
from typing import Any

from datanuri.search.service import SearchService

_LOCK = threading.Lock()


def search_for(platform: Any) -> SearchService:
    """`platform.search`, creating it (index in `<data dir>/search`, listening to the catalog) if absent."""
    svc = getattr(platform, "search", None)
    if svc is None:
        with _LOCK:
            svc = getattr(platform, "search", None)
            if svc is None:
                svc = SearchService(platform.db, platform.config.data_dir / "search")
                platform.catalog.listeners.append(svc.on_change)
                platform.search = svc
    return svc
