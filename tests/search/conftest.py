from __future__ import annotations

import pytest

from tests.search.support import load_catalog


@pytest.fixture
def search(platform):
    """The platform's search service over the small shared catalog."""
    svc = platform.search
    load_catalog(platform)
    return svc
