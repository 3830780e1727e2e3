"""`datanuri requests ...` in a real subprocess: file as a user, join, list, show with the
history, route, answer (refuse, then a dispute upheld, then process and deliver), extend,
transfer, withdraw, sweep and stats, in Korean and English, and the errors."""

from __future__ import annotations

import json

from datanuri.accounts.principal import SYSTEM
from datanuri.desk import messages as M
from tests.helpers import PASSWORD, air_csv
from tests.test_cli import run  # noqa: F401 - the fixture

TEXT = [
    "--title",
    "공원별 이용객 수",
    "--description",
    "서울시 공원별 월간 이용객 수와 측정 방법이 필요합니다.",
    "--purpose",
    "도시 녹지 접근성 연구에 씁니다.",
]


def _world(platform, tmp_path) -> None:
    acc = platform.accounts
    acc.create_organization("org-a", title="서울시", principal=SYSTEM)
    acc.create_organization("org-b", title="산림청", principal=SYSTEM)
    for email, name in (("kim@example.org", "김민지"), ("lee@example.org", "이서준")):
        acc.create_user(email, display_name=name, password=PASSWORD, principal=SYSTEM)
    acc.create_user("ed@example.org", display_name="편집자", password=PASSWORD, principal=SYSTEM)
    acc.add_member("org-a", "ed@example.org", role="editor", principal=SYSTEM)
    platform.catalog.create_dataset("parks", organization="org-a", principal=SYSTEM)
    platform.catalog.publish("parks", air_csv(tmp_path / "p.csv"), principal=SYSTEM)


def test_the_desk_from_the_command_line(platform, run, tmp_path):  # noqa: F811
    _world(platform, tmp_path)
    help_text = run("requests", "--help").stdout
    for cmd in ("file", "list", "show", "support", "withdraw", "route", "answer", "deliver"):
        assert cmd in help_text
    for cmd in ("extend", "dispute", "decide", "sweep", "stats"):
        assert cmd in help_text
    assert "--reason" in run("requests", "answer", "--help").stdout

    bad = run("requests", "file", *TEXT, check=False)
    assert bad.returncode != 0 and "--as EMAIL" in bad.stderr
    filed = json.loads(
        run(
            "requests", "file", *TEXT, "--format", "csv", "--frequency", "monthly",
            "--as", "kim@example.org", "--json",
        ).stdout
    )  # fmt: skip
    rid = filed["request"]["id"]
    assert filed["request"]["status"] == "filed" and filed["request"]["formats"] == ["csv"]
    assert "suggestions" in filed

    out = run("requests", "support", str(rid), "--as", "lee@example.org", "--lang", "ko").stdout
    assert "함께 요청: 2" in out and "이**" not in out
    out = run("requests", "route", str(rid), "org-a", "--lang", "ko").stdout
    assert "상태: 처리 중" in out and "답변 기한" in out

    listed = json.loads(run("requests", "list", "--org", "org-a", "--json").stdout)
    assert listed["total"] == 1 and listed["items"][0]["id"] == rid
    out = run("requests", "list", "--lang", "ko").stdout
    assert "공원별 이용객 수" in out and "1건" in out

    bad = run("requests", "answer", str(rid), "refuse", "--as", "lee@example.org", check=False)
    assert bad.returncode != 0 and "provide --dataset" in bad.stderr
    bad = run(
        "requests", "answer", str(rid), "provide", "--dataset", "parks",
        "--as", "lee@example.org", check=False,
    )  # fmt: skip
    assert bad.returncode != 0 and "editors and owners" in bad.stderr
    out = run(
        "requests", "answer", str(rid), "refuse", "--reason", "excessive_burden",
        "--note", "집계 체계가 없습니다.", "--as", "ed@example.org",
    ).stdout  # fmt: skip
    assert "Refused" in out and "Public Data Act art. 28" in out

    run(
        "requests", "dispute", str(rid), "--reasons", "월간 합계만이라도 받을 수 있으면 됩니다.",
        "--as", "kim@example.org",
    )  # fmt: skip
    out = run("requests", "decide", str(rid), "upheld", "--note", "월간 합계 제공").stdout
    assert "With the holder" in out
    out = run(
        "requests", "answer", str(rid), "process", "--method", "aggregate",
        "--as", "ed@example.org", "--lang", "ko",
    ).stdout  # fmt: skip
    assert "가공 후 제공 예정" in out and "집계 후 제공" in out
    out = run("requests", "deliver", str(rid), "parks", "--as", "ed@example.org").stdout
    assert "Provided" in out and "parks@1" in out

    shown = json.loads(run("requests", "show", str(rid), "--history", "--json").stdout)
    assert [h["action"] for h in shown["history"]] == [
        "filed",
        "supported",
        "routed",
        "answered",
        "dispute_opened",
        "dispute_decided",
        "reopened",
        "answered",
        "delivered",
    ]
    text = run("requests", "show", str(rid), "--history").stdout
    assert "[ledger" in text and "delivered" in text

    # a second request: extend, transfer, withdraw
    other = json.loads(
        run("requests", "file", *TEXT, "--org", "org-a", "--as", "lee@example.org", "--json").stdout
    )["request"]["id"]
    out = run("requests", "extend", str(other), "--reason", "부서 간 취합 중").stdout
    assert "(extended)" in out
    bad = run("requests", "extend", str(other), "--reason", "또", check=False)
    assert bad.returncode != 0 and M.MSG_ALREADY_EXTENDED in bad.stderr
    out = run("requests", "answer", str(other), "transfer", "--org", "org-b").stdout
    assert "산림청 (org-b)" in out
    bad = run("requests", "withdraw", str(other), "--as", "kim@example.org", check=False)
    assert bad.returncode != 0 and M.MSG_REQUESTER_ONLY in bad.stderr
    out = run("requests", "withdraw", str(other), "--as", "lee@example.org").stdout
    assert "Withdrawn" in out

    assert json.loads(run("requests", "sweep", "--json").stdout) == {"escalated": []}
    assert "0건" in run("requests", "sweep", "--lang", "ko").stdout
    stats = json.loads(run("requests", "stats", "--json").stdout)
    assert stats["total"] == 2 and stats["answer_rate"] == 1.0
    out = run("requests", "stats", "--lang", "ko").stdout
    assert "전체 2건" in out and "기관별" in out
    assert "2 requests" in run("requests", "stats").stdout
