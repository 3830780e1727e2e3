"""`datanuri models ...`: the model registry of AI systems (register, list, card), drift
monitors (add, list, run on the recent decisions or on a batch file, past runs), and a drift
comparison of two files without the registry — with the machine's authority."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from datanuri.accounts.principal import SYSTEM
from datanuri.audit.card import render_card_html
from datanuri.audit.drift import DriftOptions, DriftReport, drift_report
from datanuri.audit.registry import Registration
from datanuri.audit.service import UploadedTable, read_table
from datanuri.cli.common import DATA_DIR_OPTION, JSON_OPTION, console, platform_ctx, print_json

app = typer.Typer(
    help="Registered AI models: training data, features, model cards and drift monitors.",
    no_args_is_help=True,
)
FEATURES_OPTION = typer.Option(..., "--features", help="Feature columns: income,age,debt")
ALPHA_OPTION = typer.Option(0.01, "--alpha", help="False-alarm rate of the drift tests")


def _split(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split(",") if x.strip())


def _print_report(result: dict[str, Any]) -> None:
    t = Table("feature", "kind", "method", "PSI", "KS p", "Wasserstein/sd", "JS", "drift")
    for f in result["features"]:
        t.add_row(
            f["feature"],
            f["kind"],
            f["method"],
            f"{f['psi']:.4f}",
            "" if f["ks_pvalue"] is None else f"{f['ks_pvalue']:.3g}",
            "" if f["wasserstein_norm"] is None else f"{f['wasserstein_norm']:.4f}",
            f"{f['js']:.4f}",
            "DRIFT" if f["drifted"] else "",
        )
    console.print(t)
    for p in result.get("performance", []):
        console.print(
            f"{p['metric']}: {p['reference']:.4f} -> {p['current']:.4f} (n={p['n_current']})"
            + (" DRIFT" if p["drifted"] else "")
        )


@app.command("register")
def register(
    system: str = typer.Argument(..., help="The AI system's name (see `datanuri ai systems list`)"),
    version: str = typer.Argument(..., help="The model version, e.g. v2"),
    kind: str = typer.Option(..., "--kind", help="linear, logistic, tree or other"),
    features: str = FEATURES_OPTION,
    training: str = typer.Option(
        ..., "--training", help="Training data versions: welfare@1 (comma-separated)"
    ),
    parameters: Path | None = typer.Option(
        None, "--parameters", help="JSON file: coefficients, intercept and baseline"
    ),
    method: str | None = typer.Option(None, "--method", help="Explanation method (other kinds)"),
    metric: list[str] = typer.Option([], "--metric", help="Reference metric: accuracy=0.91"),
    description: str = typer.Option("", "--description", help="What changed in this version"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Register a model version with its features and training data (recorded in the ledger)."""
    params = json.loads(parameters.read_text("utf-8")) if parameters else {}
    metrics = {k.strip(): float(v) for k, _, v in (m.partition("=") for m in metric)}
    reg = Registration(
        system=system,
        version=version,
        kind=kind,
        features=_split(features),
        training_data=_split(training),
        parameters=params,
        method=method,
        metrics=metrics,
        description=description,
    )
    with platform_ctx(data_dir) as p:
        m = p.models.register(reg, principal=SYSTEM)
    if json_out:
        return print_json(dataclasses.asdict(m))
    console.print(f"Registered {m.system} {m.version} (ledger entry {m.ledger_index}).")


