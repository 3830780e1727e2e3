"""A decision record's pure parts: its reference number and access code, the SHA-256 of its
inputs (canonical JSON, RFC 8785) and of the whole record, and the reasons it carries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datanuri.decisions import messages as M
from datanuri.decisions import reasons
from datanuri.errors import InvalidInput

PREFIX = "DN-"


@dataclass(frozen=True)
class DecisionDraft:
    """What an AI system sends for one decision about a person."""

    system: str
    model_version: str
    idempotency_key: str
    inputs: Mapping[str, Any]
    output: str
    score: float | None = None
    reason_codes: Sequence[str] = ()  # from the catalogue; default: the top contributions
    contributions: Mapping[str, float] | None = None  # tree/other models: computed by the caller
    base_value: float | None = None
    method: str | None = None  # tree/other: the method that computed the contributions
    groups: Mapping[str, str] | None = None  # protected attributes, for oversight only
    subject_user_id: int | None = None  # the person, when they have an account here
    # or the person's resident registration number: only its MyData linking identifier (CI) is
    # kept, so a person linked to that CI finds the decision under their account
    subject_rrn: str | None = None


def new_reference() -> str:
    """An unguessable reference: DN- and the base32 of 80 random bits (16 characters)."""
    return PREFIX + base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def access_code(key: bytes, reference: str) -> str:
    """The person's access code of `reference`: derived with the instance's key, so a replayed
    request gets the same code, while only its hash is stored."""
    mac = hmac.new(key, reference.encode("ascii"), hashlib.sha256).digest()
    return base64.b32encode(mac[:10]).decode("ascii")


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode("ascii", "ignore")).hexdigest()


def code_matches(code: str | None, stored: str) -> bool:
    return bool(code) and hmac.compare_digest(code_hash(code or ""), stored)


def check_codes(codes: Sequence[str], catalogue: Mapping[str, Any]) -> list[str]:
    for c in codes:
        if c not in catalogue:
            raise InvalidInput(M.MSG_UNKNOWN_CODE.format(code=c))
    return list(codes)


def explain(kind: str, parameters: Mapping[str, Any], draft: DecisionDraft) -> reasons.Explanation:
    """The decision's exact explanation: computed here for linear and logistic models, checked
    for additivity when the caller computed it (trees with ``saabas-path``, other methods)."""
    if kind in ("linear", "logistic"):
        try:
            values = {f: float(draft.inputs[f]) for f in parameters["coefficients"]}
        except (KeyError, TypeError, ValueError) as e:
            raise InvalidInput(M.MSG_LINEAR_PARAMS) from e
        ex = reasons.linear(
            values, parameters["coefficients"], parameters["intercept"], parameters["baseline"]
        )
        if draft.score is not None and not reasons.check_additive(
            ex.base, ex.contributions, draft.score
        ):
            raise InvalidInput(
                M.MSG_NOT_ADDITIVE.format(base=ex.base, got=ex.score, score=draft.score)
            )
        return ex
    if (
        draft.contributions is None
        or draft.base_value is None
        or draft.score is None
        or not (draft.method or "").strip()
    ):
        raise InvalidInput(M.MSG_NEEDS_EXPLANATION.format(kind=kind))
    contrib = {str(k): float(v) for k, v in draft.contributions.items()}
    if not reasons.check_additive(draft.base_value, contrib, draft.score):
        got = draft.base_value + sum(contrib.values())
        raise InvalidInput(
            M.MSG_NOT_ADDITIVE.format(base=draft.base_value, got=got, score=draft.score)
        )
    return reasons.Explanation(float(draft.base_value), contrib, str(draft.method).strip())
