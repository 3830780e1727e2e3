"""De-identification engine: detect personal data, transform it, check privacy models, measure
re-identification risk and find the optimal generalisation. Pure logic over Arrow tables; no
database or web code (the service, policy files, CLI and API build on these functions)."""

from datanuri.privacy.anonymize import Problem, Result, anonymize
from datanuri.privacy.detect import ColumnFinding, Detection, detect
from datanuri.privacy.dp import apply_dp
from datanuri.privacy.hierarchies import (
    DateHierarchy,
    Hierarchy,
    IntervalHierarchy,
    PrefixHierarchy,
    TableHierarchy,
    age_hierarchy,
    korean_regions,
    load_hierarchy,
    postcode_hierarchy,
)
from datanuri.privacy.identifiers import IDENTIFIERS, find_identifiers, mask_identifiers
from datanuri.privacy.models import (
    ModelCheck,
    check,
    k_anonymity,
    l_diversity,
    recursive_cl_diversity,
    t_closeness,
)
from datanuri.privacy.mondrian import LocalResult, mondrian
from datanuri.privacy.policy import PolicyResult, apply_policy, load_policy, validate_policy
from datanuri.privacy.report import assessment
from datanuri.privacy.risk import DeltaPresence, Risk, RiskSummary, assess_risk, delta_presence

__all__ = [
    "ColumnFinding",
    "DateHierarchy",
    "DeltaPresence",
    "Detection",
    "Hierarchy",
    "IDENTIFIERS",
    "IntervalHierarchy",
    "LocalResult",
    "ModelCheck",
    "PolicyResult",
    "PrefixHierarchy",
    "Problem",
    "Result",
    "Risk",
    "RiskSummary",
    "TableHierarchy",
    "age_hierarchy",
    "anonymize",
    "apply_dp",
    "apply_policy",
    "assess_risk",
    "assessment",
    "check",
    "delta_presence",
    "detect",
    "find_identifiers",
    "k_anonymity",
    "korean_regions",
    "l_diversity",
    "load_hierarchy",
    "load_policy",
    "mask_identifiers",
    "mondrian",
    "postcode_hierarchy",
    "recursive_cl_diversity",
    "t_closeness",
    "validate_policy",
]
