"""Map a remote CKAN package or a DCAT JSON-LD dataset node to what datanuri imports (pure)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from datanuri.catalog.fields import fit_fields
from datanuri.catalog.vocab import regions_from_text
from datanuri.names import NAME_RE, slugify

ACCESS_FROM_DCAT = {"PUBLIC": "open", "RESTRICTED": "restricted", "NON_PUBLIC": "personal"}
LANG_FROM_DCAT = {"KOR": "ko", "ENG": "en"}
IRI_PREFIXES = {
    "http://www.w3.org/ns/dcat#": "dcat:",
    "http://purl.org/dc/terms/": "dct:",
    "http://xmlns.com/foaf/0.1/": "foaf:",
    "http://www.w3.org/ns/locn#": "locn:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
}


@dataclass(frozen=True)
class HarvestItem:
    """One remote dataset, ready to create or update locally."""

    name: str
    organization: str
    organization_title: str
    fields: dict[str, Any]
    remote_id: str
    remote_url: str
    resources: list[dict[str, Any]] = field(default_factory=list)

    def content_hash(self) -> str:
        """Changes whenever what would be imported changes."""
        blob = json.dumps(
            [self.organization, self.organization_title, self.fields, self.resources],
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()


def safe_name(raw: str, fallback: str) -> str:
    """A URL-safe local name for a remote name or title."""
    raw = (raw or "").strip().lower()
    if NAME_RE.match(raw):
        return raw
    slug = slugify(raw)
    if NAME_RE.match(slug):
        return slug
    return "h-" + hashlib.sha256((raw or fallback).encode()).hexdigest()[:12]


def _cut(value: Any, n: int) -> str | None:
    if value in (None, ""):
        return None
    return str(value).strip()[:n] or None


def from_ckan(pkg: dict[str, Any], site: str) -> HarvestItem:
    """A CKAN `package_show` dictionary → HarvestItem."""
    extras = {e.get("key"): e.get("value") for e in pkg.get("extras") or [] if isinstance(e, dict)}
    org = pkg.get("organization") or {}
    org_name = safe_name(org.get("name") or pkg.get("owner_org") or "harvested", "harvested")
    groups = [
        g.get("title") or g.get("name") for g in pkg.get("groups") or [] if isinstance(g, dict)
    ]
    lang = pkg.get("language") or extras.get("language") or "ko"
    if isinstance(lang, list):
        lang = lang[0] if lang else "ko"
    access = pkg.get("datanuri_access") or extras.get("access_level") or "open"
    fields = {
        "title": _cut(pkg.get("title") or pkg.get("name"), 300) or pkg.get("name", ""),
        "description": str(pkg.get("notes") or ""),
        "keywords": [
            str(t.get("name"))
            for t in pkg.get("tags") or []
            if isinstance(t, dict) and t.get("name")
        ],
        "theme": _cut(extras.get("theme") or (groups[0] if groups else None), 100),
        "license": _cut(pkg.get("license_id"), 100),
        "access_level": access if access in ("open", "restricted", "personal") else "open",
        "language": _cut(lang, 20) or "ko",
        "spatial": _cut(extras.get("spatial_text") or extras.get("spatial"), 300),
        "temporal_start": _cut(extras.get("temporal_start"), 40),
        "temporal_end": _cut(extras.get("temporal_end"), 40),
        "contact_name": _cut(pkg.get("maintainer") or pkg.get("author"), 200),
        "contact_email": _cut(pkg.get("maintainer_email") or pkg.get("author_email"), 320),
    }
    resources = [
        {"name": r.get("name"), "url": r.get("url"), "format": r.get("format")}
        for r in pkg.get("resources") or []
        if isinstance(r, dict) and r.get("url")
    ]
    remote = pkg.get("name") or pkg.get("id") or ""
    return HarvestItem(
        name=safe_name(pkg.get("name") or "", str(pkg.get("id"))),
        organization=org_name,
        organization_title=_cut(org.get("title") or org_name, 300) or org_name,
        fields=harvested_fields(fields),
        remote_id=str(pkg.get("id") or remote),
        remote_url=f"{site.rstrip('/')}/dataset/{remote}",
        resources=resources,
    )


def _compact(node: Any) -> Any:
    """Full IRIs in keys and @type → the dcat:/dct:/foaf: prefixes this module reads."""
    if isinstance(node, list):
        return [_compact(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        for iri, pre in IRI_PREFIXES.items():
            if k.startswith(iri):
                k = pre + k[len(iri) :]
        if k == "@type":
            v = [_compact_iri(t) for t in v] if isinstance(v, list) else _compact_iri(v)
        out[k] = _compact(v)
    return out


def _compact_iri(value: str) -> str:
    for iri, pre in IRI_PREFIXES.items():
        if isinstance(value, str) and value.startswith(iri):
            return pre + value[len(iri) :]
    return value


def _first(v: Any) -> Any:
    return v[0] if isinstance(v, list) and v else (None if isinstance(v, list) else v)


def _lit(v: Any) -> str | None:
    v = _first(v)
    if isinstance(v, dict):
        v = v.get("@value") or v.get("@id")
    return None if v is None else str(v)


def _literals(v: Any) -> list[str]:
    items = v if isinstance(v, list) else ([] if v is None else [v])
    return [s for s in (_lit(i) for i in items) if s]


def dcat_datasets(document: Any) -> list[dict[str, Any]]:
    """The dcat:Dataset nodes of a JSON-LD document (a catalogue, a graph or one dataset)."""
    doc = _compact(document)
    if isinstance(doc, dict) and "@graph" in doc:
        doc = doc["@graph"]
    nodes = doc if isinstance(doc, list) else [doc]
    out = []
    for n in nodes:
        if not isinstance(n, dict):
            continue
        raw_type = n.get("@type")
        types = raw_type if isinstance(raw_type, list) else [raw_type]
        if "dcat:Dataset" in types:
            out.append(n)
        out += (
            [d for d in n.get("dcat:dataset", []) if isinstance(d, dict)]
            if isinstance(n.get("dcat:dataset"), list)
            else ([n["dcat:dataset"]] if isinstance(n.get("dcat:dataset"), dict) else [])
        )
    return out


def from_dcat(node: dict[str, Any], source: str) -> HarvestItem:
    """A dcat:Dataset node (compacted with dcat:/dct: prefixes) → HarvestItem."""
    ident = _lit(node.get("dct:identifier")) or node.get("@id") or _lit(node.get("dct:title")) or ""
    publisher = _first(node.get("dct:publisher")) or {}
    pub_name = _lit(publisher.get("foaf:name")) if isinstance(publisher, dict) else None
    pub_id = publisher.get("@id", "") if isinstance(publisher, dict) else ""
    org = safe_name(
        pub_id.rstrip("/").rsplit("/", 1)[-1] if pub_id else (pub_name or "harvested"),
        pub_name or "harvested",
    )
    access_iri = _lit(node.get("dct:accessRights")) or ""
    lang_iri = _lit(node.get("dct:language")) or ""
    theme = _first(node.get("dcat:theme"))
    theme_label = (
        _lit(theme.get("skos:prefLabel"))
        if isinstance(theme, dict) and "skos:prefLabel" in theme
        else _lit(theme)
    )
    spatial = _first(node.get("dct:spatial"))
    spatial_name = (
        _lit(spatial.get("locn:geographicName"))
        if isinstance(spatial, dict) and "locn:geographicName" in spatial
        else None
    )
    period = _first(node.get("dct:temporal")) or {}
    fields = {
        "title": _cut(_lit(node.get("dct:title")) or ident, 300),
        "description": _lit(node.get("dct:description")) or "",
        "keywords": _literals(node.get("dcat:keyword")),
        "theme": _cut(theme_label, 100),
        "license": _cut(_license(node), 100),
        "access_level": ACCESS_FROM_DCAT.get(access_iri.rstrip("/").rsplit("/", 1)[-1], "open"),
        "language": LANG_FROM_DCAT.get(lang_iri.rsplit("/", 1)[-1], "ko"),
        "spatial": _cut(spatial_name, 300),
        "temporal_start": _cut(
            _lit(period.get("dcat:startDate")) if isinstance(period, dict) else None, 40
        ),
        "temporal_end": _cut(
            _lit(period.get("dcat:endDate")) if isinstance(period, dict) else None, 40
        ),
    }
    dists = node.get("dcat:distribution") or []
    resources = []
    for d in dists if isinstance(dists, list) else [dists]:
        if isinstance(d, dict):
            url = _lit(d.get("dcat:downloadURL")) or _lit(d.get("dcat:accessURL"))
            if url:
                resources.append(
                    {
                        "name": _lit(d.get("dct:title")),
                        "url": url,
                        "format": _lit(d.get("dct:format")),
                    }
                )
    landing = _lit(node.get("dcat:landingPage")) or node.get("@id") or source
    return HarvestItem(
        name=safe_name(ident.rstrip("/").rsplit("/", 1)[-1], ident),
        organization=org,
        organization_title=_cut(pub_name or org, 300) or org,
        fields=harvested_fields(fields),
        remote_id=str(node.get("@id") or ident),
        remote_url=str(landing),
        resources=resources,
    )


def harvested_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The catalog fields of a harvested record: what this catalogue accepts (catalog/fields.py),
    with its coverage regions read from the free-text spatial coverage."""
    given = {k: v for k, v in fields.items() if v is not None}
    if given.get("spatial"):
        given["regions"] = regions_from_text(given["spatial"])
    return fit_fields(given)


def _license(node: dict[str, Any]) -> str | None:
    lic = _lit(node.get("dct:license"))
    for d in node.get("dcat:distribution") or []:
        if lic is None and isinstance(d, dict):
            lic = _lit(d.get("dct:license"))
    if lic and lic.startswith("https://spdx.org/licenses/"):
        return lic.rsplit("/", 1)[-1]
    return lic
