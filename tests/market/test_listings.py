"""Market listings on both databases: the holder's editors create, publish, change and take off
sale a listing of a restricted dataset; samples come only from a released de-identified version
or a synthetic file that detection clears and that shares no row with the data; the ledger
records publish, unpublish and licence changes with the licence's SHA-256; search shows a "for
sale" facet."""

from __future__ import annotations

import json

import pytest

from datanuri import canonical, errors
from datanuri.market import licence as L
from datanuri.market import listing_rules as rules
from datanuri.market.listings import SampleFromRelease, SyntheticSample
from tests.market import world as W

PRICE = rules.OneOff(50_000)


@pytest.fixture
def world(platform, tmp_path):
    people = W.build(platform, tmp_path)
    people["tmp"] = tmp_path
    return people


def _entries(platform, kind: str) -> list[dict]:
    out = []
    for i in range(platform.ledger.size()):
        e = platform.ledger.public_receipt(i)["entry"]
        if e["type"] == kind:
            out.append(e)
    return out


def _synthetic(world) -> SyntheticSample:
    return SyntheticSample(world["tmp"] / "synthetic.csv")


def test_create_publish_change_and_take_off_sale(platform, world):
    ls = platform.listings
    made = ls.create(
        "air",
        title="서울 대기질 측정자료",
        description="2024년 측정소별 자료",
        price=PRICE,
        terms=L.template("commercial-internal"),
        sample=_synthetic(world),
        principal=world["ed"],
    )
    assert made.status == "draft" and made.sample_source == "synthetic"
    assert made.sample_columns == ("측정소명", "측정일", "PM10", "PM2.5", "비고")
    assert [r[0] for r in made.sample_rows] == ["합성측정소1", "합성측정소2"]
    doc = ls.licence(made.id, principal=world["ed"])
    assert made.licence_sha256 == canonical.sha256(doc)
    assert L.terms_of(L.offer_from_jsonld(doc)) == L.template("commercial-internal")

    # A draft is the holder's: others do not see that it exists.
    for who in ("mem", "out"):
        with pytest.raises(errors.NotFound):
            ls.get(made.id, principal=world[who])
    assert ls.search(principal=world["out"]) == []
    assert not _entries(platform, "market.listing.published")

    on = ls.publish(made.id, principal=world["own"])
    assert on.status == "published" and on.published_at is not None
    (entry,) = _entries(platform, "market.listing.published")
    assert entry["subject"] == "dataset:air"
    assert entry["hashes"] == {
        "licence": f"sha256:{made.licence_sha256}",
    }
    assert entry["data"]["price"] == {"kind": "one-off", "per_version_krw": 50000}
    assert entry["data"]["sample"].startswith("sha256:")
    # Published: whoever may see the dataset sees the listing (not its rows).
    assert ls.get(made.id, principal=world["out"]).title == "서울 대기질 측정자료"
    assert [x.id for x in ls.search(principal=world["out"])] == [made.id]
    assert [x.id for x in ls.search(principal=world["out"], mine=True)] == []
    with pytest.raises(errors.PermissionDenied):
        platform.catalog.preview("air", principal=world["out"])
    with pytest.raises(errors.PermissionDenied, match="editors and owners"):
        ls.unpublish(made.id, principal=world["out"])
    with pytest.raises(errors.PermissionDenied):
        ls.unpublish(made.id, principal=world["mem"])
    with pytest.raises(errors.Conflict):
        ls.publish(made.id, principal=world["ed"])

    # A new licence on a published listing is recorded with both hashes; the price alone is not.
    changed = ls.update(made.id, terms=L.template("research-only"), principal=world["ed"])
    assert changed.licence_sha256 != made.licence_sha256
    (lic,) = _entries(platform, "market.listing.licence.changed")
    assert lic["hashes"] == {
        "licence": f"sha256:{changed.licence_sha256}",
        "previous": f"sha256:{made.licence_sha256}",
    }
    assert canonical.sha256(ls.licence(made.id, principal=world["out"])) == changed.licence_sha256
    ls.update(made.id, price=rules.Subscription("month", 30_000), principal=world["ed"])
    assert len(_entries(platform, "market.listing.licence.changed")) == 1
    same = ls.update(made.id, terms=L.template("research-only"), principal=world["ed"])
    assert same.licence_sha256 == changed.licence_sha256
    assert len(_entries(platform, "market.listing.licence.changed")) == 1

    off = ls.unpublish(made.id, principal=world["ed"])
    assert off.status == "unpublished"
    (gone,) = _entries(platform, "market.listing.unpublished")
    assert gone["data"] == {"listing": made.id, "archived": False}
    with pytest.raises(errors.NotFound):
        ls.get(made.id, principal=world["out"])
    ls.publish(made.id, principal=world["ed"])
    done = ls.archive(made.id, principal=world["own"])
    assert done.status == "archived"
    assert _entries(platform, "market.listing.unpublished")[-1]["data"]["archived"] is True
    for step in (ls.publish, ls.unpublish, ls.archive):
        with pytest.raises(errors.Conflict):
            step(made.id, principal=world["own"])
    with pytest.raises(errors.Conflict):
        ls.update(made.id, title="다시", principal=world["own"])


