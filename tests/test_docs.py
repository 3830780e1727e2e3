"""The documentation covers the interfaces: every CLI command has help text and a line in
docs/cli.md (or the README), and `datanuri.__all__` is exactly what docs/python-api.md documents."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.core import TyperGroup

import datanuri
from datanuri.cli import app

ROOT = Path(__file__).resolve().parents[1]
CLI_DOCS = (ROOT / "docs" / "cli.md").read_text("utf-8") + (ROOT / "README.md").read_text("utf-8")
API_DOCS = (ROOT / "docs" / "python-api.md").read_text("utf-8")


def commands(command: Any, path: str = "datanuri") -> Iterator[tuple[str, Any]]:
    """Every command and group under `command`, with its full path (`datanuri ledger audit`);
    the root's lazy commands are imported as running them would (`get_command`)."""
    yield path, command
    if isinstance(command, TyperGroup):
        ctx = typer.Context(command)
        for name in sorted(command.list_commands(ctx)):
            yield from commands(command.get_command(ctx, name), f"{path} {name}")


COMMANDS = dict(commands(typer.main.get_command(app)))


def test_the_walk_finds_nested_commands():
    assert {"datanuri publish", "datanuri ledger witnesses add"} <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_command_has_help(path):
    assert (COMMANDS[path].help or "").strip(), f"`{path}` has no help text (write a docstring)"


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_command_is_documented(path):
    assert f"`{path}`" in CLI_DOCS, f"`{path}` is in neither docs/cli.md nor the README"


def test_public_names_are_the_documented_ones():
    documented = set(re.findall(r"^## `(\w+)`$", API_DOCS, re.M))
    assert set(datanuri.__all__) == documented, "datanuri.__all__ and docs/python-api.md differ"


@pytest.mark.parametrize("name", datanuri.__all__)
def test_public_name_resolves(name):
    assert getattr(datanuri, name) is not None
