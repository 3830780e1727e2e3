"""A listing's licence as a W3C ODRL 2.2 policy (pure: no I/O).

Two levels:

- `Terms`: what a holder chooses (permitted actions, purposes, commercial or not, territory,
  term, attribution, no onward sale); validated with messages for the user, rendered in plain
  Korean or English, and offered as templates (`TEMPLATES`).
- `Offer`: the ODRL policy those terms compile to (`offer_of`): permissions, prohibitions and
  duties with constraints, in ODRL vocabulary terms, serialised as JSON-LD against the ODRL
  context (`to_jsonld`) and read back (`offer_from_jsonld`, then `terms_of`).

The ODRL vocabulary has no term for re-identification nor for commercial use as a constraint,
so datanuri declares two in its own namespace `DNR` (documented in docs/architecture.md):
`dnr:reidentify` (an Action: to single out, or link records to, a natural person) and
`dnr:commercialUse` (a LeftOperand: whether the use is commercial, `xsd:boolean`), plus the
purposes `dnr:research`, ... as values of `odrl:purpose`. A copy of the ODRL context is shipped
in `market/data/odrl.jsonld` so the JSON-LD can be checked offline.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from datanuri.errors import InvalidInput
from datanuri.i18n import translate
from datanuri.market import listing_messages as M

ODRL = "http://www.w3.org/ns/odrl/2/"
ODRL_CONTEXT = "http://www.w3.org/ns/odrl.jsonld"
DNR = "https://datanuri.org/ns/market#"
PROFILE = "https://datanuri.org/ns/market"
CONTEXT: list[Any] = [
    ODRL_CONTEXT,
    {"dnr": DNR, "dct": "http://purl.org/dc/terms/", "xsd": "http://www.w3.org/2001/XMLSchema#"},
]

#: ODRL actions a licence may permit (all in the ODRL 2.2 Common Vocabulary).
PERMITTABLE = ("use", "read", "display", "print", "reproduce", "derive", "aggregate", "annotate")
#: Purposes (values of odrl:purpose), and which of them are commercial.
PURPOSES = ("research", "education", "public_interest", "internal_business", "product")
COMMERCIAL_PURPOSES = frozenset({"internal_business", "product"})
ONWARD = ("distribute", "sell")  # prohibited by "no onward sale"
REIDENTIFY = "dnr:reidentify"
COMMERCIAL_USE = "dnr:commercialUse"
MAX_TERM_DAYS = 3650
_COUNTRY = re.compile(r"[A-Z]{2}\Z")
_DAYS = re.compile(r"P(\d+)D\Z")


@dataclass(frozen=True)
class Terms:
    """A licence as the holder chooses it."""

    actions: tuple[str, ...] = ("use",)  # permitted ODRL actions (PERMITTABLE)
    purposes: tuple[str, ...] = ()  # PURPOSES; empty: any lawful purpose
    commercial: bool = False
    territory: tuple[str, ...] = ("KR",)  # ISO 3166-1 alpha-2 codes; empty: anywhere
    term_days: int | None = 365  # from the purchase (odrl:elapsedTime); None: no limit
    ends_on: dt.date | None = None  # a last day (odrl:dateTime), if any
    attribution: bool = True  # duty: name the holder as the source (odrl:attribute)
    no_onward_sale: bool = True  # prohibit odrl:distribute and odrl:sell
    no_reidentification: bool = True  # prohibit dnr:reidentify (always, see `validate`)

    def to_dict(self) -> dict[str, Any]:
        return {
            "actions": list(self.actions),
            "purposes": list(self.purposes),
            "commercial": self.commercial,
            "territory": list(self.territory),
            "term_days": self.term_days,
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
            "attribution": self.attribution,
            "no_onward_sale": self.no_onward_sale,
            "no_reidentification": self.no_reidentification,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Terms:
        """Terms from their JSON form (the API's), validated."""
        try:
            ends = d.get("ends_on")
            term = d.get("term_days", 365)
            terms = cls(
                actions=tuple(str(a) for a in d.get("actions", ("use",))),
                purposes=tuple(str(p) for p in d.get("purposes", ())),
                commercial=_bool(d.get("commercial", False)),
                territory=tuple(str(t) for t in d.get("territory", ("KR",))),
                term_days=None if term is None else int(term),
                ends_on=dt.date.fromisoformat(str(ends)) if ends else None,
                attribution=_bool(d.get("attribution", True)),
                no_onward_sale=_bool(d.get("no_onward_sale", True)),
                no_reidentification=_bool(d.get("no_reidentification", True)),
            )
        except (TypeError, ValueError) as exc:
            raise InvalidInput(M.MSG_LICENCE_NOT_ODRL.format(why=str(exc))) from None
        return validate(terms)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"{value!r} is not true or false")


