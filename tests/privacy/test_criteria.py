"""Privacy criteria as objects: validation and defaults per criterion, the registry the policy
parser and the wizard read, the parameter bundle, and every example policy's round trip."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datanuri.errors import InvalidInput
from datanuri.privacy import dp as DP
from datanuri.privacy import messages as M
from datanuri.privacy.anonymize import anonymize
from datanuri.privacy.criteria import (
    DEFAULT_C,
    DEFAULT_K,
    DEFAULT_L,
    DEFAULT_LOSS,
    DEFAULT_SUPPRESSION,
    DEFAULT_T,
    REGISTRY,
    AnonymizationParams,
    DistinctLDiversity,
    EntropyLDiversity,
    KAnonymity,
    Model,
    RecursiveCLDiversity,
    TCloseness,
    criteria_for,
    criteria_from_policy,
    criteria_to_policy,
    registry_json,
)
from datanuri.privacy.hierarchies import PrefixHierarchy, TableHierarchy, age_hierarchy
from datanuri.privacy.models import check_criteria
from datanuri.privacy.policy import load_policy, parse_policy, validate_policy
from tests.privacy.fakes import people

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.json"))


# ----- each criterion: defaults once, validation with the project's messages ---------------------
def test_defaults():
    assert KAnonymity().k == DEFAULT_K == 5
    assert DistinctLDiversity().l == EntropyLDiversity().l == DEFAULT_L == 2
    assert RecursiveCLDiversity() == RecursiveCLDiversity(c=DEFAULT_C, l=DEFAULT_L)
    assert TCloseness() == TCloseness(t=DEFAULT_T, distance=None)
    # a policy without k gets the criterion's default, and the model's parameters theirs
    assert criteria_from_policy({}) == (KAnonymity(5),)
    assert criteria_from_policy({"model": "t-closeness"}) == (KAnonymity(5), TCloseness(0.2))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: KAnonymity(0), M.MSG_BAD_K.format(k=0)),
        (lambda: KAnonymity(True), M.MSG_BAD_K.format(k=True)),
        (lambda: KAnonymity(2.5), M.MSG_BAD_K.format(k=2.5)),
        (lambda: DistinctLDiversity(0), M.MSG_BAD_L.format(l=0)),
        (lambda: EntropyLDiversity("3"), M.MSG_BAD_L.format(l="3")),
        (lambda: RecursiveCLDiversity(c=0, l=2), M.MSG_BAD_C.format(c=0)),
        (lambda: RecursiveCLDiversity(c=float("inf"), l=2), M.MSG_BAD_C.format(c=float("inf"))),
        (lambda: RecursiveCLDiversity(c=3, l=0), M.MSG_BAD_L.format(l=0)),
        (lambda: TCloseness(t=1.5), M.MSG_BAD_T.format(t=1.5)),
        (lambda: TCloseness(t=-0.1), M.MSG_BAD_T.format(t=-0.1)),
    ],
)
def test_each_criterion_validates_its_parameters(make, message):
    with pytest.raises(InvalidInput) as e:
        make()
    assert e.value.message == message


def test_unknown_distance_and_model():
    with pytest.raises(InvalidInput) as e:
        TCloseness(t=0.2, distance="manhattan")  # type: ignore[arg-type]
    assert "manhattan" in e.value.message and "ordered" in e.value.message
    with pytest.raises(InvalidInput) as e:
        criteria_for("delta-presence")
    assert e.value.message == M.MSG_UNKNOWN_OPTION.format(
        what="privacy model", value="delta-presence", choices=", ".join(REGISTRY)
    )


def test_engine_callers_pass_every_parameter():
    # the engine's keyword API keeps asking for l (a missing one is an error, not a default)
    with pytest.raises(InvalidInput) as e:
        criteria_for("distinct-l-diversity", k=5, missing="error")
    assert e.value.message == M.MSG_BAD_L.format(l=None)
    assert criteria_for("t-closeness", k=3, t=0.1, missing="error") == (
        KAnonymity(3),
        TCloseness(0.1),
    )


# ----- the registry ----------------------------------------------------------------------------
def test_the_registry_lists_exactly_the_criteria_the_engine_checks():
    assert list(REGISTRY) == list(typing.get_args(Model))
    assert {spec.cls for spec in REGISTRY.values()} == {
        KAnonymity,
        DistinctLDiversity,
        EntropyLDiversity,
        RecursiveCLDiversity,
        TCloseness,
    }
    # each one is checked by the search with its registry defaults, and the release meets it
    t = people(300, seed=3)
    qi = {
        "나이": age_hierarchy(),
        "성별": TableHierarchy.from_rows([["남", "*"], ["여", "*"]], name="성별"),
    }
    for name, spec in REGISTRY.items():
        criteria = criteria_for(name, k=2)
        params = AnonymizationParams(
            quasi_identifiers=qi,
            criteria=criteria,
            sensitive="진단명" if spec.cls.needs_sensitive else None,
            max_suppression=0.5,
        )
        r = anonymize(t, **params.engine_kwargs())
        assert r.report["passed"], name
        assert r.report["privacy"]["model"] == name
        measured = check_criteria(
            r.table, quasi_identifiers=list(qi), criteria=criteria, sensitive=params.sensitive
        )
        assert measured.passed and measured.model == name


def test_registry_json_has_names_types_defaults_and_labels():
    reg = registry_json()
    json.dumps(reg, allow_nan=False)
    assert reg["always"]["name"] == "k" and reg["always"]["default"] == DEFAULT_K
    assert reg["defaults"] == {"max_suppression": DEFAULT_SUPPRESSION, "loss": DEFAULT_LOSS}
    by_name = {c["name"]: c for c in reg["criteria"]}
    assert [p["name"] for p in by_name["recursive-cl-diversity"]["params"]] == ["c", "l"]
    rcl = {p["name"]: p for p in by_name["recursive-cl-diversity"]["params"]}
    assert rcl["c"]["type"] == "float" and rcl["c"]["default"] == DEFAULT_C
    assert rcl["l"]["type"] == "int" and rcl["l"]["default"] == DEFAULT_L
    assert by_name["k-anonymity"]["needs_sensitive"] is False
    assert all(c["needs_sensitive"] for n, c in by_name.items() if n != "k-anonymity")
    for c in reg["criteria"]:
        assert c["label"]["ko"] and c["label"]["en"] and c["label"]["ko"] != c["label"]["en"]


# ----- the parameter bundle --------------------------------------------------------------------
def test_params_validate_once():
    qi = {"나이": PrefixHierarchy((1, 0))}
    with pytest.raises(InvalidInput) as e:
        AnonymizationParams(quasi_identifiers={})
    assert e.value.message == M.MSG_NO_QUASI_IDENTIFIERS
    with pytest.raises(InvalidInput) as e:
        AnonymizationParams(quasi_identifiers=qi, criteria=(KAnonymity(), DistinctLDiversity()))
    assert e.value.message == M.MSG_NEEDS_SENSITIVE.format(model="distinct-l-diversity")
    with pytest.raises(InvalidInput) as e:
        AnonymizationParams(
            quasi_identifiers=qi, criteria=(KAnonymity(), TCloseness()), sensitive="나이"
        )
    assert e.value.message == M.MSG_SENSITIVE_IS_QI.format(column="나이")
    with pytest.raises(InvalidInput) as e:
        AnonymizationParams(quasi_identifiers=qi, criteria=(DistinctLDiversity(),), sensitive="s")
    assert e.value.message.startswith(M.MSG_CRITERIA_SHAPE.split("{")[0])
    with pytest.raises(InvalidInput) as e:
        AnonymizationParams(quasi_identifiers=qi, max_suppression=2)
    assert e.value.message == M.MSG_BAD_SUPPRESSION.format(value=2)
    with pytest.raises(InvalidInput) as e:
        AnonymizationParams(quasi_identifiers=qi, loss="speed")  # type: ignore[arg-type]
    assert "speed" in e.value.message
    p = AnonymizationParams(
        quasi_identifiers=qi,
        criteria=(KAnonymity(4), RecursiveCLDiversity(c=4, l=3)),
        sensitive="s",
    )
    kw = p.engine_kwargs()
    assert (kw["model"], kw["k"], kw["l"], kw["c"], kw["t"]) == (
        "recursive-cl-diversity",
        4,
        3,
        4,
        None,
    )
    assert kw["max_suppression"] == DEFAULT_SUPPRESSION and kw["loss"] == DEFAULT_LOSS


def test_a_policy_becomes_one_bundle():
    policy = {
        "quasi_identifiers": {"나이": "age", "시도": {"korean_regions": "시도"}},
        "sensitive": "진단명",
        "model": "recursive-cl-diversity",
        "k": 3,
        "l": 2,
        "c": 4,
        "max_suppression": 0.1,
        "loss": "ncp",
    }
    t = people(200).select(["나이", "시도", "진단명", "성별"])
    policy["insensitive"] = {"성별": "two values, released as they are in the national census"}
    p = parse_policy(t, policy)
    assert p.criteria == (KAnonymity(3), RecursiveCLDiversity(c=4, l=2))
    assert list(p.quasi_identifiers) == ["나이", "시도"] and p.sensitive == "진단명"
    assert (p.max_suppression, p.loss) == (0.1, "ncp")
    assert validate_policy(t, policy) == p


# ----- every example policy round-trips ---------------------------------------------------------
@pytest.fixture(scope="module")
def demo_table(tmp_path_factory) -> pa.Table:
    from datanuri.demo.data import generate
    from datanuri.tables.ingest import ingest

    out = tmp_path_factory.mktemp("demo")
    generate(out)
    ingest(out / "nuri-hospital-outpatient-visits.csv", out / "visits.parquet")
    return pq.read_table(out / "visits.parquet")


MODEL_KEYS = ("model", "k", "l", "c", "t", "distance")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_policy_round_trips(path, demo_table):
    assert EXAMPLES, "no example policies found"
    policy = load_policy(path)
    if DP.is_dp(policy):
        plan = DP.plan(demo_table, policy)
        assert plan.epsilon == policy["epsilon"] and len(plan.measures) == len(
            policy["aggregate"]["measures"]
        )
        return
    keys = {}
    for spec in policy.get("direct_identifiers", {}).values():
        if isinstance(spec, dict) and "pseudonymize" in spec:
            keys[spec["pseudonymize"]["key"]] = b"k" * 32
    params = parse_policy(demo_table, policy, keys=keys, base_dir=path.parent)
    given = {key: policy[key] for key in MODEL_KEYS if key in policy}
    assert criteria_to_policy(params.criteria) == given
    assert criteria_from_policy(criteria_to_policy(params.criteria)) == params.criteria
    assert list(params.quasi_identifiers) == list(policy["quasi_identifiers"])
    assert params.max_suppression == policy.get("max_suppression", DEFAULT_SUPPRESSION)


def test_a_table_hierarchy_is_a_hierarchy_of_the_bundle():
    h = TableHierarchy.from_rows([["남", "*"], ["여", "*"]], name="성별")
    p = AnonymizationParams(quasi_identifiers={"성별": h})
    assert p.quasi_identifiers["성별"] is h and p.criteria == (KAnonymity(),)
