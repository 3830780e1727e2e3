"""User-facing error messages of the privacy engine, written once and imported by tests.

Format with ``.format(**kw)``; every message says what went wrong and what to do.
"""

from __future__ import annotations

# A new release dataset's default title and description, (Korean, English): the source's
# language picks one. The source is named only when the public may know it exists; in English
# {head} is MSG_RELEASE_OF (or MSG_RELEASE_OF_HIDDEN).
RELEASE_TITLE = ("{title} (비식별 처리본)", "{title} (de-identified)")
RELEASE_ABOUT = (
    "{date}에 {model}({params}) 모델로 비식별 처리한 공개본입니다. 원본: {source} 버전 {version}.",
    "{head} Held to {model} ({params}) on {date}.",
)
RELEASE_ABOUT_HIDDEN = (
    "{date}에 {model}({params}) 모델로 비식별 처리한 공개본입니다. 원본은 공개되지 않은 "
    "개인정보 데이터셋입니다.",
    "{head} Held to {model} ({params}) on {date}.",
)
DP_MODEL = ("차분 프라이버시", "differential privacy")

MSG_MISSING_COLUMN = (
    "The table has no column {column!r}. Columns are: {columns}. Fix the column name in the policy."
)
MSG_NO_QUASI_IDENTIFIERS = (
    "No quasi-identifiers were given. Name at least one column and its hierarchy."
)
MSG_BAD_K = "k must be an integer of at least 1 (got {k!r})."
MSG_K_TOO_LARGE = (
    "k = {k} is larger than the table ({rows} rows): no release can be {k}-anonymous. Lower k or "
    "use more data."
)
MSG_BAD_L = "l must be an integer of at least 1 (got {l!r})."
MSG_BAD_C = "c for recursive (c,l)-diversity must be a positive number (got {c!r})."
MSG_BAD_T = "t must be a number between 0 and 1 (got {t!r})."
MSG_NEEDS_SENSITIVE = "The model {model!r} needs a sensitive attribute: pass sensitive='column'."
MSG_SENSITIVE_IS_QI = (
    "The column {column!r} is both a quasi-identifier and the sensitive attribute; it can only be "
    "one."
)
MSG_BAD_SUPPRESSION = "max_suppression must be between 0 and 1 (a share of records), got {value!r}."
MSG_UNKNOWN_OPTION = "Unknown {what} {value!r}. Choose one of: {choices}."
MSG_HIERARCHY_MISSING_VALUES = (
    "The hierarchy for {column!r} does not cover {count} value(s) of the data, e.g. {examples}. "
    "Add rows for them to the hierarchy file."
)
MSG_HIERARCHY_EMPTY = (
    "The hierarchy file {name!r} has no rows. Write one row per value, one column per level."
)
MSG_HIERARCHY_RAGGED = (
    "Row {row} of the hierarchy {name!r} has {got} levels but the header has {expected}. Give "
    "every row the same number of levels."
)
MSG_HIERARCHY_INCONSISTENT = (
    "The hierarchy {name!r} maps {value!r} at level {level} to more than one parent ({parents}). "
    "Each value must have exactly one generalisation per level."
)
MSG_BAD_LEVEL = (
    "Level {level} is out of range for the hierarchy of {column!r}: it has levels 0 to {top}."
)
MSG_BAD_WIDTHS = (
    "Interval widths must be positive and each a multiple of the previous one (got {widths!r})."
)
MSG_NOT_NUMERIC = "The column {column!r} must be numeric for {operation} (it is {type})."
MSG_NOT_DATE = "The column {column!r} must hold dates for date generalisation (it holds {type})."
MSG_NOT_TEXT = "The column {column!r} must be text for {operation} (it is {type})."
MSG_BAD_KEY = (
    "The pseudonymisation key must be at least 16 bytes of secret data (got {length}). Take it "
    "from the key store."
)
MSG_BAD_MICROAGGREGATION_K = "Microaggregation needs groups of at least 2 records (got k = {k})."
MSG_BAD_NOISE = "Noise scale must be a non-negative number (got {scale!r})."
MSG_BAD_MASK = "keep_start and keep_end must be non-negative integers (got {start!r}, {end!r})."
MSG_POPULATION_COLUMNS = (
    "The population table lacks the quasi-identifier column(s) {columns}. Give it the same "
    "columns as the sample."
)
MSG_BAD_THRESHOLD = "The risk threshold must be between 0 and 1 (got {value!r})."
MSG_EMPTY_TABLE = "The table has no rows: there is nothing to assess or anonymise."
MSG_NO_SOLUTION = (
    "No generalisation satisfies {model} with at most {suppression:.1%} of records suppressed, "
    "even the most general one. "
    "Lower the privacy parameters, allow more suppression, or add data."
)
MSG_LATTICE_TOO_LARGE = (
    "The generalisation lattice has {size} nodes, more than the limit of {limit}. Use fewer "
    "quasi-identifiers or shorter hierarchies."
)
MSG_POLICY_PARSE = (
    "The policy file {name!r} could not be read: {error}. Write it as a JSON or YAML mapping."
)
MSG_POLICY_YAML = (
    "Reading a YAML policy needs the PyYAML package. Install it, or write the policy as JSON."
)
MSG_POLICY_BAD_MEASURE = (
    'A measure must be a name ("delete") or one name with options ({{"mask": {{...}}}}); got '
    "{value!r}."
)
MSG_POLICY_FILE_MISSING = (
    "The hierarchy file for {column!r} was not found at {path!r}. Check the path in the policy."
)
MSG_POLICY_TWICE = (
    "The column {column!r} is named in both {first!r} and {second!r} of the policy; name it once."
)
MSG_POLICY_KEY_MISSING = (
    "The policy pseudonymises {column!r} with key {key!r}, which the key store does not hold. Add "
    "the key or fix its name."
)
MSG_POLICY_UNTREATED = (
    "The column {column!r} looks like a direct identifier ({kind}, confidence {confidence:.2f}) "
    "but the policy releases it "
    "untreated. Delete, mask or pseudonymise it under direct_identifiers."
)

