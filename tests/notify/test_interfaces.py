"""The API (/api/v1/webhooks, /api/v1/notifications/settings) and `datanuri webhooks` over a
real loopback receiver. Interfaces run on SQLite only (the services' tests run on both)."""

from __future__ import annotations

import json
import subprocess

import pytest
from fastapi.testclient import TestClient

from datanuri.accounts import SYSTEM
from datanuri.accounts.notifications import Event, Notice
from datanuri.web.app import create_app
from tests.helpers import PASSWORD, run_cli
from tests.notify.conftest import drain


@pytest.fixture(autouse=True)
def _sqlite_only(db_url):
    if not db_url.startswith("sqlite"):
        pytest.skip("interfaces run on SQLite (the services run on both databases)")


@pytest.fixture
def client(np):
    with TestClient(create_app(np), raise_server_exceptions=False) as c:
        yield c


def bearer(np, email: str) -> dict[str, str]:
    np.accounts.create_user(email, display_name=email[:3], password=PASSWORD, principal=SYSTEM)
    token = np.accounts.create_token(
        name="t", scopes=["read", "publish"], for_email=email, principal=SYSTEM
    )[1]
    return {"Authorization": f"Bearer {token}"}


def test_api_register_ping_log_and_remove(np, client, receiver):
    kim = bearer(np, "kim@example.org")
    lee = bearer(np, "lee@example.org")
    r = client.post(
        "/api/v1/webhooks",
        json={"url": receiver.url, "kinds": ["desk.*"], "description": "연구실 수신기"},
        headers=kim,
    )
    assert r.status_code == 201, r.text
    made = r.json()
    receiver.secret = made["secret"]
    assert made["owner"].startswith("user:") and made["kinds"] == ["desk.*"]
    listed = client.get("/api/v1/webhooks", headers=kim).json()
    assert [e["id"] for e in listed] == [made["id"]] and "secret" not in listed[0]
    assert client.get("/api/v1/webhooks", headers=lee).json() == []

    r = client.post(f"/api/v1/webhooks/{made['id']}/ping", headers=kim)
    assert r.status_code == 202 and r.json()["status"] == "pending"
    assert client.post(f"/api/v1/webhooks/{made['id']}/ping", headers=lee).status_code == 404
    drain(np)
    (got,) = receiver.got
    assert got.verified and json.loads(got.body)["type"] == "webhook.ping"
    log = client.get(f"/api/v1/webhooks/{made['id']}/deliveries", headers=kim).json()
    assert [(d["status"], d["attempts"], d["response_status"]) for d in log] == [
        ("delivered", 1, 200)
    ]
    assert log[0]["message_id"] == got.headers["webhook-id"]

    bad = client.post("/api/v1/webhooks", json={"url": "https://10.0.0.1/x"}, headers=kim)
    assert bad.status_code == 422 and "10.0.0.1" in bad.text
    assert client.post("/api/v1/webhooks", json={"url": receiver.url}).status_code == 401
    assert client.delete(f"/api/v1/webhooks/{made['id']}", headers=lee).status_code == 404
    assert client.delete(f"/api/v1/webhooks/{made['id']}", headers=kim).status_code == 200
    assert client.get("/api/v1/webhooks", headers=kim).json() == []


def test_api_notification_settings(np, client):
    kim = bearer(np, "kim@example.org")
    assert client.get("/api/v1/notifications/settings", headers=kim).json() == {"email": True}
    r = client.put("/api/v1/notifications/settings", json={"email": False}, headers=kim)
    assert r.status_code == 200 and r.json() == {"email": False}
    assert client.get("/api/v1/notifications/settings", headers=kim).json() == {"email": False}
    assert client.get("/api/v1/notifications/settings").status_code == 401


def test_cli_add_list_ping_deliveries_remove(np, receiver):
    np.accounts.create_user(
        "kim@example.org", display_name="kim", password=PASSWORD, principal=SYSTEM
    )
    env = {
        "DATANURI_DATA_DIR": str(np.config.data_dir),
        "DATANURI_DATABASE_URL": np.config.database_url,
        "DATANURI_WEBHOOK_ALLOW_LOOPBACK": "true",
        "DATANURI_JOB_WORKERS": "0",
    }

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = run_cli(["webhooks", *args], env)
        assert not check or proc.returncode == 0, proc.stderr + proc.stdout
        return proc

    made = json.loads(run("add", receiver.url, "--user", "kim@example.org", "--json").stdout)
    receiver.secret = made["secret"]
    assert run("add", receiver.url, check=False).returncode != 0  # neither --org nor --user
    assert [e["id"] for e in json.loads(run("list", "--json").stdout)] == [made["id"]]
    kim = np.accounts.principal_for("kim@example.org")
    with np.db.session() as s:
        np.channels.notifier.notify(
            s, Notice(kim.user_id, "desk.test", ("알림", "notice"), "/", Event("desk.x", {"a": 1}))
        )
    assert "Queued ping" in run("ping", str(made["id"])).stdout
    drain(np)
    assert len(receiver.got) == 2 and all(g.verified for g in receiver.got)
    log = json.loads(run("deliveries", str(made["id"]), "--json").stdout)
    assert sorted(d["kind"] for d in log) == ["desk.x", "webhook.ping"]
    assert {d["status"] for d in log} == {"delivered"}
    assert "Removed webhook" in run("remove", str(made["id"])).stdout
    assert json.loads(run("list", "--json").stdout) == []
