"""The `datanuri` command line (Typer + Rich). Every command is a few lines over a service."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import typer

from datanuri import __version__
from datanuri.cli.common import DATA_DIR_OPTION, console, err_console, platform_ctx, print_json
from datanuri.cli.lazy import Lazy, lazy_group
from datanuri.errors import DatanuriError

# Every command and group but `init`, `serve` and `demo`, imported only when it runs; the help
# is what `datanuri --help` lists (tests/test_cli_lazy.py checks it is the command's own).
LAZY: dict[str, Lazy] = {
    "login": Lazy(
        "datanuri.cli.accounts:login",
        "Log in to a server and store an API token for later CLI and SDK calls.",
    ),
    "whoami": Lazy("datanuri.cli.accounts:whoami", "Show who the stored token logs you in as."),
    "access-log": Lazy(
        "datanuri.cli.accounts:access_log",
        "Show who read or downloaded which dataset, when, and through which route.",
    ),
    "harvest": Lazy(
        "datanuri.cli.search:harvest",
        "Import datasets from a CKAN-compatible API or DCAT JSON-LD; running it again changes "
        "nothing.",
    ),
    "verify": Lazy(
        "datanuri.cli.ledger:verify_cmd",
        "Verify a receipt offline (`datanuri verify RECEIPT [FILE] --key KEY`), a MyData "
        "consent\nreceipt (`datanuri verify CONSENT-RECEIPT --key KEY`), or that one checkpoint "
        "extends\nanother (`datanuri verify --consistency OLD NEW --key KEY`).",
    ),
    "publish": Lazy(
        "datanuri.cli.catalog:publish",
        "Ingest a file and publish it as the next version of a dataset (files with direct\n"
        "identifiers go only into personal datasets).",
    ),
    "download": Lazy(
        "datanuri.cli.catalog:download",
        "Download a version of a dataset as Parquet, CSV, Excel (XLSX) or JSON.",
    ),
    "worker": Lazy(
        "datanuri.cli.worker:worker",
        "Run background jobs (uploads, privacy checks) from the database's queue.",
    ),
    "trace": Lazy(
        "datanuri.cli.market:trace",
        "Name the buyer a leaked copy of a dataset was made for, with a confidence, or say "
        "that\nit cannot be told. Without --buyers the candidates are everyone who downloaded "
        "a\nfingerprinted copy (`datanuri market deliveries`); without --scheme, the dataset's "
        "declared\nscheme (`datanuri market fingerprint set`).",
    ),
    "orgs": Lazy(
        "datanuri.cli:_orgs",
        "Create and list organizations (the publishers of datasets).",
        group=True,
        loader=True,
    ),
    "datasets": Lazy("datanuri.cli.catalog:datasets_app", "List and inspect datasets.", group=True),
    "jobs": Lazy(
        "datanuri.cli.catalog:jobs_app",
        "See background jobs (ingests started through the API).",
        group=True,
    ),
    "blobs": Lazy(
        "datanuri.cli.catalog:blobs_app",
        "Maintain the blob store (the stored Parquet files).",
        group=True,
    ),
    "users": Lazy("datanuri.cli.accounts:users_app", "Create and list user accounts.", group=True),
    "tokens": Lazy(
        "datanuri.cli.accounts:tokens_app", "Create, list and revoke API tokens.", group=True
    ),
    "access-requests": Lazy(
        "datanuri.cli.access:app",
        "List, approve and refuse requests for access to restricted datasets.",
        group=True,
    ),
    "webhooks": Lazy(
        "datanuri.cli.webhooks:app",
        "Register, list and test webhook endpoints that receive signed events.",
        group=True,
    ),
    "requests": Lazy(
        "datanuri.cli:_requests",
        "The data request desk (데이터 114): file requests for data that is not open yet, "
        "join them, route them to holders, answer within 10 business days, dispute refusals, "
        "and see the statistics.",
        group=True,
        loader=True,
    ),
    "market": Lazy(
        "datanuri.cli:_market",
        "The data market: listings of restricted datasets for sale.",
        group=True,
        loader=True,
    ),
    "ai": Lazy(
        "datanuri.cli.decisions:app",
        "AI systems that decide about people: registry, contests, oversight.",
        group=True,
    ),
    "mydata": Lazy(
        "datanuri.cli:_mydata",
        "MyData (마이데이터): people direct a holder to send their own rows to a service they "
        "choose. Link people, declare offers, list consents and transfers, get receipts.",
        group=True,
        loader=True,
    ),
    "search": Lazy(
        "datanuri.cli.search:search_app",
        "Search the catalog and maintain the search index.",
        group=True,
    ),
    "privacy": Lazy(
        "datanuri.cli.privacy:app",
        "Detect personal data, apply a privacy policy, and release de-identified versions.",
        group=True,
    ),
    "synth": Lazy(
        "datanuri.cli.synth_samples:app",
        "Synthesize a personal dataset: `datanuri synth DATASET [OPTIONS]` (`datanuri synth\n"
        "DATASET --help` lists them); or make the synthetic developer datasets: `datanuri synth\n"
        "samples`.",
        group=True,
    ),
    "ledger": Lazy(
        "datanuri.cli.ledger:app", "Inspect, checkpoint and audit the integrity ledger.", group=True
    ),
    "witness": Lazy(
        "datanuri.cli.ledger:witness_app",
        "Run a witness that cosigns a log's checkpoints and detects forks.",
        group=True,
    ),
    "audit": Lazy(
        "datanuri.cli.audit:app",
        "Audit datasets and models for fairness: per-group figures, intervals, thresholds.",
        group=True,
    ),
    "linkage": Lazy(
        "datanuri.cli:_linkage",
        "Privacy-preserving record linkage: linkage keys made at each holder, and matching.",
        group=True,
        loader=True,
    ),
    "models": Lazy(
        "datanuri.cli.models:app",
        "Registered AI models: training data, features, model cards and drift monitors.",
        group=True,
    ),
}


def _orgs() -> typer.Typer:
    """`datanuri orgs`: the catalog's organisation commands and `add-member` from accounts."""
    from datanuri.cli import accounts, catalog

    catalog.orgs_app.command("add-member")(accounts.orgs_add_member)
    return catalog.orgs_app