# differential privacy (datanuri.privacy.dp)
MSG_DP_BAD_EPSILON = (
    "epsilon must be a positive finite number (got {value!r}). Give the privacy budget of the "
    "whole release, e.g. 1.0."
)
MSG_DP_BAD_MEASURE_EPSILON = (
    "The epsilon of the measure {measure} must be a positive finite number (got {value!r})."
)
MSG_DP_EPSILON_OVER = (
    "The measures' own epsilons add up to {total:.6g}, more than the policy's epsilon {epsilon:.6g}. "
    "Lower them or raise the policy's epsilon."
)
MSG_DP_EPSILON_LEFT = (
    "The measures with their own epsilon use all of the policy's epsilon {epsilon}; nothing is left for the "
    "{count} measure(s) without one. Give those an epsilon too, or lower the given ones."
)
MSG_DP_NO_MEASURES = (
    'A differential-privacy policy needs "aggregate": {{"group_by": {{...}}, "measures": [...]}} with at least one '
    'measure: {{"count": "*"}}, {{"sum": COLUMN, "bounds": [LOW, HIGH]}}, {{"mean": COLUMN, "bounds": [LOW, HIGH]}} '
    'or {{"histogram": COLUMN, "categories": [...]}}.'
)
MSG_DP_BAD_MEASURE = (
    'A measure names one of count, sum, mean, histogram with its column, e.g. {{"sum": "진료비", '
    '"bounds": [0, 500000]}}; '
    "got {value!r}."
)
MSG_DP_NEEDS_BOUNDS = (
    'The {kind} of {column!r} needs "bounds": [LOW, HIGH], the public range every value is clamped to '
    "(decided in advance, not read from the data)."
)
MSG_DP_BAD_BOUNDS = (
    "The bounds of the {kind} of {column!r} must be two finite numbers with LOW below HIGH (got "
    "{value!r})."
)
MSG_DP_NEEDS_CATEGORIES = (
    'The histogram of {column!r} needs "categories": the list of values to count, declared in the policy '
    "(taking them from the data would reveal which values occur)."
)
MSG_DP_EMPTY_DOMAIN = (
    "The declared values of {what} are empty or not a list. List at least one value."
)
MSG_DP_DUPLICATE_VALUE = "The declared values of {what} repeat {value!r}; list each value once."
MSG_DP_BAD_GROUP = (
    'Declare the groups of {column!r} as a list of values, or as {{"bins": [EDGE, ...]}} for a numeric column '
    "(got {value!r}). Group values are never taken from the data."
)
MSG_DP_BAD_BINS = (
    "The bins of {column!r} must be at least two increasing finite numbers (got {value!r})."
)
MSG_DP_BAD_VALUES = (
    "The declared values of {what} cannot be read as the column's type {type}: {error}. Write "
    "them as the column holds them."
)
MSG_DP_DOMAIN_TOO_LARGE = (
    "The release would have {cells:,} cells ({what}), more than the limit of {limit:,}. "
    "Coarsen the groups (fewer values, wider bins), drop a group column or declare fewer categories."
)
MSG_DP_DIRECT_IDENTIFIER = (
    "The column {column!r} looks like a direct identifier ({kind}); it cannot be a group key or a measured column. "
    'Group and measure other columns; to bound how many rows one person adds, name it as "person" instead.'
)
MSG_DP_PERSON_USED = (
    'The column {column!r} identifies the person ("person"); it cannot also be a group key or a '
    "measured column."
)
MSG_DP_BAD_CONTRIBUTIONS = (
    "contributions (the most rows one person adds to the table) must be an integer of at least 1 "
    "(got {value!r})."
)
MSG_DP_NAME_CLASH = (
    "Two columns of the release would both be called {name!r}. Measure each column once per kind, "
    "and do not group by it."
)
MSG_DP_OVER_BUDGET = (
    "The measurements spend epsilon {spent:.6g} by OpenDP's accountant, more than the policy's "
    "{epsilon:.6g}."
)
MSG_DP_RAW_COLUMNS = "The release would hold column(s) {columns} that are neither declared group keys nor aggregates."

