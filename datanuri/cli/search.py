"""CLI over search and harvesting: `datanuri search reindex|query|synonyms|official` and
`datanuri harvest URL`."""

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


synonyms_app = typer.Typer(
    help="Synonym sets searches expand queries with (대기질 = 공기질 = air quality).",
    no_args_is_help=True,
)
search_app.add_typer(synonyms_app, name="synonyms")


@synonyms_app.command("list")
def synonyms_list(data_dir: Path | None = DATA_DIR_OPTION, json_out: bool = JSON_OPTION) -> None:
    """Show every synonym set."""
    with platform_ctx(data_dir) as p:
        sets = p.search.list_synonyms(principal=SYSTEM)
    if json_out:
        print_json([s.to_dict() for s in sets])
        return
    table = Table(title=f"{len(sets)} synonym set(s)")
    for col in ("id", "terms", "origin"):
        table.add_column(col)
    for s in sets:
        table.add_row(str(s.id), ", ".join(s.terms), s.origin)
    console.print(table)


@synonyms_app.command("add")
def synonyms_add(
    terms: list[str] = typer.Argument(
        ..., help="Two or more terms, e.g. 대기질 공기질 'air quality'"
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Make terms synonyms of each other (a set holding one of them takes the others in)."""
    with platform_ctx(data_dir) as p:
        made = p.search.add_synonyms(terms, principal=SYSTEM)
    if json_out:
        print_json(made.to_dict())
    else:
        console.print(f"Synonym set {made.id}: {', '.join(made.terms)}")


@synonyms_app.command("remove")
def synonyms_remove(
    term: str = typer.Argument(..., help="The term to take out of every set"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Take a term out of every synonym set (a set left with one term goes)."""
    with platform_ctx(data_dir) as p:
        changed = p.search.remove_synonym(term, principal=SYSTEM)
    if json_out:
        print_json([s.to_dict() for s in changed])
        return
    for s in changed:
        console.print(
            f"Synonym set {s.id}: {', '.join(s.terms)}"
            if s.terms
            else f"Synonym set {s.id} removed."
        )


@search_app.command("official")
def official(
    organization: str = typer.Argument(..., help="The organisation's name"),
    off: bool = typer.Option(False, "--off", help="Mark it not official"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Mark an organisation as an official holder: search ranks its data higher."""
    with platform_ctx(data_dir) as p:
        info = p.accounts.set_official(organization, not off, principal=SYSTEM)
    if json_out:
        print_json(info.to_dict())
    else:
        console.print(
            f"{info.title} ({info.name}): {'official' if info.official else 'not official'}"
        )


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
