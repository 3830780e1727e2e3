"""Read-only views of linkage projects for the console: the projects a person takes part in
(with their roles), a holder's own uploads, the latest match run and the export requests.

Each function checks who asks the way `LinkageZone` does: a project is seen by its members,
its operator's owners and editors and admins (`LinkageZone.get_project`); uploads are listed
only for the organisations the caller uploads for, so no holder sees another's files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, aliased

from datanuri import errors
from datanuri.accounts.models import Organization, User
from datanuri.accounts.principal import Principal
from datanuri.linkage import messages as M
from datanuri.linkage.keys import KEY_PREFIX
from datanuri.linkage.tokenize import CLK_COLUMN
from datanuri.linkage.zone import EDITORS, LinkageZone
from datanuri.linkage.zone_tables import (
    LinkageExport,
    LinkageMember,
    LinkageProject,
    LinkageRun,
    LinkageUpload,
)

OPERATOR = "operator"  # the role of the operator organisation's owners and editors
ZONE_SIDE = frozenset({"analyst", "reviewer", OPERATOR})  # who sees the zone's runs and exports


@dataclass(frozen=True)
class ProjectSummary:
    """A project in a person's list: what it is for, its state and the person's roles in it."""

    name: str
    purpose: str
    operator: str
    status: str
    expires_on: dt.date
    roles: tuple[str, ...]  # key_authority, holder, analyst, reviewer, operator


@dataclass(frozen=True)
class UploadRow:
    """One keyed upload of a holder: its hash and shape (never its rows)."""

    id: int
    organization: str
    digest: str
    rows: int
    columns: tuple[str, ...]
    created_at: dt.datetime


@dataclass(frozen=True)
class RunRow:
    """The latest match run: the method, how many people were linked and the report."""

    id: int
    method: str
    persons: int
    tables: tuple[str, ...]
    report: dict[str, Any]
    created_at: dt.datetime


@dataclass(frozen=True)
class ExportRow:
    """An export request with its automatic checks and the review's outcome."""

    id: int
    status: str
    sql: str
    group_by: tuple[str, ...]
    value: str | None
    checks: dict[str, Any]
    digest: str
    dataset: str | None  # the requested title while pending; the published dataset once approved
    analyst: str
    reviewer: str | None
    reason: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


def operator_orgs(principal: Principal) -> tuple[str, ...]:
    """The organisations whose projects `principal` runs as an owner or editor."""
    return tuple(sorted(o for o, r in principal.org_roles.items() if r in EDITORS))


def projects_for(zone: LinkageZone, principal: Principal) -> list[ProjectSummary]:
    """The projects `principal` takes part in (every project for an admin), newest first."""
    if principal.user_id is None:
        return []
    operated = operator_orgs(principal)
    with zone.db.session() as s:
        query = select(LinkageProject, Organization.name).join(
            Organization, Organization.id == LinkageProject.operator_id
        )
        if not principal.is_admin:
            member = select(LinkageMember.project_id).where(
                LinkageMember.user_id == principal.user_id
            )
            query = query.where(or_(LinkageProject.id.in_(member), Organization.name.in_(operated)))
        found = s.execute(query.order_by(LinkageProject.id.desc())).all()
        roles = _roles(s, [p.id for p, _ in found], principal.user_id)
        return [
            ProjectSummary(
                p.name,
                p.purpose,
                op,
                p.status,
                p.expires_on,
                tuple(sorted(roles.get(p.id, set()) | ({OPERATOR} if op in operated else set()))),
            )
            for p, op in found
        ]


def _roles(s: Session, project_ids: list[int], user_id: int) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    rows = s.execute(
        select(LinkageMember.project_id, LinkageMember.role).where(
            LinkageMember.user_id == user_id, LinkageMember.project_id.in_(project_ids)
        )
    )
    for pid, role in rows:
        out.setdefault(pid, set()).add(role)
    return out


def _project_id(s: Session, name: str) -> int:
    pid = s.scalar(select(LinkageProject.id).where(LinkageProject.name == name))
    assert pid is not None  # the caller read the project through `LinkageZone.get_project`
    return pid


def _held(pid: int, principal: Principal) -> Select[int | None]:
    """The ids of the organisations `principal` uploads for in project `pid`."""
    return select(LinkageMember.organization_id).where(
        LinkageMember.project_id == pid,
        LinkageMember.user_id == principal.user_id,
        LinkageMember.role == "holder",
    )