def validate(t: Terms) -> Terms:
    """`t` if it is a licence datanuri can offer; else `InvalidInput` saying what is wrong."""
    if not t.actions:
        raise InvalidInput(M.MSG_LICENCE_NO_ACTIONS)
    for a in t.actions:
        if a in ONWARD and t.no_onward_sale:
            raise InvalidInput(M.MSG_LICENCE_ONWARD.format(action=a))
        if a not in PERMITTABLE:
            raise InvalidInput(M.MSG_LICENCE_ACTION.format(action=a, known=", ".join(PERMITTABLE)))
    for p in t.purposes:
        if p not in PURPOSES:
            raise InvalidInput(M.MSG_LICENCE_PURPOSE.format(purpose=p, known=", ".join(PURPOSES)))
        if p in COMMERCIAL_PURPOSES and not t.commercial:
            raise InvalidInput(M.MSG_LICENCE_COMMERCIAL_PURPOSE.format(purpose=p))
    for code in t.territory:
        if not _COUNTRY.match(code):
            raise InvalidInput(M.MSG_LICENCE_TERRITORY.format(code=code))
    if t.term_days is not None and not 1 <= t.term_days <= MAX_TERM_DAYS:
        raise InvalidInput(M.MSG_LICENCE_TERM.format(max_days=MAX_TERM_DAYS, days=t.term_days))
    if not t.no_reidentification:
        raise InvalidInput(M.MSG_LICENCE_NO_REID)
    return t


# ----- templates ---------------------------------------------------------------------------------
TEMPLATES: dict[str, Terms] = {
    # Research and teaching only, non-commercial, in Korea, one year; results may be published
    # as aggregates (derive, aggregate), the data itself never passed on.
    "research-only": Terms(
        actions=("use", "reproduce", "derive", "aggregate"),
        purposes=("research", "education"),
        commercial=False,
    ),
    # A company's own analysis: commercial, internal business use only, no onward sale.
    "commercial-internal": Terms(
        actions=("use", "reproduce", "derive", "aggregate"),
        purposes=("internal_business",),
        commercial=True,
    ),
    # Building a product or service on the data (derived works allowed, the data not resold).
    "commercial-product": Terms(
        actions=("use", "reproduce", "derive", "aggregate", "annotate"),
        purposes=("internal_business", "product"),
        commercial=True,
        term_days=730,
    ),
    # Public-interest work by public bodies and NGOs, non-commercial.
    "public-interest": Terms(
        actions=("use", "reproduce", "derive", "aggregate"),
        purposes=("public_interest", "research"),
        commercial=False,
    ),
}


def template(name: str) -> Terms:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise InvalidInput(
            M.MSG_LICENCE_TEMPLATE.format(name=name, known=", ".join(TEMPLATES))
        ) from None


def research_only(t: Terms) -> bool:
    """Whether `t` allows only non-commercial research (what a free-for-research price needs)."""
    return not t.commercial and bool(t.purposes) and set(t.purposes) <= {"research", "education"}


# ----- the ODRL model --------------------------------------------------------------------------
@dataclass(frozen=True)
class Iri:
    """An IRI as a compact name ("dnr:research") or in full."""

    value: str


@dataclass(frozen=True)
class Typed:
    """A typed literal, e.g. Typed("P365D", "xsd:duration")."""

    value: str
    datatype: str


