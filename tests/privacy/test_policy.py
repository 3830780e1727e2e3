from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.keys import derive_release_key
from datanuri.privacy.policy import apply_policy, load_policy, validate_policy
from tests.privacy.fakes import people

KEY = b"holder-secret-key-0123456789"


def policy(**over):
    base = {
        "direct_identifiers": {
            "성명": "delete",
            "주민등록번호": {"mask": {"keep": "birth_date"}},
            "휴대전화": {"pseudonymize": {"key": "holder", "length": 20}},
            "이메일": "delete",
            "주소": "delete",
            "메모": "mask_identifiers",
        },
        "quasi_identifiers": {
            "나이": "age",
            "성별": {"rows": [["남", "*"], ["여", "*"]]},
            "시도": {"korean_regions": "시도"},
        },
        "sensitive": "진단명",
        "model": "distinct-l-diversity",
        "k": 3,
        "l": 2,
        "max_suppression": 0.05,
        "other": {"금액": {"noise": {"scale": 100, "seed": 1, "round_to": 10}}},
        "acknowledge": {
            "주민등록번호": "the birth date it keeps is needed for age-specific rates",
            "금액": "noisy amounts: distinct, but no longer the true ones",
        },
    }
    base.update(over)
    return base


def test_apply_policy_end_to_end():
    t = people(400)
    r = apply_policy(t, policy(), keys={"holder": KEY})
    assert r.passed, r.report.failures
    out = r.table
    assert "성명" not in out.column_names and "이메일" not in out.column_names
    assert all(v.endswith("-*******") for v in out.column("주민등록번호").to_pylist())
    phones = t.column("휴대전화").to_pylist()
    # keyed per release: HMAC-SHA-256 under the key derived with the release's salt (report)
    salt = bytes.fromhex(
        next(m for m in r.report.measures if m.column == "휴대전화").options["release_salt"]
    )
    derived = derive_release_key(KEY, salt)
    want = {hmac.new(derived, p.encode(), hashlib.sha256).hexdigest()[:20] for p in phones}
    assert set(out.column("휴대전화").to_pylist()) <= want
    assert not any("010-" in m for m in out.column("메모").to_pylist())
    assert all(v % 10 == 0 for v in out.column("금액").to_pylist())
    assert r.report.privacy.measured.k >= 3 and r.report.privacy.measured.l >= 2
    assert [s.measure for s in r.report.measures][:3] == ["delete", "mask", "pseudonymize"]
    assert "holder" in json.dumps(r.report.to_json(), ensure_ascii=False)
    assert KEY.decode() not in json.dumps(r.report.to_json(), ensure_ascii=False)


def test_untreated_direct_identifier_fails_the_policy():
    p = policy(insensitive={"이메일": "test addresses only"})
    del p["direct_identifiers"]["이메일"]
    r = apply_policy(people(200), p, keys={"holder": KEY})
    assert not r.passed
    f = r.report.untreated_direct_identifiers[0]
    assert f.kind == "email"
    assert (
        M.MSG_GATE_CANNOT_OVERRULE.format(
            column="이메일", kind="email", confidence=f.confidence, limit=0.8
        )
        in r.report.failures
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(quasi_identifiers={"없는열": "age"}), M.MSG_MISSING_COLUMN.split("{")[0]),
        (dict(k=10_000), M.MSG_K_TOO_LARGE.format(k=10_000, rows=100)),
        (dict(model="t-closeness", t=3), M.MSG_BAD_T.format(t=3)),
        (dict(bogus=1), None),
        (
            dict(other={"나이": "delete"}),
            M.MSG_POLICY_TWICE.format(column="나이", first="quasi_identifiers", second="other"),
        ),
    ],
)
def test_bad_policies_fail_before_work(change, message):
    with pytest.raises(InvalidInput) as e:
        validate_policy(people(100), policy(**change), keys={"holder": KEY})
    if message:
        assert e.value.message.startswith(message)


def test_missing_key_and_uncovered_hierarchy():
    with pytest.raises(InvalidInput) as e:
        validate_policy(people(50), policy(), keys={})
    assert e.value.message == M.MSG_POLICY_KEY_MISSING.format(column="휴대전화", key="holder")
    p = policy(quasi_identifiers={**policy()["quasi_identifiers"], "성별": {"rows": [["남", "*"]]}})
    with pytest.raises(InvalidInput) as e:
        validate_policy(people(50), p, keys={"holder": KEY})
    assert e.value.details["missing"] == ["여"]


def test_load_policy(tmp_path):
    f = tmp_path / "p.json"
    f.write_text(json.dumps(policy()), encoding="utf-8")
    assert load_policy(f)["k"] == 3
    y = tmp_path / "p.yaml"
    y.write_text("k: 5\nquasi_identifiers:\n  나이: age\n", encoding="utf-8")
    pytest.importorskip("yaml")
    assert load_policy(y) == {"k": 5, "quasi_identifiers": {"나이": "age"}}
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(InvalidInput):
        load_policy(bad)


def test_utility_check_reports_the_accuracy_gap_and_can_fail_the_policy():
    from tests.privacy.adult import DATA, adult

    qi = {
        "age": "age",
        **{
            c: {"csv": str(DATA / f"adult_{c}.csv")}
            for c in ("education", "marital-status", "race", "sex")
        },
    }
    t = adult().slice(0, 6000).select([*qi, "income"])
    base = {
        "quasi_identifiers": qi,
        "k": 5,
        "max_suppression": 0.01,
        "direct_identifiers": {},
        "insensitive": {"income": "the outcome to predict: two bands"},
    }
    check = {"target": "income", "features": list(qi)}  # only what generalisation changes
    loose = apply_policy(t, {**base, "utility_check": {**check, "max_gap": 0.5}})
    section = loose.report.utility.classification
    assert loose.passed and section["passed"] and section["features"] == list(qi)
    assert (
        section["accuracy_original"] > section["baseline_majority"]
    )  # the features carry signal...
    assert (
        0
        < section["gap"]
        == pytest.approx(  # ...that generalisation takes some of
            section["accuracy_original"] - section["accuracy_released"]
        )
    )
    # the same release with no tolerance for a loss fails, and the failure names the target
    strict = apply_policy(t, {**base, "utility_check": {**check, "max_gap": 0.0}})
    assert not strict.passed and any("income" in f for f in strict.report.failures)
    assert strict.report.utility.classification["gap"] == section["gap"]  # deterministic for a seed
    from datanuri.privacy.report_html import render_report_html

    page = render_report_html(strict.report, lang="en")
    assert "Classification utility" in page and f"gap {section['gap'] * 100:.1f} points" in page
    with pytest.raises(InvalidInput):
        validate_policy(t, {**base, "utility_check": {"target": "no-such-column"}})
