"""Oversight figures of one AI system as pure functions: decisions, contest and overturn rates
per group, and the red-flag rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MIN_DECIDED = 5  # a group's rate is judged only from this many decided contests
RATIO = 2.0  # a red flag: overturn rate at least twice the system's ...
MARGIN = 0.2  # ... and at least 20 points above it


@dataclass(frozen=True)
class Case:
    """One original decision as oversight sees it."""

    groups: Mapping[str, str]
    contested: bool
    outcome: str | None  # upheld | overturned | None (no contest, or not decided)


@dataclass(frozen=True)
class GroupFigures:
    attribute: str
    value: str
    decisions: int
    contests: int
    decided: int
    overturned: int
    contest_rate: float
    overturn_rate: float | None  # of decided contests
    red_flag: bool


@dataclass(frozen=True)
class Figures:
    decisions: int
    contests: int
    decided: int
    overturned: int
    contest_rate: float
    overturn_rate: float | None
    groups: tuple[GroupFigures, ...]


def _rate(n: int, d: int) -> float | None:
    return n / d if d else None


def red_flag(group_rate: float | None, decided: int, overall: float | None) -> bool:
    """A group's overturn rate is a red flag when it is judged on at least `MIN_DECIDED` decided
    contests and is at least `RATIO` times the system's and `MARGIN` above it."""
    if group_rate is None or decided < MIN_DECIDED:
        return False
    base = overall or 0.0
    return group_rate >= RATIO * base and group_rate >= base + MARGIN


def figures(cases: Iterable[Case]) -> Figures:
    cases = list(cases)
    contests = sum(c.contested for c in cases)
    decided = sum(c.outcome is not None for c in cases)
    over = sum(c.outcome == "overturned" for c in cases)
    overall = _rate(over, decided)
    keys = sorted({(a, v) for c in cases for a, v in c.groups.items()})
    groups = []
    for attr, value in keys:
        mine = [c for c in cases if c.groups.get(attr) == value]
        g_contests = sum(c.contested for c in mine)
        g_decided = sum(c.outcome is not None for c in mine)
        g_over = sum(c.outcome == "overturned" for c in mine)
        g_rate = _rate(g_over, g_decided)
        groups.append(
            GroupFigures(
                attr,
                value,
                len(mine),
                g_contests,
                g_decided,
                g_over,
                g_contests / len(mine),
                g_rate,
                red_flag(g_rate, g_decided, overall),
            )
        )
    return Figures(
        len(cases),
        contests,
        decided,
        over,
        contests / len(cases) if cases else 0.0,
        overall,
        tuple(groups),
    )
