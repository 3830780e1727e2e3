"""CLI commands of AI accountability (`datanuri ai ...`): the system registry, a system's
decisions and oversight figures, and contests (list, assign a reviewer, escalate the overdue),
with the machine's authority (whoever can open the data dir is its admin). Deciding a contest
is left to a human reviewer's own account (web or API)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import typer
from rich.table import Table

from datanuri.accounts.principal import SYSTEM
from datanuri.cli.common import DATA_DIR_OPTION, JSON_OPTION, console, platform_ctx, print_json

app = typer.Typer(
    help="AI systems that decide about people: registry, contests, oversight.", no_args_is_help=True
)
systems_app = typer.Typer(help="The registry of AI systems.", no_args_is_help=True)
decisions_app = typer.Typer(help="The decisions of an AI system.", no_args_is_help=True)
contests_app = typer.Typer(help="Contests of AI decisions and their review.", no_args_is_help=True)
app.add_typer(systems_app, name="systems")
app.add_typer(decisions_app, name="decisions")
app.add_typer(contests_app, name="contests")


@systems_app.command("list")
def systems_list(data_dir: Path | None = DATA_DIR_OPTION, json_out: bool = JSON_OPTION) -> None:
    """List the registered AI systems with their owner and risk level."""
    with platform_ctx(data_dir) as p:
        found = p.decisions.systems()
    if json_out:
        return print_json([dataclasses.asdict(s) for s in found])
    t = Table("name", "organization", "risk", "versions", "title")
    for s in found:
        t.add_row(s.name, s.organization, s.risk_level, ", ".join(s.model_versions), s.title)
    console.print(t)


@systems_app.command("oversight")
def systems_oversight(
    name: str = typer.Argument(..., help="The system's name"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """A system's decisions, contest and overturn rates per group (red flags), overdue cases."""
    with platform_ctx(data_dir) as p:
        over = p.decisions.oversight(name, principal=SYSTEM)
    if json_out:
        return print_json(dataclasses.asdict(over))
    f = over.figures
    console.print(
        f"{over.system}: {f.decisions} decisions, {f.contests} contests, "
        f"{f.overturned}/{f.decided} overturned; {over.open_contests} open, "
        f"{len(over.overdue)} past deadline."
    )
    t = Table("attribute", "value", "decisions", "contests", "overturned", "red flag")
    for g in f.groups:
        t.add_row(
            g.attribute,
            g.value,
            str(g.decisions),
            str(g.contests),
            f"{g.overturned}/{g.decided}",
            "RED FLAG" if g.red_flag else "",
        )
    console.print(t)


@decisions_app.command("list")
def decisions_list(
    system: str = typer.Argument(..., help="The system's name"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List a system's decisions, newest first (at most 500)."""
    with platform_ctx(data_dir) as p:
        found = p.decisions.decisions(system, principal=SYSTEM)
    if json_out:
        return print_json([dataclasses.asdict(d) for d in found])
    t = Table("reference", "version", "output", "score", "status", "contests")
    for d in found:
        score = "" if d.score is None else f"{d.score:.4f}"
        t.add_row(d.reference, d.model_version, d.output, score, d.status, str(len(d.contests)))
    console.print(t)


@contests_app.command("list")
def contests_list(
    status: str = typer.Option("open", "--status", help="open | upheld | overturned | all"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List contests, nearest deadline first (open ones unless --status says otherwise)."""
    with platform_ctx(data_dir) as p:
        found = p.decisions.contests(principal=SYSTEM, status=None if status == "all" else status)
    if json_out:
        return print_json([dataclasses.asdict(c) for c in found])
    t = Table("id", "decision", "system", "status", "reviewer", "deadline", "overdue")
    for c in found:
        t.add_row(
            str(c.id),
            c.reference,
            c.system,
            c.status,
            c.reviewer or "-",
            c.deadline_at.isoformat(),
            "yes" if c.overdue else "",
        )
    console.print(t)


@contests_app.command("assign")
def contests_assign(
    contest_id: int = typer.Argument(..., help="The contest's id (from `list`)"),
    reviewer: str = typer.Option(..., "--reviewer", help="The reviewer's e-mail"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Give a contest to a reviewer outside the system's owner organisation."""
    with platform_ctx(data_dir) as p:
        info = p.decisions.assign(contest_id, reviewer=reviewer, principal=SYSTEM)
    console.print(f"Contest {info.id} of {info.reference} is now with {info.reviewer}.")


@contests_app.command("escalate")
def contests_escalate(data_dir: Path | None = DATA_DIR_OPTION) -> None:
    """Escalate open contests past their deadline (once each; run it from cron)."""
    with platform_ctx(data_dir) as p:
        done = p.decisions.escalate_overdue(principal=SYSTEM)
    console.print(f"Escalated {len(done)} contest(s) past their deadline.")
