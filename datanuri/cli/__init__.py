"""The `datanuri` command line (Typer + Rich). Every command is a few lines over a service."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import typer

from datanuri import __version__
from datanuri.cli import (
    access,
    accounts,
    catalog,
    decisions,
    desk_firms,
    ledger,
    linkage_zone,  # noqa: F401 - adds the zone commands to `linkage`
    market_listings,
    market_orders,  # noqa: F401  (adds its commands to `market`)
    synth_samples,
)
from datanuri.cli import audit as audit_cli
from datanuri.cli import desk as desk_cli
from datanuri.cli import linkage as linkage_cli
from datanuri.cli import market as market_cli
from datanuri.cli import models as models_cli
from datanuri.cli import mydata as mydata_cli
from datanuri.cli import privacy as privacy_cli
from datanuri.cli import search as search_cli
from datanuri.cli import webhooks as webhooks_cli
from datanuri.cli import worker as worker_cli
from datanuri.cli.common import DATA_DIR_OPTION, console, err_console, platform_ctx, print_json
from datanuri.cli.mydata_client import demo_client
from datanuri.errors import DatanuriError

app = typer.Typer(
    name="datanuri",
    help="datanuri — a trusted data exchange. Publish messy files as clean, versioned, open-format datasets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(catalog.orgs_app, name="orgs")
app.add_typer(catalog.datasets_app, name="datasets")
app.add_typer(catalog.jobs_app, name="jobs")
app.add_typer(catalog.blobs_app, name="blobs")
app.add_typer(accounts.users_app, name="users")
app.add_typer(accounts.tokens_app, name="tokens")
catalog.orgs_app.command("add-member")(accounts.orgs_add_member)
app.command("login")(accounts.login)
app.command("whoami")(accounts.whoami)
app.command("access-log")(accounts.access_log)
app.add_typer(access.app, name="access-requests")
app.add_typer(webhooks_cli.app, name="webhooks")
desk_firms.register(desk_cli.app)  # `datanuri requests firms|projects ...`
app.add_typer(desk_cli.app, name="requests")
app.add_typer(market_listings.market, name="market")
app.add_typer(decisions.app, name="ai")
mydata_cli.app.command("demo-client")(demo_client)  # a recipient app walking the OAuth flow
app.add_typer(mydata_cli.app, name="mydata")
app.add_typer(search_cli.search_app, name="search")
app.add_typer(privacy_cli.app, name="privacy")
app.add_typer(synth_samples.app, name="synth")  # `synth DATASET` and `synth samples`
app.command("harvest")(search_cli.harvest)
app.add_typer(ledger.app, name="ledger")
app.add_typer(ledger.witness_app, name="witness")
app.command("verify")(ledger.verify_cmd)
app.command("publish")(catalog.publish)
app.command("download")(catalog.download)
app.command("worker")(worker_cli.worker)
app.command("trace")(market_cli.trace)
market_listings.market.add_typer(market_cli.fingerprints, name="fingerprint")
market_listings.market.command("deliveries")(market_cli.deliveries)
market_listings.market.command("suggest-price")(market_cli.suggest_price)
market_listings.market.command("backtest")(market_cli.backtest)
app.add_typer(audit_cli.app, name="audit")
app.add_typer(linkage_cli.app, name="linkage")
app.add_typer(models_cli.app, name="models")


def _version(value: bool) -> None:
    if value:
        console.print(f"datanuri {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """datanuri — a trusted data exchange."""


@app.command()
def init(data_dir: Path | None = DATA_DIR_OPTION) -> None:
    """Create (or upgrade) the data directory and database."""
    with platform_ctx(data_dir) as p:
        where = p.config.data_dir.resolve()
        db = p.config.db_url if p.config.database_url else str(where / "datanuri.db")
    console.print(f"Data directory ready: {where}\nDatabase: {db}")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, help="Port to listen on"),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        help="API processes to run (default DATANURI_WORKERS, else 1). More than one wants "
        "PostgreSQL; see docs/deployment.md.",
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Serve the REST API (and OpenAPI docs at /docs)."""
    from datanuri.web.app import create_app
    from datanuri.web.server import serve as run_server

    if (workers if workers is not None else _configured_workers(data_dir)) > 1:
        _serve_workers(host, port, workers, data_dir)
        return
    with platform_ctx(data_dir) as p:
        if not p.config.public_url:  # links in sign-up and reset mails
            p.selfservice.use_address(f"http://{host}:{port}")
        console.print(f"datanuri on http://{host}:{port}  (API /api/v1, docs /docs; Ctrl-C stops)")
        p.jobs.start()  # this process's job workers (Config.job_workers; 0: none)
        run_server(create_app(p), host=host, port=port, log_level="info")


