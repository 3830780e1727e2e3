"""The pseudonymisation key store: sealed key files per organisation outside the data, never
replaced, recorded in the ledger, resolved by name when a policy is applied."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.config import Config
from datanuri.events import Event
from datanuri.privacy.keys import (
    MSG_KEY_MISSING,
    KeyStore,
    derive_release_key,
    fingerprint,
    master_key_from_env,
)
from datanuri.privacy.service import PrivacyService
from tests.helpers import PASSWORD, editor_token


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def reference_fingerprint(key: bytes) -> str:
    return hmac.new(key, b"datanuri key fingerprint", hashlib.sha256).digest()[:16].hex()


# ----- the store on its own ------------------------------------------------------------------
def test_create_get_list_and_files(tmp_path):
    store = KeyStore(tmp_path / "keys")
    info = store.create("org-a", "holder-2026", created_by="user:1")
    key = store.get("org-a", "holder-2026")
    assert len(key) == 32 and info.fingerprint == reference_fingerprint(key) == fingerprint(key)
    assert (info.name, info.organization, info.created_by) == ("holder-2026", "org-a", "user:1")
    path = tmp_path / "keys" / "privacy" / "org-a" / "holder-2026.key"
    assert path.is_file() and mode(path) == 0o600
    assert (
        mode(tmp_path / "keys") == mode(tmp_path / "keys" / "privacy") == mode(path.parent) == 0o700
    )
    master = tmp_path / "keys" / "master.key"
    assert mode(master) == 0o600
    text = path.read_bytes()
    assert key not in text and key.hex().encode() not in text and base64.b64encode(key) not in text
    # independent unsealing: AES-256-GCM under the master key, the clear metadata as associated data
    body = json.loads(text)
    meta = {
        k: body[k]
        for k in ("format", "organization", "name", "fingerprint", "created_at", "created_by")
    }
    aad = json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    plain = AESGCM(base64.b64decode(master.read_text())).decrypt(
        base64.b64decode(body["nonce"]), base64.b64decode(body["sealed"]), aad
    )
    assert plain == key
    assert [k.to_dict() for k in store.list("org-a")] == [info.to_dict()]
    assert store.list("org-b") == []
    assert sorted(p.name for p in path.parent.iterdir()) == ["holder-2026.key"]  # no temp file left
    # a second store on the same directory reads the same key (the master key file is reused)
    assert KeyStore(tmp_path / "keys").get("org-a", "holder-2026") == key


def test_keys_are_never_replaced(tmp_path):
    store = KeyStore(tmp_path / "keys")
    first = store.create("org-a", "holder-2026", created_by="system")
    key = store.get("org-a", "holder-2026")
    with pytest.raises(errors.Conflict, match="holder-2027|holder-2026-2|never replaced"):
        store.create("org-a", "holder-2026", created_by="system")
    assert store.get("org-a", "holder-2026") == key and store.list("org-a") == [first]
    other = store.create(
        "org-b", "holder-2026", created_by="system"
    )  # the same name elsewhere is another key
    assert store.get("org-b", "holder-2026") != key and other.fingerprint != first.fingerprint


@pytest.mark.parametrize(
    "org, name",
    [
        ("org-a", "../../etc"),
        ("org-a", "Holder 2026"),
        ("org-a", ""),
        ("../x", "k1"),
        ("org-a", "a"),
    ],
)
def test_bad_names_refused(tmp_path, org, name):
    store = KeyStore(tmp_path / "keys")
    with pytest.raises(errors.InvalidInput, match="not URL-safe"):
        store.create(org, name, created_by="system")
    assert not (tmp_path / "keys" / "privacy").exists() or not any(
        (tmp_path / "keys" / "privacy").rglob("*.key")
    )


def test_master_key_from_environment(tmp_path):
    master = os.urandom(32)
    env = {"DATANURI_KEY_MASTER": base64.b64encode(master).decode()}
    assert master_key_from_env(env) == master and master_key_from_env({}) is None
    store = KeyStore(tmp_path / "keys", master_key=master_key_from_env(env))
    store.create("org-a", "k-2026", created_by="system")
    key = store.get("org-a", "k-2026")
    assert not (tmp_path / "keys" / "master.key").exists()  # the master key stays elsewhere
    with pytest.raises(errors.IntegrityError, match="master key"):
        KeyStore(tmp_path / "keys", master_key=os.urandom(32)).get("org-a", "k-2026")
    assert KeyStore(tmp_path / "keys", master_key=master).get("org-a", "k-2026") == key
    for bad in ("not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(errors.ConfigError, match="32 random bytes"):
            master_key_from_env({"DATANURI_KEY_MASTER": bad})


def test_altered_key_file_is_refused(tmp_path):
    store = KeyStore(tmp_path / "keys")
    store.create("org-a", "k-2026", created_by="user:1")
    path = store.path("org-a", "k-2026")
    body = json.loads(path.read_text())
    path.write_text(
        json.dumps({**body, "created_by": "user:2"})
    )  # the metadata is sealed with the key
    with pytest.raises(errors.IntegrityError, match="altered"):
        store.get("org-a", "k-2026")


def test_failed_record_creates_no_key(tmp_path):
    store = KeyStore(tmp_path / "keys")

    def record(info):
        raise errors.LedgerError("ledger down")

    with pytest.raises(errors.LedgerError):
        store.create("org-a", "k-2026", created_by="system", record=record)
    assert store.list("org-a") == [] and list(store.path("org-a", "k-2026").parent.iterdir()) == []
    with pytest.raises(errors.InvalidInput, match="privacy keys create org-a k-2026"):
        store.get("org-a", "k-2026")


# ----- through the service: permissions, ledger, policies ------------------------------------
def _user(platform, email, org=None, role="editor"):
    platform.accounts.create_user(email, display_name="사용자", password=PASSWORD, principal=SYSTEM)
    if org:
        platform.accounts.add_member(org, email, role=role, principal=SYSTEM)
    token = platform.accounts.create_token(
        name="t", scopes=["read", "publish"], for_email=email, principal=SYSTEM
    )[1]
    return platform.accounts.resolve_token(token)


def test_create_is_recorded_in_the_ledger_and_nowhere_in_the_data(platform, config):
    platform.accounts.create_organization("org-a", principal=SYSTEM)
    editor = _user(platform, "editor@example.org", "org-a")
    before = platform.ledger.size()
    info = platform.privacy.create_key("org-a", "holder-2026", principal=editor)
    assert info.created_by == editor.ref
    assert platform.ledger.size() == before + 1
    entry = platform.ledger.entry(before)["entry"]
    assert (
        entry["type"] == "privacy.key.created" and entry["subject"] == "org:org-a/key:holder-2026"
    )
    assert entry["actor"] == editor.ref and entry["data"]["fingerprint"] == info.fingerprint
    key = platform.privacy.keys.get("org-a", "holder-2026")
    assert key.hex() not in json.dumps(entry)
    # the key is in the key directory only: not in the database file, not in the blob store
    assert config.keys_path == config.data_dir / "keys"
    assert platform.privacy.keys.path("org-a", "holder-2026").is_relative_to(config.keys_path)
    if platform.db.engine.dialect.name == "sqlite":
        db_file = Path(platform.db.engine.url.database)
        stored = b"".join(p.read_bytes() for p in db_file.parent.glob(db_file.name + "*"))
        assert key not in stored and key.hex().encode() not in stored
    for blob in config.blob_dir.rglob("*"):
        assert not blob.is_file() or key not in blob.read_bytes()
    assert [k.name for k in platform.privacy.list_keys("org-a", principal=editor)] == [
        "holder-2026"
    ]


def test_only_editors_of_the_organisation(platform):
    platform.accounts.create_organization("org-a", principal=SYSTEM)
    platform.accounts.create_organization("org-b", principal=SYSTEM)
    member = _user(platform, "member@example.org", "org-a", role="member")
    other = _user(platform, "other@example.org", "org-b", role="owner")
    owner = _user(platform, "owner@example.org", "org-a", role="owner")
    for p in (member, other):
        with pytest.raises(errors.PermissionDenied):
            platform.privacy.create_key("org-a", "k-2026", principal=p)
        with pytest.raises(errors.PermissionDenied):
            platform.privacy.list_keys("org-a", principal=p)
    assert platform.privacy.list_keys("org-a", principal=SYSTEM) == []
    platform.privacy.create_key("org-a", "k-2026", principal=owner)
    with pytest.raises(errors.NotFound, match="No organization"):
        platform.privacy.create_key("no-such-org", "k-2026", principal=SYSTEM)


class FailingSink:
    """The real ledger, except that it cannot record events of one type (a ledger failure)."""

    def __init__(self, ledger, fail_type: str) -> None:
        self.ledger, self.fail_type = ledger, fail_type

    def record(self, session, event: Event):
        if event.type == self.fail_type:
            raise errors.LedgerError(f"could not record {event.type}")
        return self.ledger.record(session, event)


def test_ledger_failure_creates_no_key(platform):
    platform.accounts.create_organization("org-a", principal=SYSTEM)
    svc = PrivacyService(
        platform.db,
        platform.blobs,
        FailingSink(platform.ledger, "privacy.key.created"),
        platform.access,
        platform.catalog,
        keys=platform.privacy.keys,
    )
    before = platform.ledger.size()
    with pytest.raises(errors.LedgerError):
        svc.create_key("org-a", "k-2026", principal=SYSTEM)
    assert (
        platform.privacy.list_keys("org-a", principal=SYSTEM) == []
        and platform.ledger.size() == before
    )
    platform.privacy.create_key("org-a", "k-2026", principal=SYSTEM)  # the name is still free
    assert [k.name for k in platform.privacy.list_keys("org-a", principal=SYSTEM)] == ["k-2026"]


PATIENTS = [f"P{i:04d}" for i in range(1, 31)]


def _personal(platform, tmp_path: Path, org: str, name: str) -> None:
    """A small personal dataset of `org` with patient numbers, ages, sexes and diagnoses."""
    lines = ["환자번호,나이,성별,진단명"] + [
        # the diagnosis does not follow from the age (i % 3 for both would copy it, and the
        # release gate would refuse the diagnosis as a relabelling of the age)
        f"{pid},{30 + i % 3},{'남' if i % 2 else '여'},{('감기', '위염', '요통')[(i // 3) % 3]}"
        for i, pid in enumerate(PATIENTS)
    ]
    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        platform.accounts.create_organization(org, principal=SYSTEM)
    except errors.Conflict:
        pass
    platform.catalog.create_dataset(
        name, organization=org, access_level="personal", principal=SYSTEM
    )
    platform.catalog.publish(name, path, principal=SYSTEM)


def _policy(key: str, **pseudonymize) -> dict:
    return {
        "direct_identifiers": {"환자번호": {"pseudonymize": {"key": key, **pseudonymize}}},
        "quasi_identifiers": {"나이": "age", "성별": {"rows": [["남", "*"], ["여", "*"]]}},
        "sensitive": "진단명",
        "k": 2,
        "max_suppression": 0.0,
    }


def test_policies_resolve_keys_of_the_holder(platform, tmp_path):
    _personal(platform, tmp_path, "hospital-a", "visits-2024")
    _personal(platform, tmp_path, "hospital-a", "visits-2025")
    _personal(platform, tmp_path, "hospital-b", "visits-b")
    svc = platform.privacy
    with pytest.raises(errors.InvalidInput) as exc:
        svc.apply("visits-2024", _policy("holder-2026"), principal=SYSTEM)
    assert exc.value.message == MSG_KEY_MISSING.format(org="hospital-a", name="holder-2026")
    assert "datanuri privacy keys create hospital-a holder-2026" in exc.value.message
    a = svc.create_key("hospital-a", "holder-2026", principal=SYSTEM)
    svc.create_key("hospital-b", "holder-2026", principal=SYSTEM)
    key = svc.keys.get("hospital-a", "holder-2026")
    reference = {hmac.new(key, p.encode(), hashlib.sha256).hexdigest() for p in PATIENTS}
    linked = _policy("holder-2026", linkable=True)
    first = svc.apply("visits-2024", linked, principal=SYSTEM)
    second = svc.apply("visits-2025", linked, principal=SYSTEM)
    elsewhere = svc.apply("visits-b", linked, principal=SYSTEM)
    assert first.passed and second.passed and elsewhere.passed
    pa_, pb_ = (
        first.table.column("환자번호").to_pylist(),
        second.table.column("환자번호").to_pylist(),
    )
    assert (
        set(pa_) == reference and pa_ == pb_
    )  # linkable: one holder, one key, the same pseudonyms in every dataset
    assert (
        not set(elsewhere.table.column("환자번호").to_pylist()) & reference
    )  # another holder cannot link them
    step = first.report.measures[0].to_json()
    assert step == {
        "column": "환자번호",
        "measure": "pseudonymize",
        "key": "holder-2026",
        "linkable": True,
        "key_fingerprint": a.fingerprint,
    }
    assert key.hex() not in json.dumps(first.summary())
    # by default the key is derived per release: HKDF of the key with the salt in the report
    per_release = svc.apply("visits-2024", _policy("holder-2026"), principal=SYSTEM)
    step = per_release.report.measures[0].to_json()
    salt = bytes.fromhex(step["release_salt"])
    assert (
        step["linkable"] is False and len(salt) == 16 and step["key_fingerprint"] == a.fingerprint
    )
    derived = derive_release_key(key, salt)
    assert set(per_release.table.column("환자번호").to_pylist()) == {
        hmac.new(derived, p.encode(), hashlib.sha256).hexdigest() for p in PATIENTS
    }
    assert not set(per_release.table.column("환자번호").to_pylist()) & reference
    # the release's ledger event names the key by name and fingerprint, and says it was linkable
    info = svc.release("visits-2024", linked, target_name="visits-2024-open", principal=SYSTEM)
    released = pq.read_table(platform.catalog.parquet_path("visits-2024-open", principal=SYSTEM))
    assert set(released.column("환자번호").to_pylist()) == reference
    data = platform.ledger.entry(info.ledger_index)["entry"]["data"]
    assert data["keys"] == {"holder-2026": a.fingerprint}
    assert data["linkable"] == {"holder-2026": True}
    # keys given explicitly (pure use, tests) still win over the store
    given = svc.apply("visits-2024", linked, keys={"holder-2026": b"k" * 32}, principal=SYSTEM)
    assert not set(given.table.column("환자번호").to_pylist()) & reference


def test_key_dir_setting(tmp_path):
    cfg = Config.load(
        env={
            "DATANURI_DATA_DIR": str(tmp_path / "data"),
            "DATANURI_KEY_DIR": str(tmp_path / "secret"),
        }
    )
    assert cfg.key_dir == tmp_path / "secret" and cfg.keys_path == tmp_path / "secret"
    assert Config(data_dir=tmp_path / "d").keys_path == tmp_path / "d" / "keys"
    from datanuri.platform import Platform

    with Platform(cfg) as p:
        p.accounts.create_organization("org-a", principal=SYSTEM)
        p.privacy.create_key("org-a", "k-2026", principal=SYSTEM)
    assert (tmp_path / "secret" / "privacy" / "org-a" / "k-2026.key").is_file()
    assert not (tmp_path / "data" / "keys" / "privacy").exists()


# ----- interfaces ----------------------------------------------------------------------------
def test_api_create_and_list(platform, api):
    platform.accounts.create_organization("org-a", principal=SYSTEM)
    token = editor_token(platform, "org-a")
    auth = {"Authorization": f"Bearer {token}"}
    url = "/api/v1/organizations/org-a/privacy/keys"
    r = api.post(url, json={"name": "holder-2026"}, headers=auth)
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"name", "organization", "fingerprint", "created_at", "created_by"}
    assert body["fingerprint"] == reference_fingerprint(
        platform.privacy.keys.get("org-a", "holder-2026")
    )
    assert api.get(url, headers=auth).json() == [body]
    again = api.post(url, json={"name": "holder-2026"}, headers=auth)
    assert again.status_code == 409 and "never replaced" in again.json()["error"]["message"]
    assert api.post(url, json={"name": "Bad Name"}, headers=auth).status_code == 422
    assert api.get("/api/v1/organizations/nowhere/privacy/keys", headers=auth).status_code == 404
    assert api.get(url).status_code == 401


def test_cli_create_and_list(platform, config):
    from typer.testing import CliRunner

    from datanuri.cli import app

    platform.accounts.create_organization("org-a", principal=SYSTEM)
    env = {"DATANURI_DATA_DIR": str(config.data_dir), "DATANURI_DATABASE_URL": config.database_url}
    run = lambda *a: CliRunner().invoke(app, list(a), env=env)  # noqa: E731
    r = run("privacy", "keys", "create", "org-a", "holder-2026", "--json")
    assert r.exit_code == 0, r.output
    created = json.loads(r.stdout)
    assert created["fingerprint"] == platform.privacy.keys.info("org-a", "holder-2026").fingerprint
    r = run("privacy", "keys", "list", "org-a", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout) == [created]
    r = run("privacy", "keys", "list", "org-a")
    assert "holder-2026" in r.stdout and created["fingerprint"] in r.stdout
    r = run(
        "privacy", "keys", "create", "org-a", "holder-2026"
    )  # `main()` turns this into exit code 5
    assert isinstance(r.exception, errors.Conflict) and "never replaced" in r.exception.message
    assert run("privacy", "keys", "--help").exit_code == 0


def test_demo_key_and_the_readme_policy(platform, tmp_path):
    """The demo creates the hospital's key, so the README's example policy (which pseudonymises the
    patient numbers with it) releases the demo's personal dataset; loading again keeps the key."""
    from datanuri.demo.load import DEMO_KEY, DEMO_KEY_DATASET, load_demo
    from datanuri.privacy.policy import load_policy

    load_demo(platform, tmp_path / "src")
    org = platform.catalog.get_dataset(DEMO_KEY_DATASET, principal=SYSTEM).organization
    keys = platform.privacy.list_keys(org, principal=SYSTEM)
    assert [k.name for k in keys] == [DEMO_KEY]
    load_demo(platform, tmp_path / "src")
    assert platform.privacy.list_keys(org, principal=SYSTEM) == keys
    example = Path(__file__).resolve().parents[2] / "examples" / "policy-outpatient.json"
    info = platform.privacy.release(
        DEMO_KEY_DATASET,
        load_policy(example),
        target_name="outpatient-visits-deid",
        principal=SYSTEM,
    )
    step = next(m.to_json() for m in info.report.measures if m.column == "환자번호")
    assert step["measure"] == "pseudonymize" and step["key_fingerprint"] == keys[0].fingerprint
