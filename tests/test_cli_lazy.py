"""The CLI imports per command: `datanuri --help` and `datanuri datasets list` start without
the privacy engine, the ORMs of capabilities they do not use, httpx or scientific libraries,
and the help they list for a command is that command's own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup

from datanuri.cli import LAZY, app
from datanuri.cli.lazy import first_paragraph, load
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]

# Modules a listing or the help has no use for (each costs from 50 ms to a second to import).
UNUSED = (
    "datanuri.privacy",
    "datanuri.synth",
    "datanuri.linkage",
    "datanuri.audit",
    "datanuri.market",
    "datanuri.mydata",
    "datanuri.desk.service",
    "datanuri.search",
    "datanuri.tables",
    "datanuri.web",
    "httpx",
    "sklearn",
    "scipy",
    "pandas",
    "duckdb",
    "pyarrow",
    "numpy",
)


def imported_by(args: list[str], tmp_path: Path) -> set[str]:
    """The `UNUSED` modules (or their submodules) that `datanuri ARGS` imported, in a fresh
    interpreter through the installed command's entry point."""
    script = (
        "import json, sys\n"
        "from datanuri.cli import main\n"
        f"sys.argv = ['datanuri', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        f"unused = {UNUSED!r}\n"
        "found = {u for u in unused for m in list(sys.modules) if m == u or m.startswith(u + '.')}\n"
        "sys.stderr.write('IMPORTED ' + json.dumps(sorted(found)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)},
        timeout=120,
    )
    assert "IMPORTED " in done.stderr, done.stderr[-3000:]
    return set(json.loads(done.stderr.rsplit("IMPORTED ", 1)[1]))


def test_help_imports_no_capability(tmp_path):
    assert imported_by(["--help"], tmp_path) == set()


def test_datasets_list_imports_only_the_catalog(tmp_path):
    data = tmp_path / "data"
    assert imported_by(["datasets", "list", "--data-dir", str(data)], tmp_path) == set()
    assert (data / "datanuri.db").exists()  # it did open the platform and its database


def test_a_command_imports_its_capability(tmp_path):
    """The check can fail: the linkage commands import the linkage capability."""
    assert "datanuri.linkage" in imported_by(["linkage", "--help"], tmp_path)


@pytest.mark.parametrize("name", sorted(LAZY))
def test_listed_help_is_the_commands_own(name):
    entry = LAZY[name]
    assert entry.help == first_paragraph(load(name, entry).help)
    assert isinstance(load(name, entry), TyperGroup) == entry.group


def test_help_lists_every_command_in_typers_order():
    """Lazy commands are listed as Typer lists an app's: its commands, then its groups."""
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    ctx = typer.Context(root)
    names = root.list_commands(ctx)
    kinds = [isinstance(root.get_command(ctx, n), TyperGroup) for n in names]
    assert kinds == sorted(kinds)  # no command after a group
    assert set(names) == set(LAZY) | {"init", "serve", "demo"}


def test_a_mistyped_command_is_told_the_lazy_one_it_meant():
    done = run_cli(["dataset", "list"])
    assert done.returncode == 2
    assert "Did you mean 'datasets'" in done.stderr
