"""Fingerprinted deliveries on both databases: entitled recipients' downloads of a restricted
dataset carry their marks and are recorded (row + ledger); members and admins get the stored
file; a leaked 10 % of any recipient's copy, converted to CSV with its columns reordered, names
that recipient and no one else. Detection and false-accusation rates over many recipients and
leak subsets are computed and asserted (false accusations: zero)."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.market.fingerprint import Scheme, Tolerance, dataset_key, embed
from tests.helpers import PASSWORD
from tests.market.tables import sold_table

ROWS = 4_000
SCHEME = Scheme(
    id_columns=("id",),
    columns={"price": Tolerance(absolute=10), "rate": Tolerance(absolute=0.05, decimals=2)},
    gamma=4,
)
RECIPIENTS = 12
LEAKS_EACH = 4


def _csv_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pacsv.write_csv(table, buf)
    return buf.getvalue()


@pytest.fixture
def shop(platform, tmp_path):
    """Dataset `prices` (restricted) of `seoul`, its fingerprint key and scheme, a member, and
    RECIPIENTS users holding an entitlement."""
    acc, cat = platform.accounts, platform.catalog
    acc.create_organization("seoul", principal=SYSTEM)
    cat.create_dataset("prices", organization="seoul", access_level="restricted", principal=SYSTEM)
    source = tmp_path / "prices.csv"
    source.write_bytes(_csv_bytes(sold_table(ROWS, seed=5).drop_columns(["count"])))
    cat.publish("prices", source, principal=SYSTEM, override_reason="product prices, no people")
    platform.privacy.create_key("seoul", "fingerprint", principal=SYSTEM)
    platform.deliveries.set_scheme("prices", SCHEME, principal=SYSTEM)
    acc.create_user(
        "member@example.org", display_name="구성원", password=PASSWORD, principal=SYSTEM
    )
    acc.add_member("seoul", "member@example.org", role="member", principal=SYSTEM)
    buyers = []
    for i in range(RECIPIENTS):
        email = f"buyer{i}@example.org"
        acc.create_user(email, display_name=f"구매자{i}", password=PASSWORD, principal=SYSTEM)
        acc.grant_entitlement(email, "prices", principal=SYSTEM)
        buyers.append(acc.principal_for(email))
    return {"member": acc.principal_for("member@example.org"), "buyers": buyers}


def _download(platform, principal, fmt: str = "parquet") -> bytes:
    return b"".join(platform.catalog.download("prices", format=fmt, principal=principal))


def test_entitled_copies_are_marked_and_recorded_members_get_the_stored_file(platform, shop):
    stored = platform.catalog.parquet_path("prices", principal=SYSTEM)
    original = pq.read_table(stored)
    assert _download(platform, shop["member"]) == stored.read_bytes()
    assert _download(platform, SYSTEM) == stored.read_bytes()
    before = platform.ledger.size()
    buyer = shop["buyers"][0]
    got = pq.read_table(io.BytesIO(_download(platform, buyer)))
    # the copy is exactly the recipient's marks on the stored table (an independent embed)
    key = dataset_key(platform.privacy.keys.get("seoul", "fingerprint"), "prices")
    assert got.equals(embed(original, SCHEME, key, buyer.ref))
    assert not got.equals(original)
    assert got.column_names == original.column_names and got.num_rows == original.num_rows
    moved = np.abs(got["price"].to_numpy() - original["price"].to_numpy())
    assert moved.max() <= 10 and (moved > 0).sum() > ROWS // 20
    assert got["id"].equals(original["id"]) and got["region"].equals(original["region"])
    # one delivery row, one ledger entry naming the recipient by reference only
    [d] = platform.deliveries.deliveries("prices", principal=SYSTEM)
    assert (d.recipient, d.version, d.format) == (buyer.ref, 1, "parquet")
    assert d.ledger_index == before
    entry = platform.ledger.public_receipt(d.ledger_index)["entry"]
    assert entry["type"] == "market.copy.delivered"
    assert entry["data"]["recipient"] == buyer.ref and "@" not in str(entry)
    assert entry["hashes"]["copy"] == f"sha256:{d.copy_sha256}"
    # CSV downloads are marked too, and recorded as such
    text = _download(platform, shop["buyers"][1], "csv").decode("utf-8-sig")
    assert text.splitlines()[0].startswith('"id",')
    assert [x.format for x in platform.deliveries.deliveries("prices", principal=SYSTEM)] == [
        "csv",
        "parquet",
    ]
    assert not list(platform.blobs.tmp.iterdir())  # the temporary copies are gone


def test_tracing_leaks_names_the_recipient_and_never_an_innocent(platform, shop, tmp_path):
    copies = {b.ref: pq.read_table(io.BytesIO(_download(platform, b))) for b in shop["buyers"]}
    rng = np.random.default_rng(11)
    detected = accused_wrongly = cannot = 0
    total = 0
    for ref, copy in copies.items():
        for j in range(LEAKS_EACH):
            rows = rng.choice(copy.num_rows, copy.num_rows // 10, replace=False)
            cols = list(rng.permutation(copy.column_names))
            leak = copy.take(pa.array(rows)).select(cols)
            path = tmp_path / f"leak-{ref.replace(':', '-')}-{j}"
            if j % 2:  # half as CSV, half as Parquet
                path = path.with_suffix(".csv")
                path.write_bytes(_csv_bytes(leak))
            else:
                path = path.with_suffix(".parquet")
                pq.write_table(leak, path)
            found = platform.deliveries.trace(path, "prices", principal=SYSTEM).detection
            total += 1
            names = [s.buyer for s in found.accused]
            detected += names == [ref]
            accused_wrongly += len([n for n in names if n != ref])
            cannot += found.verdict == "cannot_tell"
            assert found.candidates == RECIPIENTS
    print(f"detection {detected}/{total}, false accusations {accused_wrongly}, cannot {cannot}")
    assert accused_wrongly == 0
    assert detected == total  # 10 % of 4,000 rows at γ = 4: ~100 cells, 35 needed
    # The stored (unmarked) file and a copy made for someone never delivered accuse no one.
    clean = tmp_path / "clean.csv"
    clean.write_bytes(
        _csv_bytes(pq.read_table(platform.catalog.parquet_path("prices", principal=SYSTEM)))
    )
    result = platform.deliveries.trace(clean, "prices", principal=SYSTEM)
    assert result.detection.verdict == "no_match" and not result.detection.accused
    assert set(result.labels.values()) == {f"buyer{i}@example.org" for i in range(RECIPIENTS)}


def test_small_leaks_rights_no_scheme_and_unrecorded_copies(platform, shop, tmp_path, monkeypatch):
    copy = pq.read_table(io.BytesIO(_download(platform, shop["buyers"][2])))
    tiny = tmp_path / "tiny.parquet"
    pq.write_table(copy.slice(0, 40), tiny)
    found = platform.deliveries.trace(tiny, "prices", principal=SYSTEM).detection
    assert found.verdict == "cannot_tell" and not found.accused
    with pytest.raises(errors.PermissionDenied):
        platform.deliveries.trace(tiny, "prices", principal=shop["buyers"][2])
    with pytest.raises(errors.PermissionDenied):
        platform.deliveries.set_scheme("prices", SCHEME, principal=shop["member"])
    # a dataset without a scheme: trace says how to declare one
    platform.catalog.create_dataset(
        "plain", organization="seoul", access_level="restricted", principal=SYSTEM
    )
    src = tmp_path / "plain.csv"
    src.write_text("a,b\n1,2\n", encoding="utf-8")
    platform.catalog.publish("plain", src, principal=SYSTEM)
    with pytest.raises(errors.InvalidInput, match="fingerprint scheme"):
        platform.deliveries.trace(src, "plain", principal=SYSTEM)

    # a copy whose delivery cannot be recorded is not delivered, and leaves no file
    def fail(*a, **k):
        raise errors.LedgerError("ledger down")

    monkeypatch.setattr(platform.deliveries.events, "record", fail)
    with pytest.raises(errors.LedgerError):
        _download(platform, shop["buyers"][3])
    delivered = platform.deliveries.deliveries("prices", principal=SYSTEM)
    assert [d.recipient for d in delivered] == [shop["buyers"][2].ref]
    assert not list(platform.blobs.tmp.iterdir())