def test_only_restricted_datasets_by_their_holders(platform, world):
    ls = platform.listings
    kw = {"title": "상품", "price": PRICE, "terms": L.template("commercial-internal")}
    with pytest.raises(errors.InvalidInput, match="Only restricted datasets"):
        ls.create("open-air", principal=world["ed"], **kw)
    with pytest.raises(errors.InvalidInput, match="Only restricted datasets"):
        ls.create("cohort", principal=world["ed"], **kw)  # personal: only through its release
    with pytest.raises(errors.PermissionDenied, match="editors and owners of 'org-a'"):
        ls.create("air", principal=world["mem"], **kw)
    with pytest.raises(errors.PermissionDenied):
        ls.create("air", principal=world["out"], **kw)
    with pytest.raises(errors.InvalidInput, match="research only"):
        ls.create("air", principal=world["ed"], **{**kw, "price": rules.FreeForResearch()})
    with pytest.raises(errors.NotFound, match="no version 9"):
        ls.create("air", version=9, principal=world["ed"], **kw)
    # A listing without a sample cannot go on sale.
    draft = ls.create("air", version=1, principal=world["ed"], **kw)
    with pytest.raises(errors.Conflict, match="needs a sample"):
        ls.publish(draft.id, principal=world["ed"])
    # The dataset stopped being restricted: its listing cannot be published.
    ls.update(draft.id, sample=_synthetic(world), principal=world["ed"])
    platform.catalog.update_dataset("air", access_level="open", principal=world["own"])
    with pytest.raises(errors.Conflict, match="Only restricted datasets"):
        ls.publish(draft.id, principal=world["ed"])


def test_sample_from_a_release_but_never_real_rows(platform, world):
    ls = platform.listings
    kw = {
        "title": "코호트 비식별 자료",
        "price": rules.FreeForResearch(),
        "terms": L.template("research-only"),
    }
    made = ls.create("cohort-deid", sample=SampleFromRelease(1), principal=world["ed"], **kw)
    assert made.sample_source == "release" and len(made.sample_rows) == 5
    assert {r[0] for r in made.sample_rows} == {"*"}  # the released, generalised rows
    # "air" is restricted but no release: its own rows cannot be the sample.
    with pytest.raises(errors.InvalidInput, match="not a de-identified release"):
        ls.create(
            "air", sample=SampleFromRelease(1), principal=world["ed"], **{**kw, "price": PRICE}
        )
    # A "synthetic" file that copies real rows is refused, naming how many.
    real = world["tmp"] / "copied.csv"
    real.write_text(
        "측정소명,측정일,PM10,PM2.5,비고\n중구,2024.01.06,45,22.1,보통\n합성측정소1,2024.03.01,10,5.5,합성\n",
        encoding="utf-8",
    )
    with pytest.raises(errors.InvalidInput, match="1 rows of the synthetic sample"):
        ls.create(
            "air", sample=SyntheticSample(real), principal=world["ed"], **{**kw, "price": PRICE}
        )
    # Direct identifiers in a synthetic sample are refused by detection.
    with pytest.raises(errors.InvalidInput, match="direct identifiers: .*휴대전화"):
        ls.create(
            "air",
            sample=SyntheticSample(world["tmp"] / "phones.csv"),
            principal=world["ed"],
            **{**kw, "price": PRICE},
        )
    big = world["tmp"] / "big.csv"
    big.write_text(
        "a,b\n" + "".join(f"합성{i},{i}\n" for i in range(rules.SAMPLE_MAX_ROWS + 1)),
        encoding="utf-8",
    )
    with pytest.raises(errors.InvalidInput, match="at most 100 rows"):
        ls.create(
            "air", sample=SyntheticSample(big), principal=world["ed"], **{**kw, "price": PRICE}
        )


