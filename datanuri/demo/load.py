"""Fill a platform with the generated sample data (organizations, datasets, versions)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from datanuri.accounts.mfa import requires_second_factor
from datanuri.accounts.principal import SYSTEM
from datanuri.catalog.service import CatalogService
from datanuri.catalog.vocab import regions_from_text
from datanuri.demo.ai import seed_demo_ai
from datanuri.demo.desk import seed_demo_desk
from datanuri.demo.firms import seed_demo_firms
from datanuri.demo.linkage import seed_demo_linkage
from datanuri.demo.market import seed_demo_listing, seed_demo_orders
from datanuri.demo.market_history import seed_demo_fingerprints, seed_price_history
from datanuri.demo.metadata import COLUMN_NOTES, EXTRA
from datanuri.demo.mydata import DEMO_HOSPITAL_DATASET, seed_demo_mydata
from datanuri.demo.samples import seed_demo_samples
from datanuri.demo.synth import seed_demo_synth
from datanuri.errors import Conflict, NotFound
from datanuri.platform import Platform

Report = Callable[[str], None]
DEMO_PASSWORD = "datanuri-demo-2016"
# The demo's users whose role needs a second factor (see accounts.mfa.requires_second_factor)
# get this TOTP seed, printed by `datanuri demo`: add it to an authenticator app, or compute the
# code with `python -c "import pyotp; print(pyotp.TOTP('<seed>').now())"`. Public, as the
# password is: the demo shows the login flow, it protects nothing.
DEMO_TOTP_SECRET = "DATANURIDEMOTOTPSEEDFORLOGINXYZW"
# (e-mail, display name, platform role, {organisation: role}); organisations that the generator
# does not make are skipped.
DEMO_USERS: tuple[tuple[str, str, str | None, dict[str, str]], ...] = (
    ("admin@datanuri.local", "관리자 Admin", "admin", {}),
    ("auditor@datanuri.local", "감사인 Auditor", "auditor", {}),
    ("publisher@datanuri.local", "김공개 Publisher", None, {}),  # editor of every demo organisation
    ("analyst@datanuri.local", "이분석 Analyst", None, {}),  # no organisation: sees open data only
)
# The pseudonymisation key of the hospital holding the personal demo dataset; the example policy
# (examples/policy-outpatient.json) pseudonymises the patient numbers with it.
DEMO_KEY_DATASET = "nuri-hospital-outpatient-visits"
DEMO_KEY = "nuri-hospital-2026"
# Open demo datasets whose columns identifier detection flags although they identify no one: the
# holder's owner overrides the detection with this reason (recorded in the ledger, as any override).
DEMO_OVERRIDES = {
    "traffic-accidents-2024": (
        "사고번호 is an accident case number (date and a daily serial, e.g. 202401150003), "
        "not a driver's licence number: it identifies an accident, not a person."
    ),
    "seoul-public-wifi": (
        "도로명주소 is the street address of a public Wi-Fi access point (a park, a station, a "
        "government building), not of a person's home."
    ),
}


def load_demo(platform: Platform, src_dir: Path, *, report: Report = lambda _msg: None) -> int:
    """Generate the sample files into `src_dir` and publish them; returns versions created.

    Running it again publishes nothing new: identical content makes no new version.
    """
    from datanuri.demo.data import generate

    orgs, datasets = generate(src_dir)
    cat = platform.catalog
    for org in orgs:
        try:
            platform.accounts.create_organization(
                org.name, title=org.title, description=org.description, principal=SYSTEM
            )
        except Conflict:
            pass
        if org.official:
            platform.accounts.set_official(org.name, True, principal=SYSTEM)
    seed_demo_users(platform, [o.name for o in orgs])
    for d in datasets:
        if d.name == DEMO_KEY_DATASET and not any(
            k.name == DEMO_KEY for k in platform.privacy.list_keys(d.org, principal=SYSTEM)
        ):
            info = platform.privacy.create_key(d.org, DEMO_KEY, principal=SYSTEM)
            report(f"{d.org}: pseudonymisation key {info.name!r} (fingerprint {info.fingerprint})")
    created = 0
    for d in datasets:
        try:
            cat.get_dataset(d.name, principal=SYSTEM)
        except NotFound:
            cat.create_dataset(
                d.name,
                organization=d.org,
                title=d.title,
                description=d.description,
                keywords=list(d.keywords),
                theme=d.theme,
                license=d.license,
                access_level=d.access,
                language=d.language,
                spatial=d.spatial,
                temporal_start=d.temporal_start,
                temporal_end=d.temporal_end,
                contact_name=d.contact_name,
                contact_email=d.contact_email,
                principal=SYSTEM,
            )
        for path, note in d.files:
            result = cat.publish(
                d.name,
                path,
                change_note=note,
                principal=SYSTEM,
                override_reason=DEMO_OVERRIDES.get(d.name),
            )
            created += result.created
            report(f"{d.name}: {result.message}")
        fill_metadata(cat, d.name, d.spatial)
    created += seed_demo_samples(platform, report)  # the four synthetic developer datasets
    seed_demo_request(platform, report)
    seed_demo_desk(platform, report, password=DEMO_PASSWORD)
    created += seed_demo_firms(platform, src_dir / "firms", report)  # desk: firms and projects
    seed_demo_listing(platform, src_dir, report)
    seed_price_history(platform, report)  # comparables for price suggestions and the backtest
    seed_demo_fingerprints(
        platform, report
    )  # the listed dataset's copies carry their buyer's marks
    created += seed_demo_ai(platform, src_dir / "ai", report)  # the AI accountability case
    # the linkage zone: three holders' keyed people linked, at-risk counts by 시군구 released
    created += seed_demo_linkage(platform, src_dir / "linkage", report, password=DEMO_PASSWORD)
    for d in datasets:  # MyData: a person linked to the hospital's patient rows, and its offer
        if d.name == DEMO_HOSPITAL_DATASET:
            seed_demo_mydata(platform, d.files[0][0], report, password=DEMO_PASSWORD)
            created += seed_demo_synth(platform, report)  # its synthetic twin, at ε = 1
    seed_demo_orders(platform, report, password=DEMO_PASSWORD)  # buyers, credit, sales
    return created


# The analyst's pending access request ("이용 신청") to the restricted 112 calls, so the holder's
# review page (/console/requests, as the publisher) has something to decide.
DEMO_REQUEST = (
    "analyst@datanuri.local",
    "seoul-112-calls",
    "경찰서별 112 신고 처리 시간과 긴급도의 관계를 분석해 순찰 인력 배치 개선안을 연구합니다. "
    "결과는 경찰서 단위 집계로만 공개합니다.",
    180,
)


def seed_demo_request(platform: Platform, report: Report = lambda _msg: None) -> None:
    """Make the demo's pending access request once (nothing if the analyst has made any)."""
    email, dataset, purpose, days = DEMO_REQUEST
    try:
        analyst = platform.accounts.principal_for(email)
        platform.catalog.get_dataset(dataset, principal=SYSTEM)
    except NotFound:
        return
    if platform.access_requests.mine(principal=analyst):
        return
    platform.access_requests.request(dataset, purpose=purpose, days=days, principal=analyst)
    report(f"{dataset}: an access request from {email} waits for the holder")


