"""`datanuri requests ...`: the data request desk from the command line. Commands act as the
machine's owner (an admin and every holder) unless `--as EMAIL` names a user; filing, joining,
withdrawing and disputing are a person's acts and need `--as`. Output in Korean or English
(`--lang`, or DATANURI_LANG); `--json` prints the service's records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from datanuri.accounts.principal import SYSTEM, Principal
from datanuri.cli.common import (
    DATA_DIR_OPTION,
    JSON_OPTION,
    acting_principal,
    console,
    platform_ctx,
    print_json,
)
from datanuri.desk import messages as M
from datanuri.desk import rules
from datanuri.desk.service import (
    AnswerKind,
    Process,
    Provide,
    Refuse,
    RequestDraft,
    RequestFilter,
    RequestInfo,
    Transfer,
)
from datanuri.errors import InvalidInput

app = typer.Typer(
    help=(
        "The data request desk (데이터 114): file requests for data that is not open yet, join "
        "them, route them to holders, answer within 10 business days, dispute refusals, and "
        "see the statistics."
    ),
    no_args_is_help=True,
)

AS_OPTION = typer.Option(
    None,
    "--as",
    metavar="EMAIL",
    help="Act as this user (needed to file, join, withdraw or dispute); default: the machine's "
    "owner, who acts as an admin and for every holder.",
)
LANG_OPTION = typer.Option(
    "en", "--lang", envvar="DATANURI_LANG", help="Language of the output: ko | en."
)
FORMAT_CODES = ", ".join(rules.FORMATS)
STATUS_CODES = ", ".join(rules.STATUSES)
ID_ARG = typer.Argument(..., help="The request's number (see `datanuri requests list`).")


def _lang(lang: str) -> int:
    if lang not in ("ko", "en"):
        raise InvalidInput(f"--lang is 'ko' or 'en', not {lang!r}.")
    return 0 if lang == "ko" else 1


def _who(p: Any, email: str | None, *, person: bool = False) -> Principal:
    """The principal a command acts as: the user `email`, else the machine's owner (SYSTEM),
    who cannot act as a `person`."""
    if not email and person:
        raise InvalidInput(M.MSG_CLI_AS)
    return acting_principal(p, email)


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"Give {option} as a date, YYYY-MM-DD.") from None


def _status(info: RequestInfo, i: int) -> str:
    text = rules.STATUSES[info.status][i]
    if info.overdue:
        text += " (기한 경과)" if i == 0 else " (overdue)"
    return text


def _show(info: RequestInfo, i: int) -> None:
    """A request as lines of text in the chosen language."""
    ko = i == 0
    lines = [
        f"#{info.id} {info.title}",
        f"{'상태' if ko else 'Status'}: {_status(info, i)}",
        f"{'요청자' if ko else 'Requester'}: {info.requester}  "
        f"({'함께 요청' if ko else 'supporters'}: {info.supporters})",
    ]
    if info.organization:
        lines.append(
            f"{'보유 기관' if ko else 'Holder'}: {info.organization_title} ({info.organization})"
        )
    if info.due_on:
        ext = (" (연장됨)" if ko else " (extended)") if info.extended else ""
        lines.append(f"{'답변 기한' if ko else 'Due on'}: {info.due_on.isoformat()}{ext}")
    if info.purpose is not None:
        lines.append(f"{'이용 목적' if ko else 'Purpose'}: {info.purpose}")
    a = info.answer
    if a is not None:
        what = rules.ANSWER_KINDS[a.kind][i]
        if a.dataset:
            what += f": {a.dataset}" + (f"@{a.version}" if a.version else "")
        if a.method:
            what += f": {rules.label(rules.PROCESS_METHODS, a.method, 'ko' if ko else 'en')}"
        if a.reason:
            r = rules.REFUSAL_REASONS[a.reason]
            what += f": {r.label[i]} — {r.basis[i]}"
        lines.append(f"{'답변' if ko else 'Answer'}: {what}")
        if a.note:
            lines.append(f"  {a.note}")
    if info.dispute is not None:
        d = info.dispute
        lines.append(f"{'이의 신청' if ko else 'Dispute'}: {rules.DISPUTE_STATUSES[d.status][i]}")
    console.print("\n".join(lines), markup=False, highlight=False)


def _done(info: RequestInfo, json_out: bool, lang: str) -> None:
    if json_out:
        print_json(dataclasses.asdict(info))
    else:
        _show(info, _lang(lang))


@app.command("file")
def file_request(
    title: str = typer.Option(..., "--title", help="What data is wanted, in a line."),
    description: str = typer.Option(..., "--description", help="Items, detail and coverage."),
    purpose: str = typer.Option(
        ..., "--purpose", help="What it is for (seen only by you, the holder and admins)."
    ),
    theme: str | None = typer.Option(None, "--theme", help="A catalogue theme, e.g. 교통."),
    formats: list[str] = typer.Option(
        [], "--format", help=f"A wanted format (repeat): {FORMAT_CODES}."
    ),
    frequency: str | None = typer.Option(
        None, "--frequency", help=f"How often: {', '.join(rules.FREQUENCIES)}."
    ),
    region: str | None = typer.Option(None, "--region", help="A 시도/시군구 id, e.g. 11."),
    start: str | None = typer.Option(None, "--from", help="Period start, YYYY-MM-DD."),
    end: str | None = typer.Option(None, "--to", help="Period end, YYYY-MM-DD."),
    org: str | None = typer.Option(
        None, "--org", help="The holder, if known: the request is routed at once."
    ),
    as_user: str | None = AS_OPTION,
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """File a request for data that is not open yet (needs --as EMAIL)."""
    draft = RequestDraft(
        title=title,
        description=description,
        purpose=purpose,
        theme=theme,
        formats=tuple(formats),
        frequency=frequency,
        region=region,
        period_start=_date(start, "--from"),
        period_end=_date(end, "--to"),
        organization=org,
    )
    with platform_ctx(data_dir) as p:
        filed = p.desk.file(draft, principal=_who(p, as_user, person=True))
    if json_out:
        return print_json(dataclasses.asdict(filed))
    i = _lang(lang)
    _show(filed.request, i)
    s = filed.suggestions
    for d in s.duplicates:
        console.print(
            ("비슷한 요청" if i == 0 else "Similar request") + f": #{d.request_id} {d.title}",
            markup=False,
        )
    for m in s.datasets:
        console.print(
            ("이미 있는 데이터" if i == 0 else "Existing dataset") + f": {m.name} ({m.title})",
            markup=False,
        )
    for o in s.organizations:
        console.print(
            ("보유 가능 기관" if i == 0 else "Likely holder") + f": {o.name} ({o.title})",
            markup=False,
        )


@app.command("list")
def list_requests(
    status: list[str] = typer.Option(
        [], "--status", help=f"Only these statuses (repeat): {STATUS_CODES}."
    ),
    org: str | None = typer.Option(None, "--org", help="Only those routed to this holder."),
    mine: bool = typer.Option(False, "--mine", help="Only those filed or joined by --as."),
    overdue: bool | None = typer.Option(
        None, "--overdue/--not-overdue", help="Only those past (or within) their deadline."
    ),
    theme: str | None = typer.Option(None, "--theme", help="Only this theme."),
    q: str | None = typer.Option(None, "-q", "--query", help="Words in the title or text."),
    limit: int = typer.Option(50, "--limit", min=1, max=rules.LIST_MAX),
    offset: int = typer.Option(0, "--offset", min=0),
    as_user: str | None = AS_OPTION,
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """List requests, newest first."""
    flt = RequestFilter(
        status=tuple(status),  # type: ignore[arg-type]  # checked by the service
        organization=org,
        mine=mine,
        overdue=overdue,
        theme=theme,
        q=q,
        limit=limit,
        offset=offset,
    )
    with platform_ctx(data_dir) as p:
        page = p.desk.find(flt, principal=_who(p, as_user))
    if json_out:
        return print_json(dataclasses.asdict(page))
    i = _lang(lang)
    heads = (
        ("번호", "제목", "상태", "기관", "기한", "요청 수")
        if i == 0
        else ("id", "title", "status", "holder", "due on", "supporters")
    )
    t = Table(*heads, title=f"{page.total}건" if i == 0 else f"{page.total} request(s)")
    for r in page.items:
        t.add_row(
            str(r.id),
            r.title,
            _status(r, i),
            r.organization or "-",
            r.due_on.isoformat() if r.due_on else "-",
            str(r.supporters),
        )
    console.print(t)


@app.command("show")
def show(
    request_id: int = ID_ARG,
    history: bool = typer.Option(False, "--history", help="Also list every step."),
    as_user: str | None = AS_OPTION,
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Show one request (and its history with --history)."""
    with platform_ctx(data_dir) as p:
        me = _who(p, as_user)
        info = p.desk.get(request_id, principal=me)
        steps = p.desk.history(request_id, principal=me) if history else []
    if json_out:
        out: dict[str, Any] = dataclasses.asdict(info)
        if history:
            out["history"] = [dataclasses.asdict(h) for h in steps]
        return print_json(out)
    _show(info, _lang(lang))
    for h in steps:
        ledger = f"  [ledger {h.ledger_index}]" if h.ledger_index is not None else ""
        console.print(
            f"  {h.at.astimezone(rules.KST):%Y-%m-%d %H:%M}  {h.action:<16} {h.actor}"
            f"  {h.detail}{ledger}",
            markup=False,
            highlight=False,
        )


