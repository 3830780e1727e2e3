"""Licences as ODRL 2.2 offers: validation, templates, JSON-LD that expands (with pyld, offline,
against the shipped copy of the ODRL context) to the ODRL vocabulary IRIs, the round trip back to
the terms, and the plain Korean and English."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from pyld import jsonld

from datanuri import canonical, errors
from datanuri.market import licence as L

CONTEXT_FILE = Path(L.__file__).with_name("data") / "odrl.jsonld"
ODRL = "http://www.w3.org/ns/odrl/2/"
DNR = L.DNR
XSD = "http://www.w3.org/2001/XMLSchema#"
BASE = "https://data.example.kr"


def local_loader(url: str, options: dict | None = None) -> dict:
    """pyld's document loader without network: only the ODRL context, from the shipped file."""
    if url != L.ODRL_CONTEXT:
        raise AssertionError(f"the licence made pyld fetch {url}")
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(CONTEXT_FILE.read_text("utf-8")),
    }


def expand(doc: dict) -> list[dict]:
    return jsonld.expand(doc, {"documentLoader": local_loader})


def offer(terms: L.Terms) -> L.Offer:
    return L.offer_of(
        terms,
        uid=f"{BASE}/market/listings/1/licence.jsonld",
        target=f"{BASE}/dataset/air",
        assigner=f"{BASE}/organizations/org-a",
    )


def ids(values: list[dict]) -> list[str]:
    return [v["@id"] for v in values]


def test_the_shipped_context_is_the_odrl_one():
    ctx = json.loads(CONTEXT_FILE.read_text("utf-8"))["@context"]
    assert ctx["odrl"] == ODRL
    for term in ("Offer", "permission", "prohibition", "duty", "constraint", "purpose", "spatial"):
        assert term in ctx, term


def test_research_template_expands_to_odrl_vocabulary():
    doc = L.to_jsonld(offer(L.template("research-only")))
    (node,) = expand(doc)
    assert node["@type"] == [f"{ODRL}Offer"]
    assert node["@id"] == f"{BASE}/market/listings/1/licence.jsonld"
    assert ids(node[f"{ODRL}target"]) == [f"{BASE}/dataset/air"]
    assert ids(node[f"{ODRL}profile"]) == [L.PROFILE]
    perms = node[f"{ODRL}permission"]
    assert [ids(p[f"{ODRL}action"]) for p in perms] == [
        [f"{ODRL}use"],
        [f"{ODRL}reproduce"],
        [f"{ODRL}derive"],
        [f"{ODRL}aggregate"],
    ]
    cons = {ids(c[f"{ODRL}leftOperand"])[0]: c for c in perms[0][f"{ODRL}constraint"]}
    assert set(cons) == {
        f"{ODRL}purpose",
        f"{DNR}commercialUse",
        f"{ODRL}spatial",
        f"{ODRL}elapsedTime",
    }
    purpose = cons[f"{ODRL}purpose"]
    assert ids(purpose[f"{ODRL}operator"]) == [f"{ODRL}isAnyOf"]
    assert ids(purpose[f"{ODRL}rightOperand"]) == [f"{DNR}research", f"{DNR}education"]
    assert cons[f"{DNR}commercialUse"][f"{ODRL}rightOperand"] == [{"@value": False}]
    assert cons[f"{ODRL}spatial"][f"{ODRL}rightOperand"] == [{"@value": "KR"}]
    assert cons[f"{ODRL}elapsedTime"][f"{ODRL}rightOperand"] == [
        {"@value": "P365D", "@type": f"{XSD}duration"}
    ]
    assert ids(perms[0][f"{ODRL}duty"][0][f"{ODRL}action"]) == [f"{ODRL}attribute"]
    banned = [ids(p[f"{ODRL}action"])[0] for p in node[f"{ODRL}prohibition"]]
    assert banned == [f"{DNR}reidentify", f"{ODRL}distribute", f"{ODRL}sell"]


@pytest.mark.parametrize("name", sorted(L.TEMPLATES))
def test_round_trip_through_json(name):
    terms = L.template(name)
    doc = json.loads(json.dumps(L.to_jsonld(offer(terms)), ensure_ascii=False))
    back = L.offer_from_jsonld(doc)
    assert back == offer(terms)
    assert L.terms_of(back) == terms
    expand(doc)  # every template is valid JSON-LD against the context


