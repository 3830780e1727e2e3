"""Login and token-use anomaly scoring: a pure function from one typed event and the evidence of
earlier events to a risk score, its reasons and a verdict (allow, step up to the second factor,
block). No database: `accounts/guard.py` gathers the evidence from the tables, the benchmark and
the tests from `MemoryLog`, both through `evidence_from`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

EventKind = Literal["login", "token"]
Verdict = Literal["allow", "step_up", "block"]
Reason = Literal[
    "new_device",
    "new_network",
    "unusual_hour",
    "impossible_rate",
    "credential_stuffing",
    "token_two_networks",
]

WINDOW = dt.timedelta(minutes=10)  # how far back "at once" and "rate" look
HISTORY_LIMIT = 200  # a user's earlier successful events the profile is built from
MIN_HISTORY = 3  # fewer known events: device and network are not judged "new"
MIN_HOUR_HISTORY = 10  # fewer: the hour of day is not judged


@dataclass(frozen=True)
class AuthEvent:
    """One login attempt or token use, as the detector sees it (no secrets, no raw address)."""

    time: dt.datetime
    kind: EventKind
    email: str
    network: str  # network_of(address): /24 or /48 prefix
    device: str  # device_of(user agent): a short hash
    user_id: int | None = None
    success: bool = True  # the password was right (always True for a token use)
    token_id: int | None = None
    trusted: bool = True  # let through (allowed, or its step-up passed): part of the profile


@dataclass(frozen=True)
class Evidence:
    """What earlier events say about this one (gathered by the store or `MemoryLog`)."""

    user_past: Sequence[AuthEvent] = ()  # this user's earlier trusted logins, newest first
    account_recent: Sequence[AuthEvent] = ()  # attempts on this e-mail within WINDOW
    network_recent: Sequence[AuthEvent] = ()  # login attempts from this network within WINDOW
    token_recent: Sequence[AuthEvent] = ()  # trusted uses of this token within WINDOW


@dataclass(frozen=True)
class Thresholds:
    """Scores at or above `step_up` ask for the second factor, at or above `block` refuse."""

    step_up: int = 40
    block: int = 80


@dataclass(frozen=True)
class Assessment:
    score: int
    reasons: tuple[Reason, ...]
    verdict: Verdict

    @property
    def allowed(self) -> bool:
        return self.verdict == "allow"


# Weights, tuned on benchmarks/login_anomaly.py for few false blocks: novelty alone (a new
# phone, a trip) only asks for the second factor; a block needs an attack pattern.
W_NEW_DEVICE = 25
W_NEW_NETWORK = 25
W_UNUSUAL_HOUR = 20
RATE_STEP = 10  # attempts on one account within WINDOW: step up
RATE_BLOCK = 20  # ... block
# Distinct accounts with a wrong password from one network within WINDOW (an office behind one
# address logs many accounts in, but rightly): step up, block.
STUFF_STEP = 5
STUFF_BLOCK = 10


def network_of(address: str | None) -> str:
    """The network an address belongs to: its /24 (IPv4) or /48 (IPv6) prefix, else "unknown"."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def device_of(user_agent: str | None) -> str:
    """A short hash of the user agent: recognises a device without storing what it says."""
    return hashlib.sha256((user_agent or "").encode("utf-8")).hexdigest()[:16]


def _hour_is_unusual(hour: int, past: Sequence[AuthEvent]) -> bool:
    """Fewer than 2% of the user's past events fall within an hour of `hour` (circular)."""
    near = sum(1 for e in past if min((e.time.hour - hour) % 24, (hour - e.time.hour) % 24) <= 1)
    return near * 50 < len(past)


