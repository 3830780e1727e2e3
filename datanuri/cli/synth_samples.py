"""`datanuri synth samples`: the four synthetic developer datasets, written to files or
published; and the `synth` group that keeps `datanuri synth DATASET ...` as it was."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer
from typer import _click as click  # Typer's own copy of Click, whose types its classes use
from typer.core import TyperGroup

from datanuri.accounts.principal import SYSTEM
from datanuri.cli import synth as synth_cli
from datanuri.cli.common import DATA_DIR_OPTION, JSON_OPTION, console, platform_ctx, print_json
from datanuri.errors import InvalidInput
from datanuri.synth.samples import kinds
from datanuri.synth.samples import messages as M
from datanuri.synth.samples.datasheet import datasheet
from datanuri.synth.samples.model import MIN_ROWS
from datanuri.synth.samples.publish import publish_sample
from datanuri.synth.samples.writer import write_sample

DEFAULT_SEED = 2026


def _synthesize_command() -> click.Command:
    """`datanuri synth DATASET`'s command, built by Typer from `cli.synth.synth`."""
    single = typer.Typer()
    single.command("synth")(synth_cli.synth)
    return typer.main.get_command(single)


class SynthGroup(TyperGroup):
    """`synth`'s subcommands by name; any other first argument is a dataset to synthesize."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] in self.commands:
            return super().resolve_command(ctx, args)
        return "", _synthesize_command(), args  # "" keeps the usage `datanuri synth DATASET`


app = typer.Typer(
    cls=SynthGroup,
    no_args_is_help=True,
    context_settings={"ignore_unknown_options": True},
)


@app.callback()
def _synth() -> None:
    """Synthesize a personal dataset: `datanuri synth DATASET [OPTIONS]` (`datanuri synth
    DATASET --help` lists them); or make the synthetic developer datasets: `datanuri synth
    samples`."""


@app.command("samples")
def samples(
    kind: str = typer.Option(
        "all",
        "--kind",
        help="queries | traces | cards | sns | all (search query logs, location "
        "traces, card transactions, SNS posts)",
    ),
    rows: int = typer.Option(MIN_ROWS, "--rows", help="Rows per dataset, 10^4 to 10^8"),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed: the same seed, the same files"),
    output: Path | None = typer.Option(
        None, "--output", help="Write DIR/<dataset>.parquet and its datasheet here"
    ),
    publish: bool = typer.Option(False, "--publish", help="Publish into the catalog (--org)"),
    org: str | None = typer.Option(None, "--org", help="The organisation that publishes them"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Make the synthetic developer datasets: files in --output, and/or --publish them.

    Each is seeded, streamed to Parquet in batches and described by its datasheet."""
    chosen = kinds(kind)
    if output is None and not publish:
        raise InvalidInput(M.MSG_OUTPUT_NEEDED)
    if publish and not org:
        raise InvalidInput(M.MSG_ORG_NEEDED)
    done: list[dict[str, Any]] = []
    if output is not None:
        for k in chosen:
            with console.status(f"{k.dataset}…"):
                w = write_sample(k, rows, seed, output / f"{k.dataset}.parquet")
            sheet = output / f"{k.dataset}.datasheet.md"
            sheet.write_text(datasheet(k, rows=rows, seed=seed), "utf-8")
            done.append({"dataset": k.dataset, **asdict(w), "datasheet": str(sheet)})
            if not json_out:
                console.print(
                    M.MSG_WRITTEN.format(name=k.dataset, rows=w.rows, path=w.path, size=w.bytes)
                )
    if publish:
        assert org is not None
        with platform_ctx(data_dir) as p:
            for k in chosen:
                with console.status(f"{k.dataset}: publishing…"):
                    result = publish_sample(
                        p.catalog, k, rows=rows, seed=seed, organization=org, principal=SYSTEM
                    )
                done.append(asdict(result))
                if not json_out:
                    console.print(result.message)
    if json_out:
        print_json(done)
