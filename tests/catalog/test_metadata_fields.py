"""The new dataset metadata (coverage regions, 갱신주기, contact, provision type, citation, DOI,
column notes) and the one vocabulary check of theme and licence, through the catalog service
that the API, CLI and console share."""

from __future__ import annotations

import pytest

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.catalog import vocab
from datanuri.catalog.fields import clean_fields
from tests.helpers import air_csv, run_cli


@pytest.fixture
def cat(platform):
    platform.accounts.create_organization("seoul", title="서울특별시", principal=SYSTEM)
    platform.catalog.create_dataset("air", organization="seoul", title="대기질", principal=SYSTEM)
    return platform.catalog


def test_new_fields_are_stored_and_read_back(cat):
    info = cat.update_dataset(
        "air",
        principal=SYSTEM,
        regions=["11", "11:종로구", "26"],
        update_frequency="monthly",
        contact_name="김담당",
        contact_email="kim@seoul.go.kr",
        contact_phone="02-120-1234",
        provision_type="file",
        citation="서울특별시 (2024). 대기질 측정.",
        doi="https://doi.org/10.1234/AIR.2024",
        temporal_start="2024-01-01",
        temporal_end="2024-12-31",
    )
    again = cat.get_dataset("air", principal=SYSTEM)
    assert again == info
    assert again.regions == ("11", "11:종로구", "26")
    assert again.update_frequency == "monthly" and again.provision_type == "file"
    assert again.doi == "10.1234/AIR.2024"  # the resolver prefix is dropped
    assert again.contact_phone == "02-120-1234"
    assert again.to_dict()["regions"] == ("11", "11:종로구", "26")


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"theme": "날씨"}, "교통"),  # the error lists the allowed themes
        ({"license": "MIT-ish"}, "KOGL-1"),
        ({"update_frequency": "hourly"}, "monthly (월간)"),
        ({"provision_type": "fax"}, "file (파일)"),
        ({"regions": ["99"]}, "11 (서울특별시)"),
        ({"regions": ["11:해운대구"]}, "not a region id"),
        ({"doi": "doi.org/abc"}, "10.1234/abc-5678"),
        ({"contact_phone": "call me"}, "02-123-4567"),
        ({"contact_email": "kim at seoul"}, "name@example.org"),
        ({"temporal_start": "2024.13.01"}, "YYYY-MM-DD"),
        ({"temporal_start": "2024-05-01", "temporal_end": "2023-01-01"}, "ends"),
    ],
)
def test_invalid_values_get_a_clear_error(cat, fields, needle):
    with pytest.raises(errors.InvalidInput) as caught:
        cat.update_dataset("air", principal=SYSTEM, **fields)
    assert needle in caught.value.message
    assert cat.get_dataset("air", principal=SYSTEM).theme is None  # nothing changed


def test_period_is_checked_against_the_stored_start(cat):
    cat.update_dataset("air", principal=SYSTEM, temporal_start="2024-06")
    with pytest.raises(errors.InvalidInput, match="ends"):
        cat.update_dataset("air", principal=SYSTEM, temporal_end="2024-01-31")
    assert cat.update_dataset("air", principal=SYSTEM, temporal_end="2024").temporal_end == "2024"


def test_theme_and_licence_are_checked_on_create_too(cat):
    with pytest.raises(errors.InvalidInput, match="theme"):
        cat.create_dataset("xx", organization="seoul", theme="없는주제", principal=SYSTEM)
    ok = cat.create_dataset(
        "yy",
        organization="seoul",
        theme="환경",
        license="https://creativecommons.org/licenses/by/4.0/",
        principal=SYSTEM,
    )
    assert ok.license.startswith("https://")


def test_empty_optional_text_clears_a_field(cat):
    cat.update_dataset("air", principal=SYSTEM, theme="환경", doi="10.5555/x")
    cleared = cat.update_dataset("air", principal=SYSTEM, theme="", doi="")
    assert cleared.theme is None and cleared.doi is None


def test_regions_from_the_old_free_text():
    assert vocab.regions_from_text("서울특별시 종로구, 부산") == ["11:종로구", "26"]
    assert vocab.regions_from_text("전국") == ["00"]
    assert vocab.regions_from_text("어딘가") == []
    assert vocab.region_label("11:종로구") == "서울특별시 종로구"
    assert vocab.region_label("11:종로구", "en") == "종로구, Seoul"


def test_regions_are_bounded_and_deduplicated():
    assert clean_fields({"regions": "11, 11, 26"})["regions"] == ["11", "26"]
    with pytest.raises(errors.InvalidInput, match="at most"):
        clean_fields({"regions": ["11"] * 301})


def test_column_notes_are_per_dataset_and_carried_to_new_versions(cat, tmp_path):
    cat.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    info = cat.set_column_note(
        "air",
        "PM10",
        {"description": "미세먼지 농도", "unit": "㎍/㎥", "codes": [["-", "측정 안 함"]]},
        principal=SYSTEM,
    )
    assert info.column_notes["PM10"] == {
        "description": "미세먼지 농도",
        "unit": "㎍/㎥",
        "codes": [["-", "측정 안 함"]],
    }
    cat.publish("air", air_csv(tmp_path / "b.csv", extra_rows=2), principal=SYSTEM)
    assert cat.get_dataset("air", principal=SYSTEM).column_notes["PM10"]["unit"] == "㎍/㎥"
    # an empty note removes it
    assert "PM10" not in cat.set_column_note("air", "PM10", {}, principal=SYSTEM).column_notes


def test_column_notes_are_checked(cat, tmp_path):
    cat.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    with pytest.raises(errors.NotFound, match="no column"):
        cat.set_column_note("air", "없는열", {"unit": "개"}, principal=SYSTEM)
    with pytest.raises(errors.InvalidInput, match="defined twice"):
        cat.set_column_note("air", "비고", {"codes": [["1", "a"], ["1", "b"]]}, principal=SYSTEM)
    with pytest.raises(errors.InvalidInput, match="empty code"):
        cat.set_column_note("air", "비고", {"codes": [["", "뜻"]]}, principal=SYSTEM)
    with pytest.raises(errors.InvalidInput, match="too long"):
        cat.set_column_note("air", "비고", {"unit": "x" * 51}, principal=SYSTEM)


def test_the_cli_refuses_an_unknown_theme_with_the_allowed_list(config, tmp_path):
    """The CLI reaches the same check (a subprocess, as a user runs it)."""
    import subprocess

    env = {
        "DATANURI_DATA_DIR": str(config.data_dir),
        "DATANURI_DATABASE_URL": config.database_url,
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(args, env)

    assert run("orgs", "create", "seoul").returncode == 0
    src = air_csv(tmp_path / "air.csv")
    bad = run("publish", str(src), "--dataset", "air", "--org", "seoul", "--theme", "날씨")
    assert bad.returncode != 0
    said = bad.stderr + bad.stdout
    assert "날씨" in said and "환경" in said and "Traceback" not in said
    bad = run("publish", str(src), "--dataset", "air", "--org", "seoul", "--license", "MIT-ish")
    assert bad.returncode != 0 and "KOGL-1" in bad.stderr + bad.stdout