def _requests() -> typer.Typer:
    """`datanuri requests`: the desk, with `firms` and `projects` from desk_firms."""
    from datanuri.cli import desk, desk_firms

    desk_firms.register(desk.app)
    return desk.app


def _market() -> typer.Typer:
    """`datanuri market`: listings and orders, fingerprints, deliveries and prices."""
    from datanuri.cli import market, market_listings, market_orders  # noqa: F401  (adds orders)

    market_listings.market.add_typer(market.fingerprints, name="fingerprint")
    market_listings.market.command("deliveries")(market.deliveries)
    market_listings.market.command("suggest-price")(market.suggest_price)
    market_listings.market.command("backtest")(market.backtest)
    return market_listings.market


def _mydata() -> typer.Typer:
    """`datanuri mydata`, with `demo-client`: a recipient app walking the OAuth flow."""
    from datanuri.cli import mydata, mydata_client

    mydata.app.command("demo-client")(mydata_client.demo_client)
    return mydata.app


def _linkage() -> typer.Typer:
    """`datanuri linkage`: keys and matching, with the zone's commands (linkage_zone)."""
    from datanuri.cli import linkage, linkage_zone  # noqa: F401  (adds the zone commands)

    return linkage.app


app = typer.Typer(
    name="datanuri",
    help="datanuri — a trusted data exchange. Publish messy files as clean, versioned, open-format datasets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=lazy_group(LAZY),
)


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
        p.build_all()  # keys and the search index made now, not by the first command using them
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
        p.build_all()  # every service ready before the first request
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
        p.build_all()
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
