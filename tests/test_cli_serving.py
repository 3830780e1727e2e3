"""What `datanuri serve --workers N` says about the database it is given."""

from __future__ import annotations

from pathlib import Path

from datanuri.cli.serving import sqlite_note
from datanuri.config import Config


def test_several_processes_on_sqlite_get_a_warning_naming_postgresql(tmp_path: Path) -> None:
    note = sqlite_note(Config(data_dir=tmp_path, workers=3))
    assert note is not None
    assert "3 processes" in note and str(tmp_path.resolve()) in note
    assert "DATANURI_DATABASE_URL" in note


def test_one_process_or_postgresql_need_no_warning(tmp_path: Path) -> None:
    assert sqlite_note(Config(data_dir=tmp_path)) is None
    assert sqlite_note(Config(workers=4, database_url="postgresql+psycopg://u@h/d")) is None
