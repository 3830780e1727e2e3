"""`datanuri trace FILE --dataset NAME`: a published dataset, a fingerprint key in the key store,
a buyer's copy leaked as CP949 CSV, and the command naming that buyer (or refusing to guess)."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from datanuri.accounts.principal import SYSTEM
from datanuri.i18n import translate
from datanuri.market import fingerprint_messages as M
from datanuri.market.fingerprint import dataset_key, embed
from datanuri.market.trace import BuyerList, read_scheme
from tests.helpers import run_cli
from tests.market.tables import SCHEME, sold_table

BUYERS = [f"buyer-{i:02d}" for i in range(50)]


@pytest.fixture
def sold(platform, tmp_path) -> pa.Table:
    """Dataset `prices` of organisation `seoul`, published from CSV, and its `fingerprint` key."""
    source = tmp_path / "prices.csv"
    buf = io.BytesIO()
    pacsv.write_csv(sold_table(), buf)
    source.write_bytes(buf.getvalue())
    platform.accounts.create_organization("seoul", principal=SYSTEM)
    platform.catalog.create_dataset("prices", organization="seoul", principal=SYSTEM)
    # the unique `id` looks like a record key to identifier detection; these are product prices
    platform.catalog.publish(
        "prices", source, principal=SYSTEM, override_reason="product price list, no people"
    )
    platform.privacy.create_key("seoul", "fingerprint", principal=SYSTEM)
    return pq.read_table(platform.catalog.parquet_path("prices", principal=SYSTEM))


@pytest.fixture
def run(config):
    env = {
        "DATANURI_DATA_DIR": str(config.data_dir),
        "DATANURI_DATABASE_URL": config.database_url,
    }

    def _run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(args, env)

    return _run


def leaked_csv(platform, table: pa.Table, buyer: str, path: Path, share: float = 0.1) -> Path:
    """`buyer`'s copy as the market would make it; a random `share` of its rows, shuffled, with
    the columns reversed, written as CP949 CSV."""
    key = dataset_key(platform.privacy.keys.get("seoul", "fingerprint"), "prices")
    copy = embed(table, SCHEME, key, buyer)
    rng = np.random.default_rng(len(buyer) + int(share * 100))
    rows = rng.choice(copy.num_rows, int(copy.num_rows * share), replace=False)
    part = copy.take(pa.array(rows)).select(list(reversed(copy.column_names)))
    buf = io.BytesIO()
    pacsv.write_csv(part, buf)
    path.write_bytes(buf.getvalue().decode("utf-8").encode("cp949"))
    return path


def inputs(tmp_path: Path) -> tuple[Path, Path]:
    scheme = tmp_path / "scheme.json"
    scheme.write_text(json.dumps(SCHEME.to_dict()), "utf-8")
    buyers = tmp_path / "buyers.txt"
    buyers.write_text("# who bought prices\n" + "\n".join(BUYERS) + "\n", "utf-8")
    return scheme, buyers


def test_trace_names_the_buyer_of_a_leaked_copy(platform, sold, run, tmp_path):
    assert sold.schema.field("price").type == pa.int64()  # the published copy is typed
    leak = leaked_csv(platform, sold, "buyer-07", tmp_path / "found-online.csv")
    scheme, buyers = inputs(tmp_path)
    args = ("trace", str(leak), "--dataset", "prices", "--scheme", str(scheme))
    out = run(*args, "--buyers", str(buyers), "--json")
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    assert found["verdict"] == "accused" and found["candidates"] == 50
    assert [a["buyer"] for a in found["accused"]] == ["buyer-07"]
    assert found["accused"][0]["matches"] == found["cells"] >= found["needed"]
    text = run(*args, "--buyers", str(buyers))
    assert text.returncode == 0, text.stderr
    assert "This copy was made for buyer 'buyer-07'" in " ".join(text.stdout.split())


def test_trace_among_other_buyers_accuses_nobody(platform, sold, run, tmp_path):
    leak = leaked_csv(platform, sold, "buyer-07", tmp_path / "leak.csv")
    scheme, _ = inputs(tmp_path)
    others = tmp_path / "others.json"
    others.write_text(json.dumps([b for b in BUYERS if b != "buyer-07"]), "utf-8")
    out = run(
        "trace", str(leak), "--dataset", "prices", "--scheme", str(scheme), "--buyers", str(others)
    )
    assert out.returncode == 0, out.stderr
    assert "No candidate buyer's fingerprint is in this copy" in " ".join(out.stdout.split())


def test_trace_of_a_few_rows_cannot_tell(platform, sold, run, tmp_path):
    leak = leaked_csv(platform, sold, "buyer-07", tmp_path / "leak.csv", share=0.01)
    scheme, buyers = inputs(tmp_path)
    out = run(
        "trace", str(leak), "--dataset", "prices", "--scheme", str(scheme), "--buyers", str(buyers)
    )
    assert out.returncode == 0, out.stderr
    said = " ".join(out.stdout.split())
    assert (
        "Cannot tell who this copy was made for" in said and "too few of the dataset's rows" in said
    )


def test_trace_says_what_is_missing(platform, sold, run, tmp_path):
    leak = leaked_csv(platform, sold, "buyer-07", tmp_path / "leak.csv")
    scheme, buyers = inputs(tmp_path)
    no_buyers = run("trace", str(leak), "--dataset", "prices", "--scheme", str(scheme))
    assert no_buyers.returncode != 0
    assert "No candidate buyers were given" in " ".join(no_buyers.stderr.split())
    no_key = run(
        *("trace", str(leak), "--dataset", "prices", "--scheme", str(scheme)),
        *("--buyers", str(buyers), "--key", "market-2027"),
    )
    assert no_key.returncode != 0
    assert "datanuri privacy keys create seoul market-2027" in " ".join(no_key.stderr.split())
    no_dataset = run(
        "trace", str(leak), "--dataset", "nope", "--scheme", str(scheme), "--buyers", str(buyers)
    )
    assert no_dataset.returncode != 0 and "No dataset named 'nope'" in no_dataset.stderr


def test_buyers_and_scheme_files(tmp_path):
    listed = tmp_path / "b.json"
    listed.write_text('["a", "b", "a"]', "utf-8")
    assert BuyerList.read(listed).candidates("any") == ["a", "b"]
    listed.write_text('["a", 3]', "utf-8")
    with pytest.raises(Exception, match="is not a list of buyer ids"):
        BuyerList.read(listed)
    bad = tmp_path / "s.json"
    bad.write_text("{not json", "utf-8")
    with pytest.raises(Exception, match="is not valid JSON of the expected shape"):
        read_scheme(bad)


def test_the_verdicts_have_korean():
    accused = M.VERDICT_ACCUSED.format(
        buyer="b-1", matches=99, cells=99, p="1.6e-30", candidates=50, confidence="1 - 7.9e-29"
    )
    assert translate(accused, "ko").startswith("이 사본은 구매자 'b-1'")
    cannot = M.VERDICT_CANNOT_TELL.format(cells=3, candidates=50, needed=36)
    assert "판단할 수 없습니다" in translate(cannot, "ko")
    no_ids = M.VERDICT_NO_IDS.format(columns="id")
    assert translate(no_ids, "ko") != no_ids
