"""`datanuri synth DATASET`: a synthetic version of a personal dataset, its report, its release."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from datanuri.accounts.principal import SYSTEM
from datanuri.cli.common import DATA_DIR_OPTION, JSON_OPTION, console, platform_ctx, print_json
from datanuri.errors import InvalidInput
from datanuri.synth.report_html import render
from datanuri.synth.synthesize import SynthOptions


def synth(
    dataset: str = typer.Argument(
        ..., help="The personal dataset to synthesize (its latest version)"
    ),
    method: str = typer.Option(
        "mst",
        "--method",
        help="mst: differentially private (releasable); copula: a non-private "
        "baseline for comparison, never releasable",
    ),
    epsilon: float = typer.Option(1.0, "--epsilon", help="Privacy-loss ε the synthesis spends"),
    delta: float | None = typer.Option(None, "--delta", help="δ (default min(1e-6, 1/(10 n)))"),
    seed: int | None = typer.Option(None, "--seed", help="Seed: the same seed, the same output"),
    target: str | None = typer.Option(
        None, "--target", help="A column to measure utility on (train on synthetic, test on real)"
    ),
    domains: Path | None = typer.Option(
        None,
        "--domains",
        help='JSON file of declared domains: {"column": [values] | '
        '{"bounds": [lo, hi]} | {"bins": [edges]}}',
    ),
    release: str | None = typer.Option(
        None, "--release", help="Publish into this open/restricted dataset if the report passes"
    ),
    access: str = typer.Option(
        "open", "--access", help="Access level of a new release: open | restricted"
    ),
    html_out: Path | None = typer.Option(None, "--html", help="Write the report as HTML here"),
    lang: str = typer.Option("ko", "--lang", help="Language of the HTML report: ko | en"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Synthesize DATASET and report fidelity, utility and privacy; with --release, publish the
    synthetic table only if the report passes and the ε fits the dataset's privacy budget."""
    if lang not in ("ko", "en"):
        raise InvalidInput(f"--lang is 'ko' or 'en', not {lang!r}.")
    declared = json.loads(domains.read_text("utf-8")) if domains else {}
    opts = SynthOptions(
        method=method,  # type: ignore[arg-type]  # checked by the synthesizer
        epsilon=epsilon,
        delta=delta,
        seed=seed,
        domains=declared,
    )
    with platform_ctx(data_dir) as p:
        with console.status("Synthesizing and measuring…"):
            if release:
                info, report = p.synth.release(
                    dataset,
                    opts,
                    target_name=release,
                    access_level=access,  # type: ignore[arg-type]
                    principal=SYSTEM,
                    target=target,
                )
            else:
                report = p.synth.preview(dataset, opts, principal=SYSTEM, target=target).report
                info = None
    if html_out:
        html_out.write_text(render(report, lang), "utf-8")
    if json_out:
        out = report.to_json()
        if info is not None:
            out = {"release": info.to_dict(), "report": out}
        return print_json(out)
    eps = (
        f"ε = {report.epsilon:.3g}, δ = {report.delta:.1e}"
        if report.formal
        else "no formal guarantee"
    )
    console.print(
        f"{dataset}: {report.method} ({eps}); {report.rows_synthetic} synthetic rows; "
        f"TVD 1/2/3-way {report.tvd_1way:.3f}/{report.tvd_2way:.3f}/{report.tvd_3way:.3f}; "
        f"MIA AUC {report.privacy.mia_auc:.3f}; "
        + (
            "[green]passed[/]"
            if report.passed
            else "[red]did not pass[/]: " + "; ".join(report.failures)
        )
    )
    if info is not None:
        console.print(
            f"[green]Released[/] as {info.target_dataset} v{info.target_version} "
            f"(release {info.id}, ledger {info.ledger_index})."
        )
