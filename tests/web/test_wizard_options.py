"""The wizard's policy entries beside the model (issue #12): the algorithm and the risk ceiling
come from the engine's registry, and what the wizard posts is applied with them; the k floor
refuses k = 1."""

from __future__ import annotations

import pytest

from datanuri.privacy import messages as M
from datanuri.privacy.criteria import OPTIONS, registry_json
from tests.privacy.test_service import HOSPITAL, POLICY
from tests.web.test_wizard_pages import WIZARD, login, site  # noqa: F401 (fixture)


def test_wizard_offers_the_algorithm_and_the_risk_ceiling(site):  # noqa: F811
    login(site, "editor@example.org")
    r = site.get(WIZARD + "?lang=ko")
    assert r.status_code == 200
    assert [o["name"] for o in registry_json()["options"]] == [o.name for o in OPTIONS]
    assert 'id="wz-algorithm"' in r.text and 'id="wz-risk_threshold"' in r.text
    assert '<option value="mondrian">몬드리안 (지역 재코딩)</option>' in r.text
    assert "재식별 위험 상한" in r.text
    r = site.get(WIZARD + "?lang=en")
    assert "Re-identification risk ceiling" in r.text and "Mondrian (local recoding)" in r.text


def _post(api, csrf, policy):
    return api.post(
        f"/api/v1/datasets/{HOSPITAL}/privacy/apply?wait=true",
        json={"policy": policy},
        headers={"x-csrf-token": csrf},
    )


def test_what_the_wizard_posts_is_applied_with_the_new_entries(site):  # noqa: F811
    csrf = login(site, "editor@example.org")
    r = _post(site, csrf, {**POLICY, "risk_threshold": 0.1, "algorithm": "mondrian"})
    assert r.status_code == 200, r.text
    report = r.json()["report"]
    assert r.json()["passed"], report["failures"]
    assert report["policy"]["algorithm"] == "mondrian"
    assert report["policy"]["risk_threshold"] == 0.1
    assert report["risk"]["prosecutor"]["highest"] <= 0.1
    assert report["limits"]["min_k"] == 2
    # the report fragment the wizard shows renders it
    frag = site.get(f"{WIZARD}/jobs/{r.json()['job']['id']}/report?lang=en")
    assert frag.status_code == 200 and 'data-passed="true"' in frag.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"k": 1}, M.MSG_K_BELOW_FLOOR.format(k=1, min_k=2)),
        ({"algorithm": "greedy"}, M.MSG_BAD_ALGORITHM.format(value="greedy")),
        ({"risk_threshold": 0}, M.MSG_BAD_RISK_THRESHOLD.format(value=0)),
        (
            {"model": "distinct-l-diversity", "l": 100},
            M.MSG_L_TOO_FEW_VALUES.format(column="진단명", distinct=22, l=100),
        ),
    ],
)
def test_the_wizards_refusals_say_why(site, change, message):  # noqa: F811
    csrf = login(site, "editor@example.org")
    r = _post(site, csrf, {**POLICY, **change})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["message"] == message
