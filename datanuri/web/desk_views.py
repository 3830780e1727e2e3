"""What the request desk's pages show, computed apart from the routes: the words of the desk in
Korean and English, the list's query, the request form's values, deadline badges ("D-3",
"기한 초과"), the caller's buttons, the console's board and the history's details in words.

The desk's own rules (what may be filed, who may answer) stay in `datanuri.desk`; what is here
only decides what a page offers, and the service refuses anything it should not do anyway.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from zoneinfo import ZoneInfo

from markupsafe import Markup

from datanuri import errors
from datanuri.accounts.policy import EDITORS
from datanuri.accounts.principal import Principal
from datanuri.catalog import vocab
from datanuri.desk import calendar, rules
from datanuri.desk.service import (
    AnswerKind,
    DisputeStatus,
    Process,
    Provide,
    Refuse,
    RequestDraft,
    RequestFilter,
    RequestInfo,
    Status,
    Transfer,
)
from datanuri.i18n import translate
from datanuri.platform import Platform
from datanuri.regions import sido_list
from datanuri.web import ui_text

KST = ZoneInfo("Asia/Seoul")
Pair = tuple[str, str]
STATUS_ORDER: tuple[Status, ...] = (
    "filed",
    "routed",
    "processing",
    "provided",
    "refused",
    "withdrawn",
)
OPEN: frozenset[str] = frozenset({"filed", "routed", "processing"})
WEEKDAYS_KO = "월화수목금토일"
SORTS = ("newest", "wanted")
BOARD_LIMIT = 200


def today() -> dt.date:
    """Today in Korea (deadlines are Korean business days)."""
    return dt.datetime.now(KST).date()


def holidays(platform: Platform) -> calendar.Holidays:
    """The desk's holiday table (the service's own when it keeps one)."""
    found = getattr(platform.desk, "holidays", None)
    if isinstance(found, calendar.Holidays):
        return found
    return calendar.load_holidays(getattr(platform.config, "desk_holidays_path", None))


def korean_date(day: dt.date | dt.datetime | None, lang: str) -> str:
    """A date as "2026년 12월 18일 (금)" or "Fri 18 Dec 2026"; a time is read in Korea first."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        when = day if day.tzinfo else day.replace(tzinfo=dt.UTC)
        day = when.astimezone(KST).date()
    if lang == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일 ({WEEKDAYS_KO[day.weekday()]})"
    return day.strftime("%a %-d %b %Y")


@dataclass(frozen=True)
class Deadline:
    """A request's deadline as a badge: business days left ("D-3"), due today, or overdue."""

    due_on: dt.date
    days_left: int  # business days after today up to due_on (0: due today or past)
    overdue: bool

    def badge(self, lang: str) -> str:
        if self.overdue:
            return "기한 초과" if lang == "ko" else "Overdue"
        if self.days_left == 0:
            return "오늘 마감" if lang == "ko" else "Due today"
        return f"D-{self.days_left}"

    def left(self, lang: str) -> str:
        if self.overdue:
            return "기한이 지났습니다" if lang == "ko" else "past the deadline"
        if lang == "ko":
            return f"영업일 {self.days_left}일 남음"
        return f"{self.days_left} business day{'s' if self.days_left != 1 else ''} left"


def deadline(r: RequestInfo, on: dt.date, days: calendar.Holidays) -> Deadline | None:
    """The badge of an unanswered request with a deadline (None when there is nothing to wait)."""
    if r.due_on is None or r.status not in ("routed",):
        return None
    overdue = r.overdue or on > r.due_on
    left = 0 if overdue else calendar.business_days_between(on, r.due_on, days)
    return Deadline(r.due_on, left, overdue)


# ----- words ---------------------------------------------------------------------------------------
# The desk's vocabularies are the service's own (desk/rules.py), labelled (Korean, English).
REFUSAL_REASONS: dict[str, Pair] = {k: r.label for k, r in rules.REFUSAL_REASONS.items()}
REFUSAL_BASIS: dict[str, Pair] = {k: r.basis for k, r in rules.REFUSAL_REASONS.items()}


