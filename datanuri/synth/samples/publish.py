"""Publish a sample dataset through the catalog's normal path: the file streamed to Parquet in
the blob store's temp space, then ingested batch by batch as any Parquet upload; the datasheet
is the dataset's description and every column gets its note."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from datanuri.accounts.principal import Principal
from datanuri.catalog.service import CatalogService, NewDataset
from datanuri.catalog.vocab import NATIONWIDE_ID
from datanuri.errors import NotFound
from datanuri.synth.samples.datasheet import datasheet
from datanuri.synth.samples.model import PERIOD_DAYS, PERIOD_START, SampleKind
from datanuri.synth.samples.writer import write_sample

LICENSE = "CC0-1.0"  # made-up data: anyone may use it for anything
# Identifier detection flags the made-up user, card and person numbers (a header like user_id):
# the publisher overrides it with this reason, recorded in the ledger as any override.
OVERRIDE_REASON = (
    "합성 데이터: 번호 열(user_id, card_id, person_id 등)은 통계 모형이 만든 가상의 번호이며 "
    "실제 사람을 가리키지 않습니다. Synthetic data: the number columns are made up by a "
    "statistical model and identify no real person."
)


@dataclass(frozen=True)
class Published:
    """A sample dataset published: its name, version, rows, and whether the version is new."""

    dataset: str
    version: int
    rows: int
    created: bool
    message: str


def metadata(kind: SampleKind, *, rows: int, seed: int) -> dict[str, object]:
    """The catalog fields of `kind`'s dataset (its datasheet as the description)."""
    last_day = PERIOD_START.date() + dt.timedelta(days=PERIOD_DAYS - 1)
    return {
        "description": datasheet(kind, rows=rows, seed=seed),
        "keywords": list(kind.keywords),
        "theme": kind.theme,
        "license": LICENSE,
        "language": "ko",
        "spatial": "전국",
        "regions": [NATIONWIDE_ID],
        "temporal_start": PERIOD_START.date().isoformat(),
        "temporal_end": last_day.isoformat(),
    }


def publish_sample(
    catalog: CatalogService,
    kind: SampleKind,
    *,
    rows: int,
    seed: int,
    organization: str,
    principal: Principal,
) -> Published:
    """Generate `kind` (`rows`, `seed`) and publish it as the next version of its dataset in
    `organization` (created on the first publish); the same rows and seed publish nothing new."""
    fields = metadata(kind, rows=rows, seed=seed)
    title = f"{kind.title.ko} ({kind.title.en})"
    path = catalog.blobs.temp_path(".parquet")
    try:
        write_sample(kind, rows, seed, path)
        try:
            catalog.get_dataset(kind.dataset, principal=principal)
            new = None
        except NotFound:
            new = NewDataset(organization, title, {**fields, "access_level": "open"})
        result = catalog.publish(
            kind.dataset,
            path,
            filename=f"{kind.dataset}.parquet",
            change_note=f"datanuri synth samples --kind {kind.kind} --rows {rows} --seed {seed}",
            principal=principal,
            new=new,
            override_reason=OVERRIDE_REASON,
        )
    finally:
        path.unlink(missing_ok=True)
    if new is None:  # the datasheet of the version just published (its access level stays)
        catalog.update_dataset(kind.dataset, principal=principal, title=title, **fields)
    for column, text in kind.columns:
        catalog.set_column_note(
            kind.dataset, column, {"description": f"{text.ko} ({text.en})"}, principal=principal
        )
    return Published(kind.dataset, result.version.number, rows, result.created, result.message)
