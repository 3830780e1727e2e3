"""A Typer group whose commands are imported when run, not when the CLI starts.

`datanuri --help` lists every command from its registered one-line help, and `datanuri
datasets list` imports the catalog's commands only: a command's module (and the capability it
drives) is imported when that command is resolved.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

import typer
from typer._click.exceptions import UsageError  # typer's own click (pinned in constraints.txt)
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Lazy:
    """A command or group of the root app: where it is loaded from and its one-line help."""

    target: str  # "module:attribute": a Typer app, a command function, or a loader (`loader`)
    help: str  # the first paragraph of its help, as `--help` lists it
    group: bool = False  # a sub-app (listed after the commands, as Typer lists them)
    loader: bool = False  # `target` is a function that returns the Typer app itself


@functools.cache
def load(name: str, entry: Lazy) -> Any:
    """The command `entry` names, imported once per process and made as the root app's
    `add_typer(app, name=name)` or `command(name)(function)` would make it."""
    module, _, attribute = entry.target.partition(":")
    found: Any = getattr(importlib.import_module(module), attribute)
    if entry.loader:
        found = found()
    holder = typer.Typer()
    holder.callback()(lambda: None)  # a group, even around one command
    if entry.group:
        holder.add_typer(found, name=name)
    else:
        holder.command(name)(found)
    return typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]


def first_paragraph(text: str | None) -> str:
    """What a commands panel shows of a command's help: its first paragraph."""
    return (text or "").split("\n\n")[0].strip()


class LazyGroup(TyperGroup):
    """The root group: its `lazy` commands are imported when resolved, not when listed."""

    lazy: dict[str, Lazy] = {}
    _listing = False  # formatting help: lazy commands are shown from their registered help

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        lazy_commands = [n for n, e in self.lazy.items() if not e.group]
        groups = [n for n, e in self.lazy.items() if e.group]
        return [*lazy_commands, *super().list_commands(ctx), *groups]

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:  # type: ignore[override]
        entry = self.lazy.get(cmd_name)
        if entry is None:
            return super().get_command(ctx, cmd_name)
        if self._listing:
            return TyperCommand(cmd_name, help=entry.help)
        return load(cmd_name, entry)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Typer's, with "did you mean" drawn from every command (Typer's looks only at the
        ones already made)."""
        try:
            return self._click_resolve_command(ctx, args)
        except UsageError as exc:
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if self.suggest_commands and matches:
                names = ", ".join(repr(m) for m in matches)
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {names}?"
            raise

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def lazy_group(entries: dict[str, Lazy]) -> type[LazyGroup]:
    """A `LazyGroup` class for `typer.Typer(cls=...)` serving `entries`."""
    return type("RootGroup", (LazyGroup,), {"lazy": entries})
