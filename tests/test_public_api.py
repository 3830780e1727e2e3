from pathlib import Path

import datanuri


def test_all_names_resolve():
    for name in datanuri.__all__:
        assert getattr(datanuri, name) is not None


def test_readme_mentions_every_public_name():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    for name in ("Client", "Config", "Platform"):
        assert name in readme, f"README does not show {name}"
    assert set(datanuri.__all__) >= {"Client", "Config", "Platform", "DatanuriError"}
