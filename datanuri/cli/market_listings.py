"""CLI commands of the data market's listings (`datanuri market listings ...`), with the
machine's authority (whoever can open the data dir holds every dataset). Defines the `market`
command group; other market commands join it."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from datanuri.accounts.principal import SYSTEM
from datanuri.cli.common import DATA_DIR_OPTION, JSON_OPTION, console, platform_ctx, print_json
from datanuri.market import licence as L
from datanuri.market import listing_rules as rules
from datanuri.market.listings import ListingInfo, Sample, SampleFromRelease, SyntheticSample

market = typer.Typer(
    help="The data market: listings of restricted datasets for sale.", no_args_is_help=True
)
listings = typer.Typer(
    help="Create, publish and take off sale listings of restricted datasets, with an ODRL licence.",
    no_args_is_help=True,
)
market.add_typer(listings, name="listings")

ID_ARG = typer.Argument(..., help="The listing's id (from `list`)")


def _terms(template: str | None, licence_file: Path | None) -> L.Terms | None:
    if licence_file is not None:
        return L.Terms.from_dict(json.loads(licence_file.read_text("utf-8")))
    return L.template(template) if template else None


def _sample(sample_file: Path | None, sample_release: int | None) -> Sample | None:
    if sample_file is not None:
        return SyntheticSample(sample_file)
    return SampleFromRelease(sample_release) if sample_release is not None else None


def _show(info: ListingInfo, json_out: bool) -> None:
    if json_out:
        return print_json(info.to_dict())
    console.print(
        f"Listing {info.id} of {info.dataset}: {info.title} ({info.status}), "
        f"{rules.price_words(info.price, 'en')}; licence sha256:{info.licence_sha256}"
    )


@listings.command("list")
def listings_list(
    dataset: str | None = typer.Option(None, "--dataset", help="Only this dataset's listings"),
    status: str | None = typer.Option(
        None, "--status", help="draft | published | unpublished | archived"
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List listings (every status)."""
    with platform_ctx(data_dir) as p:
        found = p.listings.search(principal=SYSTEM, dataset=dataset, mine=True, status=status)
    if json_out:
        return print_json([x.to_dict() for x in found])
    t = Table("id", "dataset", "title", "status", "price", "licence sha256")
    for x in found:
        t.add_row(
            str(x.id),
            x.dataset,
            x.title,
            x.status,
            rules.price_words(x.price, "en"),
            x.licence_sha256[:16],
        )
    console.print(t)


@listings.command("create")
def listings_create(
    dataset: str = typer.Argument(..., help="The restricted dataset to offer"),
    title: str = typer.Option(..., "--title", help="The listing's title"),
    price: str = typer.Option(
        ..., "--price", help="one-off:50000 | subscription:month:30000 | free-research"
    ),
    licence: str = typer.Option(
        "research-only", "--licence", help=f"A licence template: {', '.join(L.TEMPLATES)}"
    ),
    licence_file: Path | None = typer.Option(
        None, "--licence-file", help="Licence terms as JSON instead of a template"
    ),
    description: str = typer.Option("", "--description"),
    version: int | None = typer.Option(None, "--version", help="One version (default: every one)"),
    sample_file: Path | None = typer.Option(
        None, "--sample-file", help="A synthetic sample file (checked by identifier detection)"
    ),
    sample_release: int | None = typer.Option(
        None, "--sample-release", help="Take the sample from this released de-identified version"
    ),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Create a draft listing of a restricted dataset."""
    terms = _terms(licence, licence_file)
    assert terms is not None
    with platform_ctx(data_dir) as p:
        info = p.listings.create(
            dataset,
            title=title,
            description=description,
            version=version,
            price=rules.parse_price(price),
            terms=terms,
            sample=_sample(sample_file, sample_release),
            principal=SYSTEM,
        )
    _show(info, json_out)


@listings.command("update")
def listings_update(
    listing_id: int = ID_ARG,
    title: str | None = typer.Option(None, "--title"),
    price: str | None = typer.Option(None, "--price", help="As for `create`"),
    licence: str | None = typer.Option(None, "--licence", help="A licence template"),
    licence_file: Path | None = typer.Option(None, "--licence-file", help="Licence terms as JSON"),
    description: str | None = typer.Option(None, "--description"),
    sample_file: Path | None = typer.Option(None, "--sample-file"),
    sample_release: int | None = typer.Option(None, "--sample-release"),
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Change a listing; a new licence of a listing on sale is recorded in the ledger."""
    with platform_ctx(data_dir) as p:
        info = p.listings.update(
            listing_id,
            title=title,
            description=description,
            price=rules.parse_price(price) if price else None,
            terms=_terms(licence, licence_file),
            sample=_sample(sample_file, sample_release),
            principal=SYSTEM,
        )
    _show(info, json_out)


@listings.command("publish")
def listings_publish(
    listing_id: int = ID_ARG,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Put a listing on sale (recorded in the ledger with its licence's SHA-256)."""
    with platform_ctx(data_dir) as p:
        _show(p.listings.publish(listing_id, principal=SYSTEM), json_out)


@listings.command("unpublish")
def listings_unpublish(
    listing_id: int = ID_ARG,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Take a listing off sale (it can be published again)."""
    with platform_ctx(data_dir) as p:
        _show(p.listings.unpublish(listing_id, principal=SYSTEM), json_out)


@listings.command("archive")
def listings_archive(
    listing_id: int = ID_ARG,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Retire a listing for good."""
    with platform_ctx(data_dir) as p:
        _show(p.listings.archive(listing_id, principal=SYSTEM), json_out)


@listings.command("licence")
def listings_licence(
    listing_id: int = ID_ARG,
    plain: str | None = typer.Option(None, "--plain", help="ko | en: the licence in plain words"),
    data_dir: Path | None = DATA_DIR_OPTION,
) -> None:
    """Print a listing's licence as ODRL JSON-LD (or in plain words with --plain ko|en)."""
    with platform_ctx(data_dir) as p:
        if plain:
            info = p.listings.get(listing_id, principal=SYSTEM)
            words = L.plain(info.terms, plain, holder=info.organization_title)
            for line in (*words.may, *words.must, *words.must_not):
                console.print(f"- {line}")
            return
        print_json(p.listings.licence(listing_id, principal=SYSTEM))


@listings.command("templates")
def listings_templates(json_out: bool = JSON_OPTION) -> None:
    """List the licence templates and their terms."""
    if json_out:
        return print_json({k: t.to_dict() for k, t in L.TEMPLATES.items()})
    for name, t in L.TEMPLATES.items():
        console.print(f"{name}: " + " ".join(L.plain(t, "en", holder="the holder").may))
