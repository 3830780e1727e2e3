"""Issue #12, "other doors": personal content cannot become open or restricted by an ordinary
publish. Detection runs on every publish into an open or restricted dataset; only a passing
release, or an owner's override with a reason (recorded in the ledger first), lets flagged
content through; content identical to a personal version never goes through. API, CLI and the
web console each refuse."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from datanuri import errors
from datanuri.accounts import SYSTEM
from datanuri.privacy import messages as M
from datanuri.privacy.guard import (
    MIN_REASON_CHARS,
    DetectionGuard,
    PublishRefused,
    ReleaseTicket,
    sample_parquet,
)
from tests.helpers import PASSWORD, run_cli

ORG = "clinic"
OWNER, EDITOR = "owner@example.org", "editor@example.org"
SURNAMES = "김이박최정강조윤장임"
GIVEN = ["민준", "서연", "지훈", "하은", "도윤", "지우", "서준", "수아", "예준", "지아"]
POLICY = {
    "direct_identifiers": {"이름": "delete", "전화번호": "delete"},
    "quasi_identifiers": {"나이": {"intervals": [10, 20]}},
    "sensitive": "진단명",
    "model": "k-anonymity",
    "k": 2,
    "max_suppression": 0.2,
}


def people_csv(path: Path, rows: int = 40, *, skip: int = 0) -> Path:
    """A small personal file: Korean names, mobile numbers, ages and diagnoses."""
    lines = ["이름,전화번호,나이,진단명"]
    for i in range(skip, rows):
        name = SURNAMES[i % 10] + GIVEN[(i * 3) % 10]
        lines.append(f"{name},010-{1000 + i:04d}-{5000 + i * 7:04d},{20 + i % 50},{'AB'[i % 2]}형")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def plain_csv(path: Path) -> Path:
    """A file with nothing personal in it: category counts."""
    lines = ["구분,건수"] + [f"{k},{n}" for k, n in (("가", 3), ("나", 5), ("다", 3), ("라", 8))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def principal(platform: Any, email: str, role: str) -> Any:
    platform.accounts.create_user(email, display_name="사용자", password=PASSWORD, principal=SYSTEM)
    platform.accounts.add_member(ORG, email, role=role, principal=SYSTEM)
    token = platform.accounts.create_token(
        name="t", scopes=["read", "publish"], for_email=email, principal=SYSTEM
    )[1]
    return platform.accounts.resolve_token(token), token


@pytest.fixture
def world(platform: Any, tmp_path: Path) -> Any:
    """A clinic with a personal dataset (one version), an empty open and restricted one, an owner
    and an editor."""
    cat = platform.catalog
    platform.accounts.create_organization(ORG, title="의원", principal=SYSTEM)
    cat.create_dataset("patients", organization=ORG, access_level="personal", principal=SYSTEM)
    cat.create_dataset("stats", organization=ORG, access_level="open", principal=SYSTEM)
    cat.create_dataset("inside", organization=ORG, access_level="restricted", principal=SYSTEM)
    cat.publish("patients", people_csv(tmp_path / "patients.csv"), principal=SYSTEM)
    platform.owner, platform.owner_token = principal(platform, OWNER, "owner")
    platform.editor, platform.editor_token = principal(platform, EDITOR, "editor")
    return platform


def versions(platform: Any, name: str) -> int:
    return len(platform.catalog.get_dataset(name, principal=SYSTEM).versions)


def ledger(platform: Any) -> list[dict]:
    """Every ledger entry (as recorded), with its index."""
    return [{**e["entry"], "index": e["index"]} for e in platform.ledger.entries(0, 1000)]


def ledger_types(platform: Any) -> list[str]:
    return [e["type"] for e in ledger(platform)]


# ----- the service ------------------------------------------------------------------------------
@pytest.mark.parametrize("target", ["stats", "inside"])
def test_the_personal_file_itself_never_goes_into_open_or_restricted(
    world: Any, tmp_path: Path, target: str
) -> None:
    """Probe: an editor creates an open dataset and uploads the personal file itself."""
    src = tmp_path / "patients.csv"
    for who, reason in ((world.editor, None), (world.owner, "these are not people, trust me")):
        with pytest.raises(errors.PermissionDenied) as exc:
            world.catalog.publish(target, src, principal=who, override_reason=reason)
        level = "open" if target == "stats" else "restricted"
        assert exc.value.message == errors.MSG_PERSONAL_COPY.format(
            version=1, personal="patients", level=level, name=target
        )
    assert versions(world, target) == 0


def test_content_with_identifiers_is_refused_and_says_what_to_do(
    world: Any, tmp_path: Path
) -> None:
    """Not the same bytes (one row fewer), same people: detection refuses it."""
    src = people_csv(tmp_path / "copy.csv", skip=1)
    with pytest.raises(PublishRefused) as exc:
        world.catalog.publish("stats", src, principal=world.editor)
    assert exc.value.message.startswith(M.MSG_PUBLISH_IDENTIFIERS.split("{")[0])
    assert "'이름'" in exc.value.message and "'전화번호'" in exc.value.message
    assert {c["column"] for c in exc.value.details["columns"]} >= {"이름", "전화번호"}
    assert exc.value.status == 403 and versions(world, "stats") == 0


def test_only_an_owner_overrides_and_only_with_a_reason_recorded_first(
    world: Any, tmp_path: Path
) -> None:
    src = people_csv(tmp_path / "copy.csv", skip=1)
    with pytest.raises(PublishRefused) as exc:
        world.catalog.publish(
            "stats", src, principal=world.editor, override_reason="a long enough reason here"
        )
    assert exc.value.message.startswith(M.MSG_OVERRIDE_NOT_OWNER.split("{")[0])
    with pytest.raises(errors.InvalidInput) as short:
        world.catalog.publish("stats", src, principal=world.owner, override_reason=" short ")
    assert short.value.message == M.MSG_OVERRIDE_REASON.format(min_chars=MIN_REASON_CHARS)
    assert versions(world, "stats") == 0
    assert "privacy.detection.overridden" not in ledger_types(world)

    reason = "synthetic names for a training course"
    done = world.catalog.publish("stats", src, principal=world.owner, override_reason=reason)
    assert done.created and versions(world, "stats") == 1
    over = [e for e in ledger(world) if e["type"] == "privacy.detection.overridden"]
    assert len(over) == 1
    entry = over[0]
    assert entry["data"]["reason"] == reason and entry["actor"] == world.owner.ref
    assert set(entry["data"]["columns"]) >= {"이름", "전화번호"}
    assert entry["hashes"]["parquet"] == f"sha256:{done.version.content_hash}"
    # recorded before it took effect: the override precedes the version's own entry
    assert entry["index"] < done.version.ledger_index


def test_clean_content_and_personal_datasets_publish_as_before(world: Any, tmp_path: Path) -> None:
    assert world.catalog.publish("stats", plain_csv(tmp_path / "c.csv"), principal=world.editor)
    assert world.catalog.publish(
        "patients", people_csv(tmp_path / "more.csv", rows=45), principal=world.editor
    ).created


def test_a_passing_release_goes_through_and_nothing_else_can_claim_to_be_one(
    world: Any, tmp_path: Path
) -> None:
    rec = world.privacy.release("patients", POLICY, target_name="released", principal=world.editor)
    assert rec.target_version == 1
    src = people_csv(tmp_path / "copy.csv", skip=1)
    forged = ReleaseTicket("stats", ("이름", "전화번호", "나이", "진단명"), 39)
    with pytest.raises(errors.PermissionDenied) as exc:
        world.catalog.publish("stats", src, principal=world.editor, release=forged)
    assert exc.value.message == M.MSG_RELEASE_TICKET.format(name="stats")
    # a real ticket is for one table into one target, once
    guard = world.privacy.guard
    assert isinstance(guard, DetectionGuard) and guard is world.guard
    assert world.catalog.guard.issue.__self__ is guard  # the catalog checks this guard's tickets
    table = sample_parquet(world.catalog.parquet_path("released", principal=SYSTEM))
    ticket = guard.issue(target="stats", table=table, passed=True)
    with pytest.raises(errors.PermissionDenied):  # not the table the ticket was issued for
        world.catalog.publish("stats", src, principal=world.editor, release=ticket)
    with pytest.raises(errors.PermissionDenied):
        guard.issue(target="stats", table=table, passed=False)
    assert versions(world, "stats") == 0


def test_personal_stays_personal(world: Any) -> None:
    for level in ("open", "restricted"):
        with pytest.raises(errors.PermissionDenied) as exc:
            world.catalog.update_dataset("patients", access_level=level, principal=world.owner)
        assert exc.value.message == errors.MSG_PERSONAL_ACCESS.format(name="patients", to=level)


# ----- the interfaces ---------------------------------------------------------------------------
def _upload(client: TestClient, name: str, path: Path, headers: dict, **form: str) -> Any:
    with path.open("rb") as fh:
        return client.post(
            f"/api/v1/datasets/{name}/versions?wait=true",
            files={"file": (path.name, fh, "text/csv")},
            data=form,
            headers=headers,
        )


def test_api_refuses_and_an_owner_overrides(world: Any, api: TestClient, tmp_path: Path) -> None:
    src = people_csv(tmp_path / "copy.csv", skip=1)
    editor = {"Authorization": f"Bearer {world.editor_token}"}
    owner = {"Authorization": f"Bearer {world.owner_token}"}
    r = _upload(api, "stats", src, editor)
    assert r.status_code == 422, r.text  # a failed ingest job (?wait=true) answers 422
    body = r.json()["error"]
    assert body["code"] == "direct_identifiers"
    assert body["message"].startswith(M.MSG_PUBLISH_IDENTIFIERS.split("{")[0])
    r = _upload(api, "stats", tmp_path / "patients.csv", owner, override_reason="x" * 20)
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith("This content is identical")
    r = _upload(api, "stats", src, owner, override_reason="synthetic names for a course")
    assert r.status_code == 201, r.text
    assert versions(world, "stats") == 1


def test_cli_refuses_and_overrides_with_a_reason(world: Any, config: Any, tmp_path: Path) -> None:
    env = {
        "DATANURI_DATA_DIR": str(config.data_dir),
        "DATANURI_DATABASE_URL": config.database_url,
    }
    src = people_csv(tmp_path / "copy.csv", skip=1)

    def cli(*args: str) -> subprocess.CompletedProcess:
        return run_cli(args, env)

    refused = cli("publish", str(src), "-d", "new-open", "--org", ORG, "--access", "open")
    assert refused.returncode == errors.PermissionDenied.exit_code
    out = " ".join((refused.stderr + refused.stdout).split())
    assert "Detection found direct identifiers" in out and "--override-reason" in out
    # a refused first publish leaves no empty dataset behind
    with pytest.raises(errors.NotFound):
        world.catalog.get_dataset("new-open", principal=SYSTEM)
    done = cli(
        "publish",
        str(src),
        "-d",
        "stats",
        "--override-reason",
        "synthetic names for a course",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["created"] is True
    assert "privacy.detection.overridden" in ledger_types(world)


def _browser(api: TestClient, email: str) -> tuple[TestClient, str]:
    """A browser logged in as `email`, and the console page of the open dataset."""
    browser = TestClient(api.app, raise_server_exceptions=False)
    page = browser.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    browser.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf.group(1)})
    console = browser.get("/console/datasets/stats")
    assert console.status_code == 200
    return browser, console.text


def test_web_console_upload_is_refused_and_owners_may_override(
    world: Any, api: TestClient, tmp_path: Path
) -> None:
    """The console uploads through the API with the session cookie and its CSRF token."""
    src = people_csv(tmp_path / "c.csv", skip=1)
    browser, page = _browser(api, EDITOR)
    assert 'name="override_reason"' not in page  # editors are not offered the override
    token = re.search(r'data-csrf="([^"]+)"', page)
    assert token
    r = _upload(browser, "stats", src, {"x-csrf-token": token.group(1)})
    assert r.status_code == 422 and r.json()["error"]["code"] == "direct_identifiers"
    assert "direct_identifiers" in page  # the console explains the refusal in Korean first
    assert versions(world, "stats") == 0
    browser, page = _browser(api, OWNER)
    assert 'name="override_reason"' in page
    token = re.search(r'data-csrf="([^"]+)"', page)
    assert token
    r = _upload(
        browser,
        "stats",
        src,
        {"x-csrf-token": token.group(1)},
        override_reason="synthetic names for a course",
    )
    assert r.status_code == 201, r.text
    assert versions(world, "stats") == 1
