"""CLI over de-identification: `datanuri privacy scan|apply|releases|report|budget|keys create|keys list`.

The CLI acts as the local operator (the system principal), as the other commands do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from datanuri.accounts.principal import SYSTEM
from datanuri.cli.common import (
    DATA_DIR_OPTION,
    JSON_OPTION,
    console,
    err_console,
    platform_ctx,
    print_json,
)
from datanuri.errors import InvalidInput

if TYPE_CHECKING:
    from datanuri.privacy.report import Report

app = typer.Typer(
    help="Detect personal data, apply a privacy policy, and release de-identified versions.",
    no_args_is_help=True,
)
keys_app = typer.Typer(
    help="Pseudonymisation keys of an organisation (kept in files outside the data).",
    no_args_is_help=True,
)
app.add_typer(keys_app, name="keys")

STEP_NAMES = {
    0: "reading the source version",
    1: "transforming and assessing",
    2: "writing the release",
    3: "publishing and recording",
}


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def _scan_file(path: Path) -> dict[str, Any]:
    """Scan a local file (no dataset): read it as a table, classify its columns."""
    import tempfile

    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    from datanuri.privacy.detect import detect
    from datanuri.tables import ingest

    with tempfile.TemporaryDirectory(prefix="datanuri-scan-") as tmp:
        out = Path(tmp) / "scan.parquet"
        ingest(path, out, filename=path.name)
        table = pq.read_table(out)
    return {"file": str(path), **detect(table).to_dict()}


def _print_scan(result: dict[str, Any]) -> None:
    where = (
        result.get("dataset")
        and f"{result['dataset']} v{result['version']}"
        or result.get("file", "")
    )
    t = Table(
        title=f"Personal data in {where} ({result['total_rows']:,} rows, {result['sampled_rows']:,} sampled)"
    )
    for col in ("column", "category", "kind", "confidence", "evidence"):
        t.add_column(col)
    colour = {"direct": "red", "quasi": "yellow", "sensitive": "magenta"}
    for c in result["columns"]:
        cat = c["category"]
        t.add_row(
            c["column"],
            f"[{colour.get(cat, 'white')}]{cat}[/]",
            c["kind"],
            f"{c['confidence']:.2f}",
            "; ".join(str(e) for e in c["evidence"][:3]),
        )
    console.print(t)


@app.command("scan")
def scan(
    target: str = typer.Argument(
        ..., help="A dataset name, or a path to a CSV/XLSX/JSON/Parquet file"
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Classify every column as direct identifier, quasi-identifier, sensitive or other."""
    path = Path(target)
    if path.is_file():
        with console.status(f"Scanning {path.name}…"):
            result = _scan_file(path)
    else:
        with platform_ctx(data_dir) as p, err_console.status(f"Scanning {target}…"):
            result = p.privacy.scan(target, principal=SYSTEM)
    if json_out:
        return print_json(result)
    _print_scan(result)


