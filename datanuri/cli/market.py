"""CLI of the data market: `datanuri trace FILE --dataset NAME` names the buyer of a leaked copy.

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
from datanuri.market import fingerprint_messages as M
from datanuri.market.fingerprint import Detection, Score
from datanuri.market.trace import DEFAULT_KEY, BuyerList, holder_key, read_scheme, trace_file

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
        help="The fingerprint scheme (JSON) the copies were made with",
    ),
    key: str = typer.Option(
        DEFAULT_KEY, "--key", help="The organisation's key-store key the fingerprints derive from"
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Name the buyer a leaked copy of a dataset was made for, with a confidence, or say that
    it cannot be told."""
    if scheme is None:
        raise InvalidInput(M.MSG_NO_SCHEME.format(name=dataset))
    if buyers is None:
        raise InvalidInput(M.MSG_NO_BUYERS)
    plan = read_scheme(scheme)
    candidates = BuyerList.read(buyers)
    with platform_ctx(data_dir) as p:
        info = p.catalog.get_dataset(dataset, principal=SYSTEM)
        secret = holder_key(p.privacy.keys, info.organization, key)
    found = trace_file(file, dataset=dataset, scheme=plan, key=secret, candidates=candidates)
    if json_out:
        return print_json(_as_json(found))
    console.print(verdict_text(found, plan.marked))
    if found.scores:
        t = Table("buyer", "matches", "p-value", "confidence")
        for s in found.scores[:SHOWN]:
            t.add_row(s.buyer, f"{s.matches}/{s.cells}", p_text(s), confidence_text(found, s))
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
