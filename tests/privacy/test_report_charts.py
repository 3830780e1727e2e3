"""Chart data and SVG of the assessment report, from real reports of `apply_policy`."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pyarrow as pa
import pytest

from datanuri.privacy.policy import apply_policy
from datanuri.privacy.report import load_report
from datanuri.privacy.report_charts import (
    charts,
    loss_columns,
    risk_bands,
    risk_summary,
    size_bands,
    svg_class_sizes,
    svg_loss,
    svg_risk,
)
from tests.privacy.fakes import people

SVG_NS = "{http://www.w3.org/2000/svg}"
DIRECT = {
    "성명": "delete",
    "주민등록번호": {"mask": {"keep": "birth_date_and_sex"}},
    "휴대전화": "delete",
    "이메일": "delete",
    "주소": "delete",
    "메모": "mask_identifiers",
}
SEX = {"rows": [["남", "*"], ["여", "*"]]}


def policy(**kw):
    base = {
        "direct_identifiers": DIRECT,
        "quasi_identifiers": {"나이": "age", "성별": SEX, "시도": {"prefix": [2, 0]}},
        "sensitive": "진단명",
        "other": {"금액": {"microaggregate": {"k": 5}}},
        "acknowledge": {"주민등록번호": "birth date and sex kept for age-specific rates"},
        "model": "k-anonymity",
        "k": 5,
        "max_suppression": 0.05,
    }
    return {**base, **kw}


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return people(300, seed=3)


@pytest.fixture(scope="module")
def passing(table):
    return apply_policy(table, policy())


@pytest.fixture(scope="module")
def failing(table):
    # the model holds, but a mobile-phone column is released as it is: the gate fails it
    direct = {k: v for k, v in DIRECT.items() if k != "휴대전화"}
    return apply_policy(
        table, policy(direct_identifiers=direct, insensitive={"휴대전화": "office numbers"})
    )


def _svg(s: str) -> ET.Element:
    root = ET.fromstring(s)  # well-formed XML or it raises
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("role") == "img" and root.get("aria-label")
    assert root.find(f"{SVG_NS}title") is not None and root.find(f"{SVG_NS}title").text
    return root


def test_size_bands_sum_to_released_records(passing):
    rep = passing.report
    bands = size_bands(rep)
    assert sum(b["records"] for b in bands) == rep.records.released == passing.table.num_rows
    assert sum(b["classes"] for b in bands) == rep.equivalence_classes.classes
    # an independent count of the class sizes of the released table
    qi = list(rep.levels)
    sizes = (
        passing.table.group_by(qi).aggregate([([], "count_all")]).column("count_all").to_pylist()
    )
    assert sorted(sizes)[0] == rep.equivalence_classes.min >= 5
    for b in bands:
        hi = b["high"] if b["high"] is not None else max(sizes)
        inside = [s for s in sizes if b["low"] <= s <= hi]
        assert b["classes"] == len(inside) and b["records"] == sum(inside)
    assert not any(b["below_k"] and b["records"] for b in bands)


def test_risk_bands_sum_to_records_and_match_class_sizes(passing):
    rep = passing.report
    bands = risk_bands(rep)
    assert sum(b["records"] for b in bands) == rep.records.released
    qi = list(rep.levels)
    sizes = np.array(
        passing.table.group_by(qi).aggregate([([], "count_all")]).column("count_all").to_pylist()
    )
    risks = np.repeat(1.0 / sizes, sizes)
    for b in bands:
        assert b["records"] == int(((risks > b["low"]) & (risks <= b["high"])).sum())
    s = risk_summary(rep)
    assert s["highest"] == pytest.approx(1 / sizes.min()) and s["average"] == pytest.approx(
        len(sizes) / sizes.sum()
    )
    assert s["threshold"] == 0.2
    assert [b["above"] for b in bands] == [b["low"] >= 0.2 for b in bands]
    assert bands[0]["label"] == "≤1%" and bands[-1]["label"] == "50–100%"


def test_loss_columns_are_the_report_per_column_figures(passing):
    cols = {c["column"]: c for c in loss_columns(passing.report)}
    assert set(cols) == {"나이", "성별", "시도"}
    levels = passing.report.levels
    for name, c in cols.items():
        assert c["level"] == levels[name]
        assert 0 <= c["intensity"] <= 1 and 0 <= c["ncp"] <= 1
        top = c["top_level"]
        if passing.report.records.suppressed == 0:
            assert c["intensity"] == pytest.approx(levels[name] / top)


def test_svgs_are_well_formed_with_one_bar_per_band(passing):
    root = _svg(svg_class_sizes(passing.report, lang="ko"))
    bars = [r for r in root.iter(f"{SVG_NS}rect") if r.find(f"{SVG_NS}title") is not None]
    assert len(bars) == 2 * len(size_bands(passing.report))  # records and classes per band
    root = _svg(svg_risk(passing.report, lang="en"))
    bars = [r for r in root.iter(f"{SVG_NS}rect") if r.find(f"{SVG_NS}title") is not None]
    assert len(bars) == len(risk_bands(passing.report))
    assert any((t.text or "").startswith("threshold 20%") for t in root.iter(f"{SVG_NS}text"))
    root = _svg(svg_loss(passing.report, lang="ko"))
    bars = [r for r in root.iter(f"{SVG_NS}rect") if r.find(f"{SVG_NS}title") is not None]
    assert len(bars) == 2 * 3
    ticks = [t.text for t in root.iter(f"{SVG_NS}text")]
    assert all(v in ticks for v in ("0", "0.25", "0.5", "0.75", "1"))
    assert (
        "Equivalence class size distribution"
        in ET.fromstring(svg_class_sizes(passing.report, lang="en")).find(f"{SVG_NS}title").text
    )


def test_failing_report_renders(failing):
    rep = failing.report
    assert not failing.passed and "휴대전화" in rep.failures[0]
    for s in charts(rep, lang="en").values():
        _svg(s["svg"])
    # a failing report still describes the rows it would release
    assert rep.records.released > 0
    assert sum(b["records"] for b in size_bands(rep)) == rep.records.released


def test_report_with_no_released_rows_renders(table):
    # recursive (0.5, 4)-diversity: the most frequent of 4 values can never be rarer than half
    # the 4th, so every class fails and everything may be suppressed. (Fewer distinct values
    # than l is refused before any work since issue #12.)
    result = apply_policy(
        table, policy(model="recursive-cl-diversity", l=4, c=0.5, k=2, max_suppression=1.0)
    )
    assert not result.passed and result.table.num_rows == 0
    _check_empty(result.report)


def test_synthetic_empty_report_renders():
    rep = {
        "passed": False,
        "failures": ["every record was suppressed: nothing is released"],
        "records": {"original": 10, "released": 0, "suppressed": 10},
        "privacy": {"required": {"k": 5}},
        "equivalence_classes": {"classes": 0, "histogram": {}},
        "risk": None,
        "utility": {
            "per_column": {
                "나이": {
                    "level": 4,
                    "top_level": 4,
                    "precision": 1.0,
                    "ncp": 1.0,
                    "precision_with_suppression": 1.0,
                    "ncp_with_suppression": 1.0,
                }
            }
        },
    }
    _check_empty(load_report(rep))  # a report stored before the typed format (version 0)


def _check_empty(rep):
    assert rep.records.released == 0
    out = charts(rep, lang="ko")
    for s in out.values():
        _svg(s["svg"])
    assert out["risk"]["summary"] is None
    assert "공개되는 레코드가 없습니다" in out["sizes"]["svg"]
    assert sum(b["records"] for b in out["sizes"]["rows"]) == 0
