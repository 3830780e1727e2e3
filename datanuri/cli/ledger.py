"""CLI over the integrity ledger: `datanuri ledger ...`, `datanuri verify`, `datanuri witness ...`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from datanuri.cli.common import DATA_DIR_OPTION, JSON_OPTION, console, err_console, print_json
from datanuri.errors import DatanuriError, IntegrityError, InvalidInput

app = typer.Typer(help="Inspect, checkpoint and audit the integrity ledger.", no_args_is_help=True)
witnesses_app = typer.Typer(
    help="Witnesses whose cosignatures this ledger accepts.", no_args_is_help=True
)
witness_app = typer.Typer(
    help="Run a witness that cosigns a log's checkpoints and detects forks.", no_args_is_help=True
)
app.add_typer(witnesses_app, name="witnesses")

WITNESS_DIR_OPTION = typer.Option(
    Path(".datanuri-witness"),
    "--dir",
    envvar="DATANURI_WITNESS_DIR",
    help="The witness's key and state directory.",
)


@contextmanager
def ledger_ctx(data_dir: Path | None) -> Iterator[Any]:
    from datanuri.cli.common import open_platform

    platform = open_platform(data_dir)
    try:
        yield platform.ledger
    finally:
        platform.close()


@contextmanager
def audit_ctx(data_dir: Path | None) -> Iterator[Callable[[bool], tuple[Any, Any | None]]]:
    """What `ledger audit` runs, given whether to rehash blobs: the ledger's own audit, then the
    catalog against the ledger and the blob store."""
    from datanuri.catalog.audit import audit_catalog
    from datanuri.cli.common import open_platform

    platform = open_platform(data_dir)
    try:
        yield lambda hash_blobs: (
            platform.ledger.audit(),
            audit_catalog(
                platform.db,
                platform.blobs,
                hash_blobs=hash_blobs,
                commitment=platform.ledger.commit_name,
            ),
        )
    finally:
        platform.close()


def _fail(message: str, code: int = 1) -> None:
    err_console.print(f"[red]{message}[/]")
    raise typer.Exit(code)


# ----- datanuri ledger ... ------------------------------------------------------------------
@app.command("audit")
def audit(
    blobs: bool = typer.Option(
        False, "--blobs", help="Also rehash every stored blob (reads all the data; slower)."
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Recompute the whole tree from the stored entries and check every node and checkpoint, then
    check every version against its ledger entry and every blob's presence (and hash, --blobs).

    Exits with status 7 if anything was changed outside datanuri, naming each difference."""
    with audit_ctx(data_dir) as run:
        report, catalog = run(blobs)
    ok = report.ok and (catalog is None or catalog.ok)
    problems = report.problems + (catalog.problems if catalog is not None else [])
    if json_out:
        body = report.to_dict() | {
            "ok": ok,
            "problems": [{"table": p.table, "row": p.row, "detail": p.detail} for p in problems],
        }
        if catalog is not None:
            body["catalog"] = catalog.to_dict()
        print_json(body)
    else:
        for p in problems:
            err_console.print(f"[red]✗[/] {p}")
        for r in (report, catalog):
            if r is not None:
                (console if r.ok else err_console).print(r.message)
    if not ok:
        raise typer.Exit(IntegrityError.exit_code)


@app.command("checkpoint")
def checkpoint(data_dir: Path | None = DATA_DIR_OPTION, json_out: bool = JSON_OPTION) -> None:
    """Sign (or show) the checkpoint for the current tree size; prints the signed note."""
    with ledger_ctx(data_dir) as ledger:
        cp = ledger.checkpoint()
        body = cp.to_dict() | {"public_key": ledger.public_key()}
    if json_out:
        print_json(body)
    else:
        typer.echo(cp.note, nl=False)


