"""The privacy-loss account of a source dataset across differential-privacy releases (issue #12):
every DP release spends its epsilon, composed by OpenDP; a release past the holder's budget is
refused before any work and again inside the release's transaction; the account entry commits
with the release record or not at all. Runs on SQLite, and on PostgreSQL when
DATANURI_TEST_DATABASE_URL is set (the `platform` fixture)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from sqlalchemy import func, select

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.privacy import messages as M
from datanuri.privacy.budget import BudgetExceeded, account, composed
from datanuri.privacy.db import PrivacyLoss, PrivacyRelease
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.policy import load_policy
from datanuri.privacy.service import PrivacyService
from tests.privacy.test_keys import FailingSink
from tests.privacy.test_service import HOSPITAL, ORG, load_hospital, user

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "policy-outpatient-dp.json"


def dp_policy(epsilon: float = 1.0) -> dict:
    """The example DP policy (counts and a histogram per sex and age band) at ``epsilon``."""
    pol = load_policy(EXAMPLE)
    pol["epsilon"] = epsilon
    pol["aggregate"]["measures"][0]["epsilon"] = epsilon / 4
    return pol


def losses(platform) -> list[float]:
    with platform.db.session() as s:
        return list(s.scalars(select(PrivacyLoss.epsilon).order_by(PrivacyLoss.id)))


def count(platform, model) -> int:
    with platform.db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


# ----- the pure account ------------------------------------------------------------------------


def test_composition_is_opendps_basic_composition():
    import opendp.prelude as dp

    dp.enable_features("contrib")
    assert composed([]) == 0.0
    assert composed([1.0, 1.0, 1.0]) == 3.0
    eps = [0.1] * 10
    # OpenDP rounds the composed epsilon upward: never below the exact sum
    assert composed(eps) >= math.fsum(eps) and composed(eps) == pytest.approx(1.0, rel=1e-12)
    ref = dp.c.make_adaptive_composition(
        dp.vector_domain(dp.atom_domain(T=bool)),
        dp.symmetric_distance(),
        dp.max_divergence(),
        d_in=1,
        d_mids=eps,
    )
    assert composed(eps) == ref.map(1)
    # ten releases of 0.1 fit a budget of 1 despite the upward rounding; an eleventh does not
    assert account("d", [0.1] * 9, declared=1.0, default_budget=10, this_release=0.1).fits
    assert not account("d", [0.1] * 10, declared=1.0, default_budget=10, this_release=0.1).fits


# ----- three releases fit a budget of 3, the fourth is refused ---------------------------------


def test_the_same_policy_released_three_times_spends_the_budget_and_a_fourth_is_refused(
    platform, tmp_path
):
    load_hospital(platform, tmp_path / "demo")
    svc = platform.privacy
    declared = svc.declare_budget(HOSPITAL, 3.0, principal=SYSTEM)
    assert (declared.budget, declared.spent, declared.declared) == (3.0, 0.0, True)
    pol = dp_policy(1.0)
    for i in range(1, 4):
        preview = svc.apply(HOSPITAL, pol, principal=SYSTEM)
        budget = preview.summary()["budget"]
        assert (budget["spent"], budget["this_release"], budget["spent_after"]) == (
            i - 1.0,
            1.0,
            float(i),
        )
        info = svc.release(HOSPITAL, pol, target_name=f"visit-stats-{i}", principal=SYSTEM)
        # the ledger entry records what the release spent, so an auditor can redo the account
        assert platform.ledger.entry(info.ledger_index)["entry"]["data"]["epsilon"] == 1.0
        section = info.report.to_json()["differential_privacy"]["budget"]
        assert section["spent"] == i - 1 and section["spent_after"] == i
        assert section["remaining_after"] == 3 - i and section["budget"] == 3.0
    assert losses(platform) == [1.0, 1.0, 1.0]
    # the report says where the dataset stands, not "epsilon 1 of 1"
    from datanuri.privacy.report_html import render_report_html

    en = render_report_html(info.report, lang="en")
    assert "this release 1, spent 3 / 3, remaining 0" in en and "earlier DP releases 2" in en
    ko = render_report_html(info.report, lang="ko")
    assert "이번 공개 1, 누적 사용 3 / 3, 남음 0" in ko
    acc = svc.budget(HOSPITAL, principal=SYSTEM)
    assert (acc.spent, acc.remaining, acc.releases) == (3.0, 0.0, 3)

    # the preview says why it would not pass ...
    preview = svc.apply(HOSPITAL, pol, principal=SYSTEM)
    expected = M.MSG_DP_BUDGET_EXCEEDED.format(
        dataset=HOSPITAL, asked=1.0, budget=3.0, spent=3.0, remaining=0.0, limit=10.0
    )
    assert not preview.passed and expected in preview.report.failures
    # ... and the release is refused with spent, remaining and the asked epsilon, changing nothing
    size, releases = platform.ledger.size(), count(platform, PrivacyRelease)
    with pytest.raises(BudgetExceeded) as exc:
        svc.release(HOSPITAL, pol, target_name="visit-stats-4", principal=SYSTEM)
    assert exc.value.message == expected
    assert "3 is already spent" in expected and "only 0 remains" in expected
    assert exc.value.details == {
        "dataset": HOSPITAL,
        "budget": 3.0,
        "spent": 3.0,
        "remaining": 0.0,
        "asked": 1.0,
    }
    assert platform.ledger.size() == size and count(platform, PrivacyRelease) == releases
    assert losses(platform) == [1.0, 1.0, 1.0]
    with pytest.raises(errors.NotFound):
        platform.catalog.get_dataset("visit-stats-4", principal=SYSTEM)
    # a smaller release still fits nothing: the budget is spent
    with pytest.raises(BudgetExceeded):
        svc.release(HOSPITAL, dp_policy(0.1), target_name="visit-stats-4", principal=SYSTEM)


def with_limits(platform, limits: PolicyLimits) -> PrivacyService:
    """The platform's privacy service held to other instance limits."""
    return PrivacyService(
        platform.db,
        platform.blobs,
        platform.ledger,
        platform.access,
        platform.catalog,
        keys=platform.privacy.keys,
        limits=limits,
    )