# privacy criteria (datanuri.privacy.criteria) and the typed assessment report
MSG_CRITERIA_SHAPE = (
    "Give k-anonymity once and at most one other criterion (l-diversity or t-closeness); got {got}."
)
MSG_REPORT_VERSION = (
    "The assessment report has version {version!r}, which this datanuri cannot read "
    "(it reads versions 0 to {latest}). Upgrade datanuri to read it."
)
MSG_REPORT_SHAPE = "The assessment report could not be read: {error}."
MSG_NO_JOB_REPORT = (
    "Job {job!r} is not a de-identification check of {dataset!r} that you started, or it has "
    "no report yet. Run the check again."
)

# ----- gate (release gate: every column has a role, identifiers never leave unchanged) -----------
MSG_GATE_UNCLASSIFIED = (
    "The policy gives no role to the column(s) {columns}. Every column of the source needs one "
    'before anything is released: "direct_identifiers" with a measure, "quasi_identifiers" with '
    'a hierarchy, "sensitive", "other" with a measure, or "insensitive" with the reason it may '
    'be released as it is, e.g. "insensitive": {{"{example}": "why this column cannot identify '
    'anyone"}}.'
)
MSG_GATE_NO_REASON = (
    'The entry {column!r} under "{section}" has no reason. Write, as text, why it may be '
    'released (e.g. "{section}": {{"{column}": "a yes/no flag, not a phone number"}}); the reason '
    "goes into the report."
)
MSG_GATE_REASONS_SHAPE = (
    '"{section}" must map column names to reasons (text), e.g. "{section}": {{"column": "why"}}.'
)
MSG_GATE_ACK_NOT_RELEASED = (
    'The column {column!r} is acknowledged under "acknowledge" but is not released (it is '
    'deleted). Remove it from "acknowledge".'
)
MSG_GATE_DETECTED_DIRECT = (
    "The column {column!r} looks like a direct identifier ({kind}, confidence {confidence:.2f}) "
    "but the policy releases it {how}. List it under direct_identifiers with a measure "
    '(delete, pseudonymize, mask); if detection is wrong, list it under "insensitive" with the '
    "reason (it goes into the report)."
)
MSG_GATE_NEAR_UNIQUE = (
    "The released column {column!r} is near-unique: {share:.0%} of the released records hold a "
    "value no other record holds (the limit is {limit:.0%}), so it singles people out by itself. "
    "Generalise it as a quasi-identifier, treat it or delete it; if it must be released as it "
    'is, acknowledge it with a reason: "acknowledge": {{"{column}": "why"}}.'
)
MSG_GATE_DUPLICATE = (
    "The released column {column!r} is {how} of the {role} {of!r}: releasing it {treatment} "
    "undoes the protection of {of!r}. Delete it, give it the same treatment as {of!r}, or "
    'acknowledge it with a reason: "acknowledge": {{"{column}": "why"}}.'
)
MSG_GATE_UNCHANGED = (
    "The measure {measure!r} on the identifier column {column!r} left {unchanged:,} of "
    "{values:,} values unchanged (a mask that keeps every character, or text with nothing "
    "found to mask): no value of a direct identifier may be released as it is. Use delete, "
    "pseudonymize, or a mask that hides characters."
)
MSG_POLICY_SYNTAX = (
    "The policy file {name!r} is not valid {fmt}: {problem} at line {line}, column {column}. "
    "Fix it there and load it again."
)
MSG_GATE_CANNOT_OVERRULE = (
    "The column {column!r} is a direct identifier ({kind}, confidence {confidence:.2f}); a reason "
    'under "insensitive" cannot release it as it is (only detections below {limit:.2f} can be '
    "overruled as false). Treat it under direct_identifiers: delete, pseudonymize or mask it."
)
# ----- t-closeness, policy keys, the k floor -----------------------
MSG_L_TOO_FEW_VALUES = (
    "The sensitive attribute {column!r} has only {distinct} distinct value(s) in the table, fewer "
    "than l = {l}: no equivalence class can hold {l} different values, however much is "
    "generalised. Lower l to at most {distinct}, choose another sensitive attribute, or use "
    "t-closeness."
)
MSG_K_BELOW_FLOOR = (
    "k = {k} is below this instance's floor of k = {min_k}: a policy must ask for k of at least "
    "{min_k}. The floor is set by the instance's administrators (Config.privacy_min_k); raise k "
    "in the policy."
)
MSG_BAD_RISK_THRESHOLD = (
    "risk_threshold is the highest re-identification risk a released record may have (prosecutor "
    "model: 1 / the size of its equivalence class), a number above 0 and at most 1, e.g. 0.2 for "
    "1 in 5 (got {value!r})."
)
MSG_RISK_ABOVE_THRESHOLD = (
    "The highest re-identification risk of a released record is {highest:.4g} (prosecutor "
    "model), above the policy's risk_threshold of {threshold:.4g}."
)
MSG_BAD_ALGORITHM = (
    "algorithm is 'optimal' (full-domain generalisation, the optimal lattice search) or "
    "'mondrian' (local recoding), not {value!r}."
)
MSG_MONDRIAN_MODEL = (
    "algorithm 'mondrian' checks k-anonymity and distinct l-diversity only, not {model}. Use "
    "algorithm 'optimal' for {model}, or change the model."
)
MSG_BAD_DELTA_PRESENCE = (
    'delta_presence is {{"min": δmin, "max": δmax}} with 0 <= δmin <= δmax <= 1: the share of '
    "the population's members with a released class's values who are in the release "
    "(got {value!r})."
)
MSG_DELTA_NEEDS_POPULATION = (
    "delta_presence needs a population table (the people the release is drawn from, with the "
    "quasi-identifier columns): pass population= to apply_policy, or --population FILE to "
    "`datanuri privacy apply`."
)
MSG_DELTA_OUTSIDE = (
    "δ-presence of the release is [{low:.4g}, {high:.4g}], outside the policy's "
    "[{delta_min:.4g}, {delta_max:.4g}]."
)
# ----- privacy across releases: DP ceiling and budget --------------------
MSG_DP_EPSILON_ABOVE_MAX = (
    "epsilon {epsilon:g} is above this platform's ceiling of {limit:g} for one differential-privacy "
    "release (set by its administrators): with so large an epsilon the noise hides almost nothing. "
    "Lower the policy's epsilon to at most {limit:g}."
)
MSG_DP_BUDGET_EXCEEDED = (
    "This release would spend epsilon {asked:g} from {dataset!r}, whose privacy-loss budget is "
    "{budget:g}: {spent:g} is already spent by earlier releases, so only {remaining:g} remains. "
    "Nothing was released. Lower the policy's epsilon to at most {remaining:g}, or ask an owner "
    "of the organisation to raise the budget (up to {limit:g}) with `datanuri privacy budget "
    "{dataset} --set EPSILON`."
)
MSG_BUDGET_BAD = (
    "A privacy-loss budget is a positive finite epsilon (got {value!r}), e.g. 3.0: the total "
    "epsilon all differential-privacy releases of the dataset may spend."
)
MSG_BUDGET_ABOVE_LIMIT = (
    "A privacy-loss budget of {value:g} is above this platform's limit of {limit:g} for one source "
    "dataset (set by its administrators). Declare at most {limit:g}."
)
MSG_BUDGET_BELOW_SPENT = (
    "{dataset!r} has already spent epsilon {spent:g}; its budget cannot be set below that (got "
    "{value:g}). Declare at least {spent:g}; declaring exactly {spent:g} closes it to further "
    "releases."
)
MSG_BUDGET_NOT_PERSONAL = (
    "{dataset!r} is not a personal dataset; a privacy-loss budget belongs to the personal dataset "
    "that differential-privacy releases are made from."
)
MSG_PSEUDONYM_BAD_LINKABLE = (
    'The "linkable" option of the pseudonymisation of {column!r} is true or false (got {value!r}). '
    "Leave it out for pseudonyms that differ in every release."
)
MSG_PSEUDONYM_LINKABLE = (
    "Pseudonyms of {columns} are linkable across releases (key {keys}): anyone holding two "
    "releases made with the same key can join them on these columns and narrow down the records. "
    'Remove "linkable": true unless the releases are meant to be joined.'
)
# ----- publish guard: detection on every open or restricted publish --------------------------
MSG_PUBLISH_IDENTIFIERS = (
    "Detection found direct identifiers in {columns} of this file, so it cannot be published into "
    "the {level} dataset {name!r}; nothing was published. Publish it into a personal dataset and "
    "release a de-identified version (`datanuri privacy apply DATASET --policy FILE --release "
    "{name}`, or the de-identification wizard). If detection is wrong, an owner of {org!r} can "
    "publish it with a reason (`datanuri publish ... --override-reason TEXT`, or the form field "
    "`override_reason`); the reason is recorded in the ledger."
)
MSG_OVERRIDE_NOT_OWNER = (
    "Only an owner of {org!r} can publish content that detection flagged ({columns}) into the "
    "{level} dataset {name!r}; nothing was published. Ask an owner of {org!r}, or publish it into "
    "a personal dataset and release a de-identified version."
)
MSG_OVERRIDE_REASON = (
    "Say why detection is wrong in at least {min_chars} characters (for example \"'id' is a "
    'station code, not a person"); the reason is recorded in the ledger. Nothing was published.'
)
MSG_RELEASE_TICKET = (
    "This publish claims to be a privacy release, but no passing release of this content into "
    "{name!r} was issued; nothing was published. Release through `datanuri privacy apply "
    "--release` or the de-identification wizard."
)