def _configured_workers(data_dir: Path | None) -> int:
    from datanuri.config import Config

    return Config.load(data_dir=data_dir).workers


def _serve_workers(host: str, port: int, workers: int | None, data_dir: Path | None) -> None:
    """Several API processes: prepare once here, then let uvicorn start the workers."""
    import os

    from datanuri.cli.serving import sqlite_note
    from datanuri.web.server import serve_workers

    # The workers are new processes that read their configuration from the environment.
    if data_dir is not None:
        os.environ["DATANURI_DATA_DIR"] = str(data_dir)
    if workers is not None:
        os.environ["DATANURI_WORKERS"] = str(workers)
    with platform_ctx(data_dir) as p:  # migrations, keys and the search index, made once
        cfg = p.config
    if not cfg.public_url:  # links in sign-up and reset mails
        os.environ["DATANURI_PUBLIC_URL"] = f"http://{host}:{port}"
    note = sqlite_note(cfg)
    if note:
        err_console.print(f"[yellow]{note}[/]")
    console.print(
        f"datanuri on http://{host}:{port} with {cfg.workers} processes "
        f"(API /api/v1, docs /docs; Ctrl-C or SIGTERM stops them)"
    )
    serve_workers(host=host, port=port, workers=cfg.workers)


@app.command()
def demo(
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, help="Port to listen on"),
    fresh: bool = typer.Option(False, "--fresh", help="Delete the data directory first"),
    serve_after: bool = typer.Option(
        True, "--serve/--no-serve", help="Serve the API after loading"
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Start a demo instance filled with generated sample data, then serve it."""
    from datanuri.config import Config
    from datanuri.demo.load import load_demo

    target = Config.load(data_dir=data_dir).data_dir
    if fresh and target.exists():
        shutil.rmtree(target)
    with platform_ctx(data_dir) as p:
        with console.status("Generating and publishing the sample datasets…"):
            created = load_demo(
                p, p.config.data_dir / "demo-src", report=lambda m: console.print("  " + m)
            )
        console.print(
            f"[green]Demo ready[/]: {created} new version(s) in {p.config.data_dir.resolve()}."
        )
        from datanuri.accounts.mfa import requires_second_factor, totp_uri
        from datanuri.demo.load import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERS

        console.print(
            f"Log in at http://{host}:{port}/login with password [bold]{DEMO_PASSWORD}[/] as one of: "
            + ", ".join(u[0] for u in DEMO_USERS)
            + "\nAn API token for scripts: datanuri tokens create --user publisher@datanuri.local --scopes read,publish"
        )
        if not p.config.public_url:  # links in sign-up and reset mails
            p.selfservice.use_address(f"http://{host}:{port}")
        console.print(
            f"Anyone can sign up at http://{host}:{port}/signup; the confirmation and password "
            f"reset mails are written as .eml files to {p.config.outbox_path.resolve()}"
        )
        needing = [
            u[0]
            for u in DEMO_USERS
            if requires_second_factor(p.accounts.principal_for(u[0]), p.config.second_factor_policy)
        ]
        if needing:
            console.print(
                f"{', '.join(needing)} also need a second factor: add the TOTP seed "
                f"[bold]{DEMO_TOTP_SECRET}[/] to an authenticator app "
                f"({totp_uri(DEMO_TOTP_SECRET, 'demo')}), or print the current code with: "
                f"python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\""
            )
        if serve_after:
            from datanuri.web.app import create_app
            from datanuri.web.server import serve as run_server

            console.print(
                f"Try: curl http://{host}:{port}/api/v1/datasets   ·   "
                f"API docs: http://{host}:{port}/docs   ·   Ctrl-C stops"
            )
            p.jobs.start()  # this process's job workers (Config.job_workers; 0: none)
            run_server(create_app(p), host=host, port=port, log_level="warning")


def main() -> None:
    """Entry point: run the app, turning datanuri errors into a message and an exit code."""
    try:
        app()
    except DatanuriError as exc:
        if "--json" in sys.argv:
            print_json({"error": exc.to_dict()})
        else:
            err_console.print(f"[red]Error:[/] {exc.message}")
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
