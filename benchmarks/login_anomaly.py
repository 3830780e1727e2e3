"""Evaluate the login anomaly detector (datanuri.accounts.anomaly) on a generated login history
with labelled attacks; prints precision, recall, the false-block rate and per-family figures.

    python benchmarks/login_anomaly.py [--seed 7] [--users 300] [--days 45] [--json]

The history (fixed seed): users with one or two devices, a home network and an office network
shared with colleagues (offices log many accounts in from one address every morning), working
hours in Korea, typos, trips (a new network) and new phones (a new device), and scripts using
API tokens from a server every hour. Attacks, each labelled with its family: credential stuffing
(one network tries many e-mails, a few with the right password), brute force on one account
(impossible rate), account takeover (the right password from a new device and network at night)
and a stolen token used from a second network while its owner's script runs.

An event is flagged when the verdict is not "allow" (a step-up or a block). Legitimate users pass
a step-up (they have their second factor); attackers do not. Precision and recall count events;
"right-password attacks stopped" counts the attack events that carried the right password (or a
stolen token) and were not let through; the false-block rate is blocked legitimate events over
legitimate events.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
from collections import Counter
from dataclasses import dataclass

from datanuri.accounts.anomaly import AuthEvent, MemoryLog, device_of

FAMILIES = ("credential_stuffing", "brute_force", "account_takeover", "token_theft")
KST = dt.timezone(dt.timedelta(hours=9))


@dataclass(frozen=True)
class Labelled:
    event: AuthEvent
    attack: str | None  # the attack family, None for a legitimate event


@dataclass
class _User:
    id: int
    email: str
    devices: list[str]
    home: str
    office: str
    start_hour: int  # local hour the working day starts
    token_id: int | None
    server: str


def _net(rng: random.Random) -> str:
    return f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.0/24"


def _ua(rng: random.Random) -> str:
    browser = rng.choice(["Chrome", "Firefox", "Safari", "Edge", "Whale"])
    return device_of(f"Mozilla/5.0 ({rng.random():.6f}) {browser}/{rng.randint(100, 140)}")


def generate(*, seed: int = 7, users: int = 300, days: int = 45) -> list[Labelled]:
    """A time-ordered login and token-use history with labelled attacks in its last third."""
    rng = random.Random(seed)
    offices = [_net(rng) for _ in range(max(1, users // 15))]
    people = [
        _User(
            id=i + 1,
            email=f"user{i + 1}@example.kr",
            devices=[_ua(rng) for _ in range(rng.choice([1, 1, 2]))],
            home=_net(rng),
            office=rng.choice(offices),
            start_hour=rng.choice([7, 8, 8, 9, 9, 10]),
            token_id=(i + 1) if rng.random() < 0.3 else None,
            server=_net(rng),
        )
        for i in range(users)
    ]
    start = dt.datetime(2026, 9, 1, tzinfo=KST)
    out: list[Labelled] = []

    def login(u: _User, t: dt.datetime, net: str, dev: str, ok: bool = True) -> None:
        out.append(Labelled(AuthEvent(t, "login", u.email, net, dev, u.id, ok), None))

    for day in range(days):
        date = start + dt.timedelta(days=day)
        if date.weekday() >= 5:
            continue
        for u in people:
            if rng.random() < 0.1:  # a day off
                continue
            for k in range(rng.choice([1, 1, 2, 3])):
                hour = u.start_hour + (0 if k == 0 else rng.randint(1, 8))
                t = date + dt.timedelta(
                    hours=hour, minutes=rng.randint(0, 59), seconds=rng.randint(0, 59)
                )
                net = u.office if rng.random() < 0.8 else u.home
                dev = rng.choice(u.devices)
                roll = rng.random()
                if roll < 0.01:  # a trip: a network never seen
                    net = _net(rng)
                elif roll < 0.015:  # a new phone or laptop, kept from now on
                    u.devices.append(_ua(rng))
                    dev = u.devices[-1]
                if rng.random() < 0.05:  # a typo first
                    login(u, t - dt.timedelta(seconds=20), net, dev, ok=False)
                login(u, t, net, dev)
            if u.token_id is not None:  # a script, every hour of the working day
                for hour in range(8, 19):
                    t = date + dt.timedelta(hours=hour, minutes=5, seconds=rng.randint(0, 50))
                    out.append(
                        Labelled(
                            AuthEvent(
                                t, "token", u.email, u.server, "script", u.id, True, u.token_id
                            ),
                            None,
                        )
                    )
    attack_days = [start + dt.timedelta(days=d) for d in range(days * 2 // 3, days)]
    attack_days = [d for d in attack_days if d.weekday() < 5] or attack_days

    def when(day: dt.datetime, hour: int) -> dt.datetime:
        return day + dt.timedelta(hours=hour, minutes=rng.randint(0, 59))

    for _ in range(3):  # credential stuffing
        net, dev, t = _net(rng), _ua(rng), when(rng.choice(attack_days), rng.randint(0, 23))
        for j in range(120):
            if rng.random() < 0.5:
                u = rng.choice(people)
                email, uid, ok = u.email, u.id, rng.random() < 0.03
            else:
                email, uid, ok = f"leaked{rng.randint(1, 10**6)}@mail.example", None, False
            ev = AuthEvent(t + dt.timedelta(seconds=5 * j), "login", email, net, dev, uid, ok)
            out.append(Labelled(ev, "credential_stuffing"))
    for _ in range(5):  # brute force on one account
        u, net, dev = rng.choice(people), _net(rng), _ua(rng)
        t = when(rng.choice(attack_days), rng.randint(0, 23))
        hit = rng.randint(15, 39)
        for j in range(40):
            ev = AuthEvent(
                t + dt.timedelta(seconds=6 * j), "login", u.email, net, dev, u.id, j == hit
            )
            out.append(Labelled(ev, "brute_force"))
    for _ in range(15):  # account takeover with a phished password, at night
        u = rng.choice(people)
        t = when(rng.choice(attack_days), (u.start_hour + 14 + rng.randint(0, 4)) % 24)
        ev = AuthEvent(t, "login", u.email, _net(rng), _ua(rng), u.id, True)
        out.append(Labelled(ev, "account_takeover"))
    owners = [u for u in people if u.token_id is not None]
    for _ in range(10):  # a stolen token used while its owner's script runs
        u = rng.choice(owners)
        day = rng.choice(attack_days)
        t = day + dt.timedelta(hours=rng.randint(9, 17), minutes=rng.randint(6, 14))
        ev = AuthEvent(t, "token", u.email, _net(rng), "curl", u.id, True, u.token_id)
        out.append(Labelled(ev, "token_theft"))
    out.sort(key=lambda x: x.event.time)
    return out


@dataclass(frozen=True)
class Result:
    precision: float
    recall: float
    false_block_rate: float
    step_up_rate: float  # legitimate events asked for the second factor
    stopped: float  # right-password (or stolen-token) attack events not let through
    per_family: dict[str, dict[str, float]]
    legit: int
    attacks: int

    def to_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def evaluate(history: list[Labelled]) -> tuple[Result, list[tuple[Labelled, str]]]:
    """Run the detector over the history in time order; the figures and each verdict."""
    log = MemoryLog()
    verdicts: list[tuple[Labelled, str]] = []
    for item in history:
        result = log.observe(item.event, second_factor_ok=item.attack is None)
        verdicts.append((item, result.verdict))
    legit = [v for i, v in verdicts if i.attack is None]
    attacks = [(i, v) for i, v in verdicts if i.attack is not None]
    tp = sum(1 for _, v in attacks if v != "allow")
    fp = sum(1 for v in legit if v != "allow")
    armed = [(i, v) for i, v in attacks if i.event.success]
    per_family: dict[str, dict[str, float]] = {}
    for fam in FAMILIES:
        rows = [(i, v) for i, v in attacks if i.attack == fam]
        hits = [(i, v) for i, v in rows if i.event.success]
        per_family[fam] = {
            "events": len(rows),
            "recall": _ratio(sum(1 for _, v in rows if v != "allow"), len(rows)),
            "blocked": _ratio(sum(1 for _, v in rows if v == "block"), len(rows)),
            "right_password_events": len(hits),
            "stopped": _ratio(sum(1 for _, v in hits if v != "allow"), len(hits)),
        }
    return (
        Result(
            precision=_ratio(tp, tp + fp),
            recall=_ratio(tp, len(attacks)),
            false_block_rate=_ratio(sum(1 for v in legit if v == "block"), len(legit)),
            step_up_rate=_ratio(sum(1 for v in legit if v == "step_up"), len(legit)),
            stopped=_ratio(sum(1 for _, v in armed if v != "allow"), len(armed)),
            per_family=per_family,
            legit=len(legit),
            attacks=len(attacks),
        ),
        verdicts,
    )


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 1.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--users", type=int, default=300)
    ap.add_argument("--days", type=int, default=45)
    ap.add_argument("--json", action="store_true", help="one JSON line instead of a table")
    args = ap.parse_args()
    history = generate(seed=args.seed, users=args.users, days=args.days)
    result, verdicts = evaluate(history)
    if args.json:
        print(json.dumps(result.to_dict()))
        return
    print(f"events: {result.legit} legitimate, {result.attacks} attack (seed {args.seed})")
    print(
        f"precision {result.precision:.4f}  recall {result.recall:.4f}  "
        f"false-block rate {result.false_block_rate:.5f}  legit step-up rate {result.step_up_rate:.4f}"
    )
    print(f"right-password attack events stopped: {result.stopped:.4f}")
    for fam, f in result.per_family.items():
        print(
            f"  {fam:20s} events {int(f['events']):4d}  recall {f['recall']:.3f}  "
            f"blocked {f['blocked']:.3f}  right-password {int(f['right_password_events']):3d} "
            f"stopped {f['stopped']:.3f}"
        )
    reasons = Counter(v for i, v in verdicts if i.attack is None and v != "allow")
    print(f"legitimate events not simply allowed: {dict(reasons)}")


if __name__ == "__main__":
    main()
