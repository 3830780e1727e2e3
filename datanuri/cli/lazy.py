"""A Typer group whose commands are imported when run, not when the CLI starts.

`datanuri --help` lists every command from its registered one-line help, and `datanuri
datasets list` imports the catalog's commands only: a command's module (and the capability it
drives) is imported when that command is resolved.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import click
import typer
from typer.core import TyperGroup


@dataclass(frozen=True)
class Lazy:
    """A command or group of the root app: where it is loaded from and its one-line help."""

    target: str  # "module:attribute": a Typer app, a command function, or a loader (`group`)
    help: str  # the first paragraph of its help, as `--help` lists it
    group: bool = False  # a sub-app (listed after the commands, as Typer lists them)
    loader: bool = False  # `target` is a function that returns the click command itself


@functools.cache
def load(name: str, entry: Lazy) -> click.Command:
    """The click command `entry` names, imported once per process."""
    module, _, attribute = entry.target.partition(":")
    found: Any = getattr(importlib.import_module(module), attribute)
    if entry.loader:
        command: click.Command = found()
    elif isinstance(found, typer.Typer):
        command = typer.main.get_command(found)
    else:  # a command function: Typer makes its click command as `app.command(name)` would
        single = typer.Typer()
        single.command(name)(found)
        command = typer.main.get_command(single)
    command.name = name
    return command


def first_paragraph(text: str | None) -> str:
    """What a commands panel shows of a command's help: its first paragraph."""
    return (text or "").split("\n\n")[0].strip()


class LazyGroup(TyperGroup):
    """The root group: its `lazy` commands are imported when resolved, not when listed."""

    lazy: dict[str, Lazy] = {}
    _listing = False  # formatting help: lazy commands are shown from their registered help

    def list_commands(self, ctx: click.Context) -> list[str]:
        lazy_commands = [n for n, e in self.lazy.items() if not e.group]
        groups = [n for n, e in self.lazy.items() if e.group]
        return [*lazy_commands, *super().list_commands(ctx), *groups]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.lazy.get(cmd_name)
        if entry is None:
            return super().get_command(ctx, cmd_name)
        if self._listing:
            return click.Command(cmd_name, help=entry.help)
        return load(cmd_name, entry)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with self._from_registered_help():
            super().format_help(ctx, formatter)

    @contextmanager
    def _from_registered_help(self) -> Iterator[None]:
        self._listing = True
        try:
            yield
        finally:
            self._listing = False

    def load_all(self) -> Iterator[tuple[str, click.Command]]:
        """Every lazy command, imported (for tests and documentation checks)."""
        for name, entry in self.lazy.items():
            yield name, load(name, entry)


def lazy_group(entries: dict[str, Lazy]) -> Callable[..., LazyGroup]:
    """A `LazyGroup` class for `typer.Typer(cls=...)` serving `entries`."""
    return type("RootGroup", (LazyGroup,), {"lazy": entries})
