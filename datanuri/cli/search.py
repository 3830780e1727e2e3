"""CLI over search and harvesting: `datanuri search reindex|query` and `datanuri harvest URL`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from datanuri.accounts.principal import SYSTEM
from datanuri.cli.common import (
    DATA_DIR_OPTION,
    JSON_OPTION,
    console,
    err_console,
    platform_ctx,
    print_json,
)

search_app = typer.Typer(
    help="Search the catalog and maintain the search index.", no_args_is_help=True
)


@search_app.command("reindex")
def reindex(data_dir: Path | None = DATA_DIR_OPTION, json_out: bool = JSON_OPTION) -> None:
    """Rebuild the search index from the catalog."""
    from rich.progress import Progress

    with platform_ctx(data_dir) as p:
        with Progress(console=err_console, transient=True) as bar:
            task = bar.add_task("Indexing", total=None)
            n = p.search.reindex(
                progress=lambda done, total: bar.update(task, completed=done, total=total)
            )
    print_json({"indexed": n}) if json_out else console.print(f"Indexed {n:,} dataset(s).")


@search_app.command("query")
def query(
    q: str = typer.Argument("", help="Korean or English words"),
    organization: str | None = typer.Option(None, help="Only this organisation"),
    theme: str | None = typer.Option(None, help="Only this theme"),
    sort: str = typer.Option("relevance", help="relevance | newest | title"),
    limit: int = typer.Option(20, help="How many results (at most 100)"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Search datasets (as the local system user, who sees everything)."""

    filters = {k: [v] for k, v in (("organization", organization), ("theme", theme)) if v}
    with platform_ctx(data_dir) as p:
        result = p.search.search(q, filters=filters, sort=sort, per_page=limit, principal=SYSTEM)
    if json_out:
        print_json(result.to_dict())
        return
    table = Table(title=f"{result.total:,} dataset(s)")
    for col in ("name", "title", "organization", "theme", "updated"):
        table.add_column(col)
    for r in result.results:
        table.add_row(
            r["name"], r["title"], r["organization"], r["theme"] or "", r["updated_at"][:10]
        )
    console.print(table)


def harvest(
    url: str = typer.Argument(
        ..., help="A CKAN site (https://host) or a DCAT JSON-LD document URL"
    ),
    prefix: str = typer.Option("", help="Prefix for local dataset names, e.g. 'busan-'"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Import datasets from a CKAN-compatible API or DCAT JSON-LD; running it again changes nothing."""
    with platform_ctx(data_dir) as p:
        with console.status(f"Harvesting {url}…"):
            report = p.harvester.harvest(url, prefix=prefix)
    if json_out:
        print_json(report.to_dict())
        return
    console.print(
        f"Harvested {url} ({report.kind}): {len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped."
    )
    for s in report.skipped:
        err_console.print(f"  skipped {s['name']}: {s['reason']}")