def test_round_trip_with_an_end_date_and_no_limits():
    terms = L.Terms(
        actions=("read", "display"),
        commercial=True,
        territory=(),
        term_days=None,
        ends_on=dt.date(2027, 12, 31),
        attribution=False,
        no_onward_sale=False,
    )
    doc = L.to_jsonld(offer(terms))
    assert L.terms_of(L.offer_from_jsonld(doc)) == terms
    (node,) = expand(doc)
    cons = node[f"{ODRL}permission"][0][f"{ODRL}constraint"]
    end = [c for c in cons if ids(c[f"{ODRL}leftOperand"]) == [f"{ODRL}dateTime"]][0]
    assert end[f"{ODRL}rightOperand"] == [{"@value": "2027-12-31", "@type": f"{XSD}date"}]
    banned = [ids(p[f"{ODRL}action"])[0] for p in node[f"{ODRL}prohibition"]]
    assert banned == [f"{DNR}reidentify"]  # re-identification is always prohibited


def test_the_hash_is_of_the_canonical_json():
    a = L.to_jsonld(offer(L.template("research-only")))
    b = json.loads(json.dumps(a, sort_keys=True))
    assert canonical.sha256(a) == canonical.sha256(b) and len(canonical.sha256(a)) == 64
    assert canonical.sha256(a) != canonical.sha256(
        L.to_jsonld(offer(L.template("commercial-internal")))
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"actions": ()}, "at least one action"),
        ({"actions": ("use", "distribute")}, "onward sale"),
        ({"actions": ("use", "teleport")}, "cannot permit 'teleport'"),
        ({"purposes": ("fun",)}, "Unknown purpose"),
        ({"purposes": ("product",), "commercial": False}, "non-commercial"),
        ({"territory": ("Korea",)}, "ISO 3166-1"),
        ({"term_days": 0}, "between 1 and 3650"),
        ({"no_reidentification": False}, "re-identification"),
    ],
)
def test_validation_says_what_is_wrong(change, words):
    with pytest.raises(errors.InvalidInput, match=words):
        L.validate(dataclasses.replace(L.Terms(), **change))


def test_from_dict_reads_and_checks_the_api_form():
    terms = L.Terms.from_dict(L.template("commercial-internal").to_dict())
    assert terms == L.template("commercial-internal")
    with pytest.raises(errors.InvalidInput):
        L.Terms.from_dict({"commercial": "yes"})
    with pytest.raises(errors.InvalidInput, match="Unknown licence template"):
        L.template("free-for-all")


def test_foreign_or_tampered_policies_are_refused():
    doc = L.to_jsonld(offer(L.template("research-only")))
    with pytest.raises(errors.InvalidInput, match="@context"):
        L.offer_from_jsonld({**doc, "@context": "http://www.w3.org/ns/odrl.jsonld"})
    no_reid = {**doc, "prohibition": doc["prohibition"][1:]}
    with pytest.raises(errors.InvalidInput, match="re-identification"):
        L.terms_of(L.offer_from_jsonld(no_reid))
    odd = json.loads(json.dumps(doc))
    odd["permission"][0]["constraint"][0]["leftOperand"] = "payAmount"
    with pytest.raises(errors.InvalidInput, match="permissions under different constraints"):
        L.terms_of(L.offer_from_jsonld(odd))


def test_plain_words_in_korean_and_english():
    t = L.template("research-only")
    en = L.plain(t, "en", holder="서울연구원")
    ko = L.plain(t, "ko", holder="서울연구원")
    assert (
        en.may[0] == "You may: use it, copy it, make derived works such as analyses, aggregate it."
    )
    assert "Only for: research, teaching." in en.may
    assert "Commercial use is not allowed." in en.may
    assert "For 365 days from the purchase." in en.may
    assert en.must == ("You must name the holder, 서울연구원, as the source.",)
    assert len(en.must_not) == 2 and "re-identify" in en.must_not[0]
    assert ko.may[0] == "허용: 이용, 복제, 2차 저작물(분석 결과) 작성, 집계."
    assert "학술 연구, 교육" in ko.may[1] and "영리" in ko.may[2] and "365일" in ko.may[4]
    assert "서울연구원" in ko.must[0] and "재식별" in ko.must_not[0]
    for sentence in (*ko.may, *ko.must, *ko.must_not):
        assert any("\uac00" <= ch <= "\ud7a3" for ch in sentence), sentence
        assert "You " not in sentence
    assert L.research_only(t) and not L.research_only(L.template("commercial-internal"))
