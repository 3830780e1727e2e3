"""CLI commands over the catalog: organizations, datasets, publish, download."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.table import Table

from datanuri.accounts.principal import SYSTEM
from datanuri.cli.common import (
    DATA_DIR_OPTION,
    JSON_OPTION,
    byte_progress,
    console,
    err_console,
    platform_ctx,
    print_json,
)
from datanuri.errors import InvalidInput, NotFound

orgs_app = typer.Typer(
    help="Create and list organizations (the publishers of datasets).", no_args_is_help=True
)
datasets_app = typer.Typer(help="List and inspect datasets.", no_args_is_help=True)
jobs_app = typer.Typer(
    help="See background jobs (ingests started through the API).", no_args_is_help=True
)
blobs_app = typer.Typer(
    help="Maintain the blob store (the stored Parquet files).", no_args_is_help=True
)


@orgs_app.command("create")
def orgs_create(
    name: str = typer.Argument(..., help="URL-safe name, e.g. seoul-city"),
    title: str | None = typer.Option(None, help="Display name, e.g. 서울특별시"),
    description: str = typer.Option("", help="A sentence about the organization."),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Create an organization."""
    with platform_ctx(data_dir) as p:
        org = p.accounts.create_organization(
            name, title=title, description=description, principal=SYSTEM
        )
    print_json(org.to_dict()) if json_out else console.print(
        f"Created organization [bold]{org.name}[/] ({org.title})."
    )


@orgs_app.command("list")
def orgs_list(data_dir: Path | None = DATA_DIR_OPTION, json_out: bool = JSON_OPTION) -> None:
    """List organizations."""
    with platform_ctx(data_dir) as p:
        orgs = p.catalog.list_organizations()
    if json_out:
        return print_json([o.to_dict() for o in orgs])
    t = Table("name", "title", "datasets")
    for o in orgs:
        t.add_row(o.name, o.title, str(o.dataset_count))
    console.print(t)


