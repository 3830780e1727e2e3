"""The demo datasets carry the richer metadata: coverage regions, 갱신주기, citation, DOI and
column notes (every noted column exists in the published data)."""

from datanuri.accounts.principal import SYSTEM
from datanuri.demo.metadata import COLUMN_NOTES


def test_demo_datasets_have_rich_metadata(loaded_demo):
    platform, _ = loaded_demo
    cat = platform.catalog
    air = cat.get_dataset("air-quality-seoul-daily", principal=SYSTEM)
    assert air.regions == ("11",) and air.update_frequency == "daily"
    assert air.doi == "10.5072/datanuri.demo.air-2024"
    assert air.column_notes["PM10"]["unit"] == "㎍/㎥"
    assert cat.get_dataset("population-by-sigungu", principal=SYSTEM).regions == ("00",)
    for name, notes in COLUMN_NOTES.items():  # no note was silently dropped
        assert set(cat.get_dataset(name, principal=SYSTEM).column_notes) == set(notes), name
