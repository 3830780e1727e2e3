"""The dataset page's API examples: the page's real name, version and address; the API key header
for data that needs one; none for personal data, whose rows no route gives out."""

from __future__ import annotations

import dataclasses
import html

import pytest
from fastapi.testclient import TestClient

from datanuri.accounts import SYSTEM
from datanuri.web.app import create_app
from tests.helpers import air_csv


@pytest.fixture
def pages(platform, tmp_path):
    platform.accounts.create_organization("org-a", principal=SYSTEM)
    for level in ("open", "restricted", "personal"):
        platform.catalog.create_dataset(
            f"ds-{level}",
            organization="org-a",
            title=f'대기 "{level}" 자료',
            access_level=level,
            principal=SYSTEM,
        )
        platform.catalog.publish(
            f"ds-{level}", air_csv(tmp_path / f"{level}.csv"), principal=SYSTEM
        )
    return platform


def test_open_dataset_examples_use_the_page_address_and_need_no_key(api, pages):
    text = html.unescape(api.get("/datasets/ds-open").text)
    base = "http://testserver"
    assert f'curl "{base}/api/v1/datasets/ds-open/versions/1/preview?limit=10"' in text
    assert f'"{base}/api/v1/datasets/ds-open/versions/1/download?format=csv"' in text
    assert '--data-urlencode "q=대기 \\"open\\" 자료"' in text  # quotes survive the shell
    assert 'client.read_arrow("ds-open", 1)' in text and "read.csv(" in text
    assert "Authorization" not in text.split('id="api-examples"')[1]


def test_restricted_dataset_examples_send_an_api_key(api, pages):
    section = html.unescape(api.get("/datasets/ds-restricted").text).split('id="api-examples"')[1]
    assert '-H "Authorization: Bearer $DATANURI_API_KEY"' in section
    assert 'token="dn_..."' in section and "req_auth_bearer_token" in section
    assert 'href="/account?lang=ko#tokens-h"' in section


def test_personal_dataset_has_no_api_examples(api, pages):
    assert 'id="api-examples"' not in api.get("/datasets/ds-personal").text


def test_a_configured_public_url_wins_over_the_request_address(pages):
    pages.config = dataclasses.replace(pages.config, public_url="https://data.example.kr/")
    with TestClient(create_app(pages)) as client:
        text = client.get("/datasets/ds-open").text
    assert "https://data.example.kr/api/v1/datasets/ds-open/versions/1/download" in text
    assert "testserver" not in text.split('id="api-examples"')[1]
