"""Classification utility of releases of UCI Adult: same model, same people, accuracy gap."""

from __future__ import annotations

import numpy as np
import pytest

from datanuri.errors import InvalidInput
from datanuri.privacy import utility as U
from datanuri.privacy.anonymize import Problem
from tests.privacy.adult import QI, adult, hierarchies

FEATURES = [c for c in QI if c != "income"] + ["occupation", "hours-per-week"]


@pytest.fixture(scope="module")
def problem():
    return Problem(adult(), quasi_identifiers=hierarchies(), k=5, max_suppression=0.01)


def test_coarse_generalisation_costs_accuracy_within_bounds(problem):
    t = adult()
    released, suppressed, kept = problem.release(
        (4, 3, 2, 2, 1, 1, 2, 0)
    )  # age, education, marital ... at their top
    r = U.classification_utility(t, released, target="income", features=FEATURES, seed=0, kept=kept)
    assert 0 < r["gap"] < 0.15
    assert r["gap"] == pytest.approx(r["accuracy_original"] - r["accuracy_released"])
    # both models beat guessing the majority class; the original one clearly
    assert r["accuracy_original"] > r["baseline_majority"] + 0.05
    assert r["accuracy_released"] > r["baseline_majority"]
    assert (
        r["rows"]["original"] == t.num_rows and r["rows"]["train"] + r["rows"]["test"] == t.num_rows
    )
    assert r["rows"]["suppressed"] == suppressed


def test_identity_release_has_exactly_no_gap():
    """Level 0 everywhere, nothing suppressed: the released values are the original ones as text
    (ages become "39"), which the check encodes the same way, so the two models are identical."""
    t = adult()
    p = Problem(t, quasi_identifiers=hierarchies(), k=1, max_suppression=0.0)
    released, suppressed, kept = p.release((0,) * len(QI))
    assert suppressed == 0 and released.column("age").type != t.column("age").type
    r = U.classification_utility(t, released, target="income", features=FEATURES, seed=3)
    assert r["gap"] == 0.0
    assert r["accuracy_original"] == r["accuracy_released"] > r["baseline_majority"]


def test_suppressed_records_count_as_the_releases_loss(problem):
    """Removed records are aligned through `kept`; held-out people whose record was suppressed
    get the majority class, so a release suppressing half the table loses accuracy for it."""
    t = adult()
    released, suppressed, kept = problem.release((0,) * len(QI))  # 5-anonymous only by suppressing
    assert suppressed > t.num_rows // 3 and released.num_rows == t.num_rows - suppressed
    r = U.classification_utility(t, released, target="income", features=FEATURES, kept=kept)
    assert r["rows"]["test_suppressed"] > 0
    assert r["gap"] > 0
    with pytest.raises(InvalidInput) as e:  # without the mask the rows cannot be aligned
        U.classification_utility(t, released, target="income", features=FEATURES)
    assert "kept" in e.value.message


def test_bad_input_is_refused_before_training():
    t = adult()
    with pytest.raises(InvalidInput) as e:
        U.classification_utility(t, t, target="salary", features=FEATURES)
    assert e.value.message == U.MSG_UTILITY_MISSING_COLUMN.format(
        column="salary", table="original", columns=", ".join(t.column_names)
    )
    with pytest.raises(InvalidInput, match="also listed as a feature"):
        U.classification_utility(t, t, target="income", features=["income", "age"])
    with pytest.raises(InvalidInput, match='needs a "target"'):
        U.utility_check(t, t, {"features": ["age"]})
    with pytest.raises(InvalidInput, match="max_gap"):
        U.validate_utility_check(t, {"target": "income", "max_gap": 2})


def test_policy_hook_picks_features_without_identifier_like_columns():
    t = adult().slice(0, 3000)
    feats = U.default_features(t, t, "income")
    assert "income" not in feats and "fnlwgt" not in feats  # fnlwgt: nearly one value per person
    assert {"age", "education", "occupation"} <= set(feats)
    section = U.utility_check(t, t, {"target": "income", "seed": 1})
    assert section["features"] == feats and section["gap"] == 0.0 and section["seed"] == 1
    assert np.isfinite(section["accuracy_original"])
    assert (
        U.utility_check(t, t, {"target": "income", "seed": 1}) == section
    )  # deterministic for a seed


def test_policy_hook_reports_a_gap_over_the_limit(problem):
    t = adult()
    released, _, kept = problem.release((4, 3, 2, 2, 1, 1, 2, 0))
    section = U.utility_check(
        t, released, {"target": "income", "features": FEATURES, "max_gap": 0.01}, kept=kept
    )
    assert section["gap"] > 0.01 and section["passed"] is False
    assert section["failure"] == U.MSG_UTILITY_GAP_TOO_LARGE.format(
        gap=section["gap"], target="income", max_gap=0.01
    )