@app.command("entries")
def entries(
    start: int = typer.Option(0, help="First entry index."),
    end: int | None = typer.Option(None, help="One past the last entry (default start+100)."),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List ledger entries."""
    with ledger_ctx(data_dir) as ledger:
        rows = ledger.entries(start, end)
    if json_out:
        return print_json(rows)
    t = Table("index", "time", "type", "actor", "subject")
    for r in rows:
        e = r["entry"]
        t.add_row(
            str(r["index"]),
            e.get("time", ""),
            e.get("type", ""),
            e.get("actor", ""),
            e.get("subject", ""),
        )
    console.print(t)


@app.command("events")
def event_kinds(json_out: bool = JSON_OPTION) -> None:
    """List every kind of event the ledger records, with its typed fields."""
    from datanuri.events import describe_all

    kinds = describe_all()
    if json_out:
        return print_json([k.to_dict() for k in kinds])
    t = Table("type", "fields", "records")
    for k in kinds:
        t.add_row(k.name, ", ".join(f"{f.name}: {f.type}" for f in k.fields), k.description)
    console.print(t)


@app.command("receipt")
def receipt(
    index: int = typer.Argument(..., help="Entry index."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write the receipt JSON here."),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Write the receipt of an entry (verify it later with `datanuri verify`)."""
    with ledger_ctx(data_dir) as ledger:
        r = ledger.receipt(index)
    text = json.dumps(r, ensure_ascii=False, indent=2) + "\n"
    if output:
        output.write_text(text, "utf-8")
        console.print(f"Wrote {output}")
    else:
        typer.echo(text, nl=False)


@app.command("public-key")
def public_key(data_dir: Path | None = DATA_DIR_OPTION) -> None:
    """Print the ledger's verifier key (pin it to verify receipts)."""
    with ledger_ctx(data_dir) as ledger:
        typer.echo(ledger.ensure_key())


@witnesses_app.command("add")
def witnesses_add(
    vkey: str = typer.Argument(
        ..., help="The witness's verifier key (from `datanuri witness key`)."
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Accept cosignatures from this witness."""
    with ledger_ctx(data_dir) as ledger:
        name = ledger.add_witness(vkey)
    console.print(f"Witness {name} added.")


@witnesses_app.command("list")
def witnesses_list(data_dir: Path | None = DATA_DIR_OPTION) -> None:
    """List trusted witness keys."""
    with ledger_ctx(data_dir) as ledger:
        for vkey in ledger.witnesses():
            typer.echo(vkey)


@witnesses_app.command("remove")
def witnesses_remove(name: str, data_dir: Path | None = DATA_DIR_OPTION) -> None:
    """Stop accepting cosignatures from a witness."""
    with ledger_ctx(data_dir) as ledger:
        ledger.remove_witness(name)
    console.print(f"Witness {name} removed.")


# ----- datanuri verify ----------------------------------------------------------------------
def _read_key(path: Path) -> str:
    if not path.exists():
        _fail(
            f"No public key file at {path}. Download it from /.well-known/datanuri-ledger.pub and pin it.",
            2,
        )
    return path.read_text("utf-8").strip()


def _checkpoint_text(path: Path) -> str:
    """A checkpoint from a file: the signed note itself, or JSON with a `checkpoint` field
    (a receipt, or the body of GET /api/v1/ledger/checkpoint)."""
    text = path.read_text("utf-8")
    if text.lstrip().startswith("{"):
        try:
            return str(json.loads(text)["checkpoint"])
        except (ValueError, KeyError) as exc:
            raise InvalidInput(f"{path} is JSON without a 'checkpoint' field.") from exc
    return text


def _print_result(res: Any, json_out: bool) -> None:
    if json_out:
        print_json(res.to_dict())
    else:
        for name, ok, msg in res.checks:
            (console if ok else err_console).print(
                f"{'[green]✓[/]' if ok else '[red]✗[/]'} {name}: {msg}"
            )
        (console if res.ok else err_console).print(
            "[bold green]Verified.[/]" if res.ok else "[bold red]NOT verified.[/]"
        )
    if not res.ok:
        raise typer.Exit(IntegrityError.exit_code)


def verify_cmd(
    receipt: Path = typer.Argument(
        ...,
        help="Receipt JSON (with --consistency: the OLD checkpoint).",
        exists=True,
        dir_okay=False,
    ),
    file: Path | None = typer.Argument(
        None,
        help="The data file the receipt covers (with --consistency: the NEW checkpoint).",
        exists=True,
        dir_okay=False,
    ),
    key: Path = typer.Option(
        ...,
        "--key",
        help="The log's pinned public key file (vkey, from /.well-known/datanuri-ledger.pub).",
    ),
    consistency: bool = typer.Option(
        False, "--consistency", help="Check that NEW checkpoint extends OLD."
    ),
    proof: Path | None = typer.Option(
        None, "--proof", help="With --consistency: JSON from /api/v1/ledger/proof/consistency."
    ),
    log: str | None = typer.Option(
        None, "--log", help="With --consistency and no --proof: fetch the proof from this log URL."
    ),
    witness: list[Path] = typer.Option(
        [], "--witness", help="A trusted witness public key file (repeatable)."
    ),
    min_cosignatures: int = typer.Option(
        0, "--min-cosignatures", help="Require this many trusted witness cosignatures."
    ),
    subject: str | None = typer.Option(
        None,
        "--subject",
        help="Require the entry to be about this subject, e.g. dataset:seoul-air@3.",
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """Verify a receipt offline (`datanuri verify RECEIPT [FILE] --key KEY`), a MyData consent
    receipt (`datanuri verify CONSENT-RECEIPT --key KEY`), or that one checkpoint extends
    another (`datanuri verify --consistency OLD NEW --key KEY`)."""
    from datanuri.ledger.receipts import ReceiptCheck, check_receipt
    from datanuri.ledger.verify import VerifyResult, verify_consistency
    from datanuri.mydata import receipts as consent_receipts

    vkey = _read_key(key)
    res: VerifyResult | ReceiptCheck
    try:
        if consistency:
            if file is None:
                _fail("--consistency needs two checkpoints: OLD NEW.", 2)
            assert file is not None
            old, new = _checkpoint_text(receipt), _checkpoint_text(file)
            proof_items = _consistency_proof(old, new, proof, log)
            res = verify_consistency(old, new, proof_items, vkey)
        else:
            try:
                data = json.loads(receipt.read_text("utf-8"))
            except ValueError as exc:
                raise InvalidInput(f"{receipt} is not JSON: {exc}") from exc
            if consent_receipts.is_receipt(data):  # a MyData consent receipt
                _print_result(consent_receipts.check_receipt(data, vkey=vkey), json_out)
                return
            witness_keys = [_read_key(w) for w in witness]
            res = check_receipt(
                data,
                public_key=vkey,
                file=file,
                witness_keys=witness_keys,
                min_cosignatures=min_cosignatures,
                subject=subject,
            )
    except DatanuriError as exc:
        _fail(exc.message, exc.exit_code)
        return
    _print_result(res, json_out)


def _consistency_proof(old: str, new: str, proof: Path | None, log: str | None) -> list[str]:
    from datanuri.ledger.checkpoint import unverified_checkpoint

    if proof is not None:
        return list(json.loads(proof.read_text("utf-8"))["proof"])
    a, b = sorted([unverified_checkpoint(old).size, unverified_checkpoint(new).size])
    if a == b or a == 0:
        return []
    if log is None:
        raise InvalidInput(
            "A consistency proof is needed: pass --proof FILE, or --log URL to fetch it."
        )
    import httpx

    r = httpx.get(
        f"{log.rstrip('/')}/api/v1/ledger/proof/consistency",
        params={"first": a, "second": b},
        timeout=30,
    )
    r.raise_for_status()
    return [str(p) for p in r.json()["proof"]]


# ----- datanuri witness ... -----------------------------------------------------------------
@witness_app.command("init")
def witness_init(
    name: str = typer.Option(
        "witness.local/w1", "--name", help="The witness's key name, e.g. witness.example.org/w1."
    ),
    dir: Path = WITNESS_DIR_OPTION,
) -> None:
    """Create the witness key; prints the verifier key to give to log operators."""
    from datanuri.ledger.witness import Witness

    typer.echo(Witness(dir, name=name).ensure_key())


@witness_app.command("key")
def witness_key(dir: Path = WITNESS_DIR_OPTION) -> None:
    """Print the witness's verifier key."""
    from datanuri.ledger.witness import Witness

    typer.echo(Witness(dir).vkey())


@witness_app.command("run")
def witness_run(
    log: str = typer.Option(..., "--log", help="Base URL of the datanuri instance to witness."),
    log_key: Path | None = typer.Option(
        None, "--log-key", help="Pinned public key file of the log (default: trust on first use)."
    ),
    dir: Path = WITNESS_DIR_OPTION,
    once: bool = typer.Option(False, "--once", help="Check and cosign once, then exit."),
    interval: float = typer.Option(30.0, "--interval", help="Seconds between checks."),
) -> None:
    """Watch a log: check each new checkpoint is consistent with the last one seen, cosign it
    and send the cosignature back. Exits with status 7 and keeps the evidence if the log forks."""
    from datanuri.ledger.witness import ForkDetected, Witness

    w = Witness(dir)
    if not (dir / "witness.key").exists():
        w.ensure_key()
    pinned = _read_key(log_key) if log_key else None
    try:
        if once:
            obs = w.run_once(log, log_key=pinned)
            console.print(
                f"Cosigned {obs.origin} at size {obs.new_size} (previous {obs.old_size})."
            )
            if not obs.accepted:
                err_console.print(f"The log did not accept the cosignature: {obs.log_said}")
        else:
            w.run(log, log_key=pinned, interval=interval, report=lambda m: console.print(m))
    except ForkDetected as exc:
        _fail(exc.message, exc.exit_code)
    except DatanuriError as exc:
        _fail(exc.message, exc.exit_code)
