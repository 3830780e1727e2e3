"""Classification utility of a release: does a model trained on the released table predict as
well as the same model trained on the original?

Method (one fixed recipe, so numbers are comparable across releases):

- **The same people.** The original rows are split once into training and held-out parts
  (stratified by the target, ``seed``). Released rows are aligned with the original ones: a
  release with as many rows is aligned row for row (masked records keep their row, with ``*``
  values); a release with suppressed records removed is aligned through ``kept`` (the per-record
  mask :class:`datanuri.privacy.anonymize.Result` carries), since released rows keep their order.
- **The same model.** scikit-learn's ``HistGradientBoostingClassifier`` (fixed settings,
  ``random_state=seed``): strong on tabular data, fast, handles categories natively and missing
  values. Every feature is read as text, as generalised values are: a column whose values all
  read as numbers is used as a number, any other as a category (categories beyond the model's
  255 bins are used as ordered codes). The original and the released table go through exactly
  this encoding, so an unchanged release gives the same model and exactly the same accuracy.
- **Each model on its own table.** Each model is evaluated on the held-out people as its own table
  shows them: the original model on their original values, the released model on their released
  values (which are the original values mapped through the chosen generalisation levels, so this
  is also "the test rows generalised the same way"). Both are scored against the *original*
  target of those people: a release that generalised the target itself loses accuracy for it.
- **Suppressed records count as the release's loss.** They are missing from the released
  training data, and a held-out person whose record was suppressed is predicted with the
  majority class of the released training data (the released table tells nothing about them).

The result: accuracy of each model, the gap (original - released), the majority-class baseline
and the number of rows used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.errors import InvalidInput

MSG_UTILITY_MISSING_COLUMN = (
    "The classification-utility check needs column '{column}' in the {table} table, which has: "
    "{columns}. Name an existing target and features."
)
MSG_UTILITY_TARGET_IS_FEATURE = (
    "The target '{column}' is also listed as a feature; remove it from the features."
)
MSG_UTILITY_NO_FEATURES = (
    "The classification-utility check needs at least one feature column besides the target."
)
MSG_UTILITY_TARGET_NULL = (
    "The target column '{column}' has {count} empty values in the original table; choose a target "
    "without gaps or fill them first."
)
MSG_UTILITY_ONE_CLASS = (
    "The target column '{column}' has a single class; a classifier cannot be measured on it."
)
MSG_UTILITY_ALIGN = (
    "The released table has {released} rows and the original {original}; pass `kept` (one flag per original row, "
    "True where the record is in the release) so the same people can be compared."
)
MSG_UTILITY_TOO_SMALL = (
    "The classification-utility check needs at least {minimum} rows; the original table has {rows}."
)

MIN_ROWS = 20
TEST_SHARE = 0.3
MAX_CATEGORIES = 255  # HistGradientBoostingClassifier's categorical limit (max_bins)
NULL = "\x00null"  # stands for an empty value, as its own category


def _strings(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The column as text (nulls stay null), as generalised values are."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks else pa.array([], column.type)
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    return pc.cast(column, pa.string())


def _labels(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(_strings(column), NULL).to_numpy(zero_copy_only=False)).astype(
        str
    )


def _encode(values: pa.Array, train: np.ndarray) -> tuple[np.ndarray, bool]:
    """One feature for the model: (float column, categorical?). Numbers when every value reads
    as a number (empty values missing); otherwise category codes learnt on the training rows
    (empty values a category of their own, unseen values missing)."""
    try:
        numbers = pc.cast(values, pa.float64())
        return np.asarray(
            pc.fill_null(numbers, np.nan).to_numpy(zero_copy_only=False), dtype=float
        ), False
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    values = pc.fill_null(values, NULL)
    categories = pc.unique(values.filter(pa.array(train)))
    categories = categories.take(pc.sort_indices(categories))
    codes = pc.index_in(values, value_set=categories)
    return np.asarray(
        pc.fill_null(pc.cast(codes, pa.float64()), np.nan).to_numpy(zero_copy_only=False),
        dtype=float,
    ), len(categories) <= MAX_CATEGORIES


def _matrix(
    table: pa.Table, features: Sequence[str], train: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    cols, categorical = [], []
    for f in features:
        x, is_cat = _encode(_strings(table.column(f)), train)
        cols.append(x)
        categorical.append(is_cat)
    return np.column_stack(cols), np.array(categorical, dtype=bool)


def _fit_predict(
    x: np.ndarray,
    categorical: np.ndarray,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    seed: int,
) -> np.ndarray:
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(
        categorical_features=categorical if categorical.any() else None,
        max_iter=100,
        learning_rate=0.1,
        early_stopping=False,  # no inner validation split: both models learn from the same rows
        random_state=seed,
    )
    # One OpenMP thread: the model's threads spin while they wait for a core, so beside web
    # requests, jobs or a second test worker on a small machine they ran 50-100x slower (57 s
    # instead of 0.6 s for 3,000 rows of Adult with the other core busy). threadpoolctl comes
    # with scikit-learn.
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    with threadpool_limits(limits=1, user_api="openmp"):
        model.fit(x[train], y[train])
        return model.predict(x[test])


def _majority(labels: np.ndarray) -> Any:
    values, counts = np.unique(labels.astype(str), return_counts=True)
    return values[np.argmax(counts)]  # ties: the first in sorted order


def classification_utility(
    original: pa.Table,
    released: pa.Table,
    *,
    target: str,
    features: list[str],
    seed: int = 0,
    kept: np.ndarray | Sequence[bool] | None = None,
) -> dict[str, Any]:
    """Train the same classifier on ``original`` and on ``released`` (same people, same split),
    predict ``target`` for held-out people, and return both accuracies, the gap (original -
    released), the majority-class baseline and the row counts. Deterministic for a ``seed``.
    See the module docstring for the method. Raises :class:`InvalidInput` for missing columns,
    a target among the features, an empty or single-class target, or rows that cannot be aligned."""
    from sklearn.model_selection import train_test_split

    features = list(features)
    if not features:
        raise InvalidInput(MSG_UTILITY_NO_FEATURES)
    if target in features:
        raise InvalidInput(MSG_UTILITY_TARGET_IS_FEATURE.format(column=target))
    for name, table in (("original", original), ("released", released)):
        for col in [target, *features]:
            if col not in table.column_names:
                raise InvalidInput(
                    MSG_UTILITY_MISSING_COLUMN.format(
                        column=col, table=name, columns=", ".join(table.column_names)
                    )
                )
    n = original.num_rows
    if n < MIN_ROWS:
        raise InvalidInput(MSG_UTILITY_TOO_SMALL.format(minimum=MIN_ROWS, rows=n))
    nulls = original.column(target).null_count
    if nulls:
        raise InvalidInput(MSG_UTILITY_TARGET_NULL.format(column=target, count=nulls))
    if released.num_rows == n:
        keep = np.ones(n, dtype=bool)
    elif kept is not None and len(kept) == n and int(np.count_nonzero(kept)) == released.num_rows:
        keep = np.asarray(kept, dtype=bool)
    else:
        raise InvalidInput(MSG_UTILITY_ALIGN.format(released=released.num_rows, original=n))

    y = _labels(original.column(target))
    if len(np.unique(y)) < 2:
        raise InvalidInput(MSG_UTILITY_ONE_CLASS.format(column=target))
    rows = np.arange(n)
    _, counts = np.unique(y, return_counts=True)
    stratify = y if counts.min() >= 2 else None
    train_idx, test_idx = train_test_split(
        rows, test_size=TEST_SHARE, random_state=seed, stratify=stratify
    )
    train_idx, test_idx = np.sort(train_idx), np.sort(test_idx)
    is_train = np.zeros(n, dtype=bool)
    is_train[train_idx] = True

    # the original model
    x_o, cat_o = _matrix(original, features, is_train)
    pred_o = _fit_predict(x_o, cat_o, y, train_idx, test_idx, seed)
    acc_o = float(np.mean(pred_o.astype(str) == y[test_idx]))
    baseline = float(np.mean(y[test_idx] == _majority(y[train_idx])))

    # the released model: released rows sit at the kept original positions
    position = np.flatnonzero(keep)  # original row of each released row
    y_r = _labels(released.column(target))
    r_train = is_train[position]
    r_train_idx, r_test_idx = np.flatnonzero(r_train), np.flatnonzero(~r_train)
    predicted = np.full(n, _majority(y_r[r_train_idx]) if len(r_train_idx) else "", dtype=object)
    if len(np.unique(y_r[r_train_idx])) >= 2 and len(r_test_idx):
        x_r, cat_r = _matrix(released, features, r_train)
        predicted[position[r_test_idx]] = _fit_predict(
            x_r, cat_r, y_r, r_train_idx, r_test_idx, seed
        ).astype(str)
    # suppressed held-out people keep the majority-class prediction
    acc_r = float(np.mean(predicted[test_idx].astype(str) == y[test_idx]))
    suppressed_test = int(np.count_nonzero(~keep[test_idx]))
    return {
        "target": target,
        "features": features,
        "model": "HistGradientBoostingClassifier",
        "seed": seed,
        "accuracy_original": acc_o,
        "accuracy_released": acc_r,
        "gap": acc_o - acc_r,
        "baseline_majority": baseline,
        "rows": {
            "original": n,
            "released": released.num_rows,
            "suppressed": int(n - np.count_nonzero(keep)),
            "train": len(train_idx),
            "test": len(test_idx),
            "test_suppressed": suppressed_test,
        },
    }


def default_features(
    original: pa.Table, released: pa.Table, target: str, *, max_distinct_share: float = 0.5
) -> list[str]:
    """Columns present in both tables except the target and identifier-like columns (more than
    ``max_distinct_share`` of the released values distinct: pseudonyms, record numbers)."""
    out = []
    for col in released.column_names:
        if col == target or col not in original.column_names:
            continue
        if (
            released.num_rows
            and pc.count_distinct(released.column(col)).as_py()
            > max_distinct_share * released.num_rows
        ):
            continue
        out.append(col)
    return out


UTILITY_CHECK_KEYS = ("target", "features", "seed", "max_gap")
MSG_UTILITY_CHECK_SHAPE = (
    'A policy\'s "utility_check" needs a "target" column, e.g. {{"utility_check": {{"target": '
    '"income"}}}}; allowed keys: {keys}.'
)
MSG_UTILITY_MAX_GAP = (
    '"max_gap" of "utility_check" must be a number between 0 and 1, got {value!r}.'
)
MSG_UTILITY_GAP_TOO_LARGE = (
    "A model trained on the release is {gap:.1%} less accurate at predicting '{target}' than on "
    "the original data; the policy allows at most {max_gap:.1%}."
)


def validate_utility_check(table: pa.Table, options: Any) -> None:
    """Check a policy's ``"utility_check"`` against the input table before any work."""
    if (
        not isinstance(options, Mapping)
        or not isinstance(options.get("target"), str)
        or set(options) - set(UTILITY_CHECK_KEYS)
    ):
        raise InvalidInput(MSG_UTILITY_CHECK_SHAPE.format(keys=", ".join(UTILITY_CHECK_KEYS)))
    features = options.get("features")
    if features is not None and (
        not isinstance(features, list) or not all(isinstance(f, str) for f in features)
    ):
        raise InvalidInput(MSG_UTILITY_CHECK_SHAPE.format(keys=", ".join(UTILITY_CHECK_KEYS)))
    for col in [options["target"], *(features or [])]:
        if col not in table.column_names:
            raise InvalidInput(
                MSG_UTILITY_MISSING_COLUMN.format(
                    column=col, table="original", columns=", ".join(table.column_names)
                )
            )
    if options["target"] in (features or []):
        raise InvalidInput(MSG_UTILITY_TARGET_IS_FEATURE.format(column=options["target"]))
    max_gap = options.get("max_gap")
    if max_gap is not None and (
        isinstance(max_gap, bool) or not isinstance(max_gap, (int, float)) or not 0 <= max_gap <= 1
    ):
        raise InvalidInput(MSG_UTILITY_MAX_GAP.format(value=max_gap))


def utility_check(
    original: pa.Table,
    released: pa.Table,
    options: Mapping[str, Any],
    *,
    kept: np.ndarray | None = None,
) -> dict[str, Any]:
    """The policy hook: run the check as a policy's ``"utility_check"`` asks, e.g.
    ``{"target": "income"}`` or ``{"target": "income", "features": ["age", "education"],
    "seed": 1, "max_gap": 0.05}``, and return the report section
    (``report["utility"]["classification"]``). With ``max_gap`` the section says whether the
    gap is within it (``passed``) and, if not, the failure to report (``failure``)."""
    validate_utility_check(original, options)
    target = options["target"]
    features = options.get("features") or default_features(original, released, target)
    section = classification_utility(
        original,
        released,
        target=target,
        features=list(features),
        seed=int(options.get("seed", 0)),
        kept=kept,
    )
    max_gap = options.get("max_gap")
    if max_gap is not None:
        section["max_gap"] = float(max_gap)
        section["passed"] = section["gap"] <= max_gap
        if not section["passed"]:
            section["failure"] = MSG_UTILITY_GAP_TOO_LARGE.format(
                gap=section["gap"], target=target, max_gap=max_gap
            )
    return section
