"""A small market world shared by the listing tests: a holder organisation with an owner and an
editor, a restricted dataset, a personal dataset with a restricted de-identified release, an
open dataset, and an outsider."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datanuri.accounts import SYSTEM
from tests.helpers import PASSWORD, air_csv

# A k-anonymity policy the air-quality test file passes (as tests/ledger/test_hidden.py).
POLICY: dict[str, Any] = {
    "quasi_identifiers": {
        "측정소명": {
            "rows": [
                ["종로구", "*"],
                ["중구", "*"],
                ["용산구", "*"],
                ["관측소0", "*"],
                ["관측소1", "*"],
            ]
        }
    },
    "insensitive": {
        c: "air quality measurements, no person's" for c in ("측정일", "PM10", "PM2.5", "비고")
    },
    "k": 2,
    "acknowledge": {
        c: "generated air-quality test data, no person's"
        for c in ("측정소명", "측정일", "PM10", "PM2.5")
    },
}
SYNTHETIC = (
    "측정소명,측정일,PM10,PM2.5,비고\n"
    "합성측정소1,2024.03.01,10,5.5,합성\n"
    "합성측정소2,2024.03.02,20,7.5,합성\n"
)
WITH_PHONES = "이름,휴대전화,PM10\n" + "".join(
    f"{n}가상,010-{i}234-567{i},{i}0\n" for i, n in enumerate("김이박최정", start=1)
)


def build(platform: Any, tmp: Path) -> dict[str, Any]:
    acc, cat = platform.accounts, platform.catalog
    for email, name in [
        ("own@example.org", "소유자"),
        ("ed@example.org", "편집자"),
        ("mem@example.org", "구성원"),
        ("out@example.org", "외부인"),
    ]:
        acc.create_user(email, display_name=name, password=PASSWORD, principal=SYSTEM)
    acc.create_organization("org-a", title="서울연구원", principal=SYSTEM)
    acc.create_organization("org-b", principal=SYSTEM)
    acc.add_member("org-a", "own@example.org", role="owner", principal=SYSTEM)
    acc.add_member("org-a", "ed@example.org", role="editor", principal=SYSTEM)
    acc.add_member("org-a", "mem@example.org", role="member", principal=SYSTEM)
    acc.add_member("org-b", "out@example.org", role="owner", principal=SYSTEM)
    cat.create_dataset(
        "air", organization="org-a", title="대기질", access_level="restricted", principal=SYSTEM
    )
    cat.publish("air", air_csv(tmp / "a.csv"), principal=SYSTEM)
    cat.create_dataset("open-air", organization="org-a", principal=SYSTEM)
    cat.publish("open-air", air_csv(tmp / "o.csv", extra_rows=3), principal=SYSTEM)
    cat.create_dataset("cohort", organization="org-a", access_level="personal", principal=SYSTEM)
    cat.publish("cohort", air_csv(tmp / "c.csv", extra_rows=2), principal=SYSTEM)
    platform.privacy.release(
        "cohort", POLICY, target_name="cohort-deid", access_level="restricted", principal=SYSTEM
    )
    (tmp / "synthetic.csv").write_text(SYNTHETIC, encoding="utf-8")
    (tmp / "phones.csv").write_text(WITH_PHONES, encoding="utf-8")
    return {
        e.split("@")[0]: acc.principal_for(e)
        for e in ["own@example.org", "ed@example.org", "mem@example.org", "out@example.org"]
    }
