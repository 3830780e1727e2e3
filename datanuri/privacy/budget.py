"""The privacy-loss account of a source dataset: the epsilons its differential-privacy releases
spent, composed by OpenDP, against the budget its holder declared. Pure: no database.

Every DP release of a personal dataset spends its epsilon against the same people, so the
releases compose: under pure epsilon-DP, basic sequential composition, the epsilons add up. The
total is OpenDP's: :func:`composed` builds ``make_adaptive_composition`` (formerly
``make_sequential_composition``) over the recorded epsilons (``d_mids``) and reads its privacy map
at one person (``d_in = 1``, the privacy unit every DP release here states its epsilon for). The
map rounds upward, so the total is never below the exact sum; comparisons with the budget allow
``TOLERANCE`` (relative) for that rounding, so ten releases of 0.1 fit a budget of 1.

The budget is the holder's declaration for that dataset, or ``PolicyLimits.default_epsilon_budget``
when none is declared; a declaration may not exceed that platform limit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M

#: Relative slack for OpenDP's upward rounding of composed epsilons.
TOLERANCE = 1e-9
COMPOSITION = (
    "basic sequential composition (pure epsilon-DP): OpenDP make_adaptive_composition over the "
    "epsilons of the dataset's releases, privacy map at one person"
)


def _opendp() -> Any:
    import opendp.prelude as dp

    dp.enable_features("contrib")  # the compositors are under "contrib", as the mechanisms
    return dp


def composed(epsilons: Sequence[float]) -> float:
    """The total epsilon of releases spending ``epsilons`` on the same people, by OpenDP's
    composition (0 for none)."""
    eps = [float(e) for e in epsilons if e > 0]
    if not eps:
        return 0.0
    dp = _opendp()
    m = dp.c.make_adaptive_composition(
        dp.vector_domain(dp.atom_domain(T=bool)),  # the domain plays no part in the map
        dp.symmetric_distance(),
        dp.max_divergence(),
        d_in=1,
        d_mids=eps,
    )
    return float(m.map(1))


def check_budget_value(value: object, *, limit: float) -> float:
    """A declared budget as a float, or InvalidInput: positive, finite, at most ``limit``."""
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise InvalidInput(M.MSG_BUDGET_BAD.format(value=value))
    if value > limit:
        raise InvalidInput(M.MSG_BUDGET_ABOVE_LIMIT.format(value=value, limit=limit))
    return float(value)


class BudgetExceeded(InvalidInput):
    """A DP release would take its source dataset past its privacy-loss budget: nothing released.
    ``details`` holds the budget, spent, remaining and asked epsilons."""

    code = "privacy_budget_exceeded"


@dataclass(frozen=True)
class BudgetAccount:
    """A source dataset's privacy-loss account: its budget, what is spent, what remains; for a
    release, also what this release spends and OpenDP's composed total with it."""

    dataset: str
    budget: float
    declared: bool  # False: the platform's default budget applies
    releases: int  # DP releases counted in `spent`
    spent: float  # composed epsilon of those releases
    this_release: float | None = None
    spent_after: float | None = None  # composed epsilon of those releases and this one
    composition: str = COMPOSITION

    @property
    def remaining(self) -> float:
        return max(self.budget - self.spent, 0.0)

    @property
    def remaining_after(self) -> float | None:
        return None if self.spent_after is None else max(self.budget - self.spent_after, 0.0)

    @property
    def fits(self) -> bool:
        """Whether the account, with this release if it is for one, stays within the budget."""
        total = self.spent if self.spent_after is None else self.spent_after
        return total <= self.budget * (1 + TOLERANCE)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "dataset": self.dataset,
            "budget": self.budget,
            "declared": self.declared,
            "releases": self.releases,
            "spent": self.spent,
            "remaining": self.remaining,
            "composition": self.composition,
        }
        if self.this_release is not None:
            out["this_release"] = self.this_release
            out["spent_after"] = self.spent_after
            out["remaining_after"] = self.remaining_after
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> BudgetAccount:
        this, after = d.get("this_release"), d.get("spent_after")
        return cls(
            dataset=str(d.get("dataset", "")),
            budget=float(d.get("budget", 0.0)),
            declared=bool(d.get("declared", False)),
            releases=int(d.get("releases", 0)),
            spent=float(d.get("spent", 0.0)),
            this_release=float(this) if this is not None else None,
            spent_after=float(after) if after is not None else None,
            composition=str(d.get("composition", COMPOSITION)),
        )


def account(
    dataset: str,
    spent_epsilons: Sequence[float],
    *,
    declared: float | None,
    default_budget: float,
    this_release: float | None = None,
) -> BudgetAccount:
    """The account of ``dataset`` from the epsilons its releases spent and its declared budget
    (None: ``default_budget``); with ``this_release``, OpenDP's total with that one as well."""
    eps = [float(e) for e in spent_epsilons if e > 0]
    return BudgetAccount(
        dataset=dataset,
        budget=declared if declared is not None else default_budget,
        declared=declared is not None,
        releases=len(eps),
        spent=composed(eps),
        this_release=this_release,
        spent_after=None if this_release is None else composed([*eps, this_release]),
    )


def refuse_if_over(acc: BudgetAccount, *, limit: float) -> None:
    """Raise :class:`BudgetExceeded` (spent, remaining, the asked epsilon) unless ``acc``, an
    account for a release, fits its budget. ``limit`` is the platform's budget ceiling."""
    if acc.fits:
        return
    asked = acc.this_release or 0.0
    raise BudgetExceeded(
        M.MSG_DP_BUDGET_EXCEEDED.format(
            dataset=acc.dataset,
            asked=asked,
            budget=acc.budget,
            spent=acc.spent,
            remaining=acc.remaining,
            limit=limit,
        ),
        details={
            "dataset": acc.dataset,
            "budget": acc.budget,
            "spent": acc.spent,
            "remaining": acc.remaining,
            "asked": asked,
        },
    )
