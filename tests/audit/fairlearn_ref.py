"""Fairlearn's MetricFrame on the same data: the reference every audit figure is compared with."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import precision_score, roc_auc_score


def _ppv(y_true: Any, y_pred: Any) -> float:
    return float(precision_score(y_true, y_pred, zero_division=0))


def _auc(y_true: Any, score: Any) -> float:
    return float(roc_auc_score(y_true, score)) if len(set(y_true)) == 2 else float("nan")


RATE_METRICS = {
    "selection_rate": selection_rate,
    "tpr": true_positive_rate,
    "fpr": false_positive_rate,
    "ppv": _ppv,
}


def frame(y_true: Any, y_pred: Any, groups: dict[str, Any], **kw: Any) -> MetricFrame:
    return MetricFrame(
        metrics=RATE_METRICS,
        y_true=np.asarray(y_true),
        y_pred=np.asarray(y_pred),
        sensitive_features=pd.DataFrame({k: np.asarray(v).astype(str) for k, v in groups.items()}),
        **kw,
    )


def auc_frame(y_true: Any, score: Any, groups: dict[str, Any]) -> MetricFrame:
    return MetricFrame(
        metrics={"auc": _auc},
        y_true=np.asarray(y_true),
        y_pred=np.asarray(score),
        sensitive_features=pd.DataFrame({k: np.asarray(v).astype(str) for k, v in groups.items()}),
    )
