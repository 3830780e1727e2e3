"""CLI commands for webhook endpoints, with the machine's authority (whoever can open the data
dir is its admin): register one for an organisation or a user, list, remove, enable, ping, and
read its delivery log. Deliveries are sent by job workers (`datanuri worker`, or `serve`)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import typer
from rich.table import Table

from datanuri.accounts.principal import SYSTEM
from datanuri.cli.common import DATA_DIR_OPTION, JSON_OPTION, console, platform_ctx, print_json
from datanuri.errors import InvalidInput

app = typer.Typer(
    help="Register, list and test webhook endpoints that receive signed events.",
    no_args_is_help=True,
)


@app.command("add")
def webhooks_add(
    url: str = typer.Argument(..., help="The https URL that receives the events"),
    org: str | None = typer.Option(None, "--org", help="For this organisation"),
    user: str | None = typer.Option(None, "--user", help="For this user (e-mail)"),
    kind: list[str] = typer.Option([], "--kind", help='An event kind to send, e.g. "desk.*"'),
    description: str = typer.Option("", "--description", help="A note on what it is for"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Register an endpoint; prints its signing secret, which is never shown again."""
    if (org is None) == (user is None):
        raise InvalidInput("Give exactly one of --org and --user.")
    with platform_ctx(data_dir) as p:
        made = p.channels.webhooks.create(
            url,
            kinds=kind,
            description=description,
            organization=org,
            for_email=user,
            principal=SYSTEM,
        )
    if json_out:
        return print_json({**dataclasses.asdict(made.endpoint), "secret": made.secret})
    console.print(f"Registered webhook {made.endpoint.id} for {made.endpoint.owner}: {url}")
    console.print(f"Signing secret (shown once): {made.secret}")


@app.command("list")
def webhooks_list(data_dir: Path | None = DATA_DIR_OPTION, json_out: bool = JSON_OPTION) -> None:
    """List every endpoint with its state."""
    with platform_ctx(data_dir) as p:
        found = p.channels.webhooks.find(principal=SYSTEM)
    if json_out:
        return print_json([dataclasses.asdict(e) for e in found])
    t = Table("id", "owner", "url", "kinds", "enabled", "failures")
    for e in found:
        t.add_row(
            str(e.id), e.owner, e.url, ",".join(e.kinds) or "*", str(e.enabled), str(e.failures)
        )
    console.print(t)


@app.command("remove")
def webhooks_remove(
    endpoint_id: int = typer.Argument(..., help="The endpoint's id (from `list`)"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Remove an endpoint and its delivery log."""
    with platform_ctx(data_dir) as p:
        info = p.channels.webhooks.delete(endpoint_id, principal=SYSTEM)
    console.print(f"Removed webhook {info.id} ({info.url}).")


@app.command("enable")
def webhooks_enable(
    endpoint_id: int = typer.Argument(..., help="The endpoint's id (from `list`)"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Turn a disabled endpoint on again."""
    with platform_ctx(data_dir) as p:
        info = p.channels.webhooks.enable(endpoint_id, principal=SYSTEM)
    console.print(f"Webhook {info.id} is enabled again.")


@app.command("ping")
def webhooks_ping(
    endpoint_id: int = typer.Argument(..., help="The endpoint's id (from `list`)"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Queue a signed webhook.ping event to the endpoint (see `deliveries`)."""
    with platform_ctx(data_dir) as p:
        d = p.channels.webhooks.ping(endpoint_id, principal=SYSTEM)
    console.print(f"Queued ping {d.message_id} (delivery {d.id}); a job worker sends it.")


@app.command("deliveries")
def webhooks_deliveries(
    endpoint_id: int = typer.Argument(..., help="The endpoint's id (from `list`)"),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """The endpoint's newest deliveries: status, attempts, last HTTP status and error."""
    with platform_ctx(data_dir) as p:
        found = p.channels.webhooks.deliveries(endpoint_id, principal=SYSTEM, limit=limit)
    if json_out:
        return print_json([dataclasses.asdict(d) for d in found])
    t = Table("id", "kind", "status", "attempts", "http", "last error")
    for d in found:
        t.add_row(
            str(d.id),
            d.kind,
            d.status,
            str(d.attempts),
            str(d.response_status or "-"),
            d.last_error or "",
        )
    console.print(t)
