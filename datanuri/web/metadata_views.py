"""What the dataset pages show of the richer metadata: the console's editing forms (coverage
pickers, vocabularies, column notes, the feedback inbox) and the public page's coverage,
counts, column notes and feedback form. Builders of template context only; the forms post to
`web/routes_metadata_edit.py`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from datanuri.accounts.principal import Principal
from datanuri.catalog import vocab
from datanuri.catalog.attachments import KINDS as DOC_KINDS
from datanuri.catalog.columns import note_of
from datanuri.catalog.feedback import KINDS, STATUSES
from datanuri.catalog.records import DatasetInfo
from datanuri.platform import Platform
from datanuri.regions import sido_list
from datanuri.web.auth import SESSION_COOKIE, client_address, session_principal
from datanuri.web.pages import language

META_FIELDS = (
    "theme",
    "license",
    "keywords",
    "temporal_start",
    "temporal_end",
    "update_frequency",
    "provision_type",
    "contact_name",
    "contact_email",
    "contact_phone",
    "citation",
    "doi",
)


@dataclass(frozen=True)
class SidoChoice:
    code: str
    name: str
    sigungu: tuple[tuple[str, str], ...]  # (region id, 시군구 name)


def region_tree(lang: str) -> list[SidoChoice]:
    """The 시도 → 시군구 choices of the coverage picker, names in `lang`."""
    return [
        SidoChoice(
            s.code,
            s.name if lang == "ko" else s.name_en,
            tuple((f"{s.code}:{g}", g) for g in s.sigungu),
        )
        for s in sido_list()
    ]


def chosen_in(sido: str, regions: list[str]) -> int:
    """How many of `regions` are the 시도 `sido` or one of its 시군구."""
    return sum(1 for r in regions if r == sido or r.startswith(f"{sido}:"))


def meta_values(ds: DatasetInfo) -> dict[str, Any]:
    """The metadata form's values from the stored dataset."""
    vals = {k: getattr(ds, k) or "" for k in META_FIELDS if k != "keywords"}
    vals["keywords"] = ", ".join(ds.keywords)
    vals["regions"] = list(ds.regions)
    return vals


def schema_columns(platform: Platform, ds: DatasetInfo, me: Principal) -> list[str]:
    """Column names of the latest version (what column notes can describe)."""
    if ds.latest_version is None:
        return []
    schema = platform.catalog.version_detail(ds.name, ds.latest_version, principal=me)["schema"]
    return [str(f.get("name")) for f in (schema or {}).get("fields", [])]


def console_context(
    request: Request, platform: Platform, me: Principal, ds: DatasetInfo
) -> dict[str, Any]:
    """The console dataset page's metadata, column-notes and feedback sections."""
    lang = language(request)
    cols = schema_columns(platform, ds, me)
    return {
        "meta2": meta_values(ds),
        "meta2_error": None,
        "region_tree": region_tree(lang),
        "nationwide_id": vocab.NATIONWIDE_ID,
        "chosen_in": chosen_in,
        "themes": list(vocab.THEMES),
        "licenses": list(vocab.LICENSES),
        "frequencies": list(vocab.FREQUENCIES),
        "provisions": list(vocab.PROVISION_TYPES),
        "note_columns": [(c, note_of(ds.column_notes, c)) for c in cols],
        "note_error": None,
        "inbox": [f for f in platform.feedback.for_editor(principal=me) if f.dataset == ds.name],
        "feedback_kinds": KINDS,
        "feedback_statuses": STATUSES,
        "documents": platform.attachments.list(ds.name, principal=me),
        "doc_error": None,
        "doc_accept": ",".join(f".{k}" for k in DOC_KINDS),
    }


def visitor_key(request: Request) -> str:
    """Whose view it is, for counting a visitor's views once a minute: the session, else the
    client address (never stored; kept in memory only)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return f"s:{cookie[:32]}" if cookie else f"c:{client_address(request)}"


def public_context(
    request: Request, platform: Platform, me: Principal, ds: DatasetInfo
) -> dict[str, Any]:
    """The public dataset page's coverage, 갱신주기 and other labels, counts (this view counted),
    column notes and the caller's own feedback."""
    lang = language(request)
    platform.counts.record_view(ds.name, visitor=visitor_key(request), principal=me)
    return {
        "region_labels": [vocab.region_label(r, lang) for r in ds.regions],
        "counts": platform.counts.get(ds.name, principal=me),
        "notes": {c: note_of(ds.column_notes, c) for c in ds.column_notes},
        "my_feedback": platform.feedback.mine(ds.name, principal=me),
        "feedback_kinds": KINDS,
        "feedback_statuses": STATUSES,
        "doi_url": f"https://doi.org/{ds.doi}" if ds.doi else None,
        "documents": platform.attachments.list(ds.name, principal=me),
        "feedback_csrf": found[1] if (found := session_principal(request)) else None,
        "feedback_sent": request.query_params.get("sent") == "1",
    }
