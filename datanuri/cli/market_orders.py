"""CLI commands of market orders (`datanuri market order|orders|refund|topup|renew`), with the
machine's authority: an order is placed as the buyer named by `--buyer`; refunds, top-ups and
renewals are the administrator's."""

from __future__ import annotations

import uuid
from pathlib import Path

import typer
from rich.table import Table

from datanuri.accounts.principal import SYSTEM
from datanuri.cli.common import (
    DATA_DIR_OPTION,
    JSON_OPTION,
    acting_principal,
    console,
    platform_ctx,
    print_json,
)
from datanuri.cli.market_listings import market
from datanuri.market.orders import OrderInfo

KEY_OPTION = typer.Option(
    None,
    "--key",
    help="Idempotency key: the same key again returns the same order (charged once). "
    "Default: a new random key.",
)


def _show(info: OrderInfo, json_out: bool) -> None:
    if json_out:
        return print_json(info.to_dict())
    until = info.ends_at.date().isoformat() if info.ends_at else "no end"
    console.print(
        f"Order {info.id} ({info.status}{', replayed' if info.replayed else ''}): "
        f"{info.listing_title} [{info.dataset}] for {info.buyer}, {info.amount:,} KRW "
        f"(refunded {info.refunded:,}); access {info.access} until {until}"
    )


@market.command("order")
def order(
    listing: int = typer.Argument(..., help="The listing's id (`datanuri market listings list`)"),
    buyer: str = typer.Option(..., "--buyer", help="The buyer's e-mail (pays from their credit)"),
    version: int | None = typer.Option(None, "--version", help="The version (one-off prices)"),
    key: str | None = KEY_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Order a listing for a buyer, paid from the buyer's prepaid credit."""
    with platform_ctx(data_dir) as p:
        who = acting_principal(p, buyer)
        info = p.orders.place(listing, key=key or uuid.uuid4().hex, version=version, principal=who)
    _show(info, json_out)


@market.command("orders")
def orders(
    organization: str | None = typer.Option(None, "--org", help="An organisation's sales"),
    buyer: str | None = typer.Option(None, "--buyer", help="A buyer's orders (by e-mail)"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List a buyer's orders or an organisation's sales, newest first."""
    if (organization is None) == (buyer is None):
        raise typer.BadParameter("Give exactly one of --org or --buyer.")
    with platform_ctx(data_dir) as p:
        if organization is not None:
            found = p.orders.sales(organization, principal=SYSTEM)
        else:
            assert buyer is not None
            found = p.orders.mine(principal=acting_principal(p, buyer))
    if json_out:
        return print_json([x.to_dict() for x in found])
    t = Table("id", "buyer", "listing", "dataset", "amount", "refunded", "status", "access")
    for x in found:
        t.add_row(
            str(x.id), x.buyer, x.listing_title, x.dataset, f"{x.amount:,}",
            f"{x.refunded:,}", x.status, x.access,
        )  # fmt: skip
    console.print(t)


@market.command("refund")
def refund(
    order_id: int = typer.Argument(..., help="The order's id"),
    amount: int | None = typer.Option(None, "--amount", help="Won to refund (default: all left)"),
    key: str | None = KEY_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Refund part or all of an order to the buyer's credit (all of it ends the access)."""
    with platform_ctx(data_dir) as p:
        info = p.orders.refund(
            order_id, key=key or uuid.uuid4().hex, amount=amount, principal=SYSTEM
        )
    _show(info, json_out)


@market.command("topup")
def topup(
    email: str = typer.Argument(..., help="The buyer's e-mail"),
    amount: int = typer.Argument(..., help="Won to add to the buyer's prepaid credit"),
    key: str | None = KEY_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Top up a buyer's prepaid credit (money received outside the platform)."""
    with platform_ctx(data_dir) as p:
        credit = p.orders.top_up(email, amount, key=key or uuid.uuid4().hex, principal=SYSTEM)
    if json_out:
        return print_json({"email": email, "balance": credit.balance})
    console.print(f"Credit of {email}: {credit.balance:,} KRW")


@market.command("renew")
def renew(data_dir: Path | None = DATA_DIR_OPTION, json_out: bool = JSON_OPTION) -> None:
    """Renew the subscriptions whose paid period ended (charge again or lapse); the job workers
    do this every `market_renew_seconds`."""
    with platform_ctx(data_dir) as p:
        done = p.orders.renew_due()
    if json_out:
        return print_json({"renewed": done.renewed, "lapsed": done.lapsed})
    console.print(f"Renewed {done.renewed}, lapsed {done.lapsed}.")


@market.command("cancel")
def cancel(
    subscription: int = typer.Argument(..., help="The subscription's id (`orders --json`)"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Stop renewing a subscription; the period already paid for stays usable."""
    with platform_ctx(data_dir) as p:
        info = p.orders.cancel(subscription, principal=SYSTEM)
    if json_out:
        return print_json(info.to_dict())
    console.print(f"Subscription {info.id} of {info.buyer} to {info.dataset}: {info.status}.")
