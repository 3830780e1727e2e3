"""A small market for the order tests: a holder organisation (owner "own"), a restricted dataset
"air" with a published one-off listing, a monthly subscription listing and a free research
listing (synthetic samples), and two buyers ("buyer", "other")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datanuri.accounts import SYSTEM
from datanuri.market import licence as L
from datanuri.market import listing_rules as rules
from datanuri.market.listings import SyntheticSample
from tests.helpers import PASSWORD, air_csv
from tests.market.world import SYNTHETIC


def build(platform: Any, tmp: Path) -> dict[str, Any]:
    acc, cat, ls = platform.accounts, platform.catalog, platform.listings
    for email in ("own@example.org", "buyer@example.org", "other@example.org"):
        acc.create_user(
            email, display_name=email.split("@")[0], password=PASSWORD, principal=SYSTEM
        )
    acc.create_organization("org-a", title="서울연구원", principal=SYSTEM)
    acc.add_member("org-a", "own@example.org", role="owner", principal=SYSTEM)
    cat.create_dataset(
        "air", organization="org-a", title="대기질", access_level="restricted", principal=SYSTEM
    )
    cat.publish("air", air_csv(tmp / "a.csv"), principal=SYSTEM)
    (tmp / "synthetic.csv").write_text(SYNTHETIC, encoding="utf-8")
    who = {e.split("@")[0]: acc.principal_for(e) for e in
           ("own@example.org", "buyer@example.org", "other@example.org")}  # fmt: skip
    ids = {}
    for name, price, terms in [
        ("one_off", rules.OneOff(50_000), L.template("commercial-internal")),
        ("monthly", rules.Subscription("month", 30_000), L.template("commercial-internal")),
        ("free", rules.FreeForResearch(), L.template("research-only")),
    ]:
        made = ls.create(
            "air",
            title=f"대기질 {name}",
            price=price,
            terms=terms,
            sample=SyntheticSample(tmp / "synthetic.csv"),
            principal=who["own"],
        )
        ls.publish(made.id, principal=who["own"])
        ids[name] = made.id
    who["listings"] = ids
    who["buyer_id"] = who["buyer"].user_id
    who["other_id"] = who["other"].user_id
    return who
