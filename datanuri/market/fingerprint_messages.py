"""User-facing messages of buyer fingerprints and `datanuri trace` (Korean in datanuri/i18n/ko.po).

Format with ``.format(**kw)``; every message says what went wrong and what to do.
"""

from __future__ import annotations

MSG_SCHEME_NO_COLUMNS = (
    "A fingerprint scheme needs at least one numeric column with a declared tolerance; name one "
    'under "columns", e.g. {{"price": {{"absolute": 10}}}}.'
)
MSG_SCHEME_NO_ID = (
    "A fingerprint scheme needs the columns that identify a row (a key such as an id column, or "
    'stable columns such as codes and dates); name them under "id_columns".'
)
MSG_SCHEME_ID_MARKED = (
    "The column {column!r} identifies rows and is also fingerprinted; a row must keep its "
    "identity, so remove it from one of the two lists."
)
MSG_SCHEME_BAD_TOLERANCE = (
    "The tolerance of column {column!r} allows no change: it needs an absolute tolerance of at "
    "least one unit of its last decimal place ({unit}) or a relative tolerance above 0. Declare a "
    "larger tolerance or leave the column out."
)
MSG_SCHEME_BAD_DECIMALS = (
    "The decimal places of column {column!r} must be a whole number from 0 to 9 (got {value!r})."
)
MSG_SCHEME_BAD_GAMMA = (
    "gamma (one marked row in gamma) must be a whole number from 1 to 1000 (got {value!r})."
)
MSG_SCHEME_BAD_BITS = "max_bits must be a whole number from 1 to 30 (got {value!r})."
MSG_SCHEME_BAD = (
    "The fingerprint scheme is not valid JSON of the expected shape ({detail}). It has "
    '"id_columns", "columns" (name: {{"absolute", "relative", "decimals"}}), "gamma" and '
    '"max_bits".'
)
MSG_MISSING_COLUMN = (
    "The table has no column {column!r}, which the fingerprint scheme names. Columns are: "
    "{columns}."
)
MSG_NOT_NUMERIC = (
    "The column {column!r} is {type}, not a number: only integer and decimal columns carry a "
    "fingerprint. Leave it out of the scheme's columns."
)
MSG_INT_DECIMALS = (
    "The column {column!r} holds whole numbers, so it has no decimal places to declare; set its "
    '"decimals" to 0 and give its tolerance in whole units.'
)
MSG_FLOAT_ID = (
    "The column {column!r} is a floating-point number, whose text changes between writers "
    "(1.5, 1.50, 1.5e0); it cannot identify rows. Use an integer, text or date column."
)
MSG_OUT_OF_RANGE = (
    "A fingerprinted value of column {column!r} does not fit its type {type}; declare a smaller "
    "tolerance or widen the column's type."
)
MSG_NO_BUYERS = (
    "No candidate buyers were given. Name them with --buyers FILE (one buyer id per line, or a "
    "JSON list); the market's orders will supply them once it sells this dataset."
)
MSG_BAD_BUYERS = (
    "The buyers file {path} is not a list of buyer ids ({detail}). Write one id per line, or a "
    'JSON list such as ["buyer-a", "buyer-b"].'
)
MSG_NO_SCHEME = (
    "Dataset {name!r} has no fingerprint scheme to trace with. Give the scheme its copies were "
    "made with: --scheme FILE (JSON)."
)
MSG_NOT_A_TABLE = (
    "{path} is not a CSV or Parquet file; trace reads CSV (UTF-8 or CP949) and Parquet."
)

# The verdicts `datanuri trace` prints (fields filled from a `Detection`).
VERDICT_ACCUSED = (
    "This copy was made for buyer {buyer!r}: {matches} of {cells} marked cells carry their "
    "fingerprint (p = {p}, {candidates} candidates; confidence {confidence})."
)
VERDICT_NO_MATCH = (
    "No candidate buyer's fingerprint is in this copy: {cells} marked cells were found and no "
    "candidate matches them beyond chance (best: {buyer!r}, {matches} of {cells}). The copy may "
    "come from a buyer not among the candidates, or from the unfingerprinted original."
)
VERDICT_CANNOT_TELL = (
    "Cannot tell who this copy was made for: only {cells} marked cells survive in it, and naming "
    "a buyer among {candidates} candidates needs at least {needed}. The copy holds too few of the "
    "dataset's rows."
)
VERDICT_NO_IDS = (
    "Cannot tell who this copy was made for: it lacks the columns that identify rows "
    "({columns}), so its rows cannot be matched to the dataset's."
)
VERDICT_NO_MARKED = (
    "Cannot tell who this copy was made for: no marked cell survives in it, as the fingerprinted "
    "columns ({columns}) are missing or empty."
)
