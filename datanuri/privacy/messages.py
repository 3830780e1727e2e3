"""User-facing error messages of the privacy engine, written once and imported by tests.

Format with ``.format(**kw)``; every message says what went wrong and what to do.
"""

from __future__ import annotations

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

# ----- publish guard (issue #12, helper "doors") ------------------------------------------------
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
