"""`/openapi.json` describes every JSON answer of the API, with models that match the services'
records (so a record that gains or loses a field fails here, not in a client)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from datanuri.accounts.records import OrgInfo
from datanuri.accounts.service import TokenInfo, UserInfo
from datanuri.catalog.records import DatasetInfo, VersionInfo
from datanuri.jobs.runner import JobInfo
from datanuri.web import schemas

JSON = "application/json"


@pytest.fixture
def spec(api) -> dict[str, Any]:
    r = api.get("/openapi.json")
    assert r.status_code == 200
    return r.json()


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _described(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A schema that says what the answer holds: named properties, or items that do."""
    schema = _resolve(spec, schema)
    if "anyOf" in schema:
        return all(_described(spec, s) for s in schema["anyOf"] if s.get("type") != "null")
    if schema.get("type") == "array":
        return _described(spec, schema.get("items", {}))
    if schema.get("type") == "object" or "properties" in schema:
        return bool(schema.get("properties"))
    return "type" in schema  # a string or a number says what it is


def _api_operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, ops in spec["paths"].items()
        if path == "/api/v1" or path.startswith("/api/v1/")
        for method, op in ops.items()
        if method in ("get", "post")
    ]


def test_every_json_answer_of_the_api_has_a_described_schema(spec):
    ops = _api_operations(spec)
    assert len(ops) > 40  # the walk found the API
    undescribed, without_answer = [], []
    for method, path, op in ops:
        answers = {c: r for c, r in op["responses"].items() if c.startswith("2")}
        if not any(r.get("content") for r in answers.values()):
            without_answer.append((method, path))
        for code, r in answers.items():
            if set(r.get("content", {})) != {JSON}:
                continue  # a file in one of several formats (download), or a page
            schema = r["content"][JSON].get("schema")
            if not (schema and _described(spec, schema)):
                undescribed.append((method, path, code))
    assert undescribed == []
    assert without_answer == []


def test_the_walk_fails_an_undescribed_answer(spec):
    assert not _described(spec, {})
    assert not _described(spec, {"type": "object", "additionalProperties": True})
    assert not _described(spec, {"type": "array", "items": {"type": "object"}})
    assert _described(spec, {"$ref": "#/components/schemas/VersionOut"})


def test_background_routes_describe_the_job_and_the_waited_answer(spec):
    op = spec["paths"]["/api/v1/datasets/{name}/versions"]["post"]
    refs = {c: r["content"][JSON]["schema"].get("$ref", "") for c, r in op["responses"].items()}
    assert refs["202"].endswith("/JobAcceptedOut")
    assert refs["201"].endswith("/PublishedOut") and refs["422"].endswith("/JobFailedOut")
    apply = spec["paths"]["/api/v1/datasets/{name}/privacy/apply"]["post"]["responses"]
    assert apply["201"]["content"][JSON]["schema"]["$ref"].endswith("/ApplyOut")


def _fields(record: type) -> set[str]:
    return {f.name for f in dataclasses.fields(record)}


@pytest.mark.parametrize(
    "model, record, extra",
    [
        (schemas.OrganizationOut, OrgInfo, set()),
        (schemas.VersionOut, VersionInfo, set()),
        (schemas.DatasetOut, DatasetInfo, set()),
        (schemas.JobOut, JobInfo, {"fraction"}),
        (schemas.UserOut, UserInfo, set()),
        (schemas.TokenOut, TokenInfo, set()),
    ],
)
def test_models_name_every_field_of_the_records(model, record, extra):
    assert set(model.model_fields) == _fields(record) | extra


def test_models_keep_keys_they_do_not_name_and_number_types():
    out = schemas.JobOut.model_validate(
        {
            "id": "j",
            "kind": "ingest",
            "status": "succeeded",
            "progress_done": 3,
            "progress_total": 3,
            "message": "done",
            "result": {"n": 1},
            "error": None,
            "created_at": "t",
            "finished_at": "t",
            "fraction": 1,
            "new_key": [1, 2],
        }
    ).model_dump(mode="json")
    assert out["new_key"] == [1, 2] and type(out["fraction"]) is int
