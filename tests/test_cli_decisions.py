"""`datanuri ai ...`: list systems and decisions, list, assign and escalate contests, and read a
system's oversight figures, as the machine's owner."""

from __future__ import annotations

import datetime as dt
import json

from datanuri.accounts.principal import ANONYMOUS, SYSTEM
from datanuri.decisions.records import DecisionDraft
from datanuri.decisions.systems import ModelCard
from tests.helpers import PASSWORD
from tests.test_cli import run  # noqa: F401 - the fixture


def test_ai_commands(platform, run):  # noqa: F811
    acc, d = platform.accounts, platform.decisions
    acc.create_organization("bank", principal=SYSTEM)
    acc.create_organization("ombuds", principal=SYSTEM)
    acc.create_user("rev@example.org", display_name="rev", password=PASSWORD, principal=SYSTEM)
    d.register_system(
        "scoring",
        organization="bank",
        title="신용 평가",
        purpose="loans",
        risk_level="high",
        card=ModelCard("use", "limits"),
        reason_codes={},
        principal=SYSTEM,
    )
    d.add_model_version("scoring", version="v1", kind="other", method="m", principal=SYSTEM)
    rec = d.record(
        DecisionDraft(
            "scoring", "v1", "k1", {"x": 1}, "deny", 1.0, (), {"x": 0.5}, 0.5, "m", {"region": "11"}
        ),
        principal=SYSTEM,
    )
    past = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    c = d.file_contest(
        rec.reference,
        code=rec.access_code,
        explanation="이 결정은 잘못되었습니다.",
        principal=ANONYMOUS,
        now=past,
    )
    assert c.reviewer is None  # nobody has the reviewer role yet

    assert "scoring" in run("ai", "systems", "list").stdout
    listed = json.loads(run("ai", "decisions", "list", "scoring", "--json").stdout)
    assert [x["reference"] for x in listed] == [rec.reference]
    contests = json.loads(run("ai", "contests", "list", "--json").stdout)
    assert [x["id"] for x in contests] == [c.id] and contests[0]["overdue"]
    bad = run("ai", "contests", "assign", str(c.id), "--reviewer", "rev@example.org", check=False)
    assert bad.returncode != 0 and "cannot review" in bad.stderr + bad.stdout
    acc.add_member("ombuds", "rev@example.org", role="reviewer", principal=SYSTEM)
    assert (
        "now with rev"
        in run("ai", "contests", "assign", str(c.id), "--reviewer", "rev@example.org").stdout
    )
    assert "Escalated 1" in run("ai", "contests", "escalate").stdout
    assert "Escalated 0" in run("ai", "contests", "escalate").stdout
    over = json.loads(run("ai", "systems", "oversight", "scoring", "--json").stdout)
    assert over["figures"]["contests"] == 1 and len(over["overdue"]) == 1
