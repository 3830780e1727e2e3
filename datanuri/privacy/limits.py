"""The platform's floors and ceilings on privacy policies: what no holder's policy may go past.

Set by the instance's administrators (``Config.privacy_min_k``, ``Config.privacy_max_epsilon``,
``Config.privacy_default_epsilon_budget``), never by a policy; reported in every assessment so a
reader sees which limits a release was held to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_MIN_K = 2
DEFAULT_MAX_EPSILON = 10.0
DEFAULT_EPSILON_BUDGET = 10.0


@dataclass(frozen=True)
class PolicyLimits:
    """Floors and ceilings for policies on this instance.

    ``min_k``: the smallest k (and class size of any model) a policy may ask for.
    ``max_epsilon``: the largest ε one differential-privacy release may spend.
    ``default_epsilon_budget``: the total ε a source dataset may spend over all its DP releases
    when its holder has declared no budget of its own (a declared budget may not exceed it).
    """

    min_k: int = DEFAULT_MIN_K
    max_epsilon: float = DEFAULT_MAX_EPSILON
    default_epsilon_budget: float = DEFAULT_EPSILON_BUDGET

    def to_json(self) -> dict[str, Any]:
        return {
            "min_k": self.min_k,
            "max_epsilon": self.max_epsilon,
            "default_epsilon_budget": self.default_epsilon_budget,
        }
