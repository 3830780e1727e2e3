"""Classify the columns of a table: direct identifier, quasi-identifier, sensitive attribute or other.

Three kinds of evidence are combined, each giving a category and a confidence:

- the header, in Korean or English (``주민등록번호``, ``phone``, ``생년월일``, ``diagnosis``...);
- the values: every validator of :mod:`datanuri.privacy.identifiers` runs on a sample of the
  column (vectorised) and the share of valid values is the evidence; checksummed kinds
  (RRN, business number, cards) count more than shape-only ones;
- distinctness: a text or integer column whose sampled values are (almost) all different is a
  record key, which links records as well as a name does.

Detection looks at a random sample (``sample_size`` rows, seeded) so it costs the same on a
file of any size. Free-text columns are checked for identifiers inside the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from datanuri.privacy import messages as M
from datanuri.privacy.identifiers import IDENTIFIERS, TEXT_ORDER, as_string_array

Category = Literal["direct", "quasi", "sensitive", "other"]


@dataclass(frozen=True)
class ColumnFinding:
    """What detection concluded about one column, and why."""

    column: str
    category: Category
    kind: str  # e.g. "rrn", "mobile_phone", "age", "diagnosis", "record_key", "free_text"
    confidence: float  # 0..1
    evidence: tuple[str, ...]
    match_rate: float | None = None  # share of sampled non-null values valid for `kind`
    distinct_ratio: float | None = None
    warning: str | None = None  # e.g. a raw birth date or near-unique timestamps

    def to_dict(self) -> dict[str, Any]:
        warning = {} if self.warning is None else {"warning": self.warning}
        return {
            **warning,
            "column": self.column,
            "category": self.category,
            "kind": self.kind,
            "confidence": round(self.confidence, 3),
            "evidence": list(self.evidence),
            "match_rate": None if self.match_rate is None else round(self.match_rate, 4),
            "distinct_ratio": None
            if self.distinct_ratio is None
            else round(self.distinct_ratio, 4),
        }


@dataclass(frozen=True)
class Detection:
    """The findings for every column of a table, in column order."""

    columns: tuple[ColumnFinding, ...]
    sampled_rows: int
    total_rows: int

    def category(self, category: Category) -> list[str]:
        return [c.column for c in self.columns if c.category == category]

    @property
    def direct_identifiers(self) -> list[str]:
        return self.category("direct")

    @property
    def quasi_identifiers(self) -> list[str]:
        return self.category("quasi")

    @property
    def sensitive(self) -> list[str]:
        return self.category("sensitive")

    def __getitem__(self, column: str) -> ColumnFinding:
        for c in self.columns:
            if c.column == column:
                return c
        raise KeyError(column)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sampled_rows": self.sampled_rows,
            "total_rows": self.total_rows,
            "columns": [c.to_dict() for c in self.columns],
        }


# --------------------------------------------------------------------------------------------
# header rules: (pattern on the normalised header, category, kind, confidence)

_HEADER_RULES: tuple[tuple[str, Category, str, float], ...] = (
    (
        r"외국인등록번호|외국인번호|foreigner(registration)?(no|number)|alienregistration|arc(no|number)",
        "direct",
        "foreigner_rn",
        0.9,
    ),
    (
        r"주민등록번호|주민번호|주민등록|^rrn$|residentregistration|^ssn$|socialsecurity|nationalid",
        "direct",
        "rrn",
        0.9,
    ),
    (
        r"사업자등록번호|사업자번호|businessregistration|^brn$|businessno",
        "direct",
        "business_rn",
        0.85,
    ),
    (r"여권|passport", "direct", "passport", 0.85),
    (
        r"운전면허|면허번호|driverslicen[cs]e|driverlicen[cs]e|licen[cs]eno",
        "direct",
        "driver_licence",
        0.85,
    ),
    (r"카드번호|신용카드|cardno|cardnumber|creditcard|^pan$", "direct", "card_number", 0.85),
    (r"계좌|accountno|accountnumber|bankaccount|^iban$", "direct", "bank_account", 0.85),
    (r"휴대폰|휴대전화|핸드폰|mobile|cellphone|^cell$", "direct", "mobile_phone", 0.85),
    (r"전화|연락처|phone|^tel$|telephone|^fax$|팩스", "direct", "phone", 0.8),
    (r"이메일|전자우편|email|^mail$|메일주소", "direct", "email", 0.85),
    (r"ip주소|^ip$|ipaddr|ipaddress|clientip|remoteaddr", "direct", "ip_address", 0.8),
    (r"우편번호|zip|postcode|postalcode", "quasi", "postcode", 0.8),
    (r"주소|address|^addr|street|도로명|지번", "direct", "address", 0.75),
    (
        r"성명|이름|성함|고객명|환자명|회원명|학생명|^names?$|fullname|firstname|lastname|surname|givenname|familyname|username|^first$|^last$|^middle$|^fname$|^lname$|^forenames?$|middlename|maidenname",
        "direct",
        "name",
        0.8,
    ),
    (
        r"회원번호|고객번호|환자번호|사번|학번|사원번호|아이디|차량번호|userid|^id$|customerid|patientid|memberid|employeeid|accountid|^uid$|recordid|mrn",
        "direct",
        "record_key",
        0.7,
    ),
    (r"생년월일|생일|출생|birth|^dob$|dateofbirth", "quasi", "birth_date", 0.9),
    (r"나이|연령|^age$|agegroup|연령대", "quasi", "age", 0.9),
    (r"성별|gender|^sex$", "quasi", "sex", 0.9),
    (
        r"시도|시군구|읍면동|행정동|법정동|지역|거주지|region|^city$|province|county|district|^state$|municipality",
        "quasi",
        "region",
        0.8,
    ),
    (r"국적|nationality|country|출신", "quasi", "nationality", 0.7),
    (r"인종|민족|^race$|ethnic", "quasi", "race", 0.7),
    (r"결혼|혼인|marital", "quasi", "marital_status", 0.75),
    (r"학력|education|최종학교", "quasi", "education", 0.7),
    (r"직업|직종|occupation|^job$|jobtitle|profession", "quasi", "occupation", 0.6),
    (r"근무형태|고용형태|workclass|employment", "quasi", "employment", 0.6),
    (r"신장|^키$|height|체중|몸무게|weight", "quasi", "body", 0.6),
    (r"입원일|퇴원일|진료일|방문일|admission|discharge|visitdate", "quasi", "event_date", 0.6),
    (
        r"질병|병명|진단|상병|diagnosis|disease|^icd|병력|medical|건강|health|처방|medication|drug|장애|disability",
        "sensitive",
        "health",
        0.85,
    ),
    (
        r"종교|religion|신념|사상|belief|정당|politic|노조|노동조합|tradeunion",
        "sensitive",
        "beliefs",
        0.85,
    ),
    (r"범죄|전과|criminal|conviction|offen[cs]e", "sensitive", "criminal_record", 0.85),
    (r"성적지향|성생활|sexualorientation|sexlife", "sensitive", "sex_life", 0.9),
    (
        r"유전|genetic|genome|생체|biometric|지문|fingerprint|홍채|iris|얼굴|faceimage",
        "sensitive",
        "genetic_biometric",
        0.9,
    ),
    (
        r"소득|income|salary|급여|연봉|임금|wage|재산|자산|부채|신용|creditscore|creditrating|대출|loan|debt",
        "sensitive",
        "financial",
        0.75,
    ),
)


#: Header kinds of direct identifiers and the value kinds that agree with them.
_HEADER_VALUE_KINDS: dict[str, tuple[str, ...]] = {
    "rrn": ("rrn", "us_ssn"),
    "foreigner_rn": ("foreigner_rn",),
    "business_rn": ("business_rn",),
    "passport": ("passport",),
    "driver_licence": ("driver_licence",),
    "card_number": ("card_number",),
    "bank_account": ("bank_account",),
    "mobile_phone": ("mobile_phone", "landline_phone"),
    "phone": ("mobile_phone", "landline_phone"),
    "email": ("email",),
    "ip_address": ("ip_address",),
}
#: A column with at most this many distinct values is a category (yes/no, a code list): under an
#: identifier header, values that are not that identifier say the header means something else.
CATEGORY_MAX_DISTINCT = 12
#: Dates and timestamps with at least this share of distinct sampled values get a warning: raw,
#: they single people out (a birth date, the minute someone was jailed).
DATE_WARN_DISTINCT = 0.5
_DATE_TEXT = r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"


def _normalise_header(name: str) -> str:
    return re.sub(r"[\s_\-./()\[\]]", "", name.lower())


def _header_evidence(name: str) -> tuple[Category, str, float, str] | None:
    norm = _normalise_header(name)
    for pattern, category, kind, conf in _HEADER_RULES:
        if re.search(pattern, norm):
            return (
                category,
                kind,
                conf,
                M.EVIDENCE_HEADER.format(
                    name=name, label=kind_label(kind)[1], label_ko=kind_label(kind)[0]
                ),
            )
    return None


# value kinds: category is always "direct" (an identifier), quasi for region-level addresses
SHORT_INT_DIGITS = 7
_VALUE_KINDS = (
    "rrn",
    "foreigner_rn",
    "business_rn",
    "card_number",
    "us_ssn",
    "email",
    "mobile_phone",
    "landline_phone",
    "ip_address",
    "passport",
    "driver_licence",
    "bank_account",
    "road_address",
    "lot_address",
    "korean_name",
    "english_name",
)


def _classify_column(name: str, column: pa.Array, *, min_match: float) -> ColumnFinding:
    evidence: list[str] = []
    header = _header_evidence(name)
    typ = column.type
    if pa.types.is_dictionary(typ):
        column = column.dictionary_decode()
        typ = column.type
    non_null = pc.drop_null(column)
    n = len(non_null)
    distinct = pc.count_distinct(non_null).as_py() if n else 0

    value_kind: str | None = None
    value_rate = 0.0
    distinct_ratio: float | None = None
    text_kind: str | None = None
    text_rate = 0.0
    is_texty = pa.types.is_string(typ) or pa.types.is_large_string(typ)
    is_int = pa.types.is_integer(typ)
    if n and (is_texty or is_int):
        values = as_string_array(non_null)
        # no identifier format fits in SHORT_INT_DIGITS digits (tested), so small numbers skip the checks
        short_ints = is_int and pc.max(pc.abs(non_null)).as_py() < 10**SHORT_INT_DIGITS
        for kind in () if short_ints else _VALUE_KINDS:
            if is_int and kind in (
                "email",
                "road_address",
                "lot_address",
                "korean_name",
                "english_name",
                "passport",
            ):
                continue
            hits = IDENTIFIERS[kind].validate(values)
            rate = pc.sum(pc.cast(hits, pa.int64())).as_py() / n
            if rate > value_rate:
                value_kind, value_rate = kind, rate
        distinct_ratio = distinct / n
        if is_texty and value_rate < min_match:
            mean_len = pc.mean(pc.utf8_length(values)).as_py() or 0
            if mean_len >= 20 and pc.any(pc.match_substring(values, " ")).as_py():
                for kind in TEXT_ORDER:
                    pattern = IDENTIFIERS[kind].text_pattern
                    hit = pc.match_substring_regex(
                        values, r"(^|[^0-9A-Za-z])(?:" + str(pattern) + r")([^0-9A-Za-z]|$)"
                    )
                    rate = pc.sum(pc.cast(hit, pa.int64())).as_py() / n
                    if rate > text_rate:
                        text_kind, text_rate = kind, rate

    date_like = pa.types.is_date(typ) or pa.types.is_timestamp(typ)
    if n and not date_like and is_texty:
        dates = pc.match_substring_regex(values, _DATE_TEXT)
        date_like = pc.sum(pc.cast(dates, pa.int64())).as_py() / n >= min_match
    if n and date_like and distinct_ratio is None:
        distinct_ratio = distinct / n

    if header:
        evidence.append(header[3])
    if header and header[0] == "direct" and n:
        # header and values must agree: a yes/no "telephone" column is no phone number column
        agreeing = _HEADER_VALUE_KINDS.get(header[1])
        if (
            agreeing
            and distinct <= CATEGORY_MAX_DISTINCT
            and not (value_kind in agreeing and value_rate >= 0.5)
        ):
            evidence.append(
                M.EVIDENCE_HEADER_DISAGREES.format(
                    name=name,
                    label=kind_label(header[1])[1],
                    label_ko=kind_label(header[1])[0],
                    distinct=distinct,
                )
            )
            header = None
    if value_kind and value_rate > 0:
        ident = IDENTIFIERS[value_kind]
        found = M.EVIDENCE_VALUES_CHECKSUM if ident.has_checksum else M.EVIDENCE_VALUES_FORMAT
        evidence.append(
            found.format(rate=value_rate, n=n, label=ident.label_en, label_ko=ident.label_ko)
        )
    if distinct_ratio is not None:
        evidence.append(M.EVIDENCE_DISTINCT.format(ratio=distinct_ratio))
    if text_kind:
        label = IDENTIFIERS[text_kind]
        evidence.append(
            M.EVIDENCE_TEXT.format(rate=text_rate, label=label.label_en, label_ko=label.label_ko)
        )

    # 1. values that validate as an identifier
    if value_kind and value_rate >= min_match:
        ident = IDENTIFIERS[value_kind]
        conf = 0.55 + 0.4 * value_rate + (0.05 if ident.has_checksum else 0.0)
        if value_kind in ("korean_name", "english_name") and (
            header is None or header[1] != "name"
        ):
            # name shapes also match ordinary words ("고혈압", "United-States"): without a name
            # header, only names in a column of varied values count, and with less confidence
            # (Latin names need more variety: place names and titles repeat less than words)
            least = 0.5 if value_kind == "english_name" else 0.2
            if header is not None or (distinct_ratio or 0) < least:
                conf = 0.0
            conf -= 0.25
        if header and header[0] == "direct":
            conf = 1 - (1 - conf) * (1 - header[2])
        kind = "name" if value_kind in ("korean_name", "english_name") else value_kind
        if conf >= 0.5:
            return ColumnFinding(
                name, "direct", kind, min(conf, 0.999), tuple(evidence), value_rate, distinct_ratio
            )
    # 2. the header
    if header:
        category, kind, conf, _ = header
        if category == "direct" and value_kind and value_rate >= 0.5:
            conf = 1 - (1 - conf) * (1 - value_rate / 2)
        if kind == "address" and not (
            value_kind in ("road_address", "lot_address") and value_rate >= 0.5
        ):
            # region-level values ("서울특별시 강남구") locate a person only coarsely
            if distinct_ratio is not None and distinct_ratio < 0.5:
                return ColumnFinding(
                    name,
                    "quasi",
                    "region",
                    0.6,
                    tuple(evidence + [M.EVIDENCE_COARSE]),
                    value_rate or None,
                    distinct_ratio,
                )
        return ColumnFinding(
            name, category, kind, conf, tuple(evidence), value_rate or None, distinct_ratio
        )
    # 3. identifiers inside free text
    if text_kind and text_rate > 0:
        conf = min(0.6 + 0.4 * text_rate, 0.95)
        return ColumnFinding(
            name, "direct", "free_text", conf, tuple(evidence), text_rate, distinct_ratio
        )
    # 4. dates and timestamps (typed, or ISO text) are quasi-identifiers: events in a life
    if date_like:
        return ColumnFinding(
            name,
            "quasi",
            "date",
            0.6 if is_texty else 0.5,
            tuple(evidence + [M.EVIDENCE_DATES.format(type=typ)]),
            None,
            distinct_ratio,
        )
    # 5. distinctness: a record key
    if distinct_ratio is not None and n >= 20 and distinct_ratio >= 0.95 and (is_int or is_texty):
        return ColumnFinding(
            name,
            "direct",
            "record_key",
            0.5 + 0.4 * distinct_ratio,
            tuple(evidence),
            value_rate or None,
            distinct_ratio,
        )
    return ColumnFinding(
        name,
        "other",
        "other",
        0.5,
        tuple(evidence or [M.EVIDENCE_NOTHING]),
        value_rate or None,
        distinct_ratio,
    )


def _with_warning(f: ColumnFinding) -> ColumnFinding:
    """A raw birth date, or dates/timestamps that are mostly distinct, get a warning."""
    if f.category != "quasi" or f.kind not in ("birth_date", "date", "event_date"):
        return f
    ratio = f.distinct_ratio or 0.0
    if f.kind == "birth_date":
        warning = M.WARN_BIRTH_DATE
    elif ratio >= DATE_WARN_DISTINCT:
        warning = M.WARN_DATES_DISTINCT.format(ratio=ratio)
    else:
        return f
    return replace(f, warning=warning)


def detect(
    table: pa.Table,
    *,
    sample_size: int = 5_000,
    seed: int = 0,
    min_match: float = 0.8,
) -> Detection:
    """Classify every column of ``table`` (looks at a seeded random sample of ``sample_size`` rows)."""
    rng = np.random.default_rng(seed)
    n = table.num_rows
    idx = None
    if n > sample_size:
        idx = pa.array(np.sort(rng.choice(n, size=sample_size, replace=False)))
    findings = []
    for name in table.column_names:
        col = table.column(name)
        col = col.take(idx) if idx is not None else col
        col = col.combine_chunks() if col.num_chunks else pa.array([], col.type)
        findings.append(_with_warning(_classify_column(name, col, min_match=min_match)))
    return Detection(tuple(findings), min(n, sample_size), n)


def kind_label(kind: str) -> tuple[str, str]:
    """(Korean, English) name of a detected kind, for people; an unknown kind is its code."""
    if kind in IDENTIFIERS:
        return IDENTIFIERS[kind].label_ko, IDENTIFIERS[kind].label_en
    return M.KIND_LABELS.get(kind, (kind, kind))