def holder_orgs(zone: LinkageZone, name: str, principal: Principal) -> tuple[str, ...]:
    """The organisations `principal` uploads for in the project."""
    zone.get_project(name, principal=principal)  # who may see the project at all
    with zone.db.session() as s:
        held = _held(_project_id(s, name), principal)
        found = s.scalars(select(Organization.name).where(Organization.id.in_(held)))
        return tuple(sorted(found))


def own_uploads(zone: LinkageZone, name: str, principal: Principal) -> list[UploadRow]:
    """The uploads of the organisations `principal` uploads for in the project, newest first."""
    zone.get_project(name, principal=principal)
    with zone.db.session() as s:
        pid = _project_id(s, name)
        rows = s.execute(
            select(LinkageUpload, Organization.name)
            .join(Organization, Organization.id == LinkageUpload.organization_id)
            .where(
                LinkageUpload.project_id == pid,
                LinkageUpload.organization_id.in_(_held(pid, principal)),
            )
            .order_by(LinkageUpload.id.desc())
        ).all()
        return [
            UploadRow(u.id, org, u.digest, u.rows, tuple(u.columns), u.created_at)
            for u, org in rows
        ]


def roles_in(zone: LinkageZone, name: str, principal: Principal) -> tuple[str, ...]:
    """`principal`'s roles in the project (with `operator` for the operator's editors)."""
    info = zone.get_project(name, principal=principal)  # who may see the project at all
    roles = {r for r, e in info.members if e == principal.email}
    if info.operator in operator_orgs(principal):
        roles.add(OPERATOR)
    return tuple(sorted(roles))


def _zone_side(zone: LinkageZone, name: str, principal: Principal) -> None:
    """Refuse the key authority and the holders: the zone's runs and exports are not theirs."""
    if principal.is_admin or ZONE_SIDE & set(roles_in(zone, name, principal)):
        return
    raise errors.PermissionDenied(M.MSG_ZONE_SIDE_ONLY.format(name=name))


def shared_keys(zone: LinkageZone, name: str, principal: Principal) -> tuple[str, ...]:
    """The key columns (``lk_*`` and ``clk``) every holder's latest upload has: what a match
    can use. Column names only, for the zone side."""
    _zone_side(zone, name, principal)
    with zone.db.session() as s:
        rows = s.execute(
            select(LinkageUpload.organization_id, LinkageUpload.columns)
            .where(LinkageUpload.project_id == _project_id(s, name))
            .order_by(LinkageUpload.id)
        ).all()
    latest = {org: set(cols) for org, cols in rows}  # the last upload of each holder wins
    if not latest:
        return ()
    common = set.intersection(*latest.values())
    return tuple(sorted(c for c in common if c.startswith(KEY_PREFIX) or c == CLK_COLUMN))


def latest_run(zone: LinkageZone, name: str, principal: Principal) -> RunRow | None:
    """The project's latest match run and its report, or None before the first."""
    _zone_side(zone, name, principal)
    with zone.db.session() as s:
        run = s.scalar(
            select(LinkageRun)
            .where(LinkageRun.project_id == _project_id(s, name))
            .order_by(LinkageRun.id.desc())
        )
        if run is None:
            return None
        return RunRow(
            run.id, run.method, run.rows, tuple(sorted(run.tables)), run.report, run.created_at
        )


def exports(zone: LinkageZone, name: str, principal: Principal) -> list[ExportRow]:
    """The project's export requests, newest first, with who asked and who decided."""
    _zone_side(zone, name, principal)
    analyst, reviewer = aliased(User), aliased(User)
    with zone.db.session() as s:
        rows = s.execute(
            select(LinkageExport, analyst.email, reviewer.email)
            .join(analyst, analyst.id == LinkageExport.analyst_id)
            .outerjoin(reviewer, reviewer.id == LinkageExport.reviewer_id)
            .where(LinkageExport.project_id == _project_id(s, name))
            .order_by(LinkageExport.id.desc())
        ).all()
        return [
            ExportRow(
                e.id,
                e.status,
                e.sql,
                tuple(e.group_by),
                e.value,
                e.checks,
                e.digest,
                e.dataset,
                a,
                r,
                e.reason,
                e.created_at,
                e.decided_at,
            )
            for e, a, r in rows
        ]