class Words:
    """The desk's words for a template in one language: `desk.status("routed")`, ..."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def _pick(self, table: Mapping[str, Pair], key: str | None) -> str:
        return ui_text.pick(dict(table), key, self.lang)

    def status(self, key: str | None) -> str:
        return self._pick(rules.STATUSES, key)

    def action(self, key: str | None) -> str:
        return self._pick(ui_text.DESK_ACTIONS, key)

    def answer(self, key: str | None) -> str:
        return self._pick(rules.ANSWER_KINDS, key)

    def method(self, key: str | None) -> str:
        return self._pick(rules.PROCESS_METHODS, key)

    def dispute(self, key: str | None) -> str:
        return self._pick(rules.DISPUTE_STATUSES, key)

    def reason(self, key: str | None) -> str:
        return self._pick(REFUSAL_REASONS, key)

    def basis(self, key: str | None) -> str:
        return self._pick(REFUSAL_BASIS, key) if key in REFUSAL_BASIS else ""

    def format(self, key: str | None) -> str:
        return self._pick(rules.FORMATS, key)

    def frequency(self, key: str | None) -> str:
        return self._pick(rules.FREQUENCIES, key)

    def date(self, day: dt.date | dt.datetime | None) -> str:
        return korean_date(day, self.lang)

    def deadline(self, r: RequestInfo, on: dt.date, days: calendar.Holidays) -> Deadline | None:
        return deadline(r, on, days)

    def region(self, region: str | None) -> str:
        return "" if not region else vocab.region_label(region, self.lang)


class FormProblem(Exception):
    """A console or request form value the page cannot use, with its message as (ko, en)."""

    def __init__(self, pair: Pair) -> None:
        super().__init__(pair[1])
        self.pair = pair


def history_detail(
    action: str, detail: str, lang: str, org_titles: Mapping[str, str]
) -> str | Markup:
    """A history entry's detail in words: the service stores codes (a theme, an organisation's
    name, "provide air@2", "refuse not_held", a date, a dispute outcome)."""
    if not detail:
        return ""
    words = Words(lang)
    if action == "filed":
        return ui_text.pick(ui_text.THEMES, detail, lang)
    if action in ("routed", "reopened", "transferred"):
        return org_titles.get(detail, detail)
    if action in ("extended", "escalated"):
        day = _date(detail)
        return words.date(day) if day else detail
    if action == "dispute_decided":
        return words.dispute(detail)
    kind, _, rest = detail.partition(" ") if action == "answered" else ("", "", detail)
    if action == "answered" and kind == "refuse":
        return f"{words.answer(kind)}: {words.reason(rest)}"
    if action == "answered" and kind == "process":
        return f"{words.answer(kind)}: {words.method(rest)}"
    if "@" in rest:  # a dataset and its version (provide, delivered)
        name, _, version = rest.partition("@")
        label = "버전" if lang == "ko" else "version"
        head = f"{words.answer(kind)}: " if kind else ""
        return Markup('{}<code translate="no">{}</code> {} {}').format(head, name, label, version)
    return words.answer(kind) if kind else detail


def say(exc: errors.DatanuriError, lang: str) -> str:
    """A service's message in the page's language (ko.po)."""
    return translate(exc.message, lang)


def done_notice(params: Any) -> str | None:
    """The key of `ui_text.DESK_DONE` a redirect after a form names (`?done=`, `?filed=1`)."""
    key = "filed" if params.get("filed") else str(params.get("done") or "")
    return key if key in ui_text.DESK_DONE else None


# ----- the list ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ListQuery:
    """The list's filters and order, read from its query string."""

    status: tuple[Status, ...] = ()
    theme: str | None = None
    mine: bool = False
    text: str = ""
    sort: str = "newest"
    page: int = 1

    @classmethod
    def parse(cls, params: Any) -> ListQuery:
        status = tuple(
            cast(Status, s) for s in dict.fromkeys(params.getlist("status")) if s in STATUS_ORDER
        )
        theme = params.get("theme") or None
        if theme not in ui_text.THEMES:
            theme = None
        sort = params.get("sort") if params.get("sort") in SORTS else "newest"
        raw = str(params.get("page") or "1")
        page = int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 6 else 1
        return cls(
            status=status,
            theme=theme,
            mine=params.get("mine") in ("1", "true", "on"),
            text=str(params.get("q") or "").strip()[:200],
            sort=sort,
            page=max(page, 1),
        )

    def params(self, **over: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "status": list(self.status),
            "theme": self.theme,
            "mine": "1" if self.mine else None,
            "q": self.text or None,
            "sort": None if self.sort == "newest" else self.sort,
            "page": None if self.page == 1 else self.page,
        }
        base.update(over)
        if base.get("page") == 1:
            base["page"] = None
        return base


