"""The request desk's analysis firms: the REST API under /api/v1/requests/firms and
/api/v1/requests/projects, and the browser pages (the firm directory /firms, a firm's profile,
the project board /projects, a project's page with its ranking, offers and steps, and the
console page /console/firms of one's projects and one's firms' offers).

Handlers are thin: one `FirmDesk` call with the caller's principal.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from datanuri import errors
from datanuri.desk import firm_messages as M
from datanuri.desk import firm_rules as rules
from datanuri.desk.firms import (
    FirmProfileInfo,
    OfferDraft,
    PastProject,
    ProfileDraft,
    ProjectDraft,
)
from datanuri.i18n import translate
from datanuri.platform import Platform
from datanuri.web.auth import PublishCaller, ReadCaller, session_principal
from datanuri.web.deps import PlatformDep, RowId, whole_number
from datanuri.web.pages import check_form_csrf, language
from datanuri.web.routes_console import WebUser, WebUserDep, editor_orgs, login_redirect
from datanuri.web.routes_ui import CallerDep, UIRoute, get_caller, href_factory, ui_page

router = APIRouter(prefix="/requests", tags=["analysis firms"])
pages = APIRouter(include_in_schema=False, route_class=UIRoute)
TEXT_LIMIT = 4000  # characters read from a request field (the service holds the real limits)
Status = Literal["open", "awarded", "delivered", "completed", "cancelled"]


# ----- bodies and answers ----------------------------------------------------------------------
class PastProjectIO(BaseModel):
    title: str = Field(max_length=TEXT_LIMIT)
    year: int
    skills: list[str] = Field(default_factory=list, max_length=20)
    sector: str | None = Field(None, max_length=40)


class ProfileIn(BaseModel):
    summary: str = Field("", max_length=TEXT_LIMIT)
    skills: list[str] = Field(default_factory=list, max_length=20, description="firm_rules.SKILLS")
    sectors: list[str] = Field(default_factory=list, max_length=20)
    certifications: list[str] = Field(default_factory=list, max_length=20)
    past_projects: list[PastProjectIO] = Field(default_factory=list, max_length=50)


class ProfileOut(BaseModel):
    """An analysis firm's public profile and its record on the platform."""

    name: str
    title: str
    summary: str
    skills: list[str]
    sectors: list[str]
    certifications: list[str]
    past_projects: list[PastProjectIO]
    completed: int = Field(description="Projects completed on the platform.")
    rating: float | None = Field(description="Mean rating (1-5) of its completed projects.")
    ratings: int
    updated_at: dt.datetime


class ProjectIn(BaseModel):
    title: str = Field(max_length=TEXT_LIMIT)
    description: str = Field(max_length=TEXT_LIMIT)
    skills: list[str] = Field(max_length=20)
    budget_min: int = Field(description="Lowest budget, in won.")
    budget_max: int = Field(description="Highest budget, in won.")
    due_on: dt.date
    sector: str | None = Field(None, max_length=40)
    sensitivity: str = Field("open", max_length=20, description="open | pseudonymous | personal")
    certifications: list[str] = Field(default_factory=list, max_length=20)
    organization: str | None = Field(None, max_length=100, description="Post for this org.")
    desk_request_id: int | None = Field(None, ge=1, le=2**31 - 1)


class OfferIn(BaseModel):
    firm: str = Field(max_length=100, description="The organisation offering.")
    price: int = Field(description="In won.")
    days: int = Field(description="Days needed to deliver.")
    note: str = Field("", max_length=TEXT_LIMIT)


class OfferOut(BaseModel):
    id: int
    project_id: int
    project_title: str
    firm: str
    firm_title: str
    price: int
    days: int
    note: str
    status: Literal["sent", "accepted", "closed", "withdrawn"]
    sent_by: str
    created_at: dt.datetime
    decided_at: dt.datetime | None


