"""The synthetic-data REST API: start a run (a job, or inline), read the candidate's report as
JSON and HTML, release it through its gate, list releases; the holder's editors only. Both
databases (`platform`)."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from datanuri.synth import messages as M
from datanuri.web.app import create_app
from tests.helpers import editor_token
from tests.privacy.test_release_api import _token
from tests.privacy.test_service import HOSPITAL, ORG, load_hospital

API = "/api/v1"
SYNTH = f"{API}/datasets/{HOSPITAL}/synth"
BODY = {"epsilon": 1.0, "columns": ["성별", "나이", "진료과", "진단명"], "target": "진료과"}


@pytest.fixture
def client(platform, tmp_path):
    load_hospital(platform, tmp_path / "demo")
    with TestClient(create_app(platform), raise_server_exceptions=False) as c:
        c.headers.update({"Authorization": f"Bearer {editor_token(platform, ORG)}"})
        yield c


def test_run_read_release_and_list(client, platform):
    r = client.post(f"{SYNTH}/runs?wait=true", json={**BODY, "seed": 7})
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["job"]["kind"] == "synth.run" and run["passed"] and run["releasable"]
    assert run["gate"]["charge"] == pytest.approx(1.0) and "seed" not in run["report"]
    url = run["candidate_url"]
    got = client.get(url).json()
    assert got["report"] == run["report"] and got["gate"]["releasable"]
    tvd = got["report"]["tvd_2way"]
    html = client.get(f"{url}/report.html?lang=ko")
    assert html.status_code == 200 and "합성 데이터 보고서" in html.text
    assert f"{tvd:.4f}" in html.text  # the figure the JSON holds, on the page
    assert "Synthetic data report" in client.get(f"{url}/report.html?lang=en").text
    assert [c["id"] for c in client.get(f"{SYNTH}/candidates").json()] == [run["candidate"]]

    r = client.post(f"{url}/release?wait=true", json={"target": "visits-twin"})
    assert r.status_code == 201, r.text
    release = r.json()["release"]
    assert release["target_dataset"] == "visits-twin" and release["epsilon"] == pytest.approx(1.0)
    assert client.get(f"{API}/datasets/visits-twin").json()["access_level"] == "open"
    assert [x["id"] for x in client.get(f"{SYNTH}/releases").json()] == [release["id"]]
    # released once: its gate is shut now, and a second release is refused (422)
    again = client.post(f"{url}/release?wait=true", json={"target": "visits-twin-2"})
    assert again.status_code == 422 and again.json()["error"]["code"] == "synth_failed"
    assert client.get(url).json()["release_id"] == release["id"]


def test_a_background_run_and_a_copula_gate(client):
    r = client.post(f"{SYNTH}/runs", json={**BODY, "method": "copula"})
    assert r.status_code == 202, r.text
    deadline = time.monotonic() + 120
    while (job := client.get(r.json()["status_url"]).json())["status"] not in (
        "succeeded",
        "failed",
    ):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job["status"] == "succeeded", job
    cand = client.get(job["result"]["candidate_url"]).json()
    assert cand["method"] == "copula" and not cand["gate"]["releasable"]
    assert M.MSG_GATE_NO_GUARANTEE in cand["gate"]["reasons"]
    assert "보장" in cand["gate"]["reasons_ko"][0]
    refused = client.post(
        f"{SYNTH}/candidates/{cand['id']}/release?wait=true", json={"target": "t"}
    )
    assert refused.status_code == 422


def test_others_are_refused(client, platform):
    member = {"Authorization": f"Bearer {_token(platform, 'm@example.org', ORG, 'member')}"}
    assert client.post(f"{SYNTH}/runs", json=BODY, headers=member).status_code == 403
    assert client.get(f"{SYNTH}/candidates", headers=member).status_code == 403
    assert client.post(f"{SYNTH}/runs", json=BODY, headers={"Authorization": ""}).status_code == 401
    assert client.get(f"{SYNTH}/candidates/999999").status_code == 404
    bad = client.post(f"{SYNTH}/runs?wait=true", json={**BODY, "columns": ["없는열"]})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"
