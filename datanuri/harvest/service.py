"""`harvest(url)`: import datasets from a CKAN-compatible API or a DCAT JSON-LD document.

Idempotent: each dataset's imported metadata is hashed; an unchanged one is left alone, so a
second run changes nothing. The source link is kept in `harvest_records`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.accounts.service import AccountService
from datanuri.catalog.service import CatalogService
from datanuri.harvest.mapping import HarvestItem, dcat_datasets, from_ckan, from_dcat
from datanuri.harvest.models import HarvestRecord
from datanuri.store.db import Database, utcnow

log = logging.getLogger("datanuri.harvest")
PAGE = 100
MAX_DATASETS = 100_000


@dataclass
class HarvestReport:
    source: str
    kind: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


def _get_json(client: httpx.Client, url: str, **params: Any) -> Any:
    try:
        r = client.get(url, params=params or None)
    except httpx.HTTPError as exc:
        raise errors.InvalidInput(
            f"Could not reach {url} ({exc}). Check the address and your network."
        ) from exc
    if r.status_code >= 400:
        raise errors.InvalidInput(
            f"{url} answered HTTP {r.status_code}; is it a CKAN API or a DCAT JSON-LD document?"
        )
    try:
        return r.json()
    except ValueError as exc:
        raise errors.InvalidInput(
            f"{url} did not return JSON; give a CKAN site or a DCAT JSON-LD URL."
        ) from exc


def _ckan_api(client: httpx.Client, site: str) -> str | None:
    """The action API base of a CKAN-compatible site, or None."""
    for path in ("/api/3/action", "/api/action"):
        try:
            r = client.get(f"{site}{path}/status_show")
        except httpx.HTTPError:
            continue
        if (
            r.status_code == 200
            and r.headers.get("content-type", "").startswith("application/json")
            and r.json().get("success")
        ):
            return site + path
    return None


def canonical(url: str) -> str:
    """The site URL of a CKAN API address (the document URL of anything else)."""
    site = url.strip().rstrip("/")
    for suffix in ("/api/3/action", "/api/action", "/api/3"):
        if site.endswith(suffix):
            return site[: -len(suffix)]
    return site


def fetch_items(
    url: str, *, client: httpx.Client | None = None
) -> tuple[str, Iterator[HarvestItem]]:
    """Detect the source kind and yield its datasets as HarvestItems."""
    own = client is None
    client = client or httpx.Client(
        timeout=30, follow_redirects=True, headers={"User-Agent": "datanuri-harvester"}
    )
    site = canonical(url)
    api = None if url.endswith((".jsonld", ".json")) else _ckan_api(client, site)

    def ckan_items() -> Iterator[HarvestItem]:
        try:
            start = 0
            while start < MAX_DATASETS:
                body = _get_json(
                    client, f"{api}/package_search", rows=PAGE, start=start, sort="name asc"
                )
                results = (body.get("result") or {}).get("results") or []
                for pkg in results:
                    yield from_ckan(pkg, site)
                if len(results) < PAGE:
                    return
                start += PAGE
        finally:
            if own:
                client.close()

    def dcat_items() -> Iterator[HarvestItem]:
        try:
            doc = _get_json(client, url)
            nodes = dcat_datasets(doc)
            if not nodes:
                raise errors.InvalidInput(
                    f"{url} has no dcat:Dataset; give a DCAT JSON-LD catalogue or a CKAN site."
                )
            for node in nodes:
                yield from_dcat(node, url)
        finally:
            if own:
                client.close()

    return ("ckan", ckan_items()) if api else ("dcat", dcat_items())


class Harvester:
    """Imports remote datasets into the catalog through its service (so access rules and listeners apply)."""

    def __init__(
        self,
        catalog: CatalogService,
        accounts: AccountService,
        db: Database,
        *,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.catalog = catalog
        self.accounts = accounts
        self.db = db
        self.notify = notify

    def harvest(
        self,
        url: str,
        *,
        prefix: str = "",
        client: httpx.Client | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> HarvestReport:
        url = canonical(url)
        kind, items = fetch_items(url, client=client)
        report = HarvestReport(url, kind)
        for item in items:
            name = (prefix + item.name)[:100]
            try:
                outcome = self._apply(url, name, item)
            except errors.DatanuriError as exc:
                report.skipped.append({"name": name, "reason": exc.message})
                continue
            if outcome == "skipped":
                report.skipped.append(
                    {
                        "name": name,
                        "reason": "a local dataset, or one harvested from another source, has this name",
                    }
                )
            else:
                getattr(report, outcome).append(name)
            if progress:
                progress(f"{outcome}: {name}")
        return report

    def _apply(self, source: str, name: str, item: HarvestItem) -> str:
        digest = item.content_hash()
        with self.db.session() as s:
            rec = s.scalar(select(HarvestRecord).where(HarvestRecord.dataset_name == name))
            rec_source = rec.source_url if rec else None
            rec_hash = rec.content_hash if rec else None
        exists = self._exists(name)
        if exists and rec_source != source:
            return "skipped"
        if exists and rec_hash == digest:
            return "unchanged"
        self._ensure_org(item)
        if exists:
            self.catalog.update_dataset(name, principal=SYSTEM, **item.fields)
            outcome = "updated"
        else:
            fields = dict(item.fields)
            title = fields.pop("title", name)
            if fields.get("access_level") == "personal":
                fields["metadata_public"] = True  # its holder published this metadata
            self.catalog.create_dataset(
                name, organization=item.organization, title=title, principal=SYSTEM, **fields
            )
            outcome = "created"
        with self.db.session() as s:
            rec = s.scalar(select(HarvestRecord).where(HarvestRecord.dataset_name == name))
            if rec is None:
                rec = HarvestRecord(dataset_name=name)
                s.add(rec)
            rec.source_url, rec.remote_id, rec.remote_url = (
                source,
                item.remote_id[:300],
                item.remote_url[:1000],
            )
            rec.content_hash, rec.resources, rec.harvested_at = digest, item.resources, utcnow()
        if self.notify:
            self.notify(name)  # the search index now sees the source link
        return outcome

    def _exists(self, name: str) -> bool:
        try:
            self.catalog.get_dataset(name, principal=SYSTEM)
            return True
        except errors.NotFound:
            return False

    def _ensure_org(self, item: HarvestItem) -> None:
        try:
            self.catalog.get_organization(item.organization)
        except errors.NotFound:
            try:
                self.accounts.create_organization(
                    item.organization, title=item.organization_title, principal=SYSTEM
                )
            except errors.Conflict:
                pass  # made meanwhile
