"""Price suggestions over HTTP and the CLI: the API (holders only) and the backtest, the holder's
console showing the suggestion with its reasons in Korean and English, and
`datanuri market suggest-price` / `datanuri market backtest` in-process."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from datanuri.accounts.principal import SYSTEM
from datanuri.cli import app
from datanuri.demo.market_history import price_history, seed_price_history
from datanuri.market import licence as L
from datanuri.market import listing_rules as rules
from datanuri.market.listings import SyntheticSample
from tests.market import world as W
from tests.web.test_console_pages import login


def _token(platform: Any, email: str) -> str:
    return platform.accounts.create_token(
        name="t", scopes=["read", "publish"], for_email=email, principal=SYSTEM
    )[1]


def test_suggestion_api_console_and_cli(platform, api, config, tmp_path):
    W.build(platform, tmp_path)
    platform.catalog.update_dataset("air", update_frequency="daily", principal=SYSTEM)
    lid = platform.listings.create(
        "air", title="대기질", price=rules.Subscription("month", 50_000),
        terms=L.template("commercial-internal"),
        sample=SyntheticSample(tmp_path / "synthetic.csv"), principal=SYSTEM,
    ).id  # fmt: skip
    ed = {"Authorization": f"Bearer {_token(platform, 'ed@example.org')}"}
    out = {"Authorization": f"Bearer {_token(platform, 'out@example.org')}"}
    url = f"/api/v1/market/listings/{lid}/price-suggestion"
    few = api.get(url, headers=ed)
    assert few.status_code == 422 and "at least 5 priced comparable" in few.text
    seed_price_history(platform)
    got = api.get(url, headers=ed)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["price_kind"] == "subscription-month" and body["current_krw"] == 50_000
    assert body["comparables"] == len(price_history())
    assert body["low_krw"] < body["annual_krw"] < body["high_krw"]
    assert body["reasons"][-1] == {
        "code": "frequency",
        "en": "This one is updated daily.",
        "ko": "이 자료는 매일 갱신됩니다.",
    }
    assert api.get(url, headers=out).status_code in (403, 404)
    bt = api.get("/api/v1/market/price-backtest", headers=out)
    assert bt.status_code == 200 and bt.json()["mape"] < bt.json()["baseline_mape"]
    assert api.get("/api/v1/market/price-backtest").status_code == 401

    client, _csrf = login(api, "ed@example.org")
    page = client.get("/console/listings")
    assert f'id="suggest-{lid}"' in page.text and 'id="suggestion-' not in page.text
    page = client.get(f"/console/listings?suggest={lid}")
    assert page.status_code == 200 and f'id="suggestion-{lid}"' in page.text
    assert "제안 가격" in page.text and "이 자료는 매일 갱신됩니다." in page.text
    assert f"{body['suggested_krw']:,}원" in page.text
    page = client.get(f"/console/listings?suggest={lid}&lang=en")
    assert "Suggested price" in page.text and "This one is updated daily." in page.text
    assert 'id="suggest-error"' in client.get("/console/listings?suggest=999").text

    runner, env = CliRunner(), {"DATANURI_DATABASE_URL": config.database_url}
    base = ["--data-dir", str(config.data_dir)]
    r = runner.invoke(app, ["market", "suggest-price", str(lid), "--json", *base], env=env)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["suggested_krw"] == body["suggested_krw"]
    r = runner.invoke(app, ["market", "suggest-price", str(lid), "--lang", "ko", *base], env=env)
    assert r.exit_code == 0 and "매일 갱신" in r.stdout
    r = runner.invoke(app, ["market", "backtest", "--json", *base], env=env)
    assert r.exit_code == 0 and json.loads(r.stdout) == bt.json()
    r = runner.invoke(app, ["market", "backtest", *base], env=env)
    assert r.exit_code == 0 and "MAPE" in r.stdout