RightOperand = bool | str | Iri | Typed | tuple[Iri, ...] | tuple[str, ...]


@dataclass(frozen=True)
class Constraint:
    """An ODRL constraint: leftOperand operator rightOperand (names as in the ODRL context; our
    own with the `dnr:` prefix)."""

    left_operand: str
    operator: str
    right_operand: RightOperand


@dataclass(frozen=True)
class Duty:
    action: str
    constraints: tuple[Constraint, ...] = ()


@dataclass(frozen=True)
class Rule:
    """A permission or prohibition: an action on the policy's target, with constraints (and, for
    a permission, duties)."""

    action: str
    constraints: tuple[Constraint, ...] = ()
    duties: tuple[Duty, ...] = ()


@dataclass(frozen=True)
class Offer:
    """An ODRL Offer: a policy proposed by the assigner (the holder) for a target (the dataset)."""

    uid: str
    target: str
    assigner: str
    permissions: tuple[Rule, ...]
    prohibitions: tuple[Rule, ...] = ()
    profile: str = PROFILE


def offer_of(t: Terms, *, uid: str, target: str, assigner: str) -> Offer:
    """The ODRL Offer that expresses `t`: one permission per action, each under the same
    constraints and duties (ODRL constraints apply per rule), and the prohibitions."""
    validate(t)
    cons: list[Constraint] = []
    if t.purposes:
        cons.append(Constraint("purpose", "isAnyOf", tuple(Iri(f"dnr:{p}") for p in t.purposes)))
    cons.append(Constraint(COMMERCIAL_USE, "eq", t.commercial))
    if t.territory:
        cons.append(Constraint("spatial", "isAnyOf", tuple(t.territory)))
    if t.term_days is not None:
        cons.append(Constraint("elapsedTime", "lteq", Typed(f"P{t.term_days}D", "xsd:duration")))
    if t.ends_on is not None:
        cons.append(Constraint("dateTime", "lteq", Typed(t.ends_on.isoformat(), "xsd:date")))
    duties = (Duty("attribute"),) if t.attribution else ()
    perms = tuple(Rule(a, tuple(cons), duties) for a in t.actions)
    banned = [Rule(REIDENTIFY)]
    if t.no_onward_sale:
        banned += [Rule(a) for a in ONWARD]
    return Offer(
        uid=uid, target=target, assigner=assigner, permissions=perms, prohibitions=tuple(banned)
    )


def terms_of(offer: Offer) -> Terms:
    """The terms an Offer made by `offer_of` expresses; `InvalidInput` for any other policy."""

    def bad(why: str) -> InvalidInput:
        return InvalidInput(M.MSG_LICENCE_NOT_ODRL.format(why=why))

    if not offer.permissions:
        raise bad("no permission")
    first = offer.permissions[0]
    for r in offer.permissions[1:]:
        if r.constraints != first.constraints or r.duties != first.duties:
            raise bad("permissions under different constraints")
    purposes: tuple[str, ...] = ()
    commercial: bool | None = None
    territory: tuple[str, ...] = ()
    term: int | None = None
    ends: dt.date | None = None
    for c in first.constraints:
        key = (c.left_operand, c.operator)
        v = c.right_operand
        if key == ("purpose", "isAnyOf") and isinstance(v, tuple):
            purposes = tuple(_dnr(x) for x in v)
        elif key == (COMMERCIAL_USE, "eq") and isinstance(v, bool):
            commercial = v
        elif key == ("spatial", "isAnyOf") and isinstance(v, tuple):
            territory = tuple(str(x) for x in v)
        elif key == ("elapsedTime", "lteq") and isinstance(v, Typed) and _DAYS.match(v.value):
            term = int(v.value[1:-1])
        elif key == ("dateTime", "lteq") and isinstance(v, Typed):
            ends = dt.date.fromisoformat(v.value)
        else:
            raise bad(f"unknown constraint {c.left_operand} {c.operator}")
    if commercial is None:
        raise bad("no dnr:commercialUse constraint")
    banned = {r.action for r in offer.prohibitions}
    if REIDENTIFY not in banned:
        raise bad("re-identification is not prohibited")
    if banned - {REIDENTIFY, *ONWARD}:
        raise bad(f"unknown prohibitions {sorted(banned - {REIDENTIFY, *ONWARD})}")
    duties = {d.action for d in first.duties}
    if duties - {"attribute"}:
        raise bad(f"unknown duties {sorted(duties)}")
    return validate(
        Terms(
            actions=tuple(r.action for r in offer.permissions),
            purposes=purposes,
            commercial=commercial,
            territory=territory,
            term_days=term,
            ends_on=ends,
            attribution="attribute" in duties,
            no_onward_sale=set(ONWARD) <= banned,
            no_reidentification=True,
        )
    )


