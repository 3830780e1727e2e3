"""docs/configuration.md is generated from `Config`: it must list every setting as it is now."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from datanuri.config import Config
from datanuri.config_reference import groups, render

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_reference_is_current() -> None:
    assert DOC.read_text("utf-8") == render(), (
        "docs/configuration.md is stale: run "
        "`python -m datanuri.config_reference > docs/configuration.md`"
    )


def test_every_setting_is_listed_once_with_its_variable() -> None:
    listed = [s for g in groups() for s in g.settings]
    assert [s.name for s in listed] == [f.name for f in dataclasses.fields(Config)]
    assert all(s.env == "DATANURI_" + s.name.upper() for s in listed)


def test_comments_become_descriptions() -> None:
    by_name = {s.name: (g, s) for g in groups() for s in g.settings}
    group, setting = by_name["max_columns"]
    assert "refused at the header" in setting.note
    assert group.intro.startswith("Hard limits")
    assert "X-Datanuri-Worker" in by_name["worker_header"][0].intro
    assert by_name["rate_limit_burst"][1].default == "120"


def test_a_new_commented_setting_is_documented() -> None:
    @dataclasses.dataclass(frozen=True)
    class Extended:
        a: int = 1  # the first
        # Settings of a new part.
        b_limit: int = 20_000
        c_names: tuple[str, ...] = ()

    text = render(Extended)
    assert "| `a` | `DATANURI_A` | `int` | `1` | the first |" in text
    assert "Settings of a new part." in text
    assert "| `b_limit` | `DATANURI_B_LIMIT` | `int` | `20_000` |  |" in text
    assert "`(none)`" in text