def fill_metadata(cat: CatalogService, name: str, spatial: str | None) -> None:
    """The richer metadata of a demo dataset (demo/metadata.py): coverage regions read from its
    free-text coverage, 갱신주기, 제공형태, contact, citation, DOI and column notes."""
    extra = dict(EXTRA.get(name, {}))
    cat.update_dataset(name, regions=regions_from_text(spatial), principal=SYSTEM, **extra)
    schema = cat.version_detail(name, principal=SYSTEM)["schema"] or {}
    columns = {str(f.get("name")) for f in schema.get("fields", [])}
    for column, note in COLUMN_NOTES.get(name, {}).items():
        if column in columns:
            cat.set_column_note(name, column, note, principal=SYSTEM)


def seed_demo_users(platform: Platform, org_names: list[str]) -> list[str]:
    """Create the demo users and memberships; give those who need a second factor the demo TOTP
    seed. Returns their e-mails."""
    accounts = platform.accounts
    for email, name, role, _ in DEMO_USERS:
        try:
            accounts.create_user(
                email,
                display_name=name,
                password=DEMO_PASSWORD,
                platform_role=role,
                principal=SYSTEM,
            )
        except Conflict:
            pass
    for org in org_names:
        accounts.add_member(org, "publisher@datanuri.local", role="editor", principal=SYSTEM)
    seeded = []
    for email, *_ in DEMO_USERS:
        if requires_second_factor(
            accounts.principal_for(email), platform.config.second_factor_policy
        ):
            accounts.seed_totp(email, DEMO_TOTP_SECRET, label="demo", principal=SYSTEM)
            seeded.append(email)
    return seeded
