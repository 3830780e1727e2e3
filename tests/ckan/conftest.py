from __future__ import annotations

import pytest

from tests.search.support import load_catalog, make_app, serve


@pytest.fixture
def ckan_url(platform):
    """A real server over the shared small catalog; yields its base URL."""
    load_catalog(platform)
    url, stop = serve(make_app(platform))
    try:
        yield url
    finally:
        stop()


@pytest.fixture
def ckan(ckan_url):
    import ckanapi

    with ckanapi.RemoteCKAN(ckan_url, user_agent="datanuri-tests") as client:
        yield client