# the description a new release target gets (the source is not named when it is hidden)
MSG_RELEASE_OF = "De-identified release of {name} version {version}."
MSG_RELEASE_OF_HIDDEN = "De-identified release of a personal dataset that is not public."

# Detection evidence and warnings (ColumnFinding.evidence / .warning); Korean in datanuri/i18n.
EVIDENCE_HEADER = "header {name!r} matches {label} ({label_ko})"
EVIDENCE_HEADER_DISAGREES = (
    "header {name!r} says {label} ({label_ko}), but the values are {distinct} categories that "
    "are not one"
)
EVIDENCE_VALUES_CHECKSUM = (
    "{rate:.0%} of {n} sampled values are {label} ({label_ko}) with valid checksum"
)
EVIDENCE_VALUES_FORMAT = "{rate:.0%} of {n} sampled values are {label} ({label_ko}) by format"
EVIDENCE_DISTINCT = "{ratio:.0%} of sampled values are distinct"
EVIDENCE_TEXT = "{rate:.0%} of texts contain a {label} ({label_ko})"
EVIDENCE_COARSE = "values are coarse (many repeats)"
EVIDENCE_DATES = "values are dates or timestamps ({type})"
EVIDENCE_NOTHING = "no identifying header or values"
WARN_BIRTH_DATE = (
    "a raw date of birth singles people out; generalise it (year, or age bands) or delete it"
)
WARN_DATES_DISTINCT = (
    "{ratio:.0%} of the sampled dates/timestamps are distinct: raw, they single people out; "
    "generalise them (a date hierarchy) or delete them"
)

