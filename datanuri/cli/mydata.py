"""`datanuri mydata ...`: MyData from the command line — link a person account to a verified
resident registration number (admins), declare a holder's offer, list offers, consents and
transfers on a holder's data, download a consent receipt and record due expiries. Commands act
as the machine's owner unless `--as EMAIL` names a user; `--json` prints the service's records."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from datanuri.cli.common import (
    DATA_DIR_OPTION,
    JSON_OPTION,
    acting_principal,
    console,
    platform_ctx,
    print_json,
)
from datanuri.errors import InvalidInput
from datanuri.mydata.rules import Item

app = typer.Typer(
    help=(
        "MyData (마이데이터): people direct a holder to send their own rows to a service they "
        "choose. Link people, declare offers, list consents and transfers, get receipts."
    ),
    no_args_is_help=True,
)

AS_OPTION = typer.Option(
    None, "--as", metavar="EMAIL", help="Act as this user; default: the machine's owner (admin)."
)


def parse_item(text: str) -> Item:
    """`NAME=COL[,COL...]|한국어 이름|English label` as an Item."""
    try:
        head, label_ko, label_en = text.split("|")
        name, cols = head.split("=", 1)
    except ValueError:
        raise InvalidInput(
            f"--item {text!r}: write NAME=COL[,COL...]|한국어 이름|English label, e.g. "
            "'visits.basic=visit_date,department|진료 기본 정보|Visit basics'."
        ) from None
    columns = tuple(c.strip() for c in cols.split(",") if c.strip())
    return Item(name.strip(), columns, label_ko.strip(), label_en.strip())


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    return obj


@app.command("link")
def link(
    email: str = typer.Argument(..., help="The person's account (e-mail)."),
    rrn: str = typer.Option(
        ...,
        "--rrn",
        prompt="Resident registration number (주민등록번호)",
        hide_input=True,
        help="The verified resident registration number; asked for (hidden) if not given. Only "
        "its linking identifier (CI) is stored.",
    ),
    as_email: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Link a user account to a person (admins): stores only the CI of the verified number."""
    with platform_ctx(data_dir) as p:
        p.mydata.link_person(email, rrn, principal=acting_principal(p, as_email))
    if json_out:
        print_json({"linked": email})
    else:
        console.print(f"Linked {email} to a person (only the CI is stored).")


@app.command("offer")
def offer(
    dataset: str = typer.Argument(..., help="The personal dataset to offer."),
    subject: str = typer.Option(
        ..., "--subject", help="The column that holds the resident registration number."
    ),
    item: list[str] = typer.Option(
        ...,
        "--item",
        help="An item: NAME=COL[,COL...]|한국어 이름|English label (repeatable).",
    ),
    as_email: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Declare (or replace) a holder's MyData offer on a personal dataset and index its rows by CI."""
    items = [parse_item(i) for i in item]
    with platform_ctx(data_dir) as p:
        info = p.mydata.declare_offer(
            dataset, subject_column=subject, items=items, principal=acting_principal(p, as_email)
        )
    if json_out:
        print_json(_plain(info))
    else:
        console.print(
            f"Offer on {info.holder}/{info.dataset}: {len(info.items)} item(s), version "
            f"{info.indexed_version} indexed, {info.people} people."
        )


@app.command("offers")
def offers(
    org: str | None = typer.Option(None, "--org", help="Only this holder's offers."),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List the MyData offers."""
    with platform_ctx(data_dir) as p:
        found = p.mydata.offers(organization=org)
    if json_out:
        print_json([_plain(o) for o in found])
        return
    table = Table("holder", "dataset", "subject", "items", "version", "people")
    for o in found:
        table.add_row(
            o.holder,
            o.dataset,
            o.subject_column,
            ", ".join(i.name for i in o.items),
            str(o.indexed_version),
            str(o.people),
        )
    console.print(table)


@app.command("consents")
def consents(
    org: str = typer.Argument(..., help="The holder organisation."),
    as_email: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List the consents on a holder's data (its owners and editors)."""
    with platform_ctx(data_dir) as p:
        found = p.mydata.holder_consents(org, principal=acting_principal(p, as_email))
    if json_out:
        print_json([_plain(c) for c in found])
        return
    table = Table("id", "dataset", "recipient", "items", "status", "expires", "deletion")
    for c in found:
        table.add_row(
            c.id,
            c.dataset,
            c.recipient_name,
            ", ".join(c.items),
            c.status,
            c.expires.date().isoformat(),
            "pending" if c.deletion_pending else "",
        )
    console.print(table)


@app.command("transfers")
def transfers(
    org: str = typer.Argument(..., help="The holder organisation."),
    as_email: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List the transfers of a holder's data, newest first, with their ledger entries."""
    with platform_ctx(data_dir) as p:
        found = p.mydata.holder_transfers(org, principal=acting_principal(p, as_email))
    if json_out:
        print_json([_plain(t) for t in found])
        return
    table = Table("when", "consent", "recipient", "dataset", "version", "rows", "ledger")
    for t in found:
        table.add_row(
            t.at.isoformat(timespec="seconds"),
            t.consent_id,
            t.recipient_name,
            t.dataset,
            str(t.version),
            str(t.rows),
            str(t.ledger_index),
        )
    console.print(table)


@app.command("receipt")
def receipt(
    consent_id: str = typer.Argument(..., help="The consent's id (cns_...)."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write it to this file."),
    as_email: str | None = AS_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """The signed consent receipt (check it offline with `datanuri verify FILE --key KEY`)."""
    with platform_ctx(data_dir) as p:
        body = p.mydata.receipt(consent_id, principal=acting_principal(p, as_email))
    text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, "utf-8")
        console.print(f"Wrote the receipt of {consent_id} to {output}.")


@app.command("expire")
def expire(data_dir: Path | None = DATA_DIR_OPTION, json_out: bool = JSON_OPTION) -> None:
    """Record every consent past its end as expired (each with its ledger entry)."""
    with platform_ctx(data_dir) as p:
        done = p.mydata.expire_due()
    if json_out:
        print_json({"expired": done})
    else:
        console.print(f"{len(done)} consent(s) expired.")
