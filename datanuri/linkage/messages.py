"""User-facing messages of record linkage, written once and imported by tests."""

from __future__ import annotations

MSG_SALT_EXISTS = (
    "The salt file {path} already exists; a project's salt is never replaced. Use it, or write "
    "the new salt to another path."
)
MSG_SALT_UNREADABLE = (
    "The salt file {path} cannot be read as a linkage salt (base64 or hex of at least 32 bytes). "
    "Ask the project's key authority for the salt file, or make one with `datanuri linkage salt PATH`."
)
MSG_NO_COLUMN = "The file has no column {column!r}. Its columns are: {columns}."
MSG_BAD_KIND = "Unknown identifier kind {kind!r}: write one of {kinds} after the column's name."
MSG_DUPLICATE_KEY = (
    "Two columns would write the same output column ({names}). Name the keys apart with "
    "NAME=COLUMN, e.g. `--id-columns home=집전화,mobile=휴대폰`."
)
MSG_NOTHING_TO_KEY = (
    "Nothing to key: name the identifier columns with --id-columns (and, for dirty identifiers, "
    "--clk-columns)."
)
MSG_KEEP_IDENTIFIER = (
    "The kept columns {columns} are identifiers being keyed; raw identifiers never leave the "
    "holder. Remove them from --keep."
)
MSG_RAW_IDENTIFIER = (
    "Refused: the output would still contain raw identifiers in {columns}. Key them with "
    "--id-columns or leave them out of --keep (a column of near-unique values that identifies "
    "nobody, such as an amount, may be let through with --allow-unique COLUMN); nothing was "
    "written."
)
MSG_BAD_OUTPUT = "The output {path} must end in .parquet or .csv."
MSG_NO_KEYS = (
    "The files share no linkage key column (lk_*). Make them with `datanuri linkage tokenize` "
    "under the same salt and key names, or choose --method clk or probabilistic."
)
MSG_NEED_TWO = "Name at least two files to match."
MSG_BAD_FIELD = (
    "The field {field!r} is not COLUMN[:KIND[:COMPARISON]] with a kind in {kinds} and a "
    "comparison in {comparisons}."
)
MSG_BAD_HARDENING = "Unknown hardening {hardening!r}: use balance, xor_fold or none."
MSG_BAD_METHOD = "Unknown method {method!r}: use exact, rules, clk or probabilistic."
