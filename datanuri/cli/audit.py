"""`datanuri audit model|dataset|release`: AI accountability audits of a file or a dataset
version, stored and recorded in the ledger, printed as a table or JSON, optionally as HTML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from datanuri.accounts.principal import SYSTEM
from datanuri.audit import messages as M
from datanuri.audit.report import render_html
from datanuri.audit.service import DatasetSpec, ModelSpec, Source, UploadedTable, VersionRef
from datanuri.audit.thresholds import parse
from datanuri.cli.common import DATA_DIR_OPTION, JSON_OPTION, console, platform_ctx, print_json
from datanuri.errors import InvalidInput

app = typer.Typer(
    help="Audit datasets and models for fairness: per-group figures, intervals, thresholds.",
    no_args_is_help=True,
)

GROUP_OPTION = typer.Option(..., "--group", help="Protected attribute column(s): sex or sex,race")
HTML_OPTION = typer.Option(None, "--html", help="Also write the HTML report to this file")
LANG_OPTION = typer.Option("en", "--lang", help="Language of the HTML report: ko or en")


def _source(target: str) -> Source:
    """A path to an existing file, else a dataset name (NAME or NAME@VERSION)."""
    path = Path(target)
    if path.is_file():
        return UploadedTable(path.name, path.read_bytes())
    name, _, number = target.partition("@")
    if number and not number.isdigit():
        raise InvalidInput(M.MSG_BAD_FILE.format(name=target, reason="not a file or NAME@VERSION"))
    return VersionRef(name, int(number) if number else None)


def _groups(text: str) -> tuple[str, ...]:
    found = tuple(c.strip() for c in text.split(",") if c.strip())
    if not found:
        raise InvalidInput(M.MSG_NO_GROUP)
    return found


def _emit(record: Any, json_out: bool, html_file: Path | None, lang: str) -> None:
    doc = {
        **record.result,
        "audit": {
            "id": record.id,
            "target": record.target,
            "hashes": record.hashes,
            "ledger_index": record.ledger_index,
        },
    }
    if html_file is not None:
        html_file.write_text(render_html(record.result, lang, hashes=record.hashes), "utf-8")
    if json_out:
        return print_json(doc)
    console.print(f"Audit {record.id} of {record.target} (ledger entry {record.ledger_index})")
    res = record.result
    keys = [
        k
        for k in (
            "count",
            "selection_rate",
            "tpr",
            "fpr",
            "ppv",
            "auc",
            "share",
            "positive_rate",
            "suppression_rate",
        )
        if k in res["groups"][0]
    ]
    t = Table("group", *keys)
    for g in res["groups"]:
        t.add_row(g["label"], *[_cell(g.get(k)) for k in keys])
    console.print(t)
    if res.get("disparities"):
        d = Table("metric", "difference", "interval", "ratio", "interval")
        for k, v in res["disparities"].items():
            d.add_row(
                k,
                _cell(v["difference"]),
                _ci(v["difference_ci"]),
                _cell(v["ratio"]),
                _ci(v["ratio_ci"]),
            )
        console.print(d)
    for v in res.get("thresholds", []):
        mark = "PASS" if v["passed"] else "FAIL"
        console.print(
            f"{mark} {v['metric']} {v['kind']} {_cell(v['observed'])} (threshold {v['threshold']:g})"
        )
    for h in res.get("hints", []):
        console.print(f"- {h}")


def _cell(x: Any) -> str:
    return "–" if x is None else (f"{x:.4f}" if isinstance(x, float) else str(x))


def _ci(ci: Any) -> str:
    return "–" if not ci else f"[{_cell(ci[0])}, {_cell(ci[1])}]"


@app.command("model")
def audit_model(
    target: str = typer.Argument(
        ..., help="A file (CSV, Parquet, JSON lines) or DATASET[@VERSION]"
    ),
    y_true: str = typer.Option(..., "--y-true", help="Column of the true outcomes"),
    y_pred: str = typer.Option(..., "--y-pred", help="Column of the predicted labels"),
    group: str = GROUP_OPTION,
    score: str | None = typer.Option(None, "--score", help="Column of the predicted scores"),
    pos_label: str | None = typer.Option(None, "--pos-label", help="The positive label"),
    threshold: list[str] = typer.Option(
        [], "--threshold", help="ratio=0.8, difference=0.1 or tpr.difference=0.05 (repeatable)"
    ),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap resamples (0: none)"),
    seed: int | None = typer.Option(None, "--seed", help="Seed of the bootstrap"),
    html: Path | None = HTML_OPTION,
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Audit a model's predictions per group and intersection against the true outcomes."""
    spec = ModelSpec(
        y_true=y_true,
        y_pred=y_pred,
        groups=_groups(group),
        score=score,
        thresholds=tuple(parse(threshold)),
        bootstrap=bootstrap,
        seed=seed,
        pos_label=pos_label,
    )
    with platform_ctx(data_dir) as p:
        record = p.audits.model(_source(target), spec, principal=SYSTEM)
    _emit(record, json_out, html, lang)
    if record.result["thresholds"] and not record.result["passed"]:
        raise typer.Exit(1)


@app.command("dataset")
def audit_dataset_cmd(
    target: str = typer.Argument(
        ..., help="A file (CSV, Parquet, JSON lines) or DATASET[@VERSION]"
    ),
    group: str = GROUP_OPTION,
    label: str | None = typer.Option(None, "--label", help="Column of the outcome label"),
    pos_label: str | None = typer.Option(None, "--pos-label", help="The positive label"),
    reference: list[str] = typer.Option(
        [], "--reference", help="GROUP=SHARE of the reference distribution (repeatable)"
    ),
    reference_file: Path | None = typer.Option(
        None, "--reference-file", help="A JSON object {group label: share}"
    ),
    no_proxies: bool = typer.Option(False, "--no-proxies", help="Skip proxy detection"),
    html: Path | None = HTML_OPTION,
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Audit a table: representation against a reference, label balance, missingness, proxies."""
    shares: dict[str, float] = {}
    if reference_file is not None:
        shares.update(json.loads(reference_file.read_text("utf-8")))
    for item in reference:
        key, sep, value = item.rpartition("=")
        try:
            shares[key] = float(value)
        except ValueError:
            raise InvalidInput(M.MSG_BAD_REFERENCE.format(group=item)) from None
        if not sep:
            raise InvalidInput(M.MSG_BAD_REFERENCE.format(group=item))
    spec = DatasetSpec(
        groups=_groups(group),
        label=label,
        pos_label=pos_label,
        reference=shares,
        proxies=not no_proxies,
    )
    with platform_ctx(data_dir) as p:
        record = p.audits.dataset(_source(target), spec, principal=SYSTEM)
    _emit(record, json_out, html, lang)


@app.command("release")
def audit_release_cmd(
    target: str = typer.Argument(..., help="The released dataset, DATASET[@VERSION]"),
    group: str = GROUP_OPTION,
    html: Path | None = HTML_OPTION,
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Audit a de-identified release: suppression and information loss per group."""
    name, _, number = target.partition("@")
    with platform_ctx(data_dir) as p:
        record = p.audits.release(
            name, int(number) if number.isdigit() else None, _groups(group), principal=SYSTEM
        )
    _emit(record, json_out, html, lang)
