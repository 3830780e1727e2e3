"""`datanuri access-requests`: list the waiting requests, approve one until a date, refuse one
with a reason, as the machine's owner."""

from __future__ import annotations

import datetime as dt
import json

from datanuri.accounts.principal import SYSTEM
from tests.helpers import PASSWORD, air_csv
from tests.test_cli import run  # noqa: F401 - the fixture

PURPOSE = "대기질 자료로 학교 주변 미세먼지 노출을 분석합니다."


def test_list_approve_and_refuse(platform, run, tmp_path):  # noqa: F811
    acc, cat = platform.accounts, platform.catalog
    acc.create_organization("org-a", principal=SYSTEM)
    cat.create_dataset("air", organization="org-a", access_level="restricted", principal=SYSTEM)
    cat.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    ids = []
    for email in ("kim@example.org", "lee@example.org"):
        acc.create_user(email, display_name=email[:3], password=PASSWORD, principal=SYSTEM)
        me = acc.principal_for(email)
        ids.append(platform.access_requests.request("air", purpose=PURPOSE, principal=me).id)

    listed = json.loads(run("access-requests", "list", "--json").stdout)
    assert [r["id"] for r in listed] == ids and listed[0]["purpose"] == PURPOSE
    until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    out = run("access-requests", "approve", str(ids[0]), "--until", until).stdout
    assert "Approved" in out and "kim@example.org" in out
    bad = run("access-requests", "refuse", str(ids[1]), "--reason", " ", check=False)
    assert bad.returncode != 0 and "reason" in (bad.stderr + bad.stdout)
    run("access-requests", "refuse", str(ids[1]), "--reason", "목적이 불분명합니다")

    kim = acc.principal_for("kim@example.org")
    assert cat.preview("air", principal=kim).num_rows > 0
    statuses = {
        r["id"]: r["status"]
        for r in json.loads(run("access-requests", "list", "--status", "all", "--json").stdout)
    }
    assert statuses == {ids[0]: "approved", ids[1]: "refused"}
    assert json.loads(run("access-requests", "list", "--json").stdout) == []
