"""`datanuri market listings`: create a listing with a synthetic sample, publish it, print its
licence as JSON-LD and in plain words, and take it off sale, as the machine's owner."""

from __future__ import annotations

import json

from datanuri import canonical
from tests.market import world as W
from tests.test_cli import run  # noqa: F401 - the fixture


def test_create_publish_licence_unpublish(platform, run, tmp_path):  # noqa: F811
    W.build(platform, tmp_path)
    made = json.loads(
        run(
            "market", "listings", "create", "air",
            "--title", "대기질 자료",
            "--price", "subscription:year:300000",
            "--licence", "commercial-internal",
            "--sample-file", str(tmp_path / "synthetic.csv"),
            "--json",
        ).stdout
    )  # fmt: skip
    assert made["status"] == "draft" and made["price"] == {
        "kind": "subscription",
        "period": "year",
        "krw": 300000,
    }
    bad = run("market", "listings", "create", "air", "--title", "x", "--price", "free", check=False)
    assert bad.returncode != 0 and "one-off:50000" in bad.stderr + bad.stdout
    lid = str(made["id"])
    assert "published" in run("market", "listings", "publish", lid).stdout
    doc = json.loads(run("market", "listings", "licence", lid).stdout)
    assert canonical.sha256(doc) == made["licence_sha256"]
    words = run("market", "listings", "licence", lid, "--plain", "ko").stdout
    assert "재식별" in words and "서울연구원" in words
    listed = json.loads(run("market", "listings", "list", "--json").stdout)
    assert [x["status"] for x in listed] == ["published"]
    assert "unpublished" in run("market", "listings", "unpublish", lid).stdout
    assert "research-only" in run("market", "listings", "templates").stdout