# ----- the request form ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DraftForm:
    """The request form's values as typed (kept when the form comes back with an error)."""

    title: str = ""
    description: str = ""
    purpose: str = ""
    theme: str = ""
    region: str = ""
    formats: tuple[str, ...] = ()
    frequency: str = ""
    period_start: str = ""
    period_end: str = ""
    organization: str = ""
    problems: tuple[Pair, ...] = field(default=(), compare=False)

    @classmethod
    def prefill(cls, params: Any) -> DraftForm:
        """From a link: the empty search's query becomes the title, its one theme the theme."""
        theme = str(params.get("theme") or "")
        return cls(
            title=str(params.get("title") or params.get("q") or "").strip()[:200],
            theme=theme if theme in ui_text.THEMES else "",
        )

    @classmethod
    def read(cls, form: Mapping[str, Any], limit: int, formats: Sequence[str] = ()) -> DraftForm:
        def text(name: str) -> str:
            return str(form.get(name) or "").strip()[:limit]

        chosen = tuple(formats) or _listed(form, "formats")
        problems: list[Pair] = []
        theme, region, frequency = text("theme"), text("region"), text("frequency")
        start, end = text("period_start"), text("period_end")
        if theme and theme not in ui_text.THEMES:
            problems.append(ui_text.MSG_DESK_BAD_CHOICE)
        if region and region not in vocab.region_names():
            problems.append(ui_text.MSG_DESK_BAD_CHOICE)
        if frequency and frequency not in rules.FREQUENCIES:
            problems.append(ui_text.MSG_DESK_BAD_CHOICE)
        if any(f not in rules.FORMATS for f in chosen):
            problems.append(ui_text.MSG_DESK_BAD_CHOICE)
        for value in (start, end):
            if value and _date(value) is None:
                problems.append(ui_text.MSG_DESK_BAD_DATE)
        return cls(
            title=text("title"),
            description=text("description"),
            purpose=text("purpose"),
            theme=theme,
            region=region,
            formats=chosen,
            frequency=frequency,
            period_start=start,
            period_end=end,
            organization=text("organization"),
            problems=tuple(dict.fromkeys(problems)),
        )

    def check(self) -> None:
        """The service's own text rules, before the preview (filing checks them again), so a
        too-short purpose is said before the suggestions, not after."""
        rules.clean_title(self.title)
        rules.clean_description(self.description)
        rules.clean_purpose(self.purpose)
        rules.check_period(_date(self.period_start), _date(self.period_end))

    def to_draft(self) -> RequestDraft:
        return RequestDraft(
            title=self.title,
            description=self.description,
            purpose=self.purpose,
            theme=self.theme or None,
            formats=self.formats,
            frequency=self.frequency or None,
            region=self.region or None,
            period_start=_date(self.period_start),
            period_end=_date(self.period_end),
            organization=self.organization or None,
        )

    def hidden(self) -> list[tuple[str, str]]:
        """The values as hidden fields of the preview's confirm form (formats repeat)."""
        out = [
            (f.name, str(getattr(self, f.name)))
            for f in dataclasses.fields(self)
            if f.name not in ("formats", "problems")
        ]
        return out + [("formats", f) for f in self.formats]


