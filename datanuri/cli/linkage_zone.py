"""CLI of the linkage zone: `datanuri linkage project|upload|run|query|export|review|close`.

Thin over `platform.linkage` (`LinkageZone`); each step acts as `--as EMAIL` (the project's
roles are people), else as the machine's owner. Query results are shown, never written to a
file: nothing leaves the zone except an approved export, which becomes a catalogue dataset."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.table import Table

from datanuri.cli.common import (
    DATA_DIR_OPTION,
    JSON_OPTION,
    acting_principal,
    console,
    platform_ctx,
    print_json,
)
from datanuri.cli.linkage import _split, app
from datanuri.errors import InvalidInput
from datanuri.linkage import messages as M
from datanuri.linkage.keys import write_salt_file
from datanuri.linkage.match import LinkOptions
from datanuri.linkage.outputs import NoiseRequest
from datanuri.linkage.zone import ExportDraft, HolderRef, ProjectDraft
from datanuri.privacy.policy import load_policy

AS_OPTION = typer.Option(
    None, "--as", metavar="EMAIL", help="Act as this project member (default: machine's owner)."
)
project_app = typer.Typer(
    help="Linkage projects: create one with its roles, show it, issue its salt.",
    no_args_is_help=True,
)
app.add_typer(project_app, name="project")


def _holders(items: tuple[str, ...]) -> tuple[HolderRef, ...]:
    out = []
    for item in items:
        org, sep, email = item.partition("=")
        if not sep or not org or not email:
            raise InvalidInput(M.MSG_BAD_HOLDER.format(item=item))
        out.append(HolderRef(org.strip(), email.strip()))
    return tuple(out)


@project_app.command("create")
def project_create(
    name: str = typer.Argument(..., help="The project's name, e.g. welfare-2026."),
    purpose: str = typer.Option(..., help="What the linkage is for."),
    legal_basis: str = typer.Option(..., "--legal-basis", help="The legal basis, as text."),
    operator: str = typer.Option(..., help="The zone operator organisation."),
    key_authority: str = typer.Option(..., "--key-authority", help="E-mail of the key authority."),
    holder: list[str] = typer.Option(..., help="ORG=EMAIL of a holder and its uploader (repeat)."),
    analyst: list[str] = typer.Option(..., help="E-mail of an analyst (repeat or a,b)."),
    reviewer: list[str] = typer.Option(..., help="E-mail of an export reviewer (repeat or a,b)."),
    expires: str = typer.Option(..., help="Last day of the project, YYYY-MM-DD."),
    as_user: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Create a linkage project (as an owner or editor of the operator organisation)."""
    with platform_ctx(data_dir) as p:
        draft = ProjectDraft(
            name=name,
            purpose=purpose,
            legal_basis=legal_basis,
            operator=operator,
            key_authority=key_authority,
            holders=_holders(_split(holder)),
            analysts=_split(analyst),
            reviewers=_split(reviewer),
            expires_on=dt.date.fromisoformat(expires),
        )
        info = p.linkage.create_project(draft, principal=acting_principal(p, as_user))
    if json_out:
        print_json(info.__dict__)
    else:
        console.print(f"Project {info.name} created; holders: {', '.join(info.holders)}.")


