"""The dataset page's de-identified release links: a personal dataset lists its releases, a
release names its source (when the viewer may know it) and links its adequacy report."""

from __future__ import annotations

from dataclasses import dataclass

from datanuri.accounts.principal import Principal
from datanuri.platform import Platform
from datanuri.privacy.release_links import ReleaseLink, model_label


@dataclass(frozen=True)
class ReleaseRow:
    """One link as the page shows it."""

    release_id: int
    dataset: str  # "" when the source is not known to the viewer
    title: str
    version: int
    created_at: str
    model: str
    params: str
    report_url: str | None  # None when the viewer may not read the report


@dataclass(frozen=True)
class ReleasePanel:
    releases: tuple[ReleaseRow, ...]  # of this (personal) dataset
    origins: tuple[ReleaseRow, ...]  # that made this dataset


def _row(link: ReleaseLink, lang: str) -> ReleaseRow:
    model, params = model_label(link.terms, lang)
    report = f"/api/v1/privacy/releases/{link.release_id}/report.html?lang={lang}"
    return ReleaseRow(
        release_id=link.release_id,
        dataset=link.dataset,
        title=link.title,
        version=link.version,
        created_at=link.created_at,
        model=model,
        params=params,
        report_url=report if link.report_public else None,
    )


def release_panel(platform: Platform, name: str, principal: Principal, lang: str) -> ReleasePanel:
    """The links of dataset `name` for `principal` (the page has already checked it may see it)."""
    privacy = platform.privacy
    return ReleasePanel(
        releases=tuple(_row(x, lang) for x in privacy.releases_from(name, principal=principal)),
        origins=tuple(_row(x, lang) for x in privacy.releases_into(name, principal=principal)),
    )
