"""The demo instance: sample data published through the real pipeline, users who can log in,
and a ledger receipt that verifies offline for every published version."""

import pytest

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.demo.load import DEMO_PASSWORD, DEMO_USERS, load_demo
from datanuri.ledger.verify import verify_receipt


@pytest.fixture
def demo(platform, tmp_path):
    created = load_demo(platform, tmp_path / "src")
    return platform, created


def test_demo_publishes_every_dataset(demo, tmp_path):
    platform, created = demo
    datasets = {d.name: d for d in platform.catalog.list_datasets(principal=SYSTEM)}
    assert len(datasets) >= 6 and len({d.organization for d in datasets.values()}) >= 4
    assert created == sum(len(d.versions) for d in datasets.values())
    assert datasets["population-by-sigungu"].latest_version == 2
    personal = [d for d in datasets.values() if d.access_level == "personal"]
    assert len(personal) == 1
    formats = {v.source_format for d in datasets.values() for v in d.versions}
    assert {"csv", "xlsx"} <= formats
    encodings = {v.source_encoding for d in datasets.values() for v in d.versions}
    assert "cp949" in encodings
    fields = {
        f["name"]: f["type"]
        for f in platform.catalog.version_detail("population-by-sigungu", principal=SYSTEM)[
            "schema"
        ]["fields"]
    }
    assert fields["총인구"] == "integer"
    with pytest.raises(errors.PermissionDenied):
        platform.catalog.preview(personal[0].name, principal=SYSTEM)
    assert load_demo(platform, tmp_path / "src") == 0  # running again publishes nothing new


def test_demo_users_log_in(loaded_demo):
    platform, _ = loaded_demo
    for email, _name, role, _ in DEMO_USERS:
        p = platform.accounts.login(email, DEMO_PASSWORD)
        assert p.platform_role == role
    publisher = platform.accounts.principal_for("publisher@datanuri.local")
    orgs = {o.name for o in platform.catalog.list_organizations()}
    assert set(publisher.org_roles) == orgs and set(publisher.org_roles.values()) == {"editor"}


def test_every_demo_version_has_a_receipt_that_verifies_offline(loaded_demo):
    platform, _ = loaded_demo
    key = platform.ledger.public_key()
    for d in platform.catalog.list_datasets(principal=SYSTEM):
        for v in d.versions:
            receipt = platform.ledger.receipt(v.ledger_index)
            blob = platform.blobs.verify(v.content_hash)
            result = verify_receipt(receipt, public_key=key, file=blob)
            assert result.ok, (d.name, v.number, result.checks)
            assert result.subject == f"dataset:{d.name}@{v.number}"
    assert platform.ledger.audit().ok


def test_open_demo_data_passes_the_publish_guard_only_by_recorded_overrides(loaded_demo):
    """Identifier detection flags two open demo columns that identify no one (accident case
    numbers shaped like licence numbers, the street addresses of Wi-Fi access points), and the
    made-up numbers of the synthetic developer datasets: each is let through by an owner's
    override with its reason in the ledger, and nothing else is."""
    from datanuri.demo.load import DEMO_OVERRIDES
    from datanuri.synth.samples import KINDS
    from datanuri.synth.samples.publish import OVERRIDE_REASON

    platform, _ = loaded_demo
    entries = [e["entry"] for e in platform.ledger.entries(0, 1000)]
    overrides = {
        e["subject"].removeprefix("dataset:"): e["data"]
        for e in entries
        if e["type"] == "privacy.detection.overridden"
    }
    samples = {k.dataset for k in KINDS.values()}
    for name in samples & set(overrides):
        sample = overrides.pop(name)
        assert sample["reason"] == OVERRIDE_REASON
        assert all(c.endswith("_id") for c in sample["columns"]), sample["columns"]
    assert {k: v["reason"] for k, v in overrides.items()} == DEMO_OVERRIDES
    assert overrides["traffic-accidents-2024"]["columns"] == ["사고번호"]
    assert overrides["seoul-public-wifi"]["columns"] == ["도로명주소"]