def test_search_shows_the_for_sale_facet(platform, world):
    ls = platform.listings
    made = ls.create(
        "air",
        title="판매",
        price=PRICE,
        terms=L.template("commercial-internal"),
        sample=_synthetic(world),
        principal=world["ed"],
    )
    found = platform.search.search("", principal=world["own"], filters={"for_sale": ["yes"]})
    assert found.total == 0
    ls.publish(made.id, principal=world["ed"])
    found = platform.search.search("", principal=world["out"], filters={"for_sale": ["yes"]})
    assert [r["name"] for r in found.results] == ["air"]
    assert {f["value"]: f["count"] for f in found.facets["for_sale"]} == {"yes": 1}
    doc = platform.search.fresh_doc("air")
    assert doc is not None and [x["id"] for x in doc.listings] == [made.id]
    # A reindex from scratch keeps it.
    platform.search.reindex()
    found = platform.search.search("", principal=world["out"], filters={"for_sale": ["yes"]})
    assert found.total == 1
    ls.unpublish(made.id, principal=world["ed"])
    found = platform.search.search("", principal=world["out"], filters={"for_sale": ["yes"]})
    assert found.total == 0


def test_ledger_entries_never_hold_the_sample(platform, world):
    ls = platform.listings
    made = ls.create(
        "air",
        title="판매",
        price=PRICE,
        terms=L.template("commercial-internal"),
        sample=_synthetic(world),
        principal=world["ed"],
    )
    ls.publish(made.id, principal=world["ed"])
    text = json.dumps(
        [platform.ledger.public_receipt(i) for i in range(platform.ledger.size())],
        ensure_ascii=False,
    )
    assert "합성측정소1" not in text


def test_real_row_check_narrowed_by_arrow_finds_what_comparing_every_row_finds():
    import datetime as dt
    import random

    import pyarrow as pa

    from datanuri.market.listings import _cell_text, rows_among

    rnd = random.Random(7)
    n = 2_000
    batch = pa.record_batch(
        {
            "name": pa.array([rnd.choice(["중구", "None", None, "종로구", "7"]) for _ in range(n)]),
            "count": pa.array([rnd.choice([None, 0, 7, -3, 2**40]) for _ in range(n)], pa.int64()),
            "small": pa.array([rnd.choice([1, 2, 200]) for _ in range(n)], pa.uint8()),
            "value": pa.array([rnd.choice([None, 1.0, 2.5]) for _ in range(n)]),
            "day": pa.array([dt.date(2024, 1, rnd.choice([1, 2])) for _ in range(n)]),
        }
    )
    columns = ("name", "count", "small", "value", "day")
    every = {tuple(_cell_text(r[c]) for c in columns) for r in batch.to_pylist()}
    # Texts a sample may hold: some rows of the batch, and near misses ("07", "+7", out of
    # range for uint8, "1" for the float 1.0, "None" for nulls and the text "None").
    probes = set(rnd.sample(sorted(every), 10))
    for name in ("중구", "None", "7", "없음"):
        for count in ("7", "07", "+7", "None", str(2**40), "0"):
            for small in ("1", "200", "300", "-1"):
                probes.add(
                    (name, count, small, rnd.choice(["1.0", "1", "None", "2.5"]), "2024-01-01")
                )
    assert rows_among(batch, columns, probes) == probes & every
    assert len(probes & every) > 10  # the probes do hit rows, not only misses