@project_app.command("show")
def project_show(
    name: str,
    as_user: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Show a project: status, expiry, members by role, the salt's fingerprint."""
    with platform_ctx(data_dir) as p:
        info = p.linkage.get_project(name, principal=acting_principal(p, as_user))
    if json_out:
        print_json(info.__dict__)
        return
    console.print(f"{info.name} ({info.status}, until {info.expires_on}), operator {info.operator}")
    for role, email in info.members:
        console.print(f"  {role:14} {email}")


@project_app.command("salt")
def project_salt(
    name: str,
    output: Path = typer.Option(..., "--output", "-o", help="Salt file to write (must not exist)."),
    as_user: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Issue the project's salt (the key authority, once) into a new file for the holders."""
    with platform_ctx(data_dir) as p:
        if output.exists():
            raise InvalidInput(M.MSG_SALT_EXISTS.format(path=output))
        salt = p.linkage.issue_salt(name, principal=acting_principal(p, as_user))
        fp = write_salt_file(output, salt)
    if json_out:
        print_json({"project": name, "salt_file": str(output), "fingerprint": fp})
    else:
        console.print(f"Salt written to {output} (fingerprint {fp}); hand it to the holders only.")


@app.command("upload")
def upload_cmd(
    name: str,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The tokenize output."),
    organization: str = typer.Option(..., "--org", help="The holder organisation uploading."),
    as_user: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Upload a holder's keyed file into the zone (refused if an identifier column remains)."""
    with platform_ctx(data_dir) as p:
        info = p.linkage.upload(
            name, file, organization=organization, principal=acting_principal(p, as_user)
        )
    if json_out:
        print_json(info.__dict__)
    else:
        console.print(f"Uploaded {info.rows} rows for {organization} (sha256 {info.digest}).")


@app.command("run")
def run_cmd(
    name: str,
    rule: list[str] = typer.Option(
        None, help="A rule: keys that must all agree, e.g. lk_name+lk_date (repeat: any holds)."
    ),
    as_user: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Link the holders' latest uploads in the zone (exact keys, or rules with --rule)."""
    rules = tuple(tuple(k.strip() for k in r.split("+")) for r in _split(rule))
    options = LinkOptions(method="rules", rules=rules) if rules else LinkOptions()
    with platform_ctx(data_dir) as p:
        info = p.linkage.run_match(name, options, principal=acting_principal(p, as_user))
    if json_out:
        print_json(info.__dict__)
        return
    console.print(f"Run {info.id}: {info.persons} people; tables {', '.join(info.tables)}.")
    for pair in info.report["pairs"]:
        console.print(f"  {pair['left']} × {pair['right']}: {pair['matches']} matches")


@app.command("query")
def query_cmd(
    name: str,
    sql: str = typer.Argument(..., help="One SELECT over the zone tables (h_<org>)."),
    as_user: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Run SQL inside the zone (read-only, no files, network or extensions); shown only."""
    with platform_ctx(data_dir) as p:
        res = p.linkage.query(name, sql, principal=acting_principal(p, as_user))
    if json_out:
        print_json({"columns": res.columns, "rows": res.rows, "total_rows": res.total_rows})
        return
    table = Table(*res.columns)
    for row in res.rows[:100]:
        table.add_row(*(str(v) for v in row))
    console.print(table)
    console.print(f"{res.total_rows} rows")


def _bounds(text: str | None, value: str | None) -> tuple[float, float] | None:
    """LOW,HIGH as two numbers (None when not given)."""
    if not text:
        return None
    try:
        low, high = (float(x) for x in _split([text]))
    except ValueError:
        raise InvalidInput(M.MSG_DP_BOUNDS.format(value=value)) from None
    return low, high


@app.command("export")
def export_cmd(
    name: str,
    sql: str = typer.Argument(..., help="SELECT giving one row per record."),
    group_by: list[str] = typer.Option(
        [], "--group-by", help="Columns of the cells (a,b); none for a row-level table."
    ),
    value: str | None = typer.Option(None, help="A value summed per cell (magnitude table)."),
    title: str | None = typer.Option(None, help="The title of the dataset, once approved."),
    policy: Path | None = typer.Option(
        None, help="A row-level table: the privacy policy (JSON/YAML) its rows must pass."
    ),
    epsilon: float | None = typer.Option(None, help="Cells with OpenDP noise under this epsilon."),
    bounds: str | None = typer.Option(None, help="LOW,HIGH: the summed value's bounds (noise)."),
    contributions: int = typer.Option(1, help="Records one linked person may add (noise)."),
    as_user: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Ask to export cells (disclosure checks, optional OpenDP noise) or a row-level table (its
    privacy policy must pass): the checks run at once, then a reviewer decides."""
    noise = None
    if epsilon is not None:
        noise = NoiseRequest(epsilon, _bounds(bounds, value), contributions)
    rules = load_policy(policy) if policy is not None else None
    draft = ExportDraft(sql, _split(group_by), value, title, rules, noise)
    with platform_ctx(data_dir) as p:
        info = p.linkage.request_export(name, draft, principal=acting_principal(p, as_user))
    if json_out:
        print_json(info.__dict__)
        return
    console.print(f"Export {info.id}: {info.status}")
    for reason in info.reasons:
        console.print(f"  {reason}")
    if info.status == "refused":
        raise typer.Exit(1)


@app.command("review")
def review_cmd(
    name: str,
    export_id: int,
    approve: bool = typer.Option(..., "--approve/--reject", help="The decision."),
    reason: str = typer.Option(..., help="Why (kept in the zone; its hash in the ledger)."),
    as_user: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Approve (publish as a dataset) or reject an export that passed the checks."""
    with platform_ctx(data_dir) as p:
        info = p.linkage.review(
            name,
            export_id,
            approve=approve,
            reason=reason,
            principal=acting_principal(p, as_user),
        )
    if json_out:
        print_json(info.__dict__)
    else:
        console.print(
            f"Export {info.id}: {info.status}" + (f" as {info.dataset}" if info.dataset else "")
        )


@app.command("close")
def close_cmd(
    name: str,
    as_user: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Close a project: delete the zone's files and rows, and record the proof in the ledger."""
    with platform_ctx(data_dir) as p:
        info = p.linkage.close(name, principal=acting_principal(p, as_user))
    if json_out:
        print_json(info.__dict__)
    else:
        console.print(f"Closed {name}: {len(info.destroyed)} files and {info.rows} rows destroyed.")