@app.command("list")
def models_list(
    system: str | None = typer.Argument(None, help="Only this system's models"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List the registered model versions with their features and training data."""
    with platform_ctx(data_dir) as p:
        found = p.models.models(system)
    if json_out:
        return print_json([dataclasses.asdict(m) for m in found])
    t = Table("system", "version", "kind", "features", "training data")
    for m in found:
        data = ", ".join(f"{d['dataset']}@{d['version']}" for d in m.training_data)
        t.add_row(m.system, m.version, m.kind, ", ".join(m.features), data)
    console.print(t)


@app.command("card")
def card(
    system: str = typer.Argument(..., help="The AI system's name"),
    version: str = typer.Argument(..., help="The model version"),
    html: Path | None = typer.Option(None, "--html", help="Also write the card as HTML here"),
    lang: str = typer.Option("en", "--lang", help="Language of the HTML card: ko or en"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Print a model card with the datasheets of its training data (JSON)."""
    with platform_ctx(data_dir) as p:
        doc = p.models.card(system, version)
    if html is not None:
        html.write_text(render_card_html(doc, lang), "utf-8")
    print_json(doc.to_dict())


@app.command("monitor")
def monitor_add(
    system: str = typer.Argument(..., help="The AI system's name"),
    version: str = typer.Argument(..., help="The model version"),
    window_days: int = typer.Option(30, "--window-days", help="Live window: recent decisions"),
    min_rows: int = typer.Option(30, "--min-rows", help="Skip runs with fewer live rows"),
    alpha: float = ALPHA_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Add a drift monitor to a registered model (run by the job workers every day)."""
    with platform_ctx(data_dir) as p:
        m = p.models.add_monitor(
            system,
            version,
            options=DriftOptions(alpha=alpha),
            window_days=window_days,
            min_rows=min_rows,
            principal=SYSTEM,
        )
    if json_out:
        return print_json(dataclasses.asdict(m))
    console.print(f"Monitor {m.id} watches {m.system} {m.version}.")


@app.command("monitors")
def monitors(
    system: str | None = typer.Argument(None, help="Only this system's monitors"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List the drift monitors."""
    with platform_ctx(data_dir) as p:
        found = p.models.monitors(system)
    if json_out:
        return print_json([dataclasses.asdict(m) for m in found])
    t = Table("id", "system", "version", "window (days)", "last run")
    for m in found:
        t.add_row(str(m.id), m.system, m.version, str(m.window_days), str(m.last_run_at or ""))
    console.print(t)


@app.command("drift")
def drift(
    monitor: int = typer.Argument(..., help="The monitor's id (see `datanuri models monitors`)"),
    batch: Path | None = typer.Option(
        None, "--batch", help="Live inputs as a file instead of the recent decisions"
    ),
    outcome: str | None = typer.Option(None, "--outcome", help="Batch column of true outcomes"),
    label: str | None = typer.Option(None, "--label", help="Batch column of predicted labels"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Run a drift monitor now (exit code 1 when something drifted)."""
    up = UploadedTable(batch.name, batch.read_bytes()) if batch else None
    with platform_ctx(data_dir) as p:
        run = p.models.run(monitor, batch=up, outcome=outcome, label=label, principal=SYSTEM)
    if run is None:
        console.print("Too few live rows: nothing compared.")
        return
    if json_out:
        print_json({**run.result, "run": run.id, "ledger_index": run.ledger_index})
    else:
        _print_report(dict(run.result))
    if run.drifted:
        raise typer.Exit(1)


@app.command("compare")
def compare(
    reference: Path = typer.Argument(..., help="Reference window (CSV, Parquet, JSON lines)"),
    current: Path = typer.Argument(..., help="Live window, same columns"),
    features: str = FEATURES_OPTION,
    alpha: float = ALPHA_OPTION,
    bins: int = typer.Option(10, "--bins", help="Quantile bins of the reference (PSI, JS)"),
    json_out: bool = JSON_OPTION,
) -> None:
    """Compare two files per feature (PSI, KS, Wasserstein, JS); nothing is stored."""
    rep: DriftReport = drift_report(
        read_table(UploadedTable(reference.name, reference.read_bytes())),
        read_table(UploadedTable(current.name, current.read_bytes())),
        _split(features),
        DriftOptions(alpha=alpha, bins=bins),
    )
    if json_out:
        print_json(rep.to_dict())
    else:
        _print_report(rep.to_dict())
    if rep.drifted:
        raise typer.Exit(1)