def test_without_a_declaration_the_platform_default_budget_applies(platform, tmp_path):
    load_hospital(platform, tmp_path / "demo")
    svc = with_limits(platform, PolicyLimits(max_epsilon=2.0, default_epsilon_budget=2.5))
    acc = svc.budget(HOSPITAL, principal=SYSTEM)
    assert (acc.budget, acc.declared, acc.spent) == (2.5, False, 0.0)
    svc.release(HOSPITAL, dp_policy(2.0), target_name="stats-a", principal=SYSTEM)
    with pytest.raises(BudgetExceeded) as exc:
        svc.release(HOSPITAL, dp_policy(1.0), target_name="stats-b", principal=SYSTEM)
    assert "only 0.5 remains" in exc.value.message
    svc.release(HOSPITAL, dp_policy(0.5), target_name="stats-b", principal=SYSTEM)
    assert losses(platform) == [2.0, 0.5]


def test_the_account_entry_commits_with_the_release_or_not_at_all(platform, tmp_path):
    load_hospital(platform, tmp_path / "demo")
    failing = PrivacyService(
        platform.db,
        platform.blobs,
        FailingSink(platform.ledger, "privacy.release"),
        platform.access,
        platform.catalog,
        keys=platform.privacy.keys,
    )
    with pytest.raises(errors.LedgerError):
        failing.release(HOSPITAL, dp_policy(1.0), target_name="stats", principal=SYSTEM)
    assert losses(platform) == [] and count(platform, PrivacyRelease) == 0
    assert platform.privacy.budget(HOSPITAL, principal=SYSTEM).spent == 0.0
    info = platform.privacy.release(HOSPITAL, dp_policy(1.0), target_name="stats", principal=SYSTEM)
    with platform.db.session() as s:
        row = s.scalar(select(PrivacyLoss))
        assert row is not None and (row.release_id, row.epsilon) == (info.id, 1.0)


