"""`FirmDesk`: analysis firms and the processing projects they are matched with.

An organisation becomes an analysis firm by giving it a firm profile (skills, sectors,
certifications, past projects; its owners edit it). A user who needs processing (cleaning,
de-identification, linkage, analysis) posts a project, optionally for an organisation they edit
and optionally serving a desk request; the desk ranks the firms by fit with reasons
(`firm_rank`); firms' editors send offers; the poster accepts one (the others close); the firm
delivers a dataset version published through the catalog's normal path, which the poster must be
able to see; the poster completes the project with a rating.

    open -> awarded -> delivered -> completed        open | awarded -> cancelled

Every change is recorded in the ledger (free texts as hashes) and notifies the other side, in
the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datanuri import canonical, errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.models import Membership, Organization, User
from datanuri.accounts.notifications import Notice, Notifier
from datanuri.accounts.policy import EDITORS
from datanuri.accounts.principal import Principal
from datanuri.accounts.service import AccountService
from datanuri.catalog.models import Version
from datanuri.desk import firm_messages as M
from datanuri.desk import firm_rules as rules
from datanuri.desk.firm_events import (
    FirmProfileSaved,
    OfferSent,
    OfferWithdrawn,
    ProjectAwarded,
    ProjectCancelled,
    ProjectCompleted,
    ProjectDelivered,
    ProjectPosted,
)
from datanuri.desk.firm_rank import FirmFacts, Fit, Needs, rank
from datanuri.desk.firm_tables import FirmOffer, FirmProfile, FirmProject
from datanuri.events import EventSink
from datanuri.store.db import Database, lock_name, utcnow


# ----- what callers send ------------------------------------------------------------------------
@dataclass(frozen=True)
class PastProject:
    title: str
    year: int
    skills: tuple[str, ...] = ()
    sector: str | None = None


@dataclass(frozen=True)
class ProfileDraft:
    summary: str = ""
    skills: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    past_projects: tuple[PastProject, ...] = ()


@dataclass(frozen=True)
class ProjectDraft:
    title: str
    description: str
    skills: tuple[str, ...]
    budget_min: int
    budget_max: int
    due_on: dt.date
    sector: str | None = None
    sensitivity: str = "open"
    certifications: tuple[str, ...] = ()  # required beyond those the rules imply
    organization: str | None = None  # post for this organisation (its editors and owners)
    desk_request_id: int | None = None


@dataclass(frozen=True)
class OfferDraft:
    price: int
    days: int
    note: str = ""


# ----- what callers get ------------------------------------------------------------------------
@dataclass(frozen=True)
class FirmProfileInfo:
    name: str
    title: str
    summary: str
    skills: tuple[str, ...]
    sectors: tuple[str, ...]
    certifications: tuple[str, ...]
    past_projects: tuple[PastProject, ...]
    completed: int  # projects completed on the platform
    rating: float | None
    ratings: int
    updated_at: dt.datetime


@dataclass(frozen=True)
class OfferInfo:
    id: int
    project_id: int
    project_title: str
    firm: str
    firm_title: str
    price: int
    days: int
    note: str
    status: str  # rules.OFFER_STATUSES
    sent_by: str  # display name
    created_at: dt.datetime
    decided_at: dt.datetime | None


@dataclass(frozen=True)
class ProjectInfo:
    """A project as `principal` may see it: offers are the poster's to see (a firm sees its
    own), the delivery the poster's and the firm's."""

    id: int
    title: str
    description: str
    poster: str  # display name
    mine: bool
    organization: str | None
    desk_request_id: int | None
    skills: tuple[str, ...]
    sector: str | None
    sensitivity: str
    certifications: tuple[str, ...]  # required, the implied ones included
    budget_min: int
    budget_max: int
    due_on: dt.date
    status: str
    firm: str | None
    firm_title: str | None
    price: int | None  # of the accepted offer
    dataset: str | None
    version: int | None
    delivery_note: str | None
    rating: int | None
    closing_note: str | None
    created_at: dt.datetime
    awarded_at: dt.datetime | None
    delivered_at: dt.datetime | None
    closed_at: dt.datetime | None
    offers: tuple[OfferInfo, ...] = ()
    offerable_firms: tuple[str, ...] = ()  # the caller's firms that may offer now


@dataclass(frozen=True)
class Record:
    """A firm's completed projects on the platform."""

    completed: int
    rating: float | None  # their mean rating, 2 places
    ratings: int