# What each detected kind is, for people (identifier kinds take their labels from identifiers.py).
KIND_LABELS: dict[str, tuple[str, str]] = {
    "name": ("성명", "personal name"),
    "phone": ("전화번호", "phone number"),
    "address": ("주소", "address"),
    "postcode": ("우편번호", "postcode"),
    "region": ("지역", "region"),
    "birth_date": ("생년월일", "date of birth"),
    "age": ("나이", "age"),
    "sex": ("성별", "sex"),
    "nationality": ("국적", "nationality"),
    "race": ("인종", "race"),
    "marital_status": ("혼인 상태", "marital status"),
    "education": ("학력", "education"),
    "occupation": ("직업", "occupation"),
    "employment": ("고용 형태", "employment"),
    "body": ("신체 정보", "body measurements"),
    "event_date": ("사건 일시", "event date"),
    "health": ("건강 정보", "health"),
    "criminal_record": ("범죄 경력", "criminal record"),
    "sex_life": ("성생활", "sex life"),
    "beliefs": ("사상·신념", "beliefs"),
    "genetic_biometric": ("유전·생체 정보", "genetic or biometric data"),
    "financial": ("금융 정보", "financial data"),
    "record_key": ("레코드 키", "record key"),
    "free_text": ("자유 텍스트", "free text"),
    "date": ("날짜", "date"),
    "none": ("해당 없음", "none"),
}
MSG_TARGET_OTHER_ORG = (
    "Dataset {target!r} belongs to another organisation: release into a dataset of {org!r} "
    "(or a new name)."
)
MSG_TARGET_PERSONAL = (
    "Dataset {target!r} is personal: a release goes to an open or restricted dataset."
)
MSG_HIERARCHY_FILE = (
    "The hierarchy of {column!r} names a file; over the API give it inline as "
    '{{"rows": [[value, level1, ...], ...]}}.'
)
