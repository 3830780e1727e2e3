from __future__ import annotations

import pytest

from datanuri.search.attach import search_for
from tests.search.support import load_catalog


@pytest.fixture
def search(platform):
    """The platform's search service over the small shared catalog."""
    svc = search_for(platform)
    load_catalog(platform)
    return svc