def _dnr(x: Any) -> str:
    if not isinstance(x, Iri) or not x.value.startswith("dnr:"):
        raise InvalidInput(M.MSG_LICENCE_NOT_ODRL.format(why=f"purpose {x!r} is not a dnr: term"))
    return x.value[4:]


# ----- JSON-LD -----------------------------------------------------------------------------------
def _operand_json(v: RightOperand) -> Any:
    if isinstance(v, bool | str):
        return v
    if isinstance(v, Iri):
        return {"@id": v.value}
    if isinstance(v, Typed):
        return {"@value": v.value, "@type": v.datatype}
    return [_operand_json(x) for x in v]


def _constraint_json(c: Constraint) -> dict[str, Any]:
    return {
        "leftOperand": c.left_operand,
        "operator": c.operator,
        "rightOperand": _operand_json(c.right_operand),
    }


def _duty_json(d: Duty) -> dict[str, Any]:
    out: dict[str, Any] = {"action": d.action}
    if d.constraints:
        out["constraint"] = [_constraint_json(c) for c in d.constraints]
    return out


def _rule_json(r: Rule, target: str, assigner: str) -> dict[str, Any]:
    out: dict[str, Any] = {"target": target, "assigner": assigner, "action": r.action}
    if r.constraints:
        out["constraint"] = [_constraint_json(c) for c in r.constraints]
    if r.duties:
        out["duty"] = [_duty_json(d) for d in r.duties]
    return out


def to_jsonld(offer: Offer) -> dict[str, Any]:
    """The Offer as compact JSON-LD against the ODRL context (plus `dnr:` for our terms)."""
    return {
        "@context": CONTEXT,
        "@type": "Offer",
        "@id": offer.uid,
        "profile": offer.profile,
        "target": offer.target,
        "assigner": offer.assigner,
        "permission": [_rule_json(r, offer.target, offer.assigner) for r in offer.permissions],
        "prohibition": [_rule_json(r, offer.target, offer.assigner) for r in offer.prohibitions],
    }


def _operand(v: Any) -> RightOperand:
    if isinstance(v, bool | str):
        return v
    if isinstance(v, list):
        items = [_operand(x) for x in v]
        if all(isinstance(x, Iri) for x in items):
            return tuple(x for x in items if isinstance(x, Iri))
        if all(isinstance(x, str) for x in items):
            return tuple(str(x) for x in items)
        raise ValueError("a list of mixed values")
    if isinstance(v, dict) and set(v) == {"@id"}:
        return Iri(str(v["@id"]))
    if isinstance(v, dict) and set(v) == {"@value", "@type"}:
        return Typed(str(v["@value"]), str(v["@type"]))
    raise ValueError(f"right operand {v!r}")


def _constraints(raw: Any) -> tuple[Constraint, ...]:
    return tuple(
        Constraint(str(c["leftOperand"]), str(c["operator"]), _operand(c["rightOperand"]))
        for c in _list(raw)
    )