def _listed(form: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = form.get(name)
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(dict.fromkeys(str(v) for v in value))
    return (str(value),)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Choices:
    """The form's options in one language: (value, label) pairs."""

    themes: list[Pair]
    regions: list[tuple[Pair, list[Pair]]]  # (시도, its 시군구)
    formats: list[Pair]
    frequencies: list[Pair]
    reasons: list[tuple[str, str, str]]  # (code, label, legal basis)
    methods: list[Pair]
    outcomes: list[Pair]


def form_choices(lang: str) -> Choices:
    i = 0 if lang == "ko" else 1
    names = vocab.region_names()
    regions = [
        (
            (s.code, names[s.code][i]),
            [(f"{s.code}:{g}", g) for g in s.sigungu],
        )
        for s in sido_list()
    ]
    return Choices(
        themes=[(k, v[i]) for k, v in ui_text.THEMES.items()],
        regions=[((vocab.NATIONWIDE_ID, names[vocab.NATIONWIDE_ID][i]), []), *regions],
        formats=[(k, v[i]) for k, v in rules.FORMATS.items()],
        frequencies=[(k, v[i]) for k, v in rules.FREQUENCIES.items()],
        reasons=[(k, r.label[i], r.basis[i]) for k, r in rules.REFUSAL_REASONS.items()],
        methods=[(k, v[i]) for k, v in rules.PROCESS_METHODS.items()],
        outcomes=[(k, rules.DISPUTE_STATUSES[k][i]) for k in rules.DISPUTE_OUTCOMES],
    )


def dataset_title(platform: Platform, me: Principal, r: RequestInfo) -> str | None:
    """The title of the dataset an answer links to, if the caller may see it."""
    if r.answer is None or not r.answer.dataset:
        return None
    try:
        return platform.catalog.get_dataset(r.answer.dataset, principal=me).title
    except errors.DatanuriError:
        return None


# ----- what the caller may do on a request's page ------------------------------------------------
@dataclass(frozen=True)
class Rights:
    support: bool = False
    unsupport: bool = False
    withdraw: bool = False
    dispute: bool = False
    console: bool = False  # the holder's editors (and admins) answer in the console


def rights(r: RequestInfo, me: Principal) -> Rights:
    """Which buttons the page shows (the service decides again when one is pressed)."""
    if me.kind != "user":
        return Rights()
    is_open = r.status in OPEN
    holder = r.organization is not None and me.role_in(r.organization) in EDITORS
    return Rights(
        support=is_open and not r.mine and not r.supported_by_me,
        unsupport=is_open and not r.mine and r.supported_by_me,
        withdraw=r.mine and r.status in ("filed", "routed"),
        dispute=r.mine and r.dispute is None and (r.status == "refused" or r.overdue),
        console=(holder and r.status in ("routed", "processing")) or me.is_admin,
    )


# ----- the console ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OrgQueue:
    """One organisation's incoming requests, soonest deadline first."""

    name: str
    title: str
    role: str
    can_answer: bool
    waiting: list[RequestInfo]  # routed: to answer
    processing: list[RequestInfo]  # answered "process": to deliver
    datasets: list[Pair]  # (name, title) of its datasets, to link in a "provide" answer


@dataclass(frozen=True)
class Incoming:
    """A request in the console, with the organisation it is routed to."""

    r: RequestInfo
    q: OrgQueue


@dataclass(frozen=True)
class Board:
    allowed: bool
    queues: list[OrgQueue]
    unrouted: list[RequestInfo]  # admins: filed, to route
    disputes: list[RequestInfo]  # admins: open disputes, to decide
    organizations: list[Pair]  # every organisation (route and transfer targets)
    is_admin: bool

    def incoming(self, status: str) -> list[Incoming]:
        """Every organisation's requests in `status`, soonest deadline first."""
        items = [Incoming(r, q) for q in self.queues for r in (*q.waiting, *q.processing)]
        mine = [i for i in items if i.r.status == status]
        order = {r.id: n for n, r in enumerate(by_deadline(i.r for i in mine))}
        return sorted(mine, key=lambda i: order[i.r.id])


def by_deadline(items: Iterable[RequestInfo]) -> list[RequestInfo]:
    """Soonest deadline first; requests without one last, oldest first."""
    return sorted(items, key=lambda r: (r.due_on is None, r.due_on or dt.date.max, r.id))


def console_board(platform: Platform, me: Principal) -> Board:
    desk = platform.desk
    orgs = platform.catalog.list_organizations()
    titles = {o.name: o.title for o in orgs}
    queues = []
    for name, role in sorted(me.org_roles.items()):
        found = desk.incoming(
            name, status=("routed", "processing"), limit=BOARD_LIMIT, principal=me
        ).items
        datasets = [
            (d.name, d.title)
            for d in platform.catalog.list_datasets(organization=name, principal=me)
            if d.latest_version is not None
        ]
        queues.append(
            OrgQueue(
                name=name,
                title=titles.get(name, name),
                role=role,
                can_answer=role in EDITORS,
                waiting=by_deadline(r for r in found if r.status == "routed"),
                processing=by_deadline(r for r in found if r.status == "processing"),
                datasets=datasets,
            )
        )
    unrouted: list[RequestInfo] = []
    disputes: list[RequestInfo] = []
    if me.is_admin:
        unrouted = list(
            desk.find(RequestFilter(status=("filed",), limit=BOARD_LIMIT), principal=me).items
        )
        unrouted.sort(key=lambda r: r.id)
        contested = desk.find(
            RequestFilter(status=("refused", "routed", "processing"), limit=BOARD_LIMIT),
            principal=me,
        ).items
        disputes = [r for r in contested if r.dispute is not None and r.dispute.status == "open"]
    return Board(
        allowed=bool(queues) or me.is_admin,
        queues=queues,
        unrouted=unrouted,
        disputes=disputes,
        organizations=[(o.name, o.title) for o in orgs],
        is_admin=me.is_admin,
    )


def read_answer(form: Mapping[str, Any], limit: int) -> AnswerKind:
    """The console's answer form as one answer value."""
    kind = str(form.get("kind") or "")
    note = str(form.get("note") or "").strip()[:limit]
    if kind == "provide":
        name, version = read_dataset(form)
        return Provide(dataset=name, version=version, note=note)
    if kind == "process":
        method = str(form.get("method") or "")
        if method not in rules.PROCESS_METHODS:
            raise FormProblem(ui_text.MSG_DESK_BAD_CHOICE)
        expected = _date(str(form.get("expected_on") or ""))
        return Process(method=cast(Any, method), note=note, expected_on=expected)
    if kind == "refuse":
        return Refuse(reason=str(form.get("reason") or "")[:100], note=note)
    if kind == "transfer":
        return Transfer(organization=str(form.get("organization") or "")[:200], note=note)
    raise FormProblem(ui_text.MSG_DESK_BAD_CHOICE)


def answer_kind(answer: AnswerKind) -> str:
    return {Provide: "provide", Process: "process", Refuse: "refuse", Transfer: "transfer"}[
        type(answer)
    ]


def read_dataset(form: Mapping[str, Any]) -> tuple[str, int | None]:
    name = str(form.get("dataset") or "").strip()[:200]
    raw = str(form.get("version") or "").strip()
    if not name:
        raise FormProblem(ui_text.MSG_DESK_DATASET)
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        raise FormProblem(ui_text.MSG_DESK_BAD_CHOICE)
    return name, int(raw) if raw else None


def read_outcome(form: Mapping[str, Any]) -> DisputeStatus:
    outcome = str(form.get("outcome") or "")
    if outcome not in rules.DISPUTE_OUTCOMES:
        raise FormProblem(ui_text.MSG_DESK_BAD_CHOICE)
    return cast(DisputeStatus, outcome)


# ----- statistics ---------------------------------------------------------------------------------------
def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.0f}%"
