"""Inputs that used to end in HTTP 500 or grow without bound (issue #13, "Bounded inputs"):
each now answers 4xx with a message that says what to do, on SQLite and PostgreSQL."""

import pytest

from datanuri import errors
from datanuri.accounts.principal import SYSTEM
from datanuri.catalog import fields as F
from datanuri.web import bodies
from tests.helpers import air_csv, editor_token


@pytest.fixture
def air(api, platform, tmp_path):
    platform.accounts.create_organization("seoul", title="서울", principal=SYSTEM)
    platform.catalog.create_dataset("air", organization="seoul", title="대기질", principal=SYSTEM)
    platform.catalog.publish("air", air_csv(tmp_path / "a.csv"), principal=SYSTEM)
    api.headers["Authorization"] = f"Bearer {editor_token(platform, 'seoul')}"
    return api


def message(r):
    body = r.json()
    return body["error"]["message"]


@pytest.mark.both_databases  # driver limits (64-bit ids, NUL in text, deep offsets)
@pytest.mark.parametrize("page", ["9" * 40, str(2**63), "100000"])
def test_huge_pages_are_refused_not_computed(air, page):
    r = air.get(f"/api/v1/search?q=대기&page={page}")
    assert r.status_code == 422 and "past the last one a search pages to" in message(r)
    r = air.get(f"/api/3/action/package_search?start={page}00")
    assert r.status_code == 400 and r.json()["success"] is False


def test_a_deep_page_within_the_bound_is_answered(air):
    r = air.get("/api/v1/search?q=대기&page=5000")
    assert r.status_code == 200 and r.json()["results"] == []


@pytest.mark.parametrize("path", ["/api/3/action/package_search", "/api/v1/datasets"])
def test_deeply_nested_json_is_refused(air, path):
    nested = "[" * 100_000 + "]" * 100_000
    r = air.post(
        path, content='{"q": ' + nested + "}", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400
    text = r.json()["error"]["message"]
    assert "nested more than 64 levels" in text
    if path.startswith("/api/3"):
        assert r.json()["success"] is False  # the CKAN shape on CKAN routes


@pytest.mark.both_databases  # driver limits (64-bit ids, NUL in text, deep offsets)
@pytest.mark.parametrize(
    "raw,where,what",
    [
        ('{"title": "a\\ud800b"}', "body.title", "lone UTF-16 surrogate"),
        ('{"description": "x\\u0000y"}', "body.description", "NUL character"),
        ('{"keywords": ["ok", "\\udc00"]}', "body.keywords[1]", "lone UTF-16 surrogate"),
    ],
)
def test_text_no_database_stores_is_refused(air, platform, raw, where, what):
    r = air.patch("/api/v1/datasets/air", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and what in message(r) and where in message(r)
    assert platform.catalog.get_dataset("air", principal=SYSTEM).title == "대기질"


def test_a_nul_in_an_upload_file_name_is_refused(air, tmp_path):
    data = air_csv(tmp_path / "b.csv", extra_rows=3).read_bytes()
    body = (
        b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a\x00b.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + data + b"\r\n--XX--\r\n"
    )
    r = air.post(
        "/api/v1/datasets/air/versions?wait=true",
        content=body,
        headers={"Content-Type": "multipart/form-data; boundary=XX"},
    )
    assert r.status_code == 422 and "filename contains a control character (U+0000)" in message(r)
    assert len(air.get("/api/v1/datasets/air/versions").json()) == 1


@pytest.mark.parametrize(
    "change,expected",
    [
        ({"description": "x" * 5_000_000}, "description is too long (5,000,000 characters)"),
        ({"keywords": [f"k{i}" for i in range(100_000)]}, "100,000 keywords given"),
        ({"keywords": ["x" * 101]}, "keyword is too long (101 characters); keep it to 100"),
        ({"title": "a\x00b"}, "NUL character"),
        ({"title": "줄\n바꿈"}, "control character (U+000A)"),
    ],
)
def test_metadata_fields_are_bounded(air, platform, change, expected):
    r = air.patch("/api/v1/datasets/air", json=change)
    assert r.status_code == 422 and expected in message(r)
    doc = platform.catalog.get_dataset("air", principal=SYSTEM)
    assert doc.title == "대기질" and doc.description == ""


def test_the_same_rules_hold_for_the_cli_door(platform):
    """The service is the one validation: the CLI and the console call it like the API does."""
    platform.accounts.create_organization("busan", principal=SYSTEM)
    with pytest.raises(errors.InvalidInput, match="description is too long"):
        platform.catalog.create_dataset(
            "sea", organization="busan", description="x" * 20_001, principal=SYSTEM
        )
    with pytest.raises(errors.InvalidInput, match="title contains a control character"):
        platform.catalog.create_dataset(
            "sea", organization="busan", title="a\x00", principal=SYSTEM
        )
    with pytest.raises(errors.InvalidInput, match="metadata_public must be true or false"):
        platform.catalog.create_dataset(
            "sea", organization="busan", metadata_public="no", principal=SYSTEM
        )
    ok = platform.catalog.create_dataset(
        "sea", organization="busan", description="첫 줄\n둘째 줄", principal=SYSTEM
    )
    assert ok.description == "첫 줄\n둘째 줄"


def test_depth_skips_brackets_inside_strings():
    assert bodies.depth(b'{"a": "[[[[{{{{"}') == 1
    assert bodies.depth(b'{"a": "\\"[[["}') == 1
    assert bodies.depth(b"[[[]]]") == 3
    assert bodies.problem(b'{"a": [1, 2]}') is None


def test_control_characters_are_exactly_unicodes_cc_and_cs():
    """The field check's character classes against Python's Unicode database, over the BMP."""
    import unicodedata

    for code in range(0x10000):
        ch = chr(code)
        control = unicodedata.category(ch) in ("Cc", "Cs")
        assert bool(F._CONTROL.match(ch)) == control, hex(code)
        assert bool(F._CONTROL_MULTILINE.match(ch)) == (control and ch not in "\n\r\t"), hex(code)
    assert F.BOUNDS.limit("temporal_end") == 40 and F.BOUNDS.limit("contact_email") == 300


@pytest.mark.both_databases  # driver limits (64-bit ids, NUL in text, deep offsets)
@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", f"/api/v1/privacy/releases/{2**70}"),
        ("DELETE", f"/api/v1/entitlements/{2**70}"),
        ("DELETE", f"/api/v1/tokens/{2**64}"),
        ("GET", f"/api/v1/ledger/entries?start={2**63}"),
        ("GET", f"/api/v1/ledger/entries/{2**63}/receipt"),
        ("GET", f"/api/v1/ledger/proof/inclusion?index={2**63}&size=1"),
        ("GET", f"/api/v1/datasets/air/versions/1/preview?offset={2**63}"),
    ],
)
def test_ids_past_64_bits_are_invalid_input_not_a_driver_overflow(air, method, path):
    r = air.request(method, path, headers={"Authorization": ""})  # as anyone: before the scope
    assert r.status_code == 422, r.text


@pytest.mark.both_databases  # driver limits (64-bit ids, NUL in text, deep offsets)
def test_the_last_possible_index_is_simply_not_there(air):
    r = air.get(f"/api/v1/ledger/proof/inclusion?index={2**63 - 1}&size=1")
    assert r.status_code == 404, r.text


@pytest.mark.parametrize("version", ["³", "١", "99999999999999999999999"])
def test_a_version_that_is_not_plain_digits_is_invalid_input(air, version):
    r = air.get(f"/api/v1/datasets/air/versions/{version}/preview")
    assert r.status_code == 422 and "A version is a number from 1" in message(r)