def assess(
    event: AuthEvent, evidence: Evidence, thresholds: Thresholds = Thresholds()
) -> Assessment:
    """Score one event: the sum of the weights of the signals it shows, and the verdict."""
    reasons: list[Reason] = []
    score = 0
    past = evidence.user_past
    profiled = event.kind == "login" and event.user_id is not None  # tokens: scripts anywhere
    if profiled and len(past) >= MIN_HISTORY:
        if event.device not in {e.device for e in past}:
            reasons.append("new_device")
            score += W_NEW_DEVICE
        if event.network not in {e.network for e in past}:
            reasons.append("new_network")
            score += W_NEW_NETWORK
    if profiled and len(past) >= MIN_HOUR_HISTORY:
        if _hour_is_unusual(event.time.hour, past):
            reasons.append("unusual_hour")
            score += W_UNUSUAL_HOUR
    if event.kind == "login":
        tries = len(evidence.account_recent) + 1
        if tries > RATE_STEP:
            reasons.append("impossible_rate")
            score += thresholds.block if tries > RATE_BLOCK else thresholds.step_up
        accounts = {e.email for e in evidence.network_recent if not e.success}
        if not event.success:
            accounts.add(event.email)
        if event.network != "unknown" and len(accounts) >= STUFF_STEP:
            reasons.append("credential_stuffing")
            score += thresholds.block if len(accounts) >= STUFF_BLOCK else thresholds.step_up
    else:
        others = {e.network for e in evidence.token_recent} - {event.network}
        if others:
            reasons.append("token_two_networks")
            score += thresholds.block
    if score >= thresholds.block:
        verdict: Verdict = "block"
    elif score >= thresholds.step_up:
        verdict = "step_up"
    else:
        verdict = "allow"
    return Assessment(score, tuple(reasons), verdict)


def evidence_from(event: AuthEvent, earlier: Iterable[AuthEvent]) -> Evidence:
    """The evidence for `event` out of earlier events (any order; only those before it count)."""
    since = event.time - WINDOW
    user_past: list[AuthEvent] = []
    account: list[AuthEvent] = []
    network: list[AuthEvent] = []
    token: list[AuthEvent] = []
    for e in earlier:
        if e.time > event.time:
            continue
        if (
            event.user_id is not None
            and e.user_id == event.user_id
            and e.trusted
            and e.kind == "login"
        ):
            user_past.append(e)
        if e.time < since:
            continue
        if e.kind == "login" and event.kind == "login":
            if e.email == event.email:
                account.append(e)
            if e.network == event.network:
                network.append(e)
        if (
            e.kind == "token"
            and event.kind == "token"
            and e.token_id == event.token_id
            and e.trusted
        ):
            token.append(e)
    user_past.sort(key=lambda e: e.time, reverse=True)
    return Evidence(tuple(user_past[:HISTORY_LIMIT]), tuple(account), tuple(network), tuple(token))


@dataclass
class MemoryLog:
    """Events kept in memory (the benchmark, tests): assess each against those before it, found
    by the same keys the store's queries use (user, e-mail, network, token), in time order."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    by_user: dict[int, list[AuthEvent]] = field(default_factory=dict)  # trusted logins
    by_email: dict[str, list[AuthEvent]] = field(default_factory=dict)
    by_network: dict[str, list[AuthEvent]] = field(default_factory=dict)
    by_token: dict[int, list[AuthEvent]] = field(default_factory=dict)  # trusted uses

    def observe(self, event: AuthEvent, *, second_factor_ok: bool = True) -> Assessment:
        """Assess `event` against the log, then add it; a refused one (wrong password, blocked,
        or a step-up not passed) counts only as an attempt."""
        result = assess(event, evidence_from(event, self._candidates(event)), self.thresholds)
        refused = (
            not event.success
            or result.verdict == "block"
            or (result.verdict == "step_up" and not second_factor_ok)
        )
        self._add(_refused(event) if refused else event)
        return result

    def _candidates(self, event: AuthEvent) -> list[AuthEvent]:
        since = event.time - WINDOW
        out: list[AuthEvent] = []
        if event.kind == "login":
            if event.user_id is not None:
                out += self.by_user.get(event.user_id, [])[-HISTORY_LIMIT:]
            out += _since(self.by_email.get(event.email, []), since)
            out += _since(self.by_network.get(event.network, []), since)
        elif event.token_id is not None:
            out += _since(self.by_token.get(event.token_id, []), since)
        return list({id(e): e for e in out}.values())

    def _add(self, e: AuthEvent) -> None:
        if e.kind == "login":
            if e.trusted and e.user_id is not None:
                self.by_user.setdefault(e.user_id, []).append(e)
            self.by_email.setdefault(e.email, []).append(e)
            self.by_network.setdefault(e.network, []).append(e)
        elif e.trusted and e.token_id is not None:
            self.by_token.setdefault(e.token_id, []).append(e)


def _since(events: list[AuthEvent], since: dt.datetime) -> list[AuthEvent]:
    """The tail of a time-ordered list from `since` on."""
    i = len(events)
    while i > 0 and events[i - 1].time >= since:
        i -= 1
    return events[i:]


def _refused(event: AuthEvent) -> AuthEvent:
    """A refused event: still an attempt (rate, stuffing), never part of a profile."""
    return dataclasses.replace(event, trusted=False)
