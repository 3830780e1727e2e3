"""What every CLI command shares: opening the platform, printing, JSON output, errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from datanuri.accounts.principal import SYSTEM, Principal
from datanuri.config import Config

console = Console()
err_console = Console(stderr=True)


def open_platform(data_dir: Path | None = None) -> Any:
    """A Platform for the configured data dir (DATANURI_DATA_DIR, or ./.datanuri)."""
    from datanuri.platform import Platform

    return Platform(Config.load(data_dir=data_dir))


@contextmanager
def platform_ctx(data_dir: Path | None = None) -> Iterator[Any]:
    p = open_platform(data_dir)
    try:
        yield p
    finally:
        p.close()


def acting_principal(p: Any, email: str | None) -> Principal:
    """Who a command acts as: the user `email` (`--as`), else the machine's owner (SYSTEM)."""
    if not email:
        return SYSTEM
    found: Principal = p.accounts.principal_for(email)
    return found.using(via="cli")


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


@contextmanager
def byte_progress(description: str, total: int | None) -> Iterator[Any]:
    """A Rich progress bar over bytes; yields a `progress(done, total)` callback."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=total)

        def update(done: int, new_total: int | None = None) -> None:
            bar.update(task, completed=done, total=new_total or total)

        yield update
        bar.update(task, completed=bar.tasks[0].total or 0)


DATA_DIR_OPTION = typer.Option(
    None, "--data-dir", envvar="DATANURI_DATA_DIR", help="Data directory (default ./.datanuri)."
)
JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON.")
