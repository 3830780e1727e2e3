"""End to end: an entitled buyer downloads a restricted dataset through the real download route
(API token), leaks a random 10 % of the CSV as Parquet with its columns reordered, and
`datanuri trace FILE --dataset NAME` (in-process) names them from the recorded deliveries; a
member's download through the same route is the stored file, unmarked."""

from __future__ import annotations

import io
import json

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from typer.testing import CliRunner

from datanuri.accounts.principal import SYSTEM
from datanuri.cli import app
from tests.helpers import PASSWORD
from tests.market.tables import sold_table
from tests.market.test_deliveries import SCHEME


def _token(platform, email: str) -> str:
    platform.accounts.create_user(email, display_name="이용자", password=PASSWORD, principal=SYSTEM)
    return platform.accounts.create_token(
        name="t", scopes=["read"], for_email=email, principal=SYSTEM
    )[1]


def test_download_route_marks_the_buyer_and_trace_names_them(platform, api, config, tmp_path):
    acc, cat = platform.accounts, platform.catalog
    acc.create_organization("seoul", principal=SYSTEM)
    cat.create_dataset("prices", organization="seoul", access_level="restricted", principal=SYSTEM)
    src = tmp_path / "prices.csv"
    buf = io.BytesIO()
    pacsv.write_csv(sold_table(4_000, seed=5).drop_columns(["count"]), buf)
    src.write_bytes(buf.getvalue())
    cat.publish("prices", src, principal=SYSTEM, override_reason="product prices, no people")
    platform.privacy.create_key("seoul", "fingerprint", principal=SYSTEM)
    scheme = tmp_path / "scheme.json"
    scheme.write_text(json.dumps(SCHEME.to_dict()), "utf-8")
    runner = CliRunner()
    env = {"DATANURI_DATABASE_URL": config.database_url}
    base = ["--data-dir", str(config.data_dir)]
    r = runner.invoke(
        app, ["market", "fingerprint", "set", "prices", "--scheme", str(scheme), *base], env=env
    )
    assert r.exit_code == 0, r.output
    url = "/api/v1/datasets/prices/versions/1/download?format="
    buyers = {}
    for i in range(3):
        email = f"buyer{i}@example.org"
        buyers[email] = _token(platform, email)
        acc.grant_entitlement(email, "prices", principal=SYSTEM)
    member = _token(platform, "member@example.org")
    acc.add_member("seoul", "member@example.org", role="member", principal=SYSTEM)
    stored = cat.parquet_path("prices", principal=SYSTEM).read_bytes()
    got = api.get(url + "parquet", headers={"Authorization": f"Bearer {member}"})
    assert got.status_code == 200 and got.content == stored
    outsider = _token(platform, "outsider@example.org")
    assert api.get(url + "csv", headers={"Authorization": f"Bearer {outsider}"}).status_code == 403
    copies = {}
    for email, token in buyers.items():
        got = api.get(url + "csv", headers={"Authorization": f"Bearer {token}"})
        assert got.status_code == 200
        copies[email] = got.content
    assert len(set(copies.values())) == 3  # every buyer's copy differs
    # buyer1 leaks a random 10 %, converted to Parquet, columns reordered
    table = pacsv.read_csv(io.BytesIO(copies["buyer1@example.org"]))
    rows = np.random.default_rng(4).choice(table.num_rows, table.num_rows // 10, replace=False)
    leak = table.take(pa.array(rows)).select(["rate", "day", "price", "region", "id"])
    path = tmp_path / "found.parquet"
    pq.write_table(leak, path)
    r = runner.invoke(app, ["trace", str(path), "--dataset", "prices", "--json", *base], env=env)
    assert r.exit_code == 0, r.output
    found = json.loads(r.stdout)
    assert found["verdict"] == "accused" and found["candidates"] == 3
    [who] = found["accused"]
    assert found["labels"][who["buyer"]] == "buyer1@example.org" and who["confidence"] > 0.999
    r = runner.invoke(app, ["trace", str(path), "--dataset", "prices", *base], env=env)
    assert r.exit_code == 0 and "buyer1@example.org" in r.stdout
    r = runner.invoke(app, ["market", "deliveries", "prices", "--json", *base], env=env)
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 3
    r = runner.invoke(app, ["market", "fingerprint", "show", "prices", *base], env=env)
    assert r.exit_code == 0 and json.loads(r.stdout)["id_columns"] == ["id"]