def _print_report(report: Report) -> None:
    from datanuri.privacy.report import DPReport

    ok = report.passed
    mark = "[green]✓ passed[/]" if ok else "[red]✗ failed[/]"
    if isinstance(report, DPReport):
        console.print(
            f"{mark}  differential privacy: this release epsilon {report.epsilon_spent:g} "
            f"(policy {report.epsilon:g})"
        )
        b = report.budget
        if b is not None and b.spent_after is not None:
            console.print(
                f"  budget of {b.dataset}: spent {b.spent_after:g} of {b.budget:g} with this "
                f"release, remaining {b.remaining_after or 0:g}"
                + ("" if b.declared else " (the platform's default budget)")
            )
        console.print(
            f"  {report.cells:,} aggregate cells from {report.records_original:,} records"
        )
        for m in report.measures:
            console.print(
                f"  {m.measure} {m.column}: {m.mechanism}, scale {m.scale or 0:.3g}, "
                f"epsilon {m.epsilon:.3g}, 95% of cells within ±{m.accuracy_95 or 0:.3g}"
            )
    else:
        priv, rec = report.privacy, report.records
        measured = {k: v for k, v in priv.measured.to_json().items() if v is not None}
        console.print(
            f"{mark}  model {priv.model}: required {priv.required}, measured "
            + json.dumps(measured, ensure_ascii=False)
        )
        console.print(
            f"  records: {rec.released:,} released of {rec.original:,} "
            f"({rec.suppressed:,} suppressed, limit {rec.suppression_limit:,})"
        )
        if report.levels:
            console.print(
                "  generalisation: " + ", ".join(f"{k}→level {v}" for k, v in report.levels.items())
            )
        if report.policy.algorithm:
            console.print(f"  algorithm: {report.policy.algorithm} (local recoding)")
        if report.policy.risk_threshold is not None and report.risk is not None:
            console.print(
                f"  risk ceiling {report.policy.risk_threshold:g} (prosecutor, highest record): "
                f"highest {report.risk.prosecutor.highest:.3g}"
            )
        if report.delta_presence is not None and report.policy.delta_presence is not None:
            lo, hi = report.policy.delta_presence
            console.print(
                f"  δ-presence [{report.delta_presence.low:.3g}, {report.delta_presence.high:.3g}]"
                f" within [{lo:g}, {hi:g}]"
            )
        if report.limits is not None:
            console.print(f"  instance limits: k ≥ {report.limits.min_k}")
        util = report.utility
        console.print(f"  information loss ({util.loss_metric}): {util.loss or 0:.3f}")
        if report.risk is not None:
            p = report.risk.prosecutor
            console.print(f"  prosecutor risk: highest {p.highest:.3f}, average {p.average:.3f}")
    for f in report.failures:
        err_console.print(f"  [red]✗[/] {f}")
    from datanuri.privacy.report import report_warnings

    for w in report_warnings(report):
        err_console.print(f"  [yellow]![/] {w}")


