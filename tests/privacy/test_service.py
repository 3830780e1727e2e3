"""The privacy service on the demo's personal dataset: scan, apply, release, refuse."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import rfc8785

from datanuri import errors
from datanuri.accounts import SYSTEM
from datanuri.privacy.service import PolicyFailed, PrivacyService, sha256_json
from tests.helpers import PASSWORD

HOSPITAL = "nuri-hospital-outpatient-visits"
ORG = "nuri-hospital"
KEY = "nuri-hospital-2026"  # the demo's key of the hospital (datanuri.demo.load.DEMO_KEY)
POLICY = {
    "direct_identifiers": {
        "환자번호": {"pseudonymize": {"key": KEY, "length": 16}},
        "이름": "delete",
        "주민등록번호": "delete",
        "전화번호": "delete",
        "주소": "delete",
    },
    "quasi_identifiers": {
        "나이": "age",
        "성별": {"rows": [["남", "*"], ["여", "*"]]},
        "진료일": "date",
    },
    "sensitive": "진단명",
    "insensitive": {"진료과": "진료과(진료 부서): 수십 개 값 중 하나로, 개인을 가리키지 않음"},
    "model": "k-anonymity",
    "k": 5,
    "max_suppression": 0.05,
}

#: POLICY releasing the RRNs as they are, with a reason: the gate refuses (an RRN is no false
#: detection), so the release fails with a report that says why.
LEAKY = {
    **POLICY,
    "direct_identifiers": {
        k: v for k, v in POLICY["direct_identifiers"].items() if k != "주민등록번호"
    },
    "insensitive": {**POLICY["insensitive"], "주민등록번호": "we trust our readers"},
}


def load_hospital(platform, src: Path) -> None:
    """Publish the demo's personal dataset (only that one, for speed) and create the hospital's
    pseudonymisation key, as `load_demo` does."""
    from datanuri.demo.data import generate

    orgs, datasets = generate(src)
    d = next(x for x in datasets if x.name == HOSPITAL)
    org = next(o for o in orgs if o.name == d.org)
    platform.accounts.create_organization(org.name, title=org.title, principal=SYSTEM)
    platform.catalog.create_dataset(
        d.name, organization=d.org, title=d.title, access_level=d.access, principal=SYSTEM
    )
    for path, note in d.files:
        platform.catalog.publish(d.name, path, change_note=note, principal=SYSTEM)
    platform.privacy.create_key(d.org, KEY, principal=SYSTEM)


def user(platform, email: str, org: str | None = None, role: str = "editor"):
    platform.accounts.create_user(email, display_name="사용자", password=PASSWORD, principal=SYSTEM)
    if org:
        platform.accounts.add_member(org, email, role=role, principal=SYSTEM)
    token = platform.accounts.create_token(
        name="t", scopes=["read", "publish"], for_email=email, principal=SYSTEM
    )[1]
    return platform.accounts.resolve_token(token)


@pytest.fixture
def world(platform, tmp_path):
    load_hospital(platform, tmp_path / "demo")
    svc = PrivacyService(
        platform.db,
        platform.blobs,
        platform.ledger,
        platform.access,
        platform.catalog,
        keys=platform.privacy.keys,
    )
    editor = user(platform, "editor@example.org", ORG)
    return platform, svc, editor


def test_scan_finds_direct_identifiers(world):
    platform, svc, editor = world
    result = svc.scan(HOSPITAL, principal=editor)
    cats = {c["column"]: (c["category"], c["kind"]) for c in result["columns"]}
    assert cats["주민등록번호"] == ("direct", "rrn")
    assert cats["이름"] == ("direct", "name")
    assert cats["전화번호"][0] == "direct" and "phone" in cats["전화번호"][1]
    assert cats["진단명"][0] == "sensitive"
    assert result["version"] == 1


def test_apply_publishes_nothing(world):
    platform, svc, editor = world
    before = platform.ledger.size()
    c = svc.apply(HOSPITAL, POLICY, principal=editor)
    assert c.passed and c.report.passed
    assert "주민등록번호" not in c.table.column_names
    assert platform.ledger.size() == before
    assert [d.name for d in platform.catalog.list_datasets(principal=SYSTEM)] == [HOSPITAL]


def test_release_passes_and_is_readable_by_anyone(world):
    from pycanon import anonymity as pycanon

    platform, svc, editor = world
    info = svc.release(HOSPITAL, POLICY, target_name="hospital-visits-open", principal=editor)
    assert info.source_dataset == HOSPITAL and info.source_version == 1 and info.target_version == 1
    assert (
        platform.catalog.get_dataset("hospital-visits-open", principal=SYSTEM).access_level
        == "open"
    )
    from datanuri.accounts.principal import ANONYMOUS

    released = pq.read_table(
        platform.catalog.parquet_path("hospital-visits-open", principal=ANONYMOUS)
    )
    assert {"이름", "주민등록번호", "전화번호", "주소"}.isdisjoint(released.column_names)
    # patient numbers became keyed pseudonyms: HMAC-SHA-256 with the hospital's key (Python's hmac as reference)
    import hmac

    from datanuri.privacy.keys import derive_release_key

    key = platform.privacy.keys.get(ORG, KEY)
    source = pq.read_table(
        platform.blobs.verify(
            platform.catalog.get_version(HOSPITAL, 1, principal=SYSTEM).content_hash
        )
    )
    step = next(m.options for m in info.report.measures if m.column == "환자번호")
    derived = derive_release_key(key, bytes.fromhex(step["release_salt"]))  # per release
    expected = {
        hmac.new(derived, str(v).encode(), hashlib.sha256).hexdigest()[:16]
        for v in source.column("환자번호").to_pylist()
    }
    pseudonyms = set(released.column("환자번호").to_pylist())
    assert pseudonyms and pseudonyms <= expected
    assert not pseudonyms & {str(v) for v in source.column("환자번호").to_pylist()}
    step = next(m.to_json() for m in info.report.measures if m.column == "환자번호")
    fp = platform.privacy.keys.info(ORG, KEY).fingerprint
    assert (
        step["key"] == KEY
        and step["key_fingerprint"] == fp
        and key.hex() not in json.dumps(info.report.to_json())
    )
    assert released.num_rows == info.report.records.released
    df = released.to_pandas().reset_index(drop=True)
    qi = ["나이", "성별", "진료일"]
    assert pycanon.k_anonymity(df, qi) >= 5
    assert pycanon.k_anonymity(df, qi) == info.report.privacy.measured.k
    assert pycanon.l_diversity(df, qi, ["진단명"]) >= 1
    # the ledger entry carries the hashes of source, policy, report and output
    entry = platform.ledger.entry(info.ledger_index)["entry"]
    assert entry["type"] == "privacy.release"
    assert entry["data"]["keys"] == {KEY: fp}
    src = platform.catalog.get_version(HOSPITAL, 1, principal=SYSTEM)
    out = platform.catalog.get_version("hospital-visits-open", 1, principal=SYSTEM)
    assert entry["hashes"] == {
        "source": f"sha256:{src.content_hash}",
        "policy": f"sha256:{sha256_json(POLICY)}",
        "report": f"sha256:{info.report.digest()}",
        "output": f"sha256:{out.content_hash}",
    }
    assert (
        hashlib.sha256(platform.blobs.verify(out.content_hash).read_bytes()).hexdigest()
        == out.content_hash
    )
    again = svc.get_release(info.id, principal=editor)
    assert again.report_hash == again.report.digest() == info.report_hash
    # any RFC 8785 implementation reproduces the ledger's report hash from the stored record
    stored = again.to_dict()["report"]
    assert (
        entry["hashes"]["report"] == f"sha256:{hashlib.sha256(rfc8785.dumps(stored)).hexdigest()}"
    )
    assert [r.id for r in svc.list_releases(HOSPITAL, principal=editor)] == [info.id]


def test_restricted_release_and_existing_target(world):
    platform, svc, editor = world
    first = svc.release(
        HOSPITAL,
        POLICY,
        target_name="hospital-restricted",
        access_level="restricted",
        principal=editor,
    )
    assert (
        platform.catalog.get_dataset("hospital-restricted", principal=SYSTEM).access_level
        == "restricted"
    )
    second = svc.release(
        HOSPITAL,
        {**POLICY, "k": 10},
        target_name="hospital-restricted",
        access_level="restricted",
        principal=editor,
    )
    assert second.target_version == first.target_version + 1


@pytest.mark.parametrize(
    "change, says",
    [
        ({"k": 5000}, "k = 5000 is larger than the table (2000 rows)"),
        (
            {"model": "distinct-l-diversity", "l": 100, "max_suppression": 0.0},
            "'진단명' has only 22 distinct value(s) in the table, fewer than l = 100",
        ),
    ],
)
def test_failing_policy_changes_nothing(world, change, says):
    platform, svc, editor = world
    before = platform.ledger.size()
    with pytest.raises(errors.InvalidInput) as exc:
        svc.release(
            HOSPITAL, {**POLICY, **change}, target_name="should-not-exist", principal=editor
        )
    assert says in exc.value.message
    assert platform.ledger.size() == before
    with pytest.raises(errors.NotFound):
        platform.catalog.get_dataset("should-not-exist", principal=SYSTEM)
    assert svc.list_releases(HOSPITAL, principal=editor) == []


def test_untreated_identifier_fails(world):
    platform, svc, editor = world
    before = platform.ledger.size()
    with pytest.raises(PolicyFailed, match="주민등록번호") as exc:
        svc.release(HOSPITAL, LEAKY, target_name="leaky", principal=editor)
    assert "nothing was released" in exc.value.message and exc.value.details["failures"]
    assert platform.ledger.size() == before


def test_non_editors_refused(world):
    platform, svc, editor = world
    outsider = user(platform, "outsider@example.org")
    member = user(platform, "member@example.org", ORG, role="member")
    for p in (outsider, member):
        with pytest.raises(errors.PermissionDenied):
            svc.scan(HOSPITAL, principal=p)
        with pytest.raises(errors.PermissionDenied):
            svc.apply(HOSPITAL, POLICY, principal=p)
        with pytest.raises(errors.PermissionDenied):
            svc.release(HOSPITAL, POLICY, target_name="x-release", principal=p)
    info = svc.release(HOSPITAL, POLICY, target_name="ok-release", principal=editor)
    with pytest.raises(errors.PermissionDenied):
        svc.get_release(info.id, principal=outsider)


def test_bad_targets_refused(world):
    platform, svc, editor = world
    with pytest.raises(errors.InvalidInput):
        svc.release(HOSPITAL, POLICY, target_name=HOSPITAL, principal=editor)
    with pytest.raises(errors.InvalidInput):
        svc.release(HOSPITAL, POLICY, target_name="p2", access_level="personal", principal=editor)  # type: ignore[arg-type]
    platform.catalog.create_dataset(
        "other-personal", organization=ORG, access_level="personal", principal=SYSTEM
    )
    with pytest.raises(errors.Conflict):
        svc.release(HOSPITAL, POLICY, target_name="other-personal", principal=editor)
    platform.accounts.create_organization("elsewhere", principal=SYSTEM)
    platform.catalog.create_dataset("elsewhere-open", organization="elsewhere", principal=SYSTEM)
    with pytest.raises(errors.Conflict):
        svc.release(HOSPITAL, POLICY, target_name="elsewhere-open", principal=SYSTEM)


def test_api_policies_cannot_name_files(world):
    platform, svc, editor = world
    policy = {
        **POLICY,
        "quasi_identifiers": {**POLICY["quasi_identifiers"], "나이": {"csv": "/etc/passwd"}},
    }
    with pytest.raises(errors.InvalidInput, match="names a file"):
        svc.apply(HOSPITAL, policy, principal=editor)


# ----- CLI ----------------------------------------------------------------------------------
@pytest.fixture
def cli(world, config):
    from typer.testing import CliRunner

    from datanuri.cli.privacy import app

    env = {"DATANURI_DATA_DIR": str(config.data_dir), "DATANURI_DATABASE_URL": config.database_url}

    def run(*args: str):
        return CliRunner().invoke(app, list(args), env=env)

    return run


def test_cli_scan_apply_release(cli, world, tmp_path):
    import json

    platform = world[0]
    r = cli("scan", HOSPITAL, "--json")
    assert r.exit_code == 0, r.output
    found = {c["column"]: c["category"] for c in json.loads(r.stdout)["columns"]}
    assert found["주민등록번호"] == "direct"
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY, ensure_ascii=False), encoding="utf-8")
    report = tmp_path / "report.json"
    r = cli("apply", HOSPITAL, "--policy", str(policy), "--report", str(report))
    assert r.exit_code == 0, r.output
    assert "Nothing was" in r.stdout and json.loads(report.read_text(encoding="utf-8"))["passed"]
    r = cli(
        "apply",
        HOSPITAL,
        "--policy",
        str(policy),
        "--release",
        "cli-release",
        "--access",
        "restricted",
        "--json",
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["release"]["target_dataset"] == "cli-release"
    assert (
        platform.catalog.get_dataset("cli-release", principal=SYSTEM).access_level == "restricted"
    )
    r = cli("releases", HOSPITAL, "--json")
    assert [x["target_dataset"] for x in json.loads(r.stdout)] == ["cli-release"]
    rel = json.loads(r.stdout)[0]
    page = tmp_path / "release.html"
    r = cli("report", str(rel["id"]), "--html", str(page))
    assert r.exit_code == 0, r.output
    html = page.read_text(encoding="utf-8")  # the release record's page: target, hash, charts
    assert (
        "cli-release" in html
        and rel["report_hash"] in html
        and "<svg" in html
        and 'lang="ko"' in html
    )
    # a failing policy: the error says why, nothing is released
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(LEAKY, ensure_ascii=False),
        encoding="utf-8",
    )
    html = tmp_path / "bad.html"
    r = cli(
        "apply",
        HOSPITAL,
        "--policy",
        str(bad),
        "--release",
        "cli-bad",
        "--html",
        str(html),
        "--lang",
        "en",
    )
    assert isinstance(r.exception, PolicyFailed) and "주민등록번호" in r.exception.message
    page = html.read_text(encoding="utf-8")  # the failing report, as a page that says what failed
    assert 'lang="en"' in page and "주민등록번호" in page and "<svg" in page
    with pytest.raises(errors.NotFound):
        platform.catalog.get_dataset("cli-bad", principal=SYSTEM)


def test_cli_scan_file(cli, tmp_path):
    import json

    from datanuri.demo.data import generate

    generate(tmp_path / "g")
    r = cli("scan", str(tmp_path / "g" / f"{HOSPITAL}.csv"), "--json")
    assert r.exit_code == 0, r.output
    assert {c["column"]: c["kind"] for c in json.loads(r.stdout)["columns"]}[
        "주민등록번호"
    ] == "rrn"


def test_readme_example_policy_is_the_tested_one():
    """The policy the README tells users to try is exactly the one released above."""
    example = Path(__file__).resolve().parents[2] / "examples" / "policy-outpatient.json"
    assert json.loads(example.read_text("utf-8")) == POLICY


def test_preview_is_plain_json():
    """The candidate preview: the first 20 rows, every value plain JSON (dates ISO, NaN null)."""
    import datetime as dt
    from decimal import Decimal

    import pyarrow as pa

    from datanuri.privacy.service import table_preview

    n = 25
    table = pa.table(
        {
            "d": [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(n)],
            "x": [float("nan") if i == 1 else i / 2 for i in range(n)],
            "m": pa.array([Decimal(i) / 4 for i in range(n)], pa.decimal128(10, 2)),
            "s": [None if i == 2 else f"행{i}" for i in range(n)],
        }
    )
    p = table_preview(table)
    assert p["columns"] == ["d", "x", "m", "s"] and len(p["rows"]) == 20
    assert p["rows"][0] == ["2024-01-01", 0.0, "0.00", "행0"]
    assert p["rows"][1][1] is None and p["rows"][2][3] is None
    assert json.loads(json.dumps(p, allow_nan=False)) == p


def test_cli_refuses_malformed_policies_and_no_op_masks(cli, world, tmp_path):
    """Issue #12 probes through `datanuri privacy apply`: a malformed YAML or JSON policy is an
    InvalidInput naming the file, line and column (no traceback); a mask that keeps every
    character fails the release gate and releases nothing."""
    from datanuri.errors import InvalidInput
    from datanuri.privacy import messages as M

    bad_yaml = tmp_path / "policy.yaml"
    bad_yaml.write_text("k: 5\nquasi_identifiers:\n  나이: [age\n", encoding="utf-8")
    r = cli("apply", HOSPITAL, "--policy", str(bad_yaml))
    assert isinstance(r.exception, InvalidInput), r.output
    assert r.exception.message.startswith("The policy file 'policy.yaml' is not valid YAML: ")
    assert ", column " in r.exception.message
    bad_json = tmp_path / "policy.json"
    bad_json.write_text('{\n  "k": 5,\n}\n', encoding="utf-8")
    r = cli("apply", HOSPITAL, "--policy", str(bad_json))
    assert isinstance(r.exception, InvalidInput)
    assert r.exception.message == M.MSG_POLICY_SYNTAX.format(
        name="policy.json",
        fmt="JSON",
        problem="Expecting property name enclosed in double quotes",
        line=3,
        column=1,
    )
    platform = world[0]
    before = platform.ledger.size()
    noop = tmp_path / "noop.json"
    direct = {**POLICY["direct_identifiers"], "이름": {"mask": {"keep_start": 100}}}
    noop.write_text(json.dumps({**POLICY, "direct_identifiers": direct}, ensure_ascii=False))
    r = cli("apply", HOSPITAL, "--policy", str(noop), "--release", "cli-noop")
    assert isinstance(r.exception, PolicyFailed)
    assert "The measure 'mask' on the identifier column '이름' left" in r.exception.message
    assert platform.ledger.size() == before
