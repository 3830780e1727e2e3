"""Mitigation hints from the metrics that fail their thresholds (English; Korean via ko.po)."""

from __future__ import annotations

from collections.abc import Sequence

from datanuri.audit import messages as M
from datanuri.audit.thresholds import Verdict

SMALL_GROUP = 30  # rows; a group this small is flagged (its figures are shown all the same)
_BY_METRIC = {
    "selection_rate": M.HINT_SELECTION,
    "tpr": M.HINT_TPR,
    "fpr": M.HINT_FPR,
    "ppv": M.HINT_PPV,
    "auc": M.HINT_AUC,
}


def hints(verdicts: Sequence[Verdict], small_groups: Sequence[str] = ()) -> list[str]:
    """One hint per metric that failed a threshold, in metric order, and one for small groups."""
    failed = {v.threshold.metric for v in verdicts if not v.passed}
    out = [text for metric, text in _BY_METRIC.items() if metric in failed]
    if small_groups:
        out.append(M.HINT_SMALL.format(groups=", ".join(small_groups)))
    return out
