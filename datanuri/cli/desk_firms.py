"""CLI of the request desk's analysis firms: `firms` (directory, profiles) and `projects`
(post, rank, offer, accept, deliver, complete, cancel). Commands act with the machine's authority
(whoever can open the data dir is its admin) unless `--as EMAIL` names the user to act as (a
project is posted by a user; an offer is sent by a firm's editor).

`register(parent)` adds both groups to `datanuri requests` (the desk's group).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from datanuri.accounts.principal import SYSTEM
from datanuri.cli.common import (
    DATA_DIR_OPTION,
    JSON_OPTION,
    acting_principal,
    console,
    platform_ctx,
    print_json,
)
from datanuri.desk.firms import OfferDraft, ProfileDraft, ProjectDraft
from datanuri.errors import InvalidInput

firms_app = typer.Typer(
    help="Analysis firms: the directory and their profiles.", no_args_is_help=True
)
projects_app = typer.Typer(
    help="Processing projects: post, rank the firms, offer, accept, deliver, complete.",
    no_args_is_help=True,
)
AS_OPTION = typer.Option(None, "--as", help="Act as this user (e-mail); default: the machine.")


def register(parent: typer.Typer) -> None:
    parent.add_typer(firms_app, name="firms")
    parent.add_typer(projects_app, name="projects")


def _out(obj: Any) -> Any:
    return dataclasses.asdict(obj)


# ----- firms -------------------------------------------------------------------------------------
@firms_app.command("list")
def firms_list(
    skill: str | None = typer.Option(None, "--skill"),
    sector: str | None = typer.Option(None, "--sector"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """The firm directory (optionally those with a skill or sector)."""
    with platform_ctx(data_dir) as p:
        found = p.firm_desk.firms(skill=skill, sector=sector)
    if json_out:
        return print_json([_out(f) for f in found])
    t = Table("firm", "title", "skills", "certifications", "completed", "rating")
    for f in found:
        rating = "-" if f.rating is None else f"{f.rating:.1f}"
        t.add_row(
            f.name,
            f.title,
            ", ".join(f.skills),
            ", ".join(f.certifications),
            str(f.completed),
            rating,
        )
    console.print(t)


@firms_app.command("show")
def firms_show(
    name: str, data_dir: Path | None = DATA_DIR_OPTION, json_out: bool = JSON_OPTION
) -> None:
    """One firm's profile."""
    with platform_ctx(data_dir) as p:
        f = p.firm_desk.profile(name)
    if json_out:
        return print_json(_out(f))
    console.print(f"{f.title} ({f.name})\n{f.summary}")
    console.print(f"skills: {', '.join(f.skills)}\nsectors: {', '.join(f.sectors)}")
    console.print(f"certifications: {', '.join(f.certifications) or '-'}")