@dataclass(frozen=True)
class Ranking:
    project_id: int
    fits: tuple[Fit, ...] = field(default_factory=tuple)


class FirmDesk:
    """The firm desk's service; every method checks `principal`'s rights."""

    def __init__(
        self,
        db: Database,
        events: EventSink,
        access: AccessControl,
        accounts: AccountService,
        notifier: Notifier,
    ) -> None:
        self.db = db
        self.events = events
        self.access = access
        self.accounts = accounts
        self.notifier = notifier

    # ----- firm profiles -----------------------------------------------------------------------
    def save_profile(
        self, organization: str, draft: ProfileDraft, *, principal: Principal
    ) -> FirmProfileInfo:
        """Create or replace `organization`'s firm profile (its owners and admins)."""
        summary = rules.text(draft.summary, limit=rules.TEXT_MAX, what="summary")
        skills = rules.codes(draft.skills, rules.SKILLS, "skills")
        sectors = rules.codes(draft.sectors, rules.SECTORS, "sectors")
        certs = rules.codes(draft.certifications, rules.CERTIFICATIONS, "certifications")
        if len(draft.past_projects) > rules.MAX_ITEMS:
            raise errors.InvalidInput(
                M.MSG_TOO_LONG.format(what="past_projects", limit=rules.MAX_ITEMS)
            )
        past = [
            {
                "title": rules.text(
                    p.title, limit=rules.TITLE_MAX, required=True, what="past project title"
                ),
                "year": _year(p.year),
                "skills": list(rules.codes(p.skills, rules.SKILLS, "skills")),
                "sector": rules.one_code(p.sector, rules.SECTORS, "sector") if p.sector else None,
            }
            for p in draft.past_projects
        ]
        with self.db.write_session() as s:
            org = self._org(s, organization)
            if not (principal.is_admin or principal.role_in(org.name) == "owner"):
                raise _denied(principal, M.MSG_PROFILE_OWNERS)
            row = s.scalar(select(FirmProfile).where(FirmProfile.organization_id == org.id))
            if row is None:
                row = FirmProfile(organization_id=org.id)
                s.add(row)
            row.summary, row.skills, row.sectors = summary, list(skills), list(sectors)
            row.certifications, row.past_projects = list(certs), past
            row.updated_at = utcnow()
            s.flush()
            whole = json.dumps(
                [summary, skills, sectors, certs, past], ensure_ascii=False, sort_keys=True
            )
            self.events.record(
                s,
                FirmProfileSaved(
                    actor=principal.ref,
                    time=utcnow(),
                    organization=org.name,
                    skills=skills,
                    sectors=sectors,
                    certifications=certs,
                    profile_sha256=canonical.sha256_text(whole),
                ),
            )
            return self._profile_info(row, org, self._records(s, org.id).get(org.id))

    def profile(self, organization: str) -> FirmProfileInfo:
        """A firm's public profile."""
        with self.db.session() as s:
            org = self._org(s, organization)
            row = s.scalar(select(FirmProfile).where(FirmProfile.organization_id == org.id))
            if row is None:
                raise errors.NotFound(M.MSG_NO_FIRM.format(name=organization))
            return self._profile_info(row, org, self._records(s, org.id).get(org.id))

    def firms(
        self, *, skill: str | None = None, sector: str | None = None
    ) -> list[FirmProfileInfo]:
        """The public directory of firms, by name, optionally those with a skill or sector."""
        with self.db.session() as s:
            rows = s.execute(
                select(FirmProfile, Organization)
                .join(Organization, Organization.id == FirmProfile.organization_id)
                .order_by(Organization.name)
            ).all()
            records = self._records(s)
            return [
                self._profile_info(p, o, records.get(o.id))
                for p, o in rows
                if (skill is None or skill in p.skills) and (sector is None or sector in p.sectors)
            ]

    # ----- projects ------------------------------------------------------------------------------
    def post(self, draft: ProjectDraft, *, principal: Principal) -> ProjectInfo:
        """Post a processing project; it is open for offers at once."""
        uid = _user(principal)
        title = rules.text(draft.title, limit=rules.TITLE_MAX, required=True, what="title")
        desc = rules.text(
            draft.description, limit=rules.TEXT_MAX, required=True, what="description"
        )
        skills = rules.codes(draft.skills, rules.SKILLS, "skills")
        if not skills:
            raise errors.InvalidInput(M.MSG_REQUIRED.format(what="skills"))
        sector = rules.one_code(draft.sector, rules.SECTORS, "sector") if draft.sector else None
        sensitivity = rules.one_code(draft.sensitivity, rules.SENSITIVITIES, "sensitivity")
        chosen = rules.codes(draft.certifications, rules.CERTIFICATIONS, "certifications")
        certs = rules.required_certifications(skills, sensitivity, chosen)
        low, high = rules.budget(draft.budget_min, draft.budget_max)
        due = rules.due_date(draft.due_on, utcnow())
        with self.db.write_session() as s:
            org_id = None
            if draft.organization:
                org = self._org(s, draft.organization)
                if not (principal.is_admin or principal.role_in(org.name) in EDITORS):
                    raise errors.PermissionDenied(M.MSG_POST_FOR_ORG)
                org_id = org.id
            row = FirmProject(
                title=title,
                description=desc,
                poster_id=uid,
                organization_id=org_id,
                desk_request_id=draft.desk_request_id,
                skills=list(skills),
                sector=sector,
                sensitivity=sensitivity,
                certifications=list(certs),
                budget_min=low,
                budget_max=high,
                due_on=due,
                status="open",
            )
            s.add(row)
            s.flush()
            self.events.record(
                s,
                ProjectPosted(
                    actor=principal.ref,
                    time=utcnow(),
                    project_id=row.id,
                    organization=draft.organization or None,
                    desk_request_id=draft.desk_request_id,
                    skills=skills,
                    sensitivity=sensitivity,
                    certifications=certs,
                    budget_min=low,
                    budget_max=high,
                    text_sha256=canonical.sha256_text(f"{title}\n{desc}"),
                ),
            )
            return self._project_info(s, row, principal)

    def project(self, project_id: int, *, principal: Principal) -> ProjectInfo:
        """A project (public: firms must find it), with what the caller may see of it."""
        with self.db.session() as s:
            return self._project_info(s, self._project(s, project_id), principal)

    def projects(
        self,
        *,
        principal: Principal,
        status: str | None = None,
        mine: bool = False,
        limit: int = 50,
    ) -> list[ProjectInfo]:
        """Projects, newest first: all (the public board) or the caller's own (`mine`)."""
        if status is not None:
            rules.one_code(status, rules.STATUSES, "status")
        with self.db.session() as s:
            q = select(FirmProject).order_by(FirmProject.id.desc()).limit(max(1, min(limit, 500)))
            if status is not None:
                q = q.where(FirmProject.status == status)
            if mine:
                q = q.where(FirmProject.poster_id == _user(principal))
            return self._project_infos(s, list(s.scalars(q)), principal)

    def rank(self, project_id: int, *, principal: Principal) -> Ranking:
        """The firms ranked by their fit for the project, with reasons (excluded ones last)."""
        with self.db.session() as s:
            row = self._project(s, project_id)
            needs = Needs(tuple(row.skills), row.sector, tuple(row.certifications))
            own = self._org_name(s, row.organization_id) if row.organization_id else None
            facts = [f for f in self._facts(s) if f.name != own]  # not the poster's own firm
            return Ranking(row.id, tuple(rank(facts, needs)))

    # ----- offers --------------------------------------------------------------------------------
    def offer(
        self, project_id: int, firm: str, draft: OfferDraft, *, principal: Principal
    ) -> OfferInfo:
        """Send `firm`'s offer on an open project (the firm's editors and owners)."""
        uid = _user(principal)
        price = rules.money(draft.price, "price")
        days = rules.days(draft.days)
        note = rules.text(draft.note, limit=rules.NOTE_MAX, what="note")
        with self.db.write_session() as s:
            org = self._org(s, firm)
            if principal.role_in(org.name) not in EDITORS:
                raise _denied(principal, M.MSG_FIRM_EDITORS)
            profile = s.scalar(select(FirmProfile).where(FirmProfile.organization_id == org.id))
            if profile is None:
                raise errors.NotFound(M.MSG_NO_FIRM.format(name=firm))
            row = self._project(s, project_id, lock=True)
            if row.status != "open":
                raise errors.Conflict(M.MSG_NOT_OPEN.format(status=row.status))
            if row.organization_id == org.id:
                raise errors.Conflict(M.MSG_OWN_PROJECT)
            lacking = [c for c in row.certifications if c not in profile.certifications]
            if lacking:
                raise errors.Conflict(M.MSG_MISSING_CERTS.format(codes=", ".join(lacking)))
            lock_name(s, f"firm-offer:{row.id}:{org.id}")
            earlier = list(
                s.scalars(
                    select(FirmOffer).where(
                        FirmOffer.project_id == row.id, FirmOffer.organization_id == org.id
                    )
                )
            )
            if any(o.status == "sent" for o in earlier):
                raise errors.Conflict(M.MSG_OFFER_TWICE)
            offer = FirmOffer(
                project_id=row.id,
                organization_id=org.id,
                round=len(earlier) + 1,
                price=price,
                days=days,
                note=note,
                status="sent",
                sent_by=uid,
            )
            s.add(offer)
            s.flush()
            self.events.record(
                s,
                OfferSent(
                    actor=principal.ref,
                    time=utcnow(),
                    project_id=row.id,
                    offer_id=offer.id,
                    firm=org.name,
                    price=price,
                    days=days,
                    note_sha256=canonical.sha256_text(note) if note else None,
                ),
            )
            self._notify(s, [row.poster_id], "desk.offer", M.NOTE_OFFER, row, org)
            return self._offer_info(s, offer)

    def withdraw_offer(
        self, offer_id: int, *, project_id: int | None = None, principal: Principal
    ) -> OfferInfo:
        """Withdraw a waiting offer (the firm's editors and owners)."""
        with self.db.write_session() as s:
            offer, row, org = self._offer(s, offer_id, principal, project_id)
            if principal.role_in(org.name) not in EDITORS:
                raise _denied(principal, M.MSG_FIRM_EDITORS)
            if offer.status != "sent":
                raise errors.Conflict(M.MSG_OFFER_DECIDED)
            offer.status, offer.decided_at = "withdrawn", utcnow()
            self.events.record(
                s,
                OfferWithdrawn(
                    actor=principal.ref,
                    time=utcnow(),
                    project_id=row.id,
                    offer_id=offer.id,
                    firm=org.name,
                ),
            )
            return self._offer_info(s, offer)

    def accept(
        self, offer_id: int, *, project_id: int | None = None, principal: Principal
    ) -> ProjectInfo:
        """The poster accepts one offer: the project is awarded, the other offers close."""
        with self.db.write_session() as s:
            offer, row, org = self._offer(s, offer_id, principal, project_id)
            self._poster_only(row, principal)
            if row.status != "open":
                raise errors.Conflict(M.MSG_NOT_OPEN.format(status=row.status))
            if offer.status != "sent":
                raise errors.Conflict(M.MSG_OFFER_DECIDED)
            now = utcnow()
            offer.status, offer.decided_at = "accepted", now
            closed = self._close_offers(s, row, now)
            row.status, row.firm_id, row.offer_id, row.awarded_at = "awarded", org.id, offer.id, now
            self.events.record(
                s,
                ProjectAwarded(
                    actor=principal.ref,
                    time=now,
                    project_id=row.id,
                    offer_id=offer.id,
                    firm=org.name,
                    price=offer.price,
                    closed_offers=tuple(o.id for o in closed),
                ),
            )
            self._notify(s, self._editors(s, org.id), "desk.awarded", M.NOTE_ACCEPTED, row, org)
            for o in closed:
                other = s.get(Organization, o.organization_id)
                assert other is not None
                self._notify(
                    s, self._editors(s, other.id), "desk.closed", M.NOTE_CLOSED, row, other
                )
            return self._project_info(s, row, principal)

    # ----- delivery and closing ----------------------------------------------------------------
    def deliver(
        self,
        project_id: int,
        dataset: str,
        version: int | None = None,
        *,
        note: str = "",
        principal: Principal,
    ) -> ProjectInfo:
        """The awarded firm delivers a published dataset version (the latest current one if
        `version` is None) that the poster can see."""
        text = rules.text(note, limit=rules.NOTE_MAX, what="note")
        with self.db.write_session() as s:
            row = self._project(s, project_id, lock=True)
            if (
                row.firm_id is None
                or principal.role_in(self._org_name(s, row.firm_id)) not in EDITORS
            ):
                raise _denied(principal, M.MSG_ONLY_FIRM)
            self._state(row, "awarded")
            ds = self.access.dataset(s, dataset)
            self.access.require(s, principal, "read_metadata", dataset=ds)
            poster = s.get(User, row.poster_id)
            assert poster is not None
            if not self.access.can(
                s, self.accounts.principal(s, poster), "read_metadata", dataset=ds
            ):
                raise errors.Conflict(M.MSG_NOT_VISIBLE.format(dataset=dataset))
            v = self._version(s, ds.id, dataset, version)
            now = utcnow()
            row.status, row.dataset, row.version = "delivered", ds.name, v.number
            row.delivery_note, row.delivered_at = text or None, now
            firm = s.get(Organization, row.firm_id)
            assert firm is not None
            self.events.record(
                s,
                ProjectDelivered(
                    actor=principal.ref,
                    time=now,
                    project_id=row.id,
                    firm=firm.name,
                    dataset=ds.name,
                    version=v.number,
                    content_sha256=v.content_hash,
                    note_sha256=canonical.sha256_text(text) if text else None,
                ),
            )
            self._notify(s, [row.poster_id], "desk.delivered", M.NOTE_DELIVERED, row, firm)
            return self._project_info(s, row, principal)

    def complete(
        self, project_id: int, rating: int, *, note: str = "", principal: Principal
    ) -> ProjectInfo:
        """The poster accepts the delivery and rates the firm's work (1-5)."""
        stars = rules.rating(rating)
        text = rules.text(note, limit=rules.NOTE_MAX, what="note")
        with self.db.write_session() as s:
            row = self._project(s, project_id, lock=True)
            self._poster_only(row, principal)
            self._state(row, "delivered")
            assert row.firm_id is not None
            firm = s.get(Organization, row.firm_id)
            assert firm is not None
            now = utcnow()
            row.status, row.rating, row.closing_note, row.closed_at = (
                "completed",
                stars,
                text or None,
                now,
            )
            self.events.record(
                s,
                ProjectCompleted(
                    actor=principal.ref,
                    time=now,
                    project_id=row.id,
                    firm=firm.name,
                    rating=stars,
                    note_sha256=canonical.sha256_text(text) if text else None,
                ),
            )
            self._notify(
                s,
                self._editors(s, firm.id),
                "desk.completed",
                M.NOTE_COMPLETED,
                row,
                firm,
                rating=stars,
            )
            return self._project_info(s, row, principal)

    def cancel(self, project_id: int, *, reason: str = "", principal: Principal) -> ProjectInfo:
        """The poster (or an admin) cancels an open or awarded project."""
        text = rules.text(reason, limit=rules.NOTE_MAX, what="reason")
        with self.db.write_session() as s:
            row = self._project(s, project_id, lock=True)
            if not principal.is_admin:
                self._poster_only(row, principal)
            self._state(row, "open", "awarded")
            previous, now = row.status, utcnow()
            closed = self._close_offers(s, row, now)
            row.status, row.closing_note, row.closed_at = "cancelled", text or None, now
            self.events.record(
                s,
                ProjectCancelled(
                    actor=principal.ref,
                    time=now,
                    project_id=row.id,
                    previous=previous,
                    reason_sha256=canonical.sha256_text(text) if text else None,
                ),
            )
            told = {o.organization_id for o in closed}
            if row.firm_id is not None:
                told.add(row.firm_id)
            users = sorted({u for org_id in told for u in self._editors(s, org_id)})
            self._notify(s, users, "desk.cancelled", M.NOTE_CANCELLED, row, None)
            return self._project_info(s, row, principal)

    # ----- the console -------------------------------------------------------------------------
    def my_offers(self, *, principal: Principal) -> list[OfferInfo]:
        """The offers of the firms the caller edits or owns, newest first."""
        _user(principal)
        orgs = _edited(principal)
        if not orgs:
            return []
        with self.db.session() as s:
            q = (
                select(FirmOffer)
                .join(Organization, Organization.id == FirmOffer.organization_id)
                .where(Organization.name.in_(orgs))
                .order_by(FirmOffer.id.desc())
            )
            return [self._offer_info(s, o) for o in s.scalars(q)]

    def my_firms(self, *, principal: Principal) -> list[str]:
        """The firms (organisations with a profile) the caller may send offers for."""
        with self.db.session() as s:
            return self._my_firms(s, principal)

    @staticmethod
    def _my_firms(s: Session, principal: Principal) -> list[str]:
        orgs = _edited(principal)
        if not orgs:
            return []
        q = (
            select(Organization.name)
            .join(FirmProfile, FirmProfile.organization_id == Organization.id)
            .where(Organization.name.in_(orgs))
            .order_by(Organization.name)
        )
        return list(s.scalars(q))

    # ----- helpers -------------------------------------------------------------------------------
    @staticmethod
    def _org(s: Session, name: str) -> Organization:
        org = s.scalar(select(Organization).where(Organization.name == name))
        if org is None:
            raise errors.NotFound(M.MSG_NO_ORG.format(name=name))
        return org

    @staticmethod
    def _org_name(s: Session, org_id: int) -> str:
        org = s.get(Organization, org_id)
        return org.name if org else ""

    @staticmethod
    def _project(s: Session, project_id: int, *, lock: bool = False) -> FirmProject:
        q = select(FirmProject).where(FirmProject.id == project_id)
        row = s.scalar(q.with_for_update() if lock else q)
        if row is None:
            raise errors.NotFound(M.MSG_NO_PROJECT)
        return row

    def _offer(
        self, s: Session, offer_id: int, principal: Principal, project_id: int | None = None
    ) -> tuple[FirmOffer, FirmProject, Organization]:
        """An offer (of `project_id`, when given), its project (locked) and its firm; "not
        found" unless the caller is the project's poster, an editor of the firm, or an admin
        (offers are not public)."""
        _user(principal)
        offer = s.get(FirmOffer, offer_id)
        if offer is None or (project_id is not None and offer.project_id != project_id):
            raise errors.NotFound(M.MSG_NO_OFFER)
        row = self._project(s, offer.project_id, lock=True)
        org = s.get(Organization, offer.organization_id)
        assert org is not None
        if not (
            row.poster_id == principal.user_id
            or principal.role_in(org.name) in EDITORS
            or principal.is_admin
        ):
            raise errors.NotFound(M.MSG_NO_OFFER)
        return offer, row, org

    @staticmethod
    def _poster_only(row: FirmProject, principal: Principal) -> None:
        if principal.user_id is None or row.poster_id != principal.user_id:
            raise _denied(principal, M.MSG_ONLY_POSTER)

    @staticmethod
    def _state(row: FirmProject, *needed: str) -> None:
        if row.status not in needed:
            raise errors.Conflict(
                M.MSG_WRONG_STATE.format(status=row.status, needed=" or ".join(needed))
            )

    @staticmethod
    def _close_offers(s: Session, row: FirmProject, now: dt.datetime) -> list[FirmOffer]:
        waiting = list(
            s.scalars(
                select(FirmOffer)
                .where(FirmOffer.project_id == row.id, FirmOffer.status == "sent")
                .order_by(FirmOffer.id)
            )
        )
        for o in waiting:
            o.status, o.decided_at = "closed", now
        return waiting

    @staticmethod
    def _version(s: Session, dataset_id: int, name: str, number: int | None) -> Version:
        q = select(Version).where(Version.dataset_id == dataset_id).order_by(Version.number)
        versions = list(s.scalars(q))
        if number is None:
            current = [v for v in versions if v.withdrawal is None]
            if not current:
                raise errors.NotFound(M.MSG_NO_VERSION.format(dataset=name, version="(current)"))
            return current[-1]
        for v in versions:
            if v.number == number:
                if v.withdrawal is not None:
                    raise errors.Conflict(
                        M.MSG_VERSION_WITHDRAWN.format(dataset=name, version=number)
                    )
                return v
        raise errors.NotFound(M.MSG_NO_VERSION.format(dataset=name, version=number))

    @staticmethod
    def _editors(s: Session, org_id: int) -> list[int]:
        q = (
            select(Membership.user_id)
            .where(Membership.organization_id == org_id, Membership.role.in_(EDITORS))
            .order_by(Membership.user_id)
        )
        return list(s.scalars(q))

    def _notify(
        self,
        s: Session,
        users: list[int],
        kind: str,
        pair: rules.Pair,
        row: FirmProject,
        firm: Organization | None,
        **extra: object,
    ) -> None:
        fmt = {"title": row.title, "firm": firm.title if firm else "", **extra}
        text = (pair[0].format(**fmt), pair[1].format(**fmt))
        for uid in users:
            self.notifier.notify(s, Notice(uid, kind, text, f"/projects/{row.id}"))

    def _facts(self, s: Session) -> list[FirmFacts]:
        """What ranking needs of every firm: profile, platform record and ratings."""
        done: dict[int, Counter[str]] = {}
        stars: dict[int, list[int]] = {}
        for firm_id, skills, rating in s.execute(
            select(FirmProject.firm_id, FirmProject.skills, FirmProject.rating).where(
                FirmProject.status == "completed"
            )
        ):
            done.setdefault(firm_id, Counter()).update(skills)
            if rating is not None:
                stars.setdefault(firm_id, []).append(rating)
        out = []
        for p, o in s.execute(
            select(FirmProfile, Organization).join(
                Organization, Organization.id == FirmProfile.organization_id
            )
        ):
            declared: Counter[str] = Counter()
            for past in p.past_projects:
                declared.update(past.get("skills") or [])
            got = stars.get(o.id, [])
            out.append(
                FirmFacts(
                    name=o.name,
                    title=o.title,
                    skills=tuple(p.skills),
                    sectors=tuple(p.sectors),
                    certifications=tuple(p.certifications),
                    completed=dict(done.get(o.id, Counter())),
                    declared=dict(declared),
                    rating=sum(got) / len(got) if got else None,
                    ratings=len(got),
                )
            )
        return out

    @staticmethod
    def _records(s: Session, org_id: int | None = None) -> dict[int, Record]:
        """Each firm's (or one firm's) completed projects: how many, their mean rating, how many
        were rated; in one query."""
        q = (
            select(
                FirmProject.firm_id,
                func.count(FirmProject.id),
                func.avg(FirmProject.rating),
                func.count(FirmProject.rating),
            )
            .where(FirmProject.status == "completed")
            .group_by(FirmProject.firm_id)
        )
        if org_id is not None:
            q = q.where(FirmProject.firm_id == org_id)
        return {
            firm: Record(int(n), None if mean is None else round(float(mean), 2), int(rated))
            for firm, n, mean, rated in s.execute(q)
        }

    @staticmethod
    def _profile_info(
        row: FirmProfile, org: Organization, record: Record | None
    ) -> FirmProfileInfo:
        done = record or Record(0, None, 0)
        return FirmProfileInfo(
            name=org.name,
            title=org.title,
            summary=row.summary,
            skills=tuple(row.skills),
            sectors=tuple(row.sectors),
            certifications=tuple(row.certifications),
            past_projects=tuple(
                PastProject(p["title"], p["year"], tuple(p.get("skills") or ()), p.get("sector"))
                for p in row.past_projects
            ),
            completed=done.completed,
            rating=done.rating,
            ratings=done.ratings,
            updated_at=row.updated_at,
        )

    @staticmethod
    def _offer_info(s: Session, o: FirmOffer) -> OfferInfo:
        org = s.get(Organization, o.organization_id)
        project = s.get(FirmProject, o.project_id)
        user = s.get(User, o.sent_by)
        return OfferInfo(
            id=o.id,
            project_id=o.project_id,
            project_title=project.title if project else "",
            firm=org.name if org else "",
            firm_title=org.title if org else "",
            price=o.price,
            days=o.days,
            note=o.note,
            status=o.status,
            sent_by=user.display_name if user else "",
            created_at=o.created_at,
            decided_at=o.decided_at,
        )

    def _project_info(self, s: Session, row: FirmProject, principal: Principal) -> ProjectInfo:
        return self._project_infos(s, [row], principal)[0]

    def _project_infos(
        self, s: Session, rows: list[FirmProject], principal: Principal
    ) -> list[ProjectInfo]:
        """Projects as `principal` may see them; their offers in one query, the caller's firms
        once."""
        my_orgs = set(_edited(principal))
        offers: dict[int, list[FirmOffer]] = {}
        q = select(FirmOffer).where(FirmOffer.project_id.in_([r.id for r in rows]))
        for o in s.scalars(q.order_by(FirmOffer.id)):
            offers.setdefault(o.project_id, []).append(o)
        my_firms = (
            self._my_firms(s, principal)
            if principal.user_id is not None and any(r.status == "open" for r in rows)
            else []
        )
        return [
            self._one_info(s, r, principal, my_orgs, offers.get(r.id, []), my_firms) for r in rows
        ]

    def _one_info(
        self,
        s: Session,
        row: FirmProject,
        principal: Principal,
        my_orgs: set[str],
        all_offers: list[FirmOffer],
        my_firms: list[str],
    ) -> ProjectInfo:
        poster = s.get(User, row.poster_id)
        firm = s.get(Organization, row.firm_id) if row.firm_id is not None else None
        mine = principal.user_id is not None and principal.user_id == row.poster_id
        in_firm = firm is not None and firm.name in my_orgs
        sees_all = mine or principal.is_admin
        offers = []
        for o in all_offers:
            org = s.get(Organization, o.organization_id)
            if sees_all or (org is not None and org.name in my_orgs):
                offers.append(self._offer_info(s, o))
        price = None
        if row.offer_id is not None:
            accepted = s.get(FirmOffer, row.offer_id)
            price = accepted.price if accepted and (sees_all or in_firm) else None
        own = self._org_name(s, row.organization_id) if row.organization_id else None
        offerable: tuple[str, ...] = ()
        if row.status == "open" and principal.user_id is not None:
            waiting = {o.firm for o in offers if o.status == "sent"}
            offerable = tuple(f for f in my_firms if f not in waiting and f != own)
        private = sees_all or in_firm
        return ProjectInfo(
            id=row.id,
            title=row.title,
            description=row.description,
            poster=poster.display_name if poster else "",
            mine=mine,
            organization=own,
            desk_request_id=row.desk_request_id,
            skills=tuple(row.skills),
            sector=row.sector,
            sensitivity=row.sensitivity,
            certifications=tuple(row.certifications),
            budget_min=row.budget_min,
            budget_max=row.budget_max,
            due_on=row.due_on,
            status=row.status,
            firm=firm.name if firm else None,
            firm_title=firm.title if firm else None,
            price=price,
            dataset=row.dataset if private else None,
            version=row.version if private else None,
            delivery_note=row.delivery_note if private else None,
            rating=row.rating,
            closing_note=row.closing_note if private else None,
            created_at=row.created_at,
            awarded_at=row.awarded_at,
            delivered_at=row.delivered_at,
            closed_at=row.closed_at,
            offers=tuple(offers),
            offerable_firms=offerable,
        )


def _edited(principal: Principal) -> list[str]:
    """The organisations `principal` edits or owns."""
    return [o for o, r in principal.org_roles.items() if r in EDITORS]


def _user(principal: Principal) -> int:
    if principal.kind != "user" or principal.user_id is None:
        raise errors.NotAuthenticated(M.MSG_LOGIN)
    return principal.user_id


def _denied(principal: Principal, message: str) -> errors.DatanuriError:
    if principal.kind == "anonymous":
        return errors.NotAuthenticated(M.MSG_LOGIN)
    return errors.PermissionDenied(message)


def _year(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
        raise errors.InvalidInput(M.MSG_REQUIRED.format(what="past project year (1990-2100)"))
    return value
