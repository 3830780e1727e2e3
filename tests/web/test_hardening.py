"""Hardening (issue #13): rate limits on every route, a limiter that survives a flood of keys,
the real client behind a trusted proxy, security headers on every response, `Allow` on 405, and
no server paths in error messages."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from fastapi.testclient import TestClient

from datanuri.accounts import SYSTEM
from datanuri.config import Config
from datanuri.errors import ConfigError, IntegrityError
from datanuri.web.app import create_app
from datanuri.web.clients import networks, real_client
from datanuri.web.ratelimit import RateLimiter
from tests.helpers import air_csv


def limited(platform, *, burst: int, proxies: tuple[str, ...] = (), peer: str = "testclient"):
    platform.config = dataclasses.replace(
        platform.config,
        rate_limit_per_minute=1,  # no refill to speak of while a test runs
        rate_limit_burst=burst,
        trusted_proxies=proxies,
    )
    return TestClient(create_app(platform), client=(peer, 50000), raise_server_exceptions=False)


@pytest.mark.parametrize(
    "path, accept",
    [
        ("/datasets/none", "text/html"),  # an HTML page (the dataset page previews and checks)
        ("/", "text/html"),
        ("/api/v1/ledger/checkpoint", "application/json"),
        ("/api/v1/ledger/entries", "application/json"),
        ("/.well-known/datanuri-ledger.pub", "*/*"),
        ("/api/v1", "application/json"),
    ],
)
def test_rate_limit_covers_pages_ledger_and_meta(platform, path, accept):
    with limited(platform, burst=2) as client:
        codes = [client.get(path, headers={"accept": accept}).status_code for _ in range(3)]
        assert codes[2] == 429 and 429 not in codes[:2]
        r = client.get(path, headers={"accept": accept})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        if accept == "text/html":
            assert "요청이 너무 많습니다" in r.text  # the friendly page, in Korean by default
        else:
            assert r.headers["content-type"].startswith("application/json")


def test_rate_limit_covers_login(platform):
    body = {"email": "nobody@example.org", "password": "wrong wrong wrong"}
    with limited(platform, burst=2) as client:
        codes = [client.post("/api/v1/auth/login", json=body).status_code for _ in range(3)]
        assert codes == [401, 401, 429]
        assert client.post("/api/v1/auth/token", json=body).status_code == 429


def test_static_files_and_health_are_not_limited(platform):
    with limited(platform, burst=1) as client:
        assert {client.get("/static/ui.css").status_code for _ in range(5)} == {200}
        assert {client.get("/healthz").status_code for _ in range(5)} == {200}


def test_limiter_keeps_a_limited_client_limited_through_a_flood_of_keys():
    lim = RateLimiter(60, burst=1, max_keys=50_000)
    assert lim.hit("abuser", now=0.0) is None
    for i in range(120_000):  # more keys than the limiter holds (and than the old 100,000 cap)
        lim.hit(f"10.{i}", now=0.0)
        if i % 5_000 == 0:
            assert lim.hit("abuser", now=0.0) is not None, f"reset after {i} other keys"
    assert lim.hit("abuser", now=0.0) is not None
    assert len(lim) == 50_000


def test_real_client_only_from_trusted_proxies():
    proxies = networks(["10.0.0.0/8", "::1"])
    # from a trusted proxy: the first untrusted hop from the right
    assert real_client("10.0.0.2", ["203.0.113.9"], proxies) == "203.0.113.9"
    assert real_client("10.0.0.2", ["1.1.1.1, 203.0.113.9, 10.0.0.7"], proxies) == "203.0.113.9"
    assert real_client("::1", ["198.51.100.4"], proxies) == "198.51.100.4"
    # a spoofed leftmost hop is never reached; garbage stops the walk at the last good hop
    assert real_client("10.0.0.2", ["evil", "203.0.113.9"], proxies) == "203.0.113.9"
    assert real_client("10.0.0.2", ["10.0.0.3, nonsense"], proxies) == "10.0.0.2"
    # from anyone else the header is ignored
    assert real_client("198.51.100.1", ["203.0.113.9"], proxies) == "198.51.100.1"
    assert real_client("10.0.0.2", ["203.0.113.9"], ()) == "10.0.0.2"


def test_proxy_setting_is_checked():
    assert Config(trusted_proxies="127.0.0.1, 10.0.0.0/8").trusted_proxies == (
        "127.0.0.1/32",
        "10.0.0.0/8",
    )
    assert Config.from_mapping({"trusted_proxies": ["::1"]}).trusted_proxies == ("::1/128",)
    with pytest.raises(ConfigError, match="trusted_proxies"):
        Config(trusted_proxies="localhost")


def test_buckets_key_on_the_client_behind_a_trusted_proxy(platform):
    def burst(client: TestClient, xff: str) -> list[int]:
        return [
            client.get("/api/v1/datasets", headers={"x-forwarded-for": xff}).status_code
            for _ in range(3)
        ]

    with limited(platform, burst=2, proxies=("10.0.0.1",), peer="10.0.0.1") as client:
        assert burst(client, "203.0.113.1") == [200, 200, 429]
        assert burst(client, "203.0.113.2") == [200, 200, 429]  # another client, its own bucket
    with limited(platform, burst=2, peer="198.51.100.7") as client:  # no trusted proxy
        assert burst(client, "203.0.113.3") == [200, 200, 429]
        assert burst(client, "203.0.113.4") == [429, 429, 429]  # the header picks no new bucket


def test_login_attempts_record_the_real_client(platform):
    from sqlalchemy import select

    from datanuri.accounts.models import LoginAttempt

    with limited(platform, burst=100, proxies=("10.0.0.1",), peer="10.0.0.1") as client:
        client.post(
            "/api/v1/auth/login",
            json={"email": "x@example.org", "password": "wrong wrong wrong"},
            headers={"x-forwarded-for": "203.0.113.50"},
        )
    with platform.db.session() as s:
        assert s.scalars(select(LoginAttempt.client)).all() == ["203.0.113.50"]


@pytest.mark.parametrize(
    "path",
    ["/", "/search?q=x", "/api/v1/datasets", "/nowhere", "/api/v1/nowhere", "/static/ui.css"],
)
def test_security_headers_on_every_response(api, path):
    r = api.get(path, headers={"accept": "text/html"})
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert r.headers["x-frame-options"] == "DENY"


def test_security_headers_on_errors_and_docs(platform):
    with limited(platform, burst=1) as client:
        client.get("/api/v1/datasets")
        r = client.get("/api/v1/datasets")
        assert r.status_code == 429 and r.headers["x-content-type-options"] == "nosniff"
    # Another client: on PostgreSQL the buckets are shared (kept in the database), so the one
    # emptied above stays empty for every app over this platform.
    with TestClient(create_app(platform), client=("docs-reader", 50000)) as client:
        docs = client.get("/docs")
        assert docs.status_code == 200
        assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]


def test_405_names_the_allowed_methods(api):
    r = api.put("/api/v1/datasets", json={})
    assert r.status_code == 405
    assert set(r.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert r.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in r.json()["error"]["message"]


def test_missing_blob_is_a_logged_server_fault_without_paths(platform, tmp_path, caplog):
    platform.catalog.create_dataset(
        "air", organization=organization_required(platform), principal=SYSTEM
    )
    info = platform.catalog.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    digest = info.version.content_hash
    platform.blobs.path(digest).unlink()
    root = str(platform.config.data_dir.resolve())
    with TestClient(create_app(platform), raise_server_exceptions=False) as client:
        with caplog.at_level(logging.ERROR, logger="datanuri.web"):
            r = client.get("/api/v1/datasets/air/versions/1/download?format=csv")
        assert r.status_code == 500
        body = r.text
        assert root not in body and "blobs" not in body and digest not in body
        assert "logged" in r.json()["error"]["message"]
        assert any("missing" in rec.getMessage() for rec in caplog.records)
        page = client.get("/datasets/air", headers={"accept": "text/html"})
        assert root not in page.text and "blobs" not in page.text


def organization_required(platform) -> str:
    platform.accounts.create_organization("org-a", principal=SYSTEM)
    return "org-a"


@pytest.mark.parametrize(
    "fault",
    [
        RuntimeError("(sqlite3.IntegrityError) UNIQUE constraint failed: versions.dataset_id"),
        IntegrityError("Blob sha256:ab is missing from the store at /srv/data/blobs."),
    ],
)
def test_a_failed_job_answers_without_sql_or_paths(config, fault):
    import asyncio
    import json as _json
    from concurrent.futures import ThreadPoolExecutor

    from datanuri.jobs.kinds import JobKind
    from datanuri.platform import Platform
    from datanuri.web.background import run_job

    @dataclasses.dataclass(frozen=True)
    class Nothing:
        pass

    def crash(services, params, ctx):
        raise fault

    # One attempt: the crash is final at once (a retry would only repeat it).
    platform = Platform(dataclasses.replace(config, job_max_attempts=1, job_workers=0))
    platform.jobs.registry.add(JobKind("test.crash", Nothing, crash))

    def answer():  # on a thread of its own: another test may have left a loop on this one
        return asyncio.run(
            run_job(
                platform,
                "test.crash",
                Nothing(),
                actor="system",
                scopes=None,
                wait=True,
                created=bool,
            )
        )

    with ThreadPoolExecutor(1) as pool:
        resp = pool.submit(answer).result()
    body = _json.loads(resp.body)
    assert resp.status_code == 500
    assert "UNIQUE" not in resp.body.decode() and "/srv/data" not in resp.body.decode()
    assert "logged" in body["error"]["message"] and body["job"]["status"] == "failed"
    platform.close()
