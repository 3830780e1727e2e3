"""CLI of the data market: `datanuri trace FILE --dataset NAME` names the buyer of a leaked copy;
`datanuri market fingerprint set|show` declares how a dataset's delivered copies are marked, and
`datanuri market deliveries` lists the fingerprinted copies delivered; `datanuri market
suggest-price` and `datanuri market backtest` suggest listing prices and measure the model.

The CLI acts as the local operator (the system principal), as the other commands do."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import typer
from rich.table import Table

from datanuri.accounts.principal import SYSTEM
from datanuri.cli.common import DATA_DIR_OPTION, JSON_OPTION, console, platform_ctx, print_json
from datanuri.errors import InvalidInput
from datanuri.market import delivery_messages as DM
from datanuri.market import fingerprint_messages as M
from datanuri.market.deliveries import PlanInfo
from datanuri.market.fingerprint import Detection, Score
from datanuri.market.pricing import won
from datanuri.market.trace import DEFAULT_KEY, BuyerList, read_scheme

SHOWN = 10  # candidates listed in the table (all in --json)


def trace(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="The leaked copy (CSV/TSV or Parquet)"
    ),
    dataset: str = typer.Option(..., "--dataset", help="The dataset the copy was made from"),
    buyers: Path | None = typer.Option(
        None,
        "--buyers",
        exists=True,
        dir_okay=False,
        help="Candidate buyers: one id per line, or a JSON list",
    ),
    scheme: Path | None = typer.Option(
        None,
        "--scheme",
        exists=True,
        dir_okay=False,
        help="The fingerprint scheme (JSON) the copies were made with (default: the dataset's "
        "declared scheme)",
    ),
    key: str | None = typer.Option(
        None,
        "--key",
        help="The organisation's key-store key the fingerprints derive from (default: the "
        f"scheme's key, else {DEFAULT_KEY!r})",
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Name the buyer a leaked copy of a dataset was made for, with a confidence, or say that
    it cannot be told. Without --buyers the candidates are everyone who downloaded a
    fingerprinted copy (`datanuri market deliveries`); without --scheme, the dataset's declared
    scheme (`datanuri market fingerprint set`)."""
    plan = read_scheme(scheme) if scheme is not None else None
    candidates = list(BuyerList.read(buyers).buyers) if buyers is not None else None
    if buyers is not None and not candidates:
        raise InvalidInput(M.MSG_NO_BUYERS)
    with platform_ctx(data_dir) as p:
        result = p.deliveries.trace(
            file, dataset, principal=SYSTEM, scheme=plan, buyers=candidates, key_name=key
        )
    found = result.detection
    if json_out:
        return print_json({**_as_json(found), "labels": result.labels})
    console.print(verdict_text(found, result.scheme.marked))
    if found.scores:
        t = Table("buyer", "who", "matches", "p-value", "confidence")
        for s in found.scores[:SHOWN]:
            t.add_row(
                s.buyer,
                result.labels.get(s.buyer, ""),
                f"{s.matches}/{s.cells}",
                p_text(s),
                confidence_text(found, s),
            )
        console.print(t)


def verdict_text(found: Detection, marked: tuple[str, ...]) -> str:
    """The verdict as a sentence (English; Korean through the catalogue)."""
    if found.verdict == "accused":
        best = found.accused[0]
        return M.VERDICT_ACCUSED.format(
            buyer=best.buyer,
            matches=best.matches,
            cells=best.cells,
            p=p_text(best),
            candidates=found.candidates,
            confidence=confidence_text(found, best),
        )
    if found.verdict == "no_match":
        best = found.scores[0]
        return M.VERDICT_NO_MATCH.format(cells=found.cells, buyer=best.buyer, matches=best.matches)
    if found.missing_ids:
        return M.VERDICT_NO_IDS.format(columns=", ".join(found.missing_ids))
    if found.cells == 0:
        return M.VERDICT_NO_MARKED.format(columns=", ".join(marked))
    return M.VERDICT_CANNOT_TELL.format(
        cells=found.cells, candidates=found.candidates, needed=found.needed
    )


def p_text(s: Score) -> str:
    """A p-value for people: 3.1e-12, or 1e-400 when below what a float holds."""
    if s.p_value > 0:
        return f"{s.p_value:.1e}" if s.p_value < 0.01 else f"{s.p_value:.2f}"
    return f"1e{math.floor(s.log10_p)}"


def confidence_text(found: Detection, s: Score) -> str:
    """1 − the Bonferroni-adjusted p-value: '1 - 3.0e-15' when near one, else a percentage."""
    adjusted = 10.0 ** (s.log10_p + math.log10(max(1, found.candidates)))
    if adjusted >= 1:
        return "0%"
    if adjusted < 1e-3:
        return f"1 - {adjusted:.1e}" if adjusted > 0 else "1 - 1e-300"
    return f"{100 * (1 - adjusted):.1f}%"