@datasets_app.command("list")
def datasets_list(
    org: str | None = typer.Option(None, "--org", help="Only this organization's datasets."),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List datasets with their latest version."""
    with platform_ctx(data_dir) as p:
        items = p.catalog.list_datasets(organization=org, principal=SYSTEM)
    if json_out:
        return print_json(
            [{k: v for k, v in d.to_dict().items() if k != "versions"} for d in items]
        )
    t = Table("name", "title", "organization", "access", "version", "rows")
    for d in items:
        rows = f"{d.versions[-1].row_count:,}" if d.versions else "-"
        t.add_row(
            d.name, d.title, d.organization, d.access_level, str(d.latest_version or "-"), rows
        )
    console.print(t)


@datasets_app.command("show")
def datasets_show(
    name: str = typer.Argument(..., help="Dataset name"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Show a dataset's metadata, versions and latest schema."""
    with platform_ctx(data_dir) as p:
        d = p.catalog.get_dataset(name, principal=SYSTEM)
        detail = p.catalog.version_detail(name, principal=SYSTEM) if d.latest_version else None
    if json_out:
        out = d.to_dict()
        if detail:
            out["schema"] = detail["schema"]
        return print_json(out)
    console.print(
        f"[bold]{d.title}[/] ({d.name}) — {d.organization}, access: {d.access_level}, licence: {d.license or '-'}"
    )
    if d.description:
        console.print(d.description)
    if d.keywords:
        console.print("keywords: " + ", ".join(d.keywords))
    vt = Table("version", "rows", "columns", "from", "published", "note")
    for v in d.versions:
        vt.add_row(
            str(v.number),
            f"{v.row_count:,}",
            str(v.column_count),
            v.source_name,
            v.created_at[:19],
            f"withdrawn: {v.withdrawn.reason}" if v.withdrawn else v.change_note,
        )
    console.print(vt)
    if detail:
        st = Table("column", "type", "format")
        for f in detail["schema"].get("fields", []):
            st.add_row(f["name"], f.get("type", ""), str(f.get("format", "")))
        console.print(st)


@datasets_app.command("delete")
def datasets_delete(
    name: str = typer.Argument(..., help="Dataset name"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Delete a dataset that has no version yet (one with versions: withdraw versions instead)."""
    with platform_ctx(data_dir) as p:
        p.catalog.delete_dataset(name, principal=SYSTEM)
    if json_out:
        return print_json({"deleted": name})
    console.print(f"Deleted dataset [bold]{name}[/] (it had no version).")


@datasets_app.command("withdraw")
def datasets_withdraw(
    name: str = typer.Argument(..., help="Dataset name"),
    version: int = typer.Option(..., "--version", "-v", help="Number of the version to withdraw"),
    reason: str = typer.Option(
        ..., "--reason", "-r", help="Why (shown on the version's page and kept in the ledger)"
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Withdraw a published version: its rows are no longer served, its ledger entry stays and
    its page shows the reason."""
    with platform_ctx(data_dir) as p:
        info = p.catalog.withdraw_version(name, version, reason=reason, principal=SYSTEM)
    if json_out:
        return print_json(info.to_dict())
    console.print(
        f"Withdrew version {info.number} of [bold]{name}[/] (ledger entry "
        f"{info.withdrawn.ledger_index if info.withdrawn else '-'})."
    )


def publish(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        readable=True,
        help="CSV, TSV, XLSX, JSON, NDJSON or Parquet file",
    ),
    dataset: str = typer.Option(
        ..., "--dataset", "-d", help="Dataset name (created if it does not exist)"
    ),
    org: str | None = typer.Option(
        None, "--org", "-o", help="Organization (needed when the dataset is new)"
    ),
    title: str | None = typer.Option(None, help="Title of a new dataset"),
    description: str | None = typer.Option(None, help="Description of a new dataset"),
    keywords: str | None = typer.Option(None, help="Comma-separated keywords"),
    theme: str | None = typer.Option(None, help="Theme, e.g. 교통, 환경"),
    license: str | None = typer.Option(None, "--license", help="Licence, e.g. KOGL-1, CC-BY-4.0"),
    access: str | None = typer.Option(
        None, help="open | restricted | personal (new datasets default to open)"
    ),
    change_note: str = typer.Option("", "--change-note", "-m", help="What changed in this version"),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Reject the file on any row problem instead of keeping bad values as text/null",
    ),
    format: str = typer.Option("auto", help="auto | csv | tsv | xlsx | json | ndjson | parquet"),
    encoding: str | None = typer.Option(
        None, help="Text encoding, e.g. cp949 (detected when omitted)"
    ),
    sheet: str | None = typer.Option(None, help="XLSX sheet name (first sheet when omitted)"),
    header_row: int | None = typer.Option(
        None,
        "--header-row",
        min=1,
        help="CSV/XLSX: the row holding the column names, counting title rows from 1 "
        "(detected under title and unit rows when omitted)",
    ),
    skip_rows: int | None = typer.Option(
        None, "--skip-rows", min=0, help="CSV/XLSX: rows above the header (= --header-row N+1)"
    ),
    keep_totals: bool = typer.Option(
        False,
        "--keep-totals",
        help="Keep total rows (합계, 총계, 소계, Total) as data instead of leaving them out",
    ),
    override_reason: str | None = typer.Option(
        None,
        "--override-reason",
        help="Owners only: publish into an open or restricted dataset although detection found "
        "direct identifiers, saying why it is wrong (recorded in the ledger)",
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Ingest a file and publish it as the next version of a dataset (files with direct
    identifiers go only into personal datasets)."""
    from datanuri.catalog.service import NewDataset

    new: NewDataset | None = None
    with platform_ctx(data_dir) as p:
        fields = {
            "description": description,
            "keywords": keywords,
            "theme": theme,
            "license": license,
            "access_level": access,
        }
        try:
            p.catalog.get_dataset(dataset, principal=SYSTEM)
        except NotFound as exc:
            if not org:
                raise InvalidInput(
                    f"Dataset {dataset!r} does not exist yet: give --org ORG to create it."
                ) from exc
            # created with its first version, in one transaction: a failed or killed publish
            # leaves no empty dataset behind
            new = NewDataset(
                organization=org,
                title=title,
                fields={k: v for k, v in fields.items() if v is not None},
            )
        else:
            if any(v is not None for v in fields.values()) or title:
                p.catalog.update_dataset(dataset, title=title, **fields, principal=SYSTEM)
        size = file.stat().st_size
        with byte_progress(f"Ingesting {file.name}", size) as progress:
            result = p.catalog.publish(
                dataset,
                file,
                change_note=change_note,
                mode="strict" if strict else "lenient",
                format=format,
                encoding=encoding,
                sheet=sheet,
                header_row=header_row,
                skip_rows=skip_rows,
                keep_totals=keep_totals,
                progress=progress,
                principal=SYSTEM,
                override_reason=override_reason,
                new=new,
            )
    if json_out:
        return print_json(result.to_dict())
    console.print(("[green]" if result.created else "[yellow]") + result.message)
    for prob in result.problems[:10]:
        err_console.print(f"  line {prob.get('line')}: {prob.get('message')}")
    if len(result.problems) > 10:
        err_console.print(
            f"  … and more: `datanuri datasets show {dataset} --json` or the API's /problems."
        )


def download(
    name: str = typer.Argument(..., help="Dataset name"),
    version: int | None = typer.Option(
        None, "--version", "-v", help="Version number (latest when omitted)"
    ),
    format: str = typer.Option(
        "parquet",
        "--format",
        "-f",
        help="parquet (as stored) | csv (UTF-8 with BOM, for Excel) | csv-cp949 (Korean Windows) "
        "| xlsx | json",
    ),
    output: Path = typer.Option(
        ..., "--output", "-o", help="File to write, or - for standard output"
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Download a version of a dataset as Parquet, CSV, Excel (XLSX) or JSON.

    Spreadsheet formats neutralise formula injection (a text cell starting with =, +, -, @ gets a
    leading apostrophe in CSV and is stored as text in XLSX); Parquet and JSON are exact."""
    with platform_ctx(data_dir) as p:
        info = p.catalog.get_version(name, version, principal=SYSTEM)
        chunks = p.catalog.download(name, version, format=format, principal=SYSTEM)
        if str(output) == "-":
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            return
        tmp = output.with_name(f".{output.name}.part")
        try:
            with (
                open(tmp, "wb") as f,
                byte_progress(
                    f"{name} v{info.number} → {output.name}",
                    info.byte_size if format == "parquet" else None,
                ) as progress,
            ):
                done = 0
                for chunk in chunks:
                    f.write(chunk)
                    done += len(chunk)
                    progress(done)
            os.replace(tmp, output)
        finally:
            tmp.unlink(missing_ok=True)
    err_console.print(f"Wrote {output} ({output.stat().st_size:,} bytes).")


@jobs_app.command("list")
def jobs_list(data_dir: Path | None = DATA_DIR_OPTION, json_out: bool = JSON_OPTION) -> None:
    """List recent background jobs."""
    with platform_ctx(data_dir) as p:
        jobs = p.jobs.list(actor=None)  # the machine owner sees every job
    if json_out:
        return print_json([j.to_dict() for j in jobs])
    t = Table("id", "kind", "status", "progress", "message")
    for j in jobs:
        frac = j.fraction
        t.add_row(j.id, j.kind, j.status, "-" if frac is None else f"{frac:.0%}", j.message)
    console.print(t)


@blobs_app.command("gc")
def blobs_gc(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only list them; remove nothing."),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Remove stored blobs no version refers to (left by a crash between storing and committing)."""
    from datanuri.catalog.blobs import collect_orphans

    with platform_ctx(data_dir) as p:
        res = collect_orphans(p.db, p.blobs, dry_run=dry_run)
    if json_out:
        return print_json(res.to_dict())
    for digest in res.orphans:
        console.print(f"{'unreferenced' if dry_run else 'removed'} {digest}")
    console.print(
        f"{len(res.orphans)} of {res.blobs} blob(s) {'are unreferenced' if dry_run else 'removed'}."
    )