def test_the_budget_check_in_the_transaction_refuses_a_release_that_raced(platform, tmp_path):
    """The early check passed, but another release spent the budget before this one recorded:
    the check inside the transaction refuses it and nothing of it remains."""
    load_hospital(platform, tmp_path / "demo")
    svc = platform.privacy
    svc.declare_budget(HOSPITAL, 1.5, principal=SYSTEM)
    candidate = svc.apply(HOSPITAL, dp_policy(1.0), principal=SYSTEM)  # checked: fits
    assert candidate.passed
    svc.release(HOSPITAL, dp_policy(1.0), target_name="first", principal=SYSTEM)  # the race
    with platform.db.session() as s:
        version = platform.catalog.get_version(HOSPITAL, 1, principal=SYSTEM)
        from datanuri.catalog.models import Version

        row = s.scalar(select(Version).where(Version.content_hash == version.content_hash))
        assert row is not None
        with pytest.raises(BudgetExceeded):
            svc._record(s, HOSPITAL, candidate, dp_policy(1.0), row, SYSTEM)
        s.rollback()
    assert losses(platform) == [1.0]


# ----- declaring a budget ----------------------------------------------------------------------


def owner_principal(platform):
    """An owner of the hospital acting through a token with the 'admin' scope (managing the
    organisation needs it, as adding members does)."""
    from tests.helpers import PASSWORD

    email = "owner@example.org"
    platform.accounts.create_user(email, display_name="소유자", password=PASSWORD, principal=SYSTEM)
    platform.accounts.add_member(ORG, email, role="owner", principal=SYSTEM)
    token = platform.accounts.create_token(
        name="t", scopes=["read", "publish", "admin"], for_email=email, principal=SYSTEM
    )[1]
    return platform.accounts.resolve_token(token)


def test_only_an_owner_declares_a_budget_within_the_platform_limit(platform, tmp_path):
    load_hospital(platform, tmp_path / "demo")
    svc = platform.privacy
    editor = user(platform, "editor@example.org", ORG)
    owner = owner_principal(platform)
    assert svc.budget(HOSPITAL, principal=editor).budget == 10.0  # editors read it
    with pytest.raises(errors.PermissionDenied):
        svc.declare_budget(HOSPITAL, 3.0, principal=editor)
    with pytest.raises(errors.InvalidInput) as exc:
        svc.declare_budget(HOSPITAL, 11.0, principal=owner)
    assert exc.value.message == M.MSG_BUDGET_ABOVE_LIMIT.format(value=11.0, limit=10.0)
    for bad in (0, -1, math.inf, math.nan, True, "3"):
        with pytest.raises(errors.InvalidInput) as exc:
            svc.declare_budget(HOSPITAL, bad, principal=owner)  # type: ignore[arg-type]
        assert exc.value.message == M.MSG_BUDGET_BAD.format(value=bad)
    size = platform.ledger.size()
    acc = svc.declare_budget(HOSPITAL, 2.0, principal=owner)
    assert (acc.budget, acc.declared) == (2.0, True)
    entry = platform.ledger.entry(size)["entry"]
    assert entry["type"] == "privacy.budget.declared" and entry["subject"] == f"dataset:{HOSPITAL}"
    assert entry["data"] == {"organization": ORG, "budget": 2.0, "previous": 10.0, "spent": 0.0}
    svc.release(HOSPITAL, dp_policy(1.5), target_name="stats", principal=editor)
    with pytest.raises(errors.InvalidInput) as exc:
        svc.declare_budget(HOSPITAL, 1.0, principal=owner)
    assert exc.value.message == M.MSG_BUDGET_BELOW_SPENT.format(
        dataset=HOSPITAL, spent=1.5, value=1.0
    )
    assert svc.declare_budget(HOSPITAL, 1.5, principal=owner).remaining == 0.0


