"""The OpenAPI document lists the answers each route really gives: every API route is called as
an anonymous visitor and with a read-only token, with names that do not exist, and every status
it answers must be documented for that operation (what schemathesis's status-code conformance
checks)."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from datanuri.accounts.principal import SYSTEM
from datanuri.web.app import create_app
from tests.helpers import air_csv
from tests.web.test_scopes import routes

SKIP = {"/api/v1/auth/logout"}  # ends the test client's own session


@pytest.fixture
def world(platform, tmp_path):
    acc = platform.accounts
    acc.create_user(
        "kim@example.org", display_name="김민지", password="pw pw pw pw", principal=SYSTEM
    )
    acc.create_organization("org-a", principal=SYSTEM)
    acc.add_member("org-a", "kim@example.org", role="editor", principal=SYSTEM)
    platform.catalog.create_dataset("ds", organization="org-a", principal=SYSTEM)
    platform.catalog.publish("ds", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    _, secret = acc.create_token(
        name="t", scopes=["read"], for_email="kim@example.org", principal=SYSTEM
    )
    return secret


def concrete(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_every_answer_is_documented(platform, world):
    app = create_app(platform)
    doc = app.openapi()
    undocumented: list[str] = []
    called = 0
    with TestClient(app, raise_server_exceptions=False) as client:
        for method, path, _route in routes(app):
            if not path.startswith("/api/") or path in SKIP or path not in doc["paths"]:
                continue
            documented = set(doc["paths"][path][method.lower()]["responses"])
            for headers in ({}, {"Authorization": f"Bearer {world}"}):
                for value in ("ds", "no-such-thing-1", "1"):
                    kwargs: dict[str, Any] = {"headers": headers}
                    if method in ("POST", "PUT", "PATCH"):
                        kwargs["json"] = {}
                    r = client.request(method, concrete(path, value), **kwargs)
                    called += 1
                    assert r.status_code < 500, (method, path, r.status_code, r.text[:200])
                    if str(r.status_code) not in documented:
                        undocumented.append(f"{method} {path} -> {r.status_code}")
    assert called > 200
    assert sorted(set(undocumented)) == [], "\n".join(sorted(set(undocumented)))