def _list(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return raw if isinstance(raw, list) else [raw]


def _rules(raw: Any) -> tuple[Rule, ...]:
    out = []
    for r in _list(raw):
        duties = tuple(
            Duty(str(d["action"]), _constraints(d.get("constraint"))) for d in _list(r.get("duty"))
        )
        out.append(Rule(str(r["action"]), _constraints(r.get("constraint")), duties))
    return tuple(out)


def offer_from_jsonld(doc: Mapping[str, Any]) -> Offer:
    """Read back an Offer written by `to_jsonld` (the same context); `InvalidInput` otherwise."""
    try:
        if doc.get("@context") != CONTEXT:
            raise ValueError("its @context is not the ODRL context with datanuri's terms")
        if doc.get("@type") != "Offer":
            raise ValueError("its @type is not Offer")
        offer = Offer(
            uid=str(doc["@id"]),
            target=str(doc["target"]),
            assigner=str(doc["assigner"]),
            permissions=_rules(doc.get("permission")),
            prohibitions=_rules(doc.get("prohibition")),
            profile=str(doc.get("profile", PROFILE)),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput(M.MSG_LICENCE_NOT_ODRL.format(why=str(exc))) from None
    return offer


# ----- plain words -------------------------------------------------------------------------------
ACTION_WORDS: dict[str, tuple[str, str]] = {
    "use": ("이용", "use it"),
    "read": ("열람", "read it"),
    "display": ("화면 표시", "display it"),
    "print": ("인쇄", "print it"),
    "reproduce": ("복제", "copy it"),
    "derive": ("2차 저작물(분석 결과) 작성", "make derived works such as analyses"),
    "aggregate": ("집계", "aggregate it"),
    "annotate": ("주석 달기", "annotate it"),
}
PURPOSE_WORDS: dict[str, tuple[str, str]] = {
    "research": ("학술 연구", "research"),
    "education": ("교육", "teaching"),
    "public_interest": ("공익 목적", "public-interest work"),
    "internal_business": ("기업 내부 업무", "internal business use"),
    "product": ("제품·서비스 개발", "building products and services"),
}
TERRITORY_WORDS: dict[str, tuple[str, str]] = {"KR": ("대한민국", "South Korea")}


@dataclass(frozen=True)
class PlainLicence:
    """A licence in sentences, in one language."""

    lang: str
    may: tuple[str, ...] = field(default_factory=tuple)  # what is allowed, and on what terms
    must: tuple[str, ...] = field(default_factory=tuple)  # duties
    must_not: tuple[str, ...] = field(default_factory=tuple)  # prohibitions


def _words(pairs: Mapping[str, tuple[str, str]], keys: Sequence[str], lang: str) -> str:
    i = 0 if lang == "ko" else 1
    return ", ".join(pairs.get(k, (k, k))[i] for k in keys)


def plain(t: Terms, lang: str, *, holder: str) -> PlainLicence:
    """`t` in plain Korean ("ko") or English: each sentence an English template of
    `listing_messages` (Korean from the catalogue) with its words in `lang`."""

    def say(template: str, **values: Any) -> str:
        return translate(template.format(**values), lang)

    may = [say(M.TXT_MAY, actions=_words(ACTION_WORDS, t.actions, lang))]
    may.append(
        say(M.TXT_PURPOSES, purposes=_words(PURPOSE_WORDS, t.purposes, lang))
        if t.purposes
        else say(M.TXT_ANY_PURPOSE)
    )
    may.append(say(M.TXT_COMMERCIAL if t.commercial else M.TXT_NON_COMMERCIAL))
    if t.territory:
        may.append(say(M.TXT_TERRITORY, territory=_words(TERRITORY_WORDS, t.territory, lang)))
    if t.term_days is not None:
        may.append(say(M.TXT_TERM_DAYS, days=t.term_days))
    if t.ends_on is not None:
        may.append(say(M.TXT_ENDS_ON, date=t.ends_on.isoformat()))
    must = [say(M.TXT_ATTRIBUTE, holder=holder)] if t.attribution else []
    must_not = [say(M.TXT_NO_REID)]
    if t.no_onward_sale:
        must_not.append(say(M.TXT_NO_ONWARD))
    if "derive" not in t.actions:
        must_not.append(say(M.TXT_NO_DERIVE))
    return PlainLicence(lang, tuple(may), tuple(must), tuple(must_not))