# ----- the ceiling on one release, and the crash at epsilon 10^4 --------------------------------


@pytest.mark.parametrize("epsilon", [50, 200, 1000, 1e4, 1e6])
def test_epsilon_above_the_platform_ceiling_is_refused_before_any_work(platform, tmp_path, epsilon):
    load_hospital(platform, tmp_path / "demo")
    size = platform.ledger.size()
    for call in (
        lambda: platform.privacy.apply(HOSPITAL, dp_policy(epsilon), principal=SYSTEM),
        lambda: platform.privacy.release(
            HOSPITAL, dp_policy(epsilon), target_name="stats", principal=SYSTEM
        ),
    ):
        with pytest.raises(errors.InvalidInput) as exc:
            call()
        assert exc.value.message == M.MSG_DP_EPSILON_ABOVE_MAX.format(
            epsilon=float(epsilon), limit=10.0
        )
    assert platform.ledger.size() == size and losses(platform) == []


def test_a_huge_epsilon_below_a_high_ceiling_gives_a_storable_report(platform, tmp_path):
    """The cause of the HTTP 500 at epsilon >= 10^4: OpenDP's discrete Laplace accuracy is -inf
    once exp(-1/scale) underflows, and -inf is not JSON. With an administrator's ceiling that
    high, the release works and every accuracy is finite."""
    load_hospital(platform, tmp_path / "demo")
    svc = with_limits(platform, PolicyLimits(max_epsilon=1e6, default_epsilon_budget=1e7))
    info = svc.release(HOSPITAL, dp_policy(1e4), target_name="stats", principal=SYSTEM)
    section = info.report.to_json()["differential_privacy"]
    json.dumps(info.report.to_json(), allow_nan=False)
    accuracies = [m["accuracy_95"] for m in section["measures"]]
    assert all(math.isfinite(a) and 0 <= a < 0.01 for a in accuracies)
    assert section["max_epsilon"] == 1e6


def test_discrete_laplace_accuracy_is_finite_and_matches_opendp_where_opendp_is_finite():
    import opendp.prelude as dp

    from datanuri.privacy.dp import discrete_laplace_accuracy

    dp.enable_features("contrib")
    for scale in (10.0, 1.0, 0.1, 0.01):
        ours = discrete_laplace_accuracy(scale, 0.05)
        assert ours == dp.discrete_laplacian_scale_to_accuracy(scale, 0.05)
    for scale in (1e-3, 1e-4, 1e-6):
        assert dp.discrete_laplacian_scale_to_accuracy(scale, 0.05) == -math.inf  # the cause
        acc = discrete_laplace_accuracy(scale, 0.05)
        # P[|X| >= a] = 2 t^a / (1 + t), t = exp(-1/scale): the bound a meets alpha exactly
        assert 0 < acc < 1
        assert acc == pytest.approx(scale * math.log(2 / 0.05), rel=1e-9)


def test_two_concurrent_releases_cannot_both_spend_the_rest(platform, tmp_path):
    """Both pass the early check; the account row locked in the release transaction lets only
    one of them spend what remains (the other is refused, or fails on the database's write lock)."""
    import threading

    load_hospital(platform, tmp_path / "demo")
    svc = platform.privacy
    svc.declare_budget(HOSPITAL, 1.5, principal=SYSTEM)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def release(target: str) -> None:
        barrier.wait()
        try:
            outcomes.append(
                svc.release(HOSPITAL, dp_policy(1.0), target_name=target, principal=SYSTEM)
            )
        except Exception as exc:  # noqa: BLE001 - the outcome is what is checked
            outcomes.append(exc)

    threads = [threading.Thread(target=release, args=(f"race-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(outcomes) == 2 and len(done) <= 1
    from sqlalchemy.exc import OperationalError

    assert all(isinstance(o, (BudgetExceeded, OperationalError)) for o in outcomes if o not in done)
    assert losses(platform) == [1.0] * len(done) and sum(losses(platform)) <= 1.5
    assert count(platform, PrivacyRelease) == len(done)
