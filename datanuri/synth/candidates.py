"""Whether a stored synthetic candidate may be released now, and why not (pure).

A holder may make several candidates of a source and release the one whose report they like:
choosing among them uses every one, so a release spends the ε of the candidate released and of
the source's other MST candidates no release has spent yet (its `charge`), and settles them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from datanuri.i18n import translate
from datanuri.privacy.budget import BudgetAccount
from datanuri.synth import messages as M


@dataclass(frozen=True)
class ReleaseGate:
    """`releasable`, else the `reasons` (English; Korean in the catalogue); `charge`: the ε a
    release would spend (None: no formal guarantee, or already settled), counting `tries`
    other unreleased candidates."""

    releasable: bool
    reasons: list[str]
    charge: float | None
    tries: int

    def to_dict(self) -> dict[str, Any]:
        """As JSON, with the reasons in Korean beside the English."""
        return {**asdict(self), "reasons_ko": [translate(r, "ko") for r in self.reasons]}


def release_gate(
    *,
    method: str,
    failures: Sequence[str],
    release_id: int | None,
    charge: float | None,
    tries: int,
    account: BudgetAccount,
) -> ReleaseGate:
    """The gate of a candidate made with `method` whose report failed with `failures`, settled
    by release `release_id` (None: not yet), whose release would spend `charge` against
    `account` (an account for that release)."""
    reasons: list[str] = []
    if release_id is not None:
        reasons.append(M.MSG_GATE_SETTLED.format(release=release_id))
    if method != "mst":
        reasons.append(M.MSG_GATE_NO_GUARANTEE)
    reasons += [f for f in failures if f != M.MSG_FAIL_NO_GUARANTEE]
    if charge is not None and not account.fits:
        reasons.append(
            M.MSG_FAIL_BUDGET.format(
                asked=charge,
                dataset=account.dataset,
                remaining=account.remaining,
                budget=account.budget,
            )
        )
    return ReleaseGate(not reasons, reasons, charge, tries)