@app.command("support")
def support(
    request_id: int = ID_ARG,
    undo: bool = typer.Option(False, "--undo", help="Leave the request instead."),
    as_user: str | None = AS_OPTION,
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """ "Me too": join a request as --as EMAIL (or leave it with --undo)."""
    with platform_ctx(data_dir) as p:
        me = _who(p, as_user, person=True)
        info = (
            p.desk.unsupport(request_id, principal=me)
            if undo
            else p.desk.support(request_id, principal=me)
        )
    _done(info, json_out, lang)


@app.command("withdraw")
def withdraw(
    request_id: int = ID_ARG,
    as_user: str | None = AS_OPTION,
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Withdraw your own open request (needs --as EMAIL)."""
    with platform_ctx(data_dir) as p:
        info = p.desk.withdraw(request_id, principal=_who(p, as_user, person=True))
    _done(info, json_out, lang)


@app.command("route")
def route(
    request_id: int = ID_ARG,
    organization: str = typer.Argument(..., help="The holder organisation's name."),
    as_user: str | None = AS_OPTION,
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Send a filed request to a holder (admins); its 10-business-day deadline starts."""
    with platform_ctx(data_dir) as p:
        info = p.desk.route(request_id, organization, principal=_who(p, as_user))
    _done(info, json_out, lang)


@app.command("answer")
def answer(
    request_id: int = ID_ARG,
    kind: str = typer.Argument(..., help="provide | process | refuse | transfer"),
    dataset: str | None = typer.Option(None, "--dataset", help="provide: the dataset."),
    version: int | None = typer.Option(None, "--version", help="provide: a version (latest)."),
    method: str | None = typer.Option(
        None, "--method", help=f"process: {', '.join(rules.PROCESS_METHODS)}."
    ),
    expected_on: str | None = typer.Option(
        None, "--expected-on", help="process: when it should be ready, YYYY-MM-DD."
    ),
    reason: str | None = typer.Option(
        None, "--reason", help=f"refuse: a legal reason, {', '.join(rules.REFUSAL_REASONS)}."
    ),
    org: str | None = typer.Option(None, "--org", help="transfer: the organisation to send to."),
    note: str = typer.Option("", "--note", help="A note for the requester (needed to refuse)."),
    as_user: str | None = AS_OPTION,
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Answer a routed request as its holder: provide, process, refuse or transfer."""
    given: AnswerKind
    if kind == "provide" and dataset:
        given = Provide(dataset, version, note)
    elif kind == "process" and method:
        given = Process(method, note, _date(expected_on, "--expected-on"))  # type: ignore[arg-type]
    elif kind == "refuse" and reason:
        given = Refuse(reason, note)
    elif kind == "transfer" and org:
        given = Transfer(org, note)
    else:
        raise InvalidInput(M.MSG_CLI_ANSWER)
    with platform_ctx(data_dir) as p:
        info = p.desk.answer(request_id, given, principal=_who(p, as_user))
    _done(info, json_out, lang)


@app.command("deliver")
def deliver(
    request_id: int = ID_ARG,
    dataset: str = typer.Argument(..., help="The published dataset that provides it."),
    version: int | None = typer.Option(None, "--version", help="A version (default: latest)."),
    as_user: str | None = AS_OPTION,
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Provide a request answered "process" with the dataset made for it."""
    with platform_ctx(data_dir) as p:
        info = p.desk.deliver(request_id, dataset, version, principal=_who(p, as_user))
    _done(info, json_out, lang)


@app.command("extend")
def extend(
    request_id: int = ID_ARG,
    reason: str = typer.Option(..., "--reason", help="Why more time is needed."),
    as_user: str | None = AS_OPTION,
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Extend the deadline by 10 business days (once per request)."""
    with platform_ctx(data_dir) as p:
        info = p.desk.extend(request_id, reason, principal=_who(p, as_user))
    _done(info, json_out, lang)


@app.command("dispute")
def dispute(
    request_id: int = ID_ARG,
    reasons: str = typer.Option(..., "--reasons", help="Why the answer is contested."),
    as_user: str | None = AS_OPTION,
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Contest a refusal or a passed deadline for mediation (the requester, --as EMAIL)."""
    with platform_ctx(data_dir) as p:
        info = p.desk.open_dispute(request_id, reasons, principal=_who(p, as_user, person=True))
    _done(info, json_out, lang)


@app.command("decide")
def decide(
    request_id: int = ID_ARG,
    outcome: str = typer.Argument(..., help="upheld (reopens it) | dismissed | settled"),
    note: str = typer.Option("", "--note", help="The mediation's note."),
    as_user: str | None = AS_OPTION,
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Record the outcome of a dispute's mediation (admins)."""
    with platform_ctx(data_dir) as p:
        info = p.desk.decide_dispute(
            request_id,
            outcome,  # type: ignore[arg-type]  # checked by the service
            note,
            principal=_who(p, as_user),
        )
    _done(info, json_out, lang)


@app.command("sweep")
def sweep(
    every: int = typer.Option(
        0,
        "--every",
        min=0,
        metavar="SECONDS",
        help="Keep running, sweeping every SECONDS (Ctrl-C stops); 0: sweep once.",
    ),
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Flag and escalate requests past their deadline: the holder's owners and the admins are
    told, once per request. Safe to run often and from several machines (cron, a systemd
    timer, or --every)."""
    i = _lang(lang)
    with platform_ctx(data_dir) as p:
        while True:
            ids = p.desk.sweep(principal=SYSTEM)
            if json_out:
                print_json({"escalated": ids})
            elif i == 0:
                console.print(f"기한이 지난 요청 {len(ids)}건을 알렸습니다: {ids}", markup=False)
            else:
                console.print(f"Escalated {len(ids)} overdue request(s): {ids}", markup=False)
            if every <= 0:
                return
            time.sleep(every)


@app.command("stats")
def stats(
    lang: str = LANG_OPTION,
    data_dir: Path | None = DATA_DIR_OPTION,
    json_out: bool = JSON_OPTION,
) -> None:
    """Public statistics: answer rates and times, by theme and organisation, most wanted."""
    with platform_ctx(data_dir) as p:
        st = p.desk.stats()
    if json_out:
        return print_json(dataclasses.asdict(st))
    i = _lang(lang)
    median = "-" if st.median_answer_days is None else f"{st.median_answer_days:g}"
    if i == 0:
        console.print(
            f"전체 {st.total}건, 처리 중 {st.open}건, 기한 경과 {st.overdue}건\n"
            f"답변율 {st.answer_rate:.0%}, 기한 내 답변 {st.on_time_rate:.0%}, "
            f"답변까지 중앙값 {median} 영업일",
            markup=False,
        )
    else:
        console.print(
            f"{st.total} requests, {st.open} open, {st.overdue} overdue\n"
            f"answered {st.answer_rate:.0%}, on time {st.on_time_rate:.0%}, "
            f"median {median} business days to answer",
            markup=False,
        )
    heads = (
        ("구분", "요청", "답변", "제공", "중앙값(영업일)")
        if i == 0
        else ("", "requests", "answered", "provided", "median days")
    )
    for title, counts in (
        ("주제별" if i == 0 else "By theme", st.by_theme),
        ("기관별" if i == 0 else "By organisation", st.by_organization),
    ):
        t = Table(*heads, title=title)
        for c in counts:
            med = "-" if c.median_days is None else f"{c.median_days:g}"
            name = c.label if i == 0 else (c.label_en or c.label)
            t.add_row(name, str(c.requests), str(c.answered), str(c.provided), med)
        console.print(t)
    if st.most_wanted:
        console.print("가장 많이 원하는 데이터" if i == 0 else "Most wanted", markup=False)
        for r in st.most_wanted:
            console.print(f"  #{r.id} {r.title} ({r.supporters})", markup=False)
