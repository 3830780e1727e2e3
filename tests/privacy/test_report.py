"""The typed assessment report: JSON round trip, a digest any RFC 8785 implementation reproduces,
the differential-privacy variant, and reports stored before the typed format."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest
import rfc8785

from datanuri.errors import InvalidInput
from datanuri.privacy import messages as M
from datanuri.privacy.policy import apply_policy
from datanuri.privacy.report import (
    REPORT_VERSION,
    AssessmentReport,
    DPReport,
    load_report,
)
from tests.privacy.fakes import people

KEY = b"holder-secret-key-0123456789"
POLICY = {
    "direct_identifiers": {
        "성명": "delete",
        "주민등록번호": {"mask": {"keep": "birth_date"}},
        "휴대전화": {"pseudonymize": {"key": "holder", "length": 20}},
        "이메일": "delete",
        "주소": "delete",
        "메모": "mask_identifiers",
    },
    "quasi_identifiers": {"나이": "age", "성별": {"rows": [["남", "*"], ["여", "*"]]}},
    "sensitive": "진단명",
    "other": {"시도": "delete", "금액": {"microaggregate": {"k": 5}}},
    "acknowledge": {"주민등록번호": "the birth date it keeps is needed for age-specific rates"},
    "model": "recursive-cl-diversity",
    "k": 3,
    "l": 2,
    "c": 4,
    "max_suppression": 0.05,
}


@pytest.fixture(scope="module")
def report() -> AssessmentReport:
    r = apply_policy(people(400), POLICY, keys={"holder": KEY})
    assert isinstance(r.report, AssessmentReport)
    return r.report


def test_the_report_is_typed(report):
    assert report.version == REPORT_VERSION and report.passed == (not report.failures)
    assert report.policy.model == "recursive-cl-diversity"
    assert report.policy.parameters == {"k": 3, "l": 2, "c": 4, "t": None}
    assert report.privacy.required == {"k": 3, "c": 4, "l": 2}
    assert report.privacy.measured.k >= 3 and report.privacy.measured.c < 4
    assert set(report.levels) == {"나이", "성별"} == set(report.utility.per_column)
    assert report.records.original == 400
    assert report.records.released + report.records.suppressed == 400
    bands = report.equivalence_classes.histogram.values()
    assert sum(b.records for b in bands) == report.records.released
    assert report.risk is not None and report.risk.prosecutor.highest <= 1 / 3
    assert [m.measure for m in report.measures][:3] == ["delete", "mask", "pseudonymize"]
    options = dict(report.measures[2].options)
    salt = options.pop("release_salt")  # pseudonyms per release: the salt the key is derived with
    assert options == {"key": "holder", "length": 20, "linkable": False} and len(salt) == 32


def test_json_round_trip(report):
    data = report.to_json()
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    assert data["version"] == REPORT_VERSION and data["kind"] == "assessment"
    again = AssessmentReport.from_json(json.loads(text))
    assert again == report and again.to_json() == data
    assert load_report(json.loads(text)) == report and load_report(report) is report


def test_digest_is_reproduced_by_an_independent_rfc8785_implementation(report):
    stored = json.loads(json.dumps(report.to_json(), ensure_ascii=False))  # as a JSON column
    expected = hashlib.sha256(rfc8785.dumps(stored)).hexdigest()
    assert report.digest() == expected == load_report(stored).digest()
    assert report.canonical() == rfc8785.dumps(stored)
    # and the digest changes with the content
    other = load_report({**stored, "failures": ["x"], "passed": False})
    assert other.digest() != report.digest()


def test_a_dp_release_has_its_own_report_without_classes():
    from tests.privacy.test_dp import visits

    policy = {
        "model": "differential-privacy",
        "epsilon": 2.0,
        "person": "pid",
        "contributions": 3,
        "aggregate": {
            "group_by": {"sex": ["M", "F"]},
            "measures": [
                {"count": "*", "epsilon": 0.5},
                {"mean": "weight", "bounds": [0, 200]},
                {"histogram": "dept", "categories": ["내과", "안과"]},
            ],
        },
    }
    rep = apply_policy(visits(), policy).report
    assert isinstance(rep, DPReport) and rep.passed
    data = rep.to_json()
    assert data["kind"] == "differential-privacy"
    for absent in ("equivalence_classes", "risk", "transformation", "privacy", "utility"):
        assert absent not in data
    assert rep.epsilon_spent <= rep.epsilon == 2.0
    assert [m.measure for m in rep.measures] == ["count", "mean", "histogram"]
    assert all(m.epsilon > 0 and m.mechanism for m in rep.measures)
    assert rep.measures[0].accuracy_95 and set(rep.measures[1].components) == {"sum", "count"}
    assert rep.privacy_unit.person == "pid" and rep.privacy_unit.enforced
    again = load_report(json.loads(json.dumps(data)))
    assert again == rep and again.digest() == hashlib.sha256(rfc8785.dumps(data)).hexdigest()


def test_reports_stored_before_the_typed_format_still_load(report):
    legacy = copy.deepcopy(report.to_json())
    del legacy["kind"]
    legacy["version"] = 1  # what the untyped reports said
    legacy["privacy"]["measured"]["c"] = None
    old = load_report(legacy)
    assert isinstance(old, AssessmentReport) and old.version == REPORT_VERSION
    assert old.levels == report.levels and old.records == report.records
    assert old.privacy.measured.c is None
    # a version-0 report without most sections loads too, with empty sections
    bare = load_report({"passed": False, "failures": ["nothing released"], "records": {}})
    assert isinstance(bare, AssessmentReport) and bare.failures == ("nothing released",)
    assert bare.risk is None and bare.utility.per_column == {}
    # an untyped DP report is told by its section
    dp_legacy = {
        "version": 1,
        "passed": True,
        "failures": [],
        "records": {"original": 5, "released": 2},
        "privacy": {"model": "differential-privacy", "required": {"epsilon": 1.0}},
        "equivalence_classes": None,
        "differential_privacy": {
            "epsilon": 1.0,
            "epsilon_spent": 1.0,
            "cells": 2,
            "measures": [
                {
                    "measure": "count",
                    "column": "*",
                    "outputs": ["count"],
                    "epsilon_budget": 1.0,
                    "mechanism": "discrete Laplace",
                    "sensitivity": 1,
                    "scale": 1.0,
                    "epsilon": 1.0,
                    "accuracy_95": 4.0,
                }
            ],
        },
    }
    dp = load_report(dp_legacy)
    assert isinstance(dp, DPReport) and dp.measures[0].scale == 1.0 and dp.cells == 2


def test_a_report_from_a_newer_datanuri_is_refused():
    with pytest.raises(InvalidInput) as e:
        load_report({"version": REPORT_VERSION + 1, "kind": "assessment"})
    assert e.value.message == M.MSG_REPORT_VERSION.format(
        version=REPORT_VERSION + 1, latest=REPORT_VERSION
    )
    with pytest.raises(InvalidInput):
        load_report({"version": REPORT_VERSION, "kind": "unknown"})


def test_a_release_record_stored_before_the_typed_format_still_loads(platform, report):
    from datanuri.accounts.principal import SYSTEM
    from datanuri.privacy.db import PrivacyRelease
    from datanuri.privacy.report_html import render_report_html

    legacy = copy.deepcopy(report.to_json())
    del legacy["kind"]
    legacy["version"] = 1
    with platform.db.session() as s:
        row = PrivacyRelease(
            organization="org-a",
            source_dataset="visits",
            source_version=1,
            source_hash="0" * 64,
            target_dataset="visits-open",
            target_version=1,
            target_hash="1" * 64,
            access_level="open",
            policy=POLICY,
            policy_hash="2" * 64,
            report=legacy,
            report_hash="3" * 64,  # recorded by the old hash, kept as recorded
            released_by="system",
        )
        s.add(row)
        s.flush()
        rid = row.id
    info = platform.privacy.get_release(rid, principal=SYSTEM)
    assert isinstance(info.report, AssessmentReport) and info.report.levels == report.levels
    assert info.report_hash == "3" * 64 and info.to_dict()["report"]["kind"] == "assessment"
    page = render_report_html(info.report, lang="en", report_hash=info.report_hash)
    assert "3" * 64 in page and page.count("<svg") == 3