@app.command("apply")
def apply(
    dataset: str = typer.Argument(
        ..., help="The personal dataset to de-identify (its latest version)"
    ),
    policy_file: Path = typer.Option(
        ...,
        "--policy",
        "-p",
        exists=True,
        dir_okay=False,
        readable=True,
        help="Policy file (.json, .yaml)",
    ),
    report_out: Path | None = typer.Option(
        None, "--report", "-r", help="Write the assessment report (JSON) here"
    ),
    html_out: Path | None = typer.Option(
        None,
        "--html",
        help="Write the assessment report as a standalone HTML page with charts here",
    ),
    lang: str = typer.Option("ko", "--lang", help="Language of the HTML report: ko | en"),
    release: str | None = typer.Option(
        None,
        "--release",
        help="Publish the result as a version of this dataset (only if the policy passes)",
    ),
    access: str = typer.Option(
        "open", "--access", help="Access level of a new release dataset: open | restricted"
    ),
    release_title: str | None = typer.Option(
        None,
        "--title",
        help="Title of a new release dataset (default: '<source title> (비식별 처리본)'); its "
        "licence, theme, keywords, coverage and contact are the source's",
    ),
    release_license: str | None = typer.Option(
        None, "--license", help="Licence of a new release dataset (default: the source's)"
    ),
    risk_threshold: float | None = typer.Option(
        None,
        "--risk-threshold",
        help="Override the policy's risk_threshold: the highest re-identification risk of a "
        "released record (prosecutor model, 1 / class size), e.g. 0.1",
    ),
    algorithm: str | None = typer.Option(
        None,
        "--algorithm",
        help="Override the policy's algorithm: optimal (lattice search) | mondrian (local recoding)",
    ),
    delta: str | None = typer.Option(
        None,
        "--delta-presence",
        help="Override the policy's delta_presence as MIN,MAX (e.g. 0,0.5); needs --population",
    ),
    population_file: Path | None = typer.Option(
        None,
        "--population",
        exists=True,
        dir_okay=False,
        readable=True,
        help="Population table (.csv, .parquet) with the quasi-identifier columns, for "
        "delta_presence and journalist risk",
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Apply a privacy policy: a candidate release and its adequacy assessment report.

    Nothing is published unless --release is given and the policy passes."""
    from datanuri.privacy.policy import load_policy
    from datanuri.privacy.release_links import ReleaseMetadata
    from datanuri.privacy.report import load_report
    from datanuri.privacy.service import PolicyFailed

    if access not in ("open", "restricted"):
        raise InvalidInput(f"--access is 'open' or 'restricted', not {access!r}.")
    if lang not in ("ko", "en"):
        raise InvalidInput(f"--lang is 'ko' or 'en', not {lang!r}.")
    policy = load_policy(policy_file)
    policy = policy_overrides(
        policy, risk_threshold=risk_threshold, algorithm=algorithm, delta_presence=delta
    )
    population = _read_population(population_file) if population_file is not None else None
    base_dir = policy_file.resolve().parent
    out: dict[str, Any]
    with platform_ctx(data_dir) as p, _progress_bar() as bar:
        task = bar.add_task(STEP_NAMES[0], total=4)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total, description=STEP_NAMES.get(done, "done"))

        svc = p.privacy
        if release:
            try:
                info = svc.release(
                    dataset,
                    policy,
                    target_name=release,
                    access_level=access,  # type: ignore[arg-type]
                    principal=SYSTEM,
                    progress=progress,
                    base_dir=base_dir,
                    population=population,
                    metadata=ReleaseMetadata(title=release_title, license=release_license),
                )
            except PolicyFailed as exc:
                report = load_report((exc.details or {})["report"])
                _write_report(report_out, report)
                _write_html(html_out, report, lang)
                if not json_out:
                    bar.stop()
                    _print_report(report)
                raise
            report = info.report
            out = {
                "passed": True,
                "release": {
                    k: v for k, v in info.to_dict().items() if k not in ("report", "policy")
                },
                "report": report.to_json(),
            }
        else:
            candidate = svc.apply(
                dataset,
                policy,
                principal=SYSTEM,
                progress=progress,
                base_dir=base_dir,
                population=population,
            )
            report = candidate.report
            out = candidate.summary()
    _write_report(report_out, report)
    _write_html(html_out, report, lang)
    if json_out:
        return print_json(out)
    _print_report(report)
    if release:
        r = out["release"]
        console.print(
            f"[green]Released[/] {r['target_dataset']} version {r['target_version']} ({r['access_level']}) "
            f"from {r['source_dataset']} v{r['source_version']}; release {r['id']}, ledger entry {r['ledger_index']}, "
            f"report sha256:{r['report_hash'][:16]}…"
        )
    elif report.passed:
        console.print(
            f"Candidate: {out['rows']:,} rows, columns {', '.join(out['columns'])}. "
            "Nothing was published; add --release TARGET to publish it."
        )
    else:
        err_console.print("The policy did not pass; nothing can be released with it.")
        raise typer.Exit(2)


def policy_overrides(
    policy: dict[str, Any],
    *,
    risk_threshold: float | None = None,
    algorithm: str | None = None,
    delta_presence: str | None = None,
) -> dict[str, Any]:
    """``policy`` with the values given on the command line in place of its own (checked with
    the rest of the policy when it is applied)."""
    out = dict(policy)
    if risk_threshold is not None:
        out["risk_threshold"] = risk_threshold
    if algorithm is not None:
        out["algorithm"] = algorithm
    if delta_presence is not None:
        parts = delta_presence.split(",")
        try:
            low, high = (float(x) for x in parts)
        except ValueError:
            raise InvalidInput(
                f"--delta-presence is MIN,MAX, two numbers such as 0,0.5 (got {delta_presence!r})."
            ) from None
        out["delta_presence"] = {"min": low, "max": high}
    return out


def _read_population(path: Path) -> Any:
    """The population table of ``--population`` (CSV or Parquet)."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    if path.suffix.lower() == ".parquet":
        return pq.read_table(path)
    if path.suffix.lower() in (".csv", ".txt"):
        return pacsv.read_csv(path)
    raise InvalidInput(f"--population is a .csv or .parquet file, not {path.name!r}.")


def _write_report(path: Path | None, report: Report) -> None:
    if path is None:
        return
    path.write_text(
        json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    err_console.print(f"Wrote the assessment report to {path}.")


def _write_html(path: Path | None, report: Report, lang: str) -> None:
    if path is None:
        return
    from datanuri.privacy.report_html import render_report_html

    path.write_text(
        render_report_html(report, lang=lang, report_hash=report.digest()), encoding="utf-8"
    )
    err_console.print(f"Wrote the assessment report (HTML) to {path}.")


@app.command("releases")
def releases(
    dataset: str = typer.Argument(..., help="A personal dataset, or a dataset released from one"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List the de-identified releases made from (or into) a dataset."""

    with platform_ctx(data_dir) as p:
        items = [
            {k: v for k, v in r.to_dict().items() if k not in ("report", "policy")}
            for r in p.privacy.list_releases(dataset, principal=SYSTEM)
        ]
    if json_out:
        return print_json(items)
    t = Table(title=f"Releases of {dataset}")
    for col in ("id", "source", "target", "access", "report sha256", "ledger", "time"):
        t.add_column(col)
    for r in items:
        t.add_row(
            str(r["id"]),
            f"{r['source_dataset']} v{r['source_version']}",
            f"{r['target_dataset']} v{r['target_version']}",
            r["access_level"],
            r["report_hash"][:16] + "…",
            str(r["ledger_index"]),
            r["created_at"],
        )
    console.print(t)


@app.command("report")
def report_cmd(
    release_id: int = typer.Argument(
        ..., help="Release id (see `datanuri privacy releases DATASET`)"
    ),
    html_out: Path | None = typer.Option(
        None, "--html", help="Write the report as a standalone HTML page with charts here instead"
    ),
    lang: str = typer.Option("ko", "--lang", help="Language of the HTML report: ko | en"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Print a release record with its policy and assessment report (JSON), or write it as HTML."""
    if lang not in ("ko", "en"):
        raise InvalidInput(f"--lang is 'ko' or 'en', not {lang!r}.")
    with platform_ctx(data_dir) as p:
        record = p.privacy.get_release(release_id, principal=SYSTEM).to_dict()
    if html_out is None:
        return print_json(record)
    from datanuri.privacy.report_html import render_report_html

    html_out.write_text(render_report_html(record, lang=lang), encoding="utf-8")
    err_console.print(f"Wrote the assessment report of release {release_id} (HTML) to {html_out}.")


@app.command("budget")
def budget(
    dataset: str = typer.Argument(..., help="The personal dataset DP releases are made from"),
    set_to: float | None = typer.Option(
        None,
        "--set",
        help="Declare the total epsilon all its DP releases may spend (at most the platform's "
        "default budget, at least what is spent)",
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Show (or declare) a dataset's privacy-loss budget: epsilon spent by its DP releases, remaining."""
    with platform_ctx(data_dir) as p:
        if set_to is not None:
            acc = p.privacy.declare_budget(dataset, set_to, principal=SYSTEM)
        else:
            acc = p.privacy.budget(dataset, principal=SYSTEM)
    if json_out:
        return print_json(acc.to_json())
    origin = "declared" if acc.declared else "the platform's default"
    console.print(
        f"{acc.dataset}: budget epsilon {acc.budget:g} ({origin}), spent {acc.spent:g} by "
        f"{acc.releases} DP release(s), remaining {acc.remaining:g}"
    )


@keys_app.command("create")
def keys_create(
    org: str = typer.Argument(..., help="The organisation that holds the data (and the key)"),
    name: str = typer.Argument(
        ..., help="Key name, e.g. holder-2026 (lowercase letters, digits, '-', '_')"
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Create a new 256-bit pseudonymisation key; an existing name is never replaced (rotate with a new name)."""
    with platform_ctx(data_dir) as p:
        info = p.privacy.create_key(org, name, principal=SYSTEM)
    if json_out:
        return print_json(info.to_dict())
    console.print(
        f"[green]Created[/] key {info.name!r} of {info.organization}, fingerprint {info.fingerprint}. "
        f'Name it in a policy as {{"pseudonymize": {{"key": "{info.name}"}}}}.'
    )


@keys_app.command("list")
def keys_list(
    org: str = typer.Argument(..., help="The organisation"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List an organisation's pseudonymisation keys: name, fingerprint, creation (never the key)."""
    with platform_ctx(data_dir) as p:
        items = [k.to_dict() for k in p.privacy.list_keys(org, principal=SYSTEM)]
    if json_out:
        return print_json(items)
    t = Table(title=f"Pseudonymisation keys of {org}")
    for col in ("name", "fingerprint", "created (UTC)", "by"):
        t.add_column(col, no_wrap=col != "by")
    for k in items:
        t.add_row(
            k["name"], k["fingerprint"], k["created_at"][:19].replace("T", " "), k["created_by"]
        )
    console.print(t)