@firms_app.command("set-profile")
def firms_set_profile(
    name: str = typer.Argument(..., help="The organisation"),
    skill: list[str] = typer.Option([], "--skill", help="Repeat for each skill"),
    sector: list[str] = typer.Option([], "--sector", help="Repeat for each sector"),
    cert: list[str] = typer.Option([], "--cert", help="Repeat for each certification"),
    summary: str = typer.Option("", "--summary"),
    who: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Create or replace an organisation's firm profile."""
    draft = ProfileDraft(summary, tuple(skill), tuple(sector), tuple(cert))
    with platform_ctx(data_dir) as p:
        f = p.firm_desk.save_profile(name, draft, principal=acting_principal(p, who))
    console.print(f"Saved the firm profile of {f.name}: {', '.join(f.skills)}.")


# ----- projects ----------------------------------------------------------------------------------
@projects_app.command("list")
def projects_list(
    status: str | None = typer.Option(None, "--status"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Processing projects, newest first."""
    with platform_ctx(data_dir) as p:
        found = p.firm_desk.projects(principal=SYSTEM, status=status)
    if json_out:
        return print_json([_out(x) for x in found])
    t = Table("id", "title", "skills", "budget (KRW)", "due", "status", "firm")
    for x in found:
        t.add_row(
            str(x.id),
            x.title,
            ", ".join(x.skills),
            f"{x.budget_min:,}-{x.budget_max:,}",
            x.due_on.isoformat(),
            x.status,
            x.firm or "",
        )
    console.print(t)


@projects_app.command("post")
def projects_post(
    title: str = typer.Option(..., "--title"),
    description: str = typer.Option(..., "--description"),
    skill: list[str] = typer.Option(..., "--skill", help="Repeat for each skill"),
    budget_min: int = typer.Option(..., "--budget-min", help="KRW"),
    budget_max: int = typer.Option(..., "--budget-max", help="KRW"),
    due: str = typer.Option(..., "--due", help="YYYY-MM-DD"),
    sector: str | None = typer.Option(None, "--sector"),
    sensitivity: str = typer.Option("open", "--sensitivity", help="open | pseudonymous | personal"),
    cert: list[str] = typer.Option([], "--cert", help="A required certification (repeat)"),
    organization: str | None = typer.Option(None, "--org", help="Post for this organisation"),
    desk_request: int | None = typer.Option(None, "--desk-request", help="The desk request id"),
    who: str = typer.Option(..., "--as", help="The poster (e-mail)"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Post a processing project as a user."""
    try:
        on = dt.date.fromisoformat(due)
    except ValueError:
        raise InvalidInput("Give --due as a date, YYYY-MM-DD.") from None
    draft = ProjectDraft(
        title,
        description,
        tuple(skill),
        budget_min,
        budget_max,
        on,
        sector,
        sensitivity,
        tuple(cert),
        organization,
        desk_request,
    )
    with platform_ctx(data_dir) as p:
        made = p.firm_desk.post(draft, principal=acting_principal(p, who))
    if json_out:
        return print_json(_out(made))
    console.print(f"Posted project {made.id}: {made.title}")


@projects_app.command("rank")
def projects_rank(
    project_id: int, data_dir: Path | None = DATA_DIR_OPTION, json_out: bool = JSON_OPTION
) -> None:
    """The firms ranked by fit for a project, with the reasons."""
    with platform_ctx(data_dir) as p:
        ranking = p.firm_desk.rank(project_id, principal=SYSTEM)
    if json_out:
        return print_json(_out(ranking))
    for i, f in enumerate(ranking.fits, 1):
        head = f"{f.score:.3f}" if f.eligible else "excluded"
        console.print(f"{i}. {f.name} ({f.title}) — {head}")
        for _ko, en in f.reasons:
            console.print(f"   · {en}")


@projects_app.command("offer")
def projects_offer(
    project_id: int,
    firm: str = typer.Option(..., "--firm"),
    price: int = typer.Option(..., "--price", help="KRW"),
    days: int = typer.Option(..., "--days"),
    note: str = typer.Option("", "--note"),
    who: str = typer.Option(..., "--as", help="An editor or owner of the firm (e-mail)"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Send a firm's offer on a project."""
    with platform_ctx(data_dir) as p:
        o = p.firm_desk.offer(
            project_id, firm, OfferDraft(price, days, note), principal=acting_principal(p, who)
        )
    console.print(f"Sent offer {o.id} of {o.firm} on project {o.project_id}: KRW {o.price:,}.")


@projects_app.command("accept")
def projects_accept(
    offer_id: int,
    who: str = typer.Option(..., "--as", help="The poster (e-mail)"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """The poster accepts an offer (the others close)."""
    with platform_ctx(data_dir) as p:
        x = p.firm_desk.accept(offer_id, principal=acting_principal(p, who))
    console.print(f"Project {x.id} awarded to {x.firm}.")


@projects_app.command("deliver")
def projects_deliver(
    project_id: int,
    dataset: str = typer.Option(..., "--dataset"),
    version: int | None = typer.Option(None, "--version"),
    note: str = typer.Option("", "--note"),
    who: str = typer.Option(..., "--as", help="An editor of the awarded firm (e-mail)"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """The awarded firm delivers a published dataset version."""
    with platform_ctx(data_dir) as p:
        x = p.firm_desk.deliver(
            project_id, dataset, version, note=note, principal=acting_principal(p, who)
        )
    console.print(f"Project {x.id} delivered: {x.dataset} v{x.version}.")


@projects_app.command("complete")
def projects_complete(
    project_id: int,
    rating: int = typer.Option(..., "--rating", help="1 to 5"),
    note: str = typer.Option("", "--note"),
    who: str = typer.Option(..., "--as", help="The poster (e-mail)"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """The poster completes a delivered project with a rating."""
    with platform_ctx(data_dir) as p:
        x = p.firm_desk.complete(project_id, rating, note=note, principal=acting_principal(p, who))
    console.print(f"Project {x.id} completed, rated {x.rating}/5.")


@projects_app.command("cancel")
def projects_cancel(
    project_id: int,
    reason: str = typer.Option("", "--reason"),
    who: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Cancel an open or awarded project (the poster, or the machine as admin)."""
    with platform_ctx(data_dir) as p:
        x = p.firm_desk.cancel(project_id, reason=reason, principal=acting_principal(p, who))
    console.print(f"Project {x.id} cancelled.")