def _as_json(found: Detection) -> dict[str, object]:
    out = dataclasses.asdict(found)
    out["threshold"] = found.threshold
    out["accused"] = [
        {**dataclasses.asdict(s), "confidence": found.confidence(s)} for s in found.accused
    ]
    return out


# ----- `datanuri market fingerprint ...` and `datanuri market deliveries` ----------------------
fingerprints = typer.Typer(
    help="How a restricted dataset's delivered copies are fingerprinted: entitled recipients' "
    "downloads carry their marks once a scheme is set.",
    no_args_is_help=True,
)


@fingerprints.command("set")
def fingerprint_set(
    dataset: str = typer.Argument(..., help="The restricted dataset"),
    scheme: Path = typer.Option(
        ...,
        "--scheme",
        exists=True,
        dir_okay=False,
        help='The scheme (JSON): {"id_columns": [...], "columns": {"price": {"absolute": 10}}, '
        '"gamma": 10}',
    ),
    key: str = typer.Option(
        DEFAULT_KEY, "--key", help="The organisation's key-store key the marks derive from"
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Declare the dataset's fingerprint scheme (recorded in the ledger)."""
    with platform_ctx(data_dir) as p:
        info = p.deliveries.set_scheme(dataset, read_scheme(scheme), key_name=key, principal=SYSTEM)
    if json_out:
        return print_json(_plan_json(info))
    console.print(DM.MSG_PLAN_SET.format(name=info.dataset))
    console.print(
        f"scheme sha256:{info.scheme_sha256}, key {info.key_name} ({info.key_fingerprint})"
    )


@fingerprints.command("show")
def fingerprint_show(
    dataset: str = typer.Argument(..., help="The dataset"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Print the dataset's fingerprint scheme as JSON (the file `trace --scheme` reads)."""
    with platform_ctx(data_dir) as p:
        info = p.deliveries.plan(dataset, principal=SYSTEM)
    if info is None:
        raise InvalidInput(DM.MSG_NO_PLAN.format(name=dataset))
    print_json(_plan_json(info))


def _plan_json(info: PlanInfo) -> dict[str, object]:
    return {
        "dataset": info.dataset,
        **info.scheme.to_dict(),
        "scheme_sha256": info.scheme_sha256,
        "key": info.key_name,
        "key_fingerprint": info.key_fingerprint,
    }


def deliveries(
    dataset: str = typer.Argument(..., help="The dataset"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List the fingerprinted copies of a dataset delivered: who, which version, the copy's hash."""
    with platform_ctx(data_dir) as p:
        rows = p.deliveries.deliveries(dataset, principal=SYSTEM)
    if json_out:
        return print_json([dataclasses.asdict(r) for r in rows])
    t = Table("id", "recipient", "version", "format", "copy sha256", "ledger")
    for r in rows:
        t.add_row(
            str(r.id),
            r.recipient,
            str(r.version),
            r.format,
            r.copy_sha256[:16],
            str(r.ledger_index),
        )
    console.print(t)


# ----- `datanuri market suggest-price` and `datanuri market backtest` --------------------------
def suggest_price(
    listing: int = typer.Argument(..., help="The listing's id (from `market listings list`)"),
    lang: str = typer.Option("en", "--lang", help="ko | en: the language of the reasons"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Suggest a price for a listing from comparable listings, the market's price history and
    demand (rows, columns, freshness, update frequency, theme, downloads, desk requests,
    sales), with the reasons; the model is a ridge regression on log price
    (datanuri/market/pricing.py)."""
    with platform_ctx(data_dir) as p:
        got = p.prices.suggest_price(listing, principal=SYSTEM)
    s = got.suggestion
    if json_out:
        return print_json(got.to_dict())
    per = {"subscription-month": "/month", "subscription-year": "/year", "one-off": ""}
    unit = per[got.price_kind]
    console.print(
        f"Listing {got.listing_id} ({got.dataset}): suggested {won(got.suggested_krw)}{unit}; "
        f"yearly figure {won(s.annual_krw)} (range {won(s.low_krw)} – {won(s.high_krw)}), "
        f"from {s.comparables} comparables"
        + (f"; now {won(got.current_krw)}{unit}" if got.current_krw else "")
    )
    for r in s.reasons:
        console.print(f"- {r.text(lang)}")


def backtest(
    min_train: int = typer.Option(
        30, "--min-train", min=5, help="Observations before the first one predicted"
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Replay the market's price history in time order, predicting each price from the ones
    before it, and report the error (MAPE, median absolute % error) beside a naive peer (the
    median price so far)."""
    with platform_ctx(data_dir) as p:
        r = p.prices.backtest(principal=SYSTEM, min_train=min_train)
    out = dataclasses.asdict(r)
    out.pop("errors")
    if json_out:
        return print_json(out)
    console.print(
        f"{r.predicted} of {r.observations} prices predicted: MAPE {r.mape:.1f} %, median "
        f"absolute error {r.median_ape:.1f} %, {r.within_25pct:.0f} % within 25 %. Naive peer "
        f"(median price so far): MAPE {r.baseline_mape:.1f} %, median {r.baseline_median_ape:.1f} %."
    )