class ProjectOut(BaseModel):
    """A processing project as the caller may see it (offers: the poster sees all, a firm its
    own; the delivered dataset: the poster and the firm)."""

    id: int
    title: str
    description: str
    poster: str
    mine: bool
    organization: str | None
    desk_request_id: int | None
    skills: list[str]
    sector: str | None
    sensitivity: str
    certifications: list[str]
    budget_min: int
    budget_max: int
    due_on: dt.date
    status: Status
    firm: str | None
    firm_title: str | None
    price: int | None
    dataset: str | None
    version: int | None
    delivery_note: str | None
    rating: int | None
    closing_note: str | None
    created_at: dt.datetime
    awarded_at: dt.datetime | None
    delivered_at: dt.datetime | None
    closed_at: dt.datetime | None
    offers: list[OfferOut]
    offerable_firms: list[str]


class FitOut(BaseModel):
    name: str
    title: str
    score: float
    eligible: bool
    missing: list[str] = Field(description="Required certifications the firm lacks.")
    reasons: list[tuple[str, str]] = Field(description="Each reason as (Korean, English).")


class RankingOut(BaseModel):
    project_id: int
    fits: list[FitOut]


class DeliverIn(BaseModel):
    dataset: str = Field(max_length=100)
    version: int | None = Field(None, ge=1, le=2**31 - 1)
    note: str = Field("", max_length=TEXT_LIMIT)


class CompleteIn(BaseModel):
    rating: int = Field(description="1 to 5.")
    note: str = Field("", max_length=TEXT_LIMIT)


class CancelIn(BaseModel):
    reason: str = Field("", max_length=TEXT_LIMIT)


def _d(info: Any) -> dict[str, Any]:
    return dataclasses.asdict(info)


# ----- the API ---------------------------------------------------------------------------------
@router.get("/firms", response_model=list[ProfileOut])
def list_firms(
    me: ReadCaller,
    p: PlatformDep,
    skill: str | None = Query(None, max_length=40),
    sector: str | None = Query(None, max_length=40),
) -> list[dict[str, Any]]:
    """The public directory of analysis firms (optionally those with a skill or sector)."""
    return [_d(f) for f in p.firm_desk.firms(skill=skill, sector=sector)]


@router.get("/firms/offers/mine", response_model=list[OfferOut])
def my_offers(me: ReadCaller, p: PlatformDep) -> list[dict[str, Any]]:
    """The offers of the firms the caller edits or owns, newest first."""
    return [_d(o) for o in p.firm_desk.my_offers(principal=me)]


