"""User-facing error messages of the privacy engine, written once and imported by tests.

Format with ``.format(**kw)``; every message says what went wrong and what to do.
"""

from __future__ import annotations

MSG_MISSING_COLUMN = "The table has no column {column!r}. Columns are: {columns}. Fix the column name in the policy."
MSG_NO_QUASI_IDENTIFIERS = "No quasi-identifiers were given. Name at least one column and its hierarchy."
MSG_BAD_K = "k must be an integer of at least 1 (got {k!r})."
MSG_K_TOO_LARGE = "k = {k} is larger than the table ({rows} rows): no release can be {k}-anonymous. Lower k or use more data."
MSG_BAD_L = "l must be an integer of at least 1 (got {l!r})."
MSG_BAD_C = "c for recursive (c,l)-diversity must be a positive number (got {c!r})."
MSG_BAD_T = "t must be a number between 0 and 1 (got {t!r})."
MSG_NEEDS_SENSITIVE = "The model {model!r} needs a sensitive attribute: pass sensitive='column'."
MSG_SENSITIVE_IS_QI = "The column {column!r} is both a quasi-identifier and the sensitive attribute; it can only be one."
MSG_BAD_SUPPRESSION = "max_suppression must be between 0 and 1 (a share of records), got {value!r}."
MSG_UNKNOWN_OPTION = "Unknown {what} {value!r}. Choose one of: {choices}."
MSG_HIERARCHY_MISSING_VALUES = (
    "The hierarchy for {column!r} does not cover {count} value(s) of the data, e.g. {examples}. "
    "Add rows for them to the hierarchy file."
)
MSG_HIERARCHY_EMPTY = "The hierarchy file {name!r} has no rows. Write one row per value, one column per level."
MSG_HIERARCHY_RAGGED = "Row {row} of the hierarchy {name!r} has {got} levels but the header has {expected}. Give every row the same number of levels."
MSG_HIERARCHY_INCONSISTENT = (
    "The hierarchy {name!r} maps {value!r} at level {level} to more than one parent ({parents}). "
    "Each value must have exactly one generalisation per level."
)
MSG_BAD_LEVEL = "Level {level} is out of range for the hierarchy of {column!r}: it has levels 0 to {top}."
MSG_BAD_WIDTHS = "Interval widths must be positive and each a multiple of the previous one (got {widths!r})."
MSG_NOT_NUMERIC = "The column {column!r} must be numeric for {operation} (it is {type})."
MSG_NOT_DATE = "The column {column!r} must hold dates for date generalisation (it holds {type})."
MSG_NOT_TEXT = "The column {column!r} must be text for {operation} (it is {type})."
MSG_BAD_KEY = "The pseudonymisation key must be at least 16 bytes of secret data (got {length}). Take it from the key store."
MSG_BAD_MICROAGGREGATION_K = "Microaggregation needs groups of at least 2 records (got k = {k})."
MSG_BAD_NOISE = "Noise scale must be a non-negative number (got {scale!r})."
MSG_BAD_MASK = "keep_start and keep_end must be non-negative integers (got {start!r}, {end!r})."
MSG_POPULATION_COLUMNS = "The population table lacks the quasi-identifier column(s) {columns}. Give it the same columns as the sample."
MSG_BAD_THRESHOLD = "The risk threshold must be between 0 and 1 (got {value!r})."
MSG_EMPTY_TABLE = "The table has no rows: there is nothing to assess or anonymise."
MSG_NO_SOLUTION = (
    "No generalisation satisfies {model} with at most {suppression:.1%} of records suppressed, even the most general one. "
    "Lower the privacy parameters, allow more suppression, or add data."
)
MSG_LATTICE_TOO_LARGE = "The generalisation lattice has {size} nodes, more than the limit of {limit}. Use fewer quasi-identifiers or shorter hierarchies."
MSG_POLICY_PARSE = "The policy file {name!r} could not be read: {error}. Write it as a JSON or YAML mapping."
MSG_POLICY_YAML = "Reading a YAML policy needs the PyYAML package. Install it, or write the policy as JSON."
MSG_POLICY_BAD_MEASURE = "A measure must be a name (\"delete\") or one name with options ({{\"mask\": {{...}}}}); got {value!r}."
MSG_POLICY_FILE_MISSING = "The hierarchy file for {column!r} was not found at {path!r}. Check the path in the policy."
MSG_POLICY_TWICE = "The column {column!r} is named in both {first!r} and {second!r} of the policy; name it once."
MSG_POLICY_KEY_MISSING = "The policy pseudonymises {column!r} with key {key!r}, which the key store does not hold. Add the key or fix its name."
MSG_POLICY_UNTREATED = (
    "The column {column!r} looks like a direct identifier ({kind}, confidence {confidence:.2f}) but the policy releases it "
    "untreated. Delete, mask or pseudonymise it under direct_identifiers."
)
