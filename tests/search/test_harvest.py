"""Harvest one datanuri instance from another over loopback, by CKAN API and by DCAT JSON-LD."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.config import Config
from datanuri.harvest import Harvester
from datanuri.harvest.mapping import dcat_datasets, from_dcat
from datanuri.harvest.models import HarvestRecord
from datanuri.metadata import dcat
from datanuri.platform import Platform
from tests.search.support import load_catalog, make_app, serve


@pytest.fixture
def source_url(platform):
    load_catalog(platform)
    url, stop = serve(make_app(platform))
    try:
        yield url
    finally:
        stop()


@pytest.fixture
def target(tmp_path):
    p = Platform(Config(data_dir=tmp_path / "target"))
    try:
        yield p
    finally:
        p.close()


def harvester(p):
    return Harvester(p.catalog, p.accounts, p.db, notify=p.search.on_change)


def test_ckan_harvest_is_idempotent_and_keeps_the_source(platform, source_url, target):
    first = harvester(target).harvest(source_url)
    assert first.kind == "ckan" and len(first.created) == 7 and not first.skipped
    assert "patients" not in first.created  # hidden metadata is not served, so not harvested
    ds = target.catalog.get_dataset("air-quality", principal=SYSTEM)
    assert (
        ds.title == "대기질 측정 자료"
        and ds.organization == "seoul"
        and set(ds.keywords) == {"대기", "미세먼지"}
    )
    assert ds.theme == "환경" and ds.license == "KOGL-1" and ds.spatial == "서울특별시 종로구"
    assert target.catalog.get_organization("seoul").title == "서울특별시"
    with target.db.session() as s:
        rec = s.scalar(select(HarvestRecord).where(HarvestRecord.dataset_name == "air-quality"))
        assert (
            rec.source_url == source_url and rec.remote_url == f"{source_url}/dataset/air-quality"
        )
    hit = target.search.search("대기질을", principal=SYSTEM).results
    assert {h["name"] for h in hit} == {"air-quality", "air-quality-busan"}
    assert target.search.fresh_doc("air-quality").source == f"{source_url}/dataset/air-quality"

    before = target.catalog.get_dataset("air-quality", principal=SYSTEM).updated_at
    second = harvester(target).harvest(source_url)
    assert second.created == [] and second.updated == [] and len(second.unchanged) == 7
    assert target.catalog.get_dataset("air-quality", principal=SYSTEM).updated_at == before

    platform.catalog.update_dataset("air-quality", description="바뀐 설명", principal=SYSTEM)
    third = harvester(target).harvest(source_url + "/api/3/action")
    assert third.updated == ["air-quality"] and len(third.unchanged) == 6
    assert target.catalog.get_dataset("air-quality", principal=SYSTEM).description == "바뀐 설명"


def test_dcat_harvest_and_local_names_are_not_overwritten(source_url, target):
    target.accounts.create_organization("mine", principal=SYSTEM)
    target.catalog.create_dataset(
        "public-wifi", organization="mine", title="내 데이터", principal=SYSTEM
    )
    report = harvester(target).harvest(f"{source_url}/catalog.jsonld")
    assert report.kind == "dcat" and len(report.created) == 6
    assert [s["name"] for s in report.skipped] == ["public-wifi"]
    assert target.catalog.get_dataset("public-wifi", principal=SYSTEM).title == "내 데이터"
    ds = target.catalog.get_dataset("traffic-accidents", principal=SYSTEM)
    assert (
        ds.title == "전국 교통사고 통계"
        and ds.temporal_start == "2020-01-01"
        and ds.license == "CC-BY-4.0"
    )
    again = harvester(target).harvest(f"{source_url}/catalog.jsonld")
    assert again.created == [] and again.updated == [] and len(again.unchanged) == 6


def test_prefix_and_bad_sources(source_url, target):
    report = harvester(target).harvest(source_url, prefix="remote-")
    assert "remote-air-quality" in report.created
    with pytest.raises(errors.InvalidInput):
        harvester(target).harvest("http://127.0.0.1:9/nothing.jsonld")


def test_dcat_mapping_reads_expanded_iris():
    from pyld import jsonld as pyld

    from tests.metadata.test_exports import BASE, DOC

    expanded = pyld.expand(dcat.catalog_document([DOC], BASE))
    (node,) = dcat_datasets(expanded)
    item = from_dcat(node, BASE)
    assert item.name == "air-quality" and item.fields["title"] == "대기질 측정 자료"
    assert item.fields["keywords"] == ["대기", "미세먼지"] or set(item.fields["keywords"]) == {
        "대기",
        "미세먼지",
    }