@router.get("/firms/{name}", response_model=ProfileOut)
def get_firm(name: str, me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    """A firm's public profile."""
    return _d(p.firm_desk.profile(name))


@router.put("/firms/{name}", response_model=ProfileOut)
def save_firm(name: str, body: ProfileIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Create or replace organisation `name`'s firm profile (its owners and admins)."""
    draft = ProfileDraft(
        summary=body.summary,
        skills=tuple(body.skills),
        sectors=tuple(body.sectors),
        certifications=tuple(body.certifications),
        past_projects=tuple(
            PastProject(x.title, x.year, tuple(x.skills), x.sector) for x in body.past_projects
        ),
    )
    return _d(p.firm_desk.save_profile(name, draft, principal=me))


@router.get("/projects", response_model=list[ProjectOut])
def list_projects(
    me: ReadCaller,
    p: PlatformDep,
    status: Status | None = None,
    mine: bool = False,
) -> list[dict[str, Any]]:
    """Processing projects, newest first (`mine`: the caller's own)."""
    return [_d(x) for x in p.firm_desk.projects(principal=me, status=status, mine=mine)]


@router.post("/projects", status_code=201, response_model=ProjectOut)
def post_project(body: ProjectIn, me: PublishCaller, p: PlatformDep) -> dict[str, Any]:
    """Post a processing project; firms may send offers at once."""
    draft = ProjectDraft(
        title=body.title,
        description=body.description,
        skills=tuple(body.skills),
        budget_min=body.budget_min,
        budget_max=body.budget_max,
        due_on=body.due_on,
        sector=body.sector,
        sensitivity=body.sensitivity,
        certifications=tuple(body.certifications),
        organization=body.organization,
        desk_request_id=body.desk_request_id,
    )
    return _d(p.firm_desk.post(draft, principal=me))


@router.get("/projects/{project_id}", response_model=ProjectOut)
def get_project(project_id: RowId, me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    return _d(p.firm_desk.project(project_id, principal=me))


@router.get("/projects/{project_id}/ranking", response_model=RankingOut)
def ranking(project_id: RowId, me: ReadCaller, p: PlatformDep) -> dict[str, Any]:
    """The firms ranked by fit for the project, each with its reasons; firms without a required
    certification come last, as not eligible."""
    return _d(p.firm_desk.rank(project_id, principal=me))


@router.post("/projects/{project_id}/offers", status_code=201, response_model=OfferOut)
def send_offer(project_id: RowId, body: OfferIn, me: PublishCaller, p: PlatformDep) -> Any:
    """Send a firm's offer (its editors and owners); the poster is notified."""
    draft = OfferDraft(body.price, body.days, body.note)
    return _d(p.firm_desk.offer(project_id, body.firm, draft, principal=me))


@router.post("/projects/{project_id}/offers/{offer_id}/withdraw", response_model=OfferOut)
def withdraw_offer(project_id: RowId, offer_id: RowId, me: PublishCaller, p: PlatformDep) -> Any:
    return _d(p.firm_desk.withdraw_offer(offer_id, project_id=project_id, principal=me))


@router.post("/projects/{project_id}/offers/{offer_id}/accept", response_model=ProjectOut)
def accept_offer(project_id: RowId, offer_id: RowId, me: PublishCaller, p: PlatformDep) -> Any:
    """The poster accepts one offer; the others are closed and every firm is told."""
    return _d(p.firm_desk.accept(offer_id, project_id=project_id, principal=me))


@router.post("/projects/{project_id}/deliver", response_model=ProjectOut)
def deliver(project_id: RowId, body: DeliverIn, me: PublishCaller, p: PlatformDep) -> Any:
    """The awarded firm delivers a published dataset version the poster can see."""
    return _d(
        p.firm_desk.deliver(project_id, body.dataset, body.version, note=body.note, principal=me)
    )


@router.post("/projects/{project_id}/complete", response_model=ProjectOut)
def complete(project_id: RowId, body: CompleteIn, me: PublishCaller, p: PlatformDep) -> Any:
    """The poster completes a delivered project with a rating from 1 to 5."""
    return _d(p.firm_desk.complete(project_id, body.rating, note=body.note, principal=me))


@router.post("/projects/{project_id}/cancel", response_model=ProjectOut)
def cancel(project_id: RowId, body: CancelIn, me: PublishCaller, p: PlatformDep) -> Any:
    """The poster (or an admin) cancels an open or awarded project."""
    return _d(p.firm_desk.cancel(project_id, reason=body.reason, principal=me))


# ----- the pages -------------------------------------------------------------------------------
DONE: dict[str, tuple[str, str]] = {
    "posted": (
        "과제를 올렸습니다. 적합한 기업을 아래에 추천합니다.",
        "Project posted. The firms that fit it best are below.",
    ),
    "offered": ("제안을 보냈습니다.", "Your offer was sent."),
    "withdrawn": ("제안을 철회했습니다.", "The offer was withdrawn."),
    "accepted": (
        "제안을 선정했습니다. 다른 제안은 마감되었습니다.",
        "Offer accepted; the other offers are closed.",
    ),
    "delivered": ("결과 데이터를 납품했습니다.", "The dataset was delivered."),
    "completed": ("과제를 완료했습니다.", "The project is completed."),
    "cancelled": ("과제를 취소했습니다.", "The project was cancelled."),
}


def _helpers(lang: str) -> dict[str, Any]:
    return {
        "vocab": rules,
        "lbl": lambda kind, code: rules.label(getattr(rules, kind), code, lang),
        "won": lambda amount: rules.krw(int(amount), lang),
    }


@pages.get("/firms", response_class=HTMLResponse)
def firms_page(request: Request, platform: PlatformDep, caller: CallerDep) -> Response:
    skill = request.query_params.get("skill") or None
    sector = request.query_params.get("sector") or None
    skill = skill if skill in rules.SKILLS else None
    sector = sector if sector in rules.SECTORS else None
    found = platform.firm_desk.firms(skill=skill, sector=sector)
    return ui_page(
        request,
        "ui/firms/firms.html",
        user=caller.user,
        firms=found,
        skill=skill,
        sector=sector,
        **_helpers(language(request)),
    )


@pages.get("/firms/{name}", response_class=HTMLResponse)
def firm_page(request: Request, name: str, platform: PlatformDep, caller: CallerDep) -> Response:
    firm = platform.firm_desk.profile(name)
    return ui_page(
        request, "ui/firms/firm.html", user=caller.user, firm=firm, **_helpers(language(request))
    )


@pages.get("/projects", response_class=HTMLResponse)
def projects_page(request: Request, platform: PlatformDep, caller: CallerDep) -> Response:
    found = platform.firm_desk.projects(principal=caller.me)
    return ui_page(
        request,
        "ui/firms/projects.html",
        user=caller.user,
        projects=found,
        **_helpers(language(request)),
    )


def _new_page(
    request: Request,
    who: WebUser,
    *,
    status: int = 200,
    error: str | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    tomorrow = dt.datetime.now(rules.KST).date() + dt.timedelta(days=1)
    orgs = editor_orgs(who.me)
    return ui_page(
        request,
        "ui/firms/new.html",
        status=status,
        user=who.user,
        csrf_token=who.csrf,
        error=error,
        values=values or {"sensitivity": "open"},
        orgs=orgs,
        min_due=tomorrow.isoformat(),
        **_helpers(language(request)),
    )


@pages.get("/projects/new", response_class=HTMLResponse)
def new_project(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return login_redirect(request)
    return _new_page(request, who)


def _whole(value: object, message: str) -> int:
    """A form field's whole number; `message` (the service's own for the field) otherwise."""
    text = str(value or "").strip()
    if not whole_number(text):
        raise errors.InvalidInput(message)
    return int(text)


def _won(value: object, what: str) -> int:
    return _whole(value, M.MSG_MONEY.format(what=what, limit=rules.MAX_KRW))


@pages.post("/projects/new", response_class=HTMLResponse)
async def new_project_submit(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    raw = await request.form()
    values: dict[str, Any] = {k: str(form.get(k) or "")[:TEXT_LIMIT] for k in form}
    values["skills"] = [str(x) for x in raw.getlist("skills")][:20]
    values["certifications"] = [str(x) for x in raw.getlist("certifications")][:20]
    lang = language(request)
    try:
        try:
            on = dt.date.fromisoformat(values.get("due_on", ""))
        except ValueError:
            raise errors.InvalidInput(M.MSG_DUE_PAST) from None
        draft = ProjectDraft(
            title=values.get("title", ""),
            description=values.get("description", ""),
            skills=tuple(values["skills"]),
            budget_min=_won(values.get("budget_min"), "budget_min"),
            budget_max=_won(values.get("budget_max"), "budget_max"),
            due_on=on,
            sector=values.get("sector") or None,
            sensitivity=values.get("sensitivity") or "open",
            certifications=tuple(values["certifications"]),
            organization=values.get("organization") or None,
        )
        made = await run_in_threadpool(lambda: platform.firm_desk.post(draft, principal=who.me))
    except (errors.InvalidInput, errors.Conflict, errors.PermissionDenied) as exc:
        return _new_page(
            request, who, status=exc.status, error=translate(exc.message, lang), values=values
        )
    return RedirectResponse(
        href_factory(lang)(f"/projects/{made.id}", done="posted"), status_code=303
    )


def _project_page(
    request: Request,
    platform: Platform,
    project_id: int,
    *,
    status: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    caller, session = get_caller(request, platform), session_principal(request)
    me, desk = caller.me, platform.firm_desk
    info = desk.project(project_id, principal=me)
    lang = language(request)
    my_orgs = set(editor_orgs(me))
    done = request.query_params.get("done")
    pair = DONE.get(done or "")
    return ui_page(
        request,
        "ui/firms/project.html",
        status=status,
        user=caller.user,
        csrf_token=session[1] if session else "",
        p=info,
        ranking=desk.rank(project_id, principal=me) if info.status == "open" else None,
        my_orgs=my_orgs,
        can_deliver=info.status == "awarded" and info.firm in my_orgs,
        done=pair is not None,
        done_text=(pair[0] if lang == "ko" else pair[1]) if pair else "",
        error=error,
        **_helpers(lang),
    )


@pages.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, project_id: RowId, platform: PlatformDep) -> Response:
    return _project_page(request, platform, project_id)


async def _act(
    request: Request, platform: Platform, who: WebUser | None, project_id: int, how: str, **ids: int
) -> Response:
    """Run one step of a project from its page's form; errors show on the page."""
    if who is None:
        return login_redirect(request)
    form = await check_form_csrf(request, who.csrf)
    desk, me, lang = platform.firm_desk, who.me, language(request)
    note = str(form.get("note") or "")[:TEXT_LIMIT]

    def run() -> None:
        if how == "offered":
            days = _whole(form.get("days"), M.MSG_DAYS.format(limit=rules.MAX_DAYS))
            draft = OfferDraft(_won(form.get("price"), "price"), days, note)
            desk.offer(project_id, str(form.get("firm") or ""), draft, principal=me)
        elif how == "accepted":
            desk.accept(ids["offer_id"], project_id=project_id, principal=me)
        elif how == "withdrawn":
            desk.withdraw_offer(ids["offer_id"], project_id=project_id, principal=me)
        elif how == "delivered":
            dataset, raw = str(form.get("dataset") or "").strip(), str(form.get("version") or "")
            version = (
                _whole(raw, M.MSG_NO_VERSION.format(dataset=dataset, version=raw))
                if raw.strip()
                else None
            )
            desk.deliver(project_id, dataset, version, note=note, principal=me)
        elif how == "completed":
            desk.complete(
                project_id, _whole(form.get("rating"), M.MSG_RATING), note=note, principal=me
            )
        elif how == "cancelled":
            desk.cancel(project_id, reason=str(form.get("reason") or ""), principal=me)

    try:
        await run_in_threadpool(run)
    except (errors.InvalidInput, errors.Conflict) as exc:
        code, text = exc.status, translate(exc.message, lang)
        return await run_in_threadpool(
            lambda: _project_page(request, platform, project_id, status=code, error=text)
        )
    return RedirectResponse(
        href_factory(lang)(f"/projects/{project_id}", done=how), status_code=303
    )


@pages.post("/projects/{project_id}/offer")
async def offer_form(
    request: Request, project_id: RowId, platform: PlatformDep, who: WebUserDep
) -> Response:
    return await _act(request, platform, who, project_id, "offered")


@pages.post("/projects/{project_id}/offers/{offer_id}/accept")
async def accept_form(
    request: Request, project_id: RowId, offer_id: RowId, platform: PlatformDep, who: WebUserDep
) -> Response:
    return await _act(request, platform, who, project_id, "accepted", offer_id=offer_id)


@pages.post("/projects/{project_id}/offers/{offer_id}/withdraw")
async def withdraw_form(
    request: Request, project_id: RowId, offer_id: RowId, platform: PlatformDep, who: WebUserDep
) -> Response:
    return await _act(request, platform, who, project_id, "withdrawn", offer_id=offer_id)


@pages.post("/projects/{project_id}/deliver")
async def deliver_form(
    request: Request, project_id: RowId, platform: PlatformDep, who: WebUserDep
) -> Response:
    return await _act(request, platform, who, project_id, "delivered")


@pages.post("/projects/{project_id}/complete")
async def complete_form(
    request: Request, project_id: RowId, platform: PlatformDep, who: WebUserDep
) -> Response:
    return await _act(request, platform, who, project_id, "completed")


@pages.post("/projects/{project_id}/cancel")
async def cancel_form(
    request: Request, project_id: RowId, platform: PlatformDep, who: WebUserDep
) -> Response:
    return await _act(request, platform, who, project_id, "cancelled")


@pages.get("/console/firms", response_class=HTMLResponse)
def console_page(request: Request, platform: PlatformDep, who: WebUserDep) -> Response:
    """The console: the caller's projects, and the offers of the firms they edit."""
    if who is None:
        return login_redirect(request)
    desk = platform.firm_desk
    return ui_page(
        request,
        "ui/firms/console.html",
        user=who.user,
        csrf_token=who.csrf,
        mine=desk.projects(principal=who.me, mine=True),
        offers=desk.my_offers(principal=who.me),
        firms=desk.my_firms(principal=who.me),
        owned=sorted(o for o, r in who.me.org_roles.items() if r == "owner"),
        **_helpers(language(request)),
    )


def _profile_page(
    request: Request,
    platform: Platform,
    who: WebUser,
    org: str,
    *,
    status: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    try:
        profile: FirmProfileInfo | None = platform.firm_desk.profile(org)
    except errors.NotFound:
        platform.catalog.get_organization(org)  # "not found" for an unknown organisation
        profile = None
    return ui_page(
        request,
        "ui/firms/profile_form.html",
        status=status,
        user=who.user,
        csrf_token=who.csrf,
        org=org,
        profile=dataclasses.asdict(profile) if profile else None,
        error=error,
        saved=request.query_params.get("saved") == "1",
        **_helpers(language(request)),
    )


@pages.get("/console/firms/{name}/profile", response_class=HTMLResponse)
def profile_form(request: Request, name: str, platform: PlatformDep, who: WebUserDep) -> Response:
    """An organisation's firm profile form (its owners save it; the service checks)."""
    if who is None:
        return login_redirect(request)
    return _profile_page(request, platform, who, name)


@pages.post("/console/firms/{name}/profile", response_class=HTMLResponse)
async def profile_submit(
    request: Request, name: str, platform: PlatformDep, who: WebUserDep
) -> Response:
    if who is None:
        return login_redirect(request)
    await check_form_csrf(request, who.csrf)
    raw = await request.form()
    desk, lang = platform.firm_desk, language(request)

    def save() -> None:
        try:
            kept = desk.profile(name).past_projects  # the form leaves declared projects as they are
        except errors.NotFound:
            kept = ()
        draft = ProfileDraft(
            summary=str(raw.get("summary") or "")[:TEXT_LIMIT],
            skills=tuple(str(x) for x in raw.getlist("skills"))[:20],
            sectors=tuple(str(x) for x in raw.getlist("sectors"))[:20],
            certifications=tuple(str(x) for x in raw.getlist("certifications"))[:20],
            past_projects=kept,
        )
        desk.save_profile(name, draft, principal=who.me)

    try:
        await run_in_threadpool(save)
    except errors.InvalidInput as exc:
        code, text = exc.status, translate(exc.message, lang)
        return await run_in_threadpool(
            lambda: _profile_page(request, platform, who, name, status=code, error=text)
        )
    return RedirectResponse(
        href_factory(lang)(f"/console/firms/{name}/profile", saved=1), status_code=303
    )
