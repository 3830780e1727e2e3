"""CLI commands for access requests ("이용 신청") to restricted datasets: list them, approve or
refuse one, with the machine's authority (whoever can open the data dir is its admin)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import typer
from rich.table import Table

from datanuri.accounts.principal import SYSTEM
from datanuri.cli.common import DATA_DIR_OPTION, JSON_OPTION, console, platform_ctx, print_json
from datanuri.errors import InvalidInput

app = typer.Typer(
    help="List, approve and refuse requests for access to restricted datasets.",
    no_args_is_help=True,
)


@app.command("list")
def requests_list(
    status: str = typer.Option(
        "pending", "--status", help="pending | approved | refused | withdrawn | all"
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List access requests (those waiting for a decision unless --status says otherwise)."""
    with platform_ctx(data_dir) as p:
        found = p.access_requests.for_holder(
            principal=SYSTEM, status=None if status == "all" else status
        )
    if json_out:
        return print_json([dataclasses.asdict(r) for r in found])
    t = Table("id", "dataset", "requester", "days", "status", "purpose")
    for r in found:
        t.add_row(
            str(r.id),
            r.dataset,
            f"{r.requester} <{r.requester_email}>",
            str(r.days),
            r.status,
            r.purpose,
        )
    console.print(t)


@app.command("approve")
def requests_approve(
    request_id: int = typer.Argument(..., help="The request's id (from `list`)"),
    until: str | None = typer.Option(
        None, "--until", help="Last day of use, YYYY-MM-DD (default: the period asked for)"
    ),
    reason: str | None = typer.Option(None, "--reason", help="A note for the requester"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Approve a request: the requester may read the dataset's rows until the end date."""
    try:
        on = dt.date.fromisoformat(until) if until else None
    except ValueError:
        raise InvalidInput("Give --until as a date, YYYY-MM-DD.") from None
    with platform_ctx(data_dir) as p:
        info = p.access_requests.approve(request_id, expires_on=on, reason=reason, principal=SYSTEM)
    ends = info.expires_at.isoformat() if info.expires_at else "-"
    console.print(
        f"Approved request {info.id}: {info.requester_email} may read {info.dataset} until {ends}."
    )


@app.command("refuse")
def requests_refuse(
    request_id: int = typer.Argument(..., help="The request's id (from `list`)"),
    reason: str = typer.Option(..., "--reason", help="Why; the requester is told it"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Refuse a request, with a reason the requester is told."""
    with platform_ctx(data_dir) as p:
        info = p.access_requests.refuse(request_id, reason=reason, principal=SYSTEM)
    console.print(f"Refused request {info.id} of {info.requester_email} for {info.dataset}.")
