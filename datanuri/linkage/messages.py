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
MSG_MATCH_COLUMN = (
    "The {method} match needs the column {column!r} in every file, and {name!r} has none. "
    "Its columns are: {columns}."
)
MSG_BAD_FIELD = (
    "The field {field!r} is not COLUMN[:KIND[:COMPARISON]] with a kind in {kinds} and a "
    "comparison in {comparisons}."
)
MSG_BAD_HARDENING = "Unknown hardening {hardening!r}: use balance, xor_fold or none."
MSG_BAD_METHOD = "Unknown method {method!r}: use exact, rules, clk or probabilistic."

# ----- the linkage zone -------------------------------------------------------------------------
MSG_SQL_SELECT_ONLY = (
    "Only one SELECT statement can run in the zone: it is read-only, with no files, network "
    "or extensions."
)
MSG_SQL_REFUSED = (
    "Refused: the zone has no access to files, the network or extensions. Query the linked "
    "tables only."
)
MSG_SQL_TIMEOUT = "The query ran past the zone's limit of {seconds} seconds and was stopped."
MSG_SQL_ERROR = "The query failed: {error}"
MSG_NO_PROJECT = "No linkage project named {name!r}."
MSG_PROJECT_EXISTS = "A linkage project named {name!r} already exists. Pick another name."
MSG_PROJECT_CLOSED = "The linkage project {name!r} is closed (or expired); its zone is gone."
MSG_PROJECT_FIELD = "A linkage project needs {field}."
MSG_OPERATOR_ONLY = (
    "Only the owners and editors of the zone operator {organization!r} (or an admin) can do this."
)
MSG_KEY_AUTHORITY_ONLY = "Only the project's key authority can do this in {name!r}."
MSG_HOLDER_ONLY = "Only the project's holders can do this in {name!r}."
MSG_ANALYST_ONLY = "Only the project's analysts can do this in {name!r}."
MSG_REVIEWER_ONLY = "Only the project's reviewers can do this in {name!r}."
MSG_ZONE_SIDE_ONLY = (
    "Only the project's analysts, reviewers and operator see its matches and exports in {name!r}."
)
#: The refusal for each role a step needs (the role named in words, in both languages).
ROLE_ONLY = {
    "key_authority": MSG_KEY_AUTHORITY_ONLY,
    "holder": MSG_HOLDER_ONLY,
    "analyst": MSG_ANALYST_ONLY,
    "reviewer": MSG_REVIEWER_ONLY,
}
MSG_BAD_ROLE = "Unknown project role {role!r}: use key_authority, holder, analyst or reviewer."
MSG_ROLES_APART = (
    "{email} cannot be both {first} and {second} in one project: the roles are held by "
    "different people."
)
MSG_NOT_HOLDER_ORG = "{organization!r} is not a participating holder of the project."
MSG_SALT_ISSUED = "The project's salt was already issued; it is never issued twice."
MSG_NO_UPLOADS = "Match needs keyed files from at least two holders; {count} uploaded so far."
MSG_NO_RUN = "Nothing is linked yet: run the match first."
MSG_NO_EXPORT = "No export request {id} in project {name!r}."
MSG_NOT_PENDING = "The export request {id} is {status}, not waiting for review."
MSG_OWN_ANALYSIS = "A reviewer cannot review their own analysis; another reviewer must."
MSG_REASON_NEEDED = "Write the reason for the decision."
MSG_EXPORT_REFUSED = "Refused by the disclosure checks: {findings}. Nothing was exported."
MSG_NO_USER = "No user with the e-mail {email!r}: each member of a project needs an account."
MSG_BAD_HOLDER = "Write each holder as ORG=EMAIL, not {item!r}."
MSG_SIGN_IN = "Sign in: every step of a linkage project is done by one of its members."

# ----- row-level and noisy exports --------------------------------------------------------------
MSG_EXPORT_SHAPE = (
    "An export is either cells (name the columns to group by) or a row-level table (give a "
    "privacy policy and no grouping), not both and not neither."
)
MSG_ROWS_POLICY_OBJECT = (
    "A privacy policy is a JSON object in the format of `datanuri privacy apply` (see "
    "`datanuri privacy apply --help`)."
)
MSG_ROWS_DP_POLICY = (
    "A differential-privacy policy releases aggregates, not rows: ask for cells with an epsilon "
    "instead."
)
MSG_ROWS_NO_KEYS = (
    "The zone holds no pseudonymisation keys, so the policy cannot pseudonymise with {keys}: "
    "delete or mask those columns, or generalise them."
)
MSG_ROWS_REFUSED = (
    "Refused by the privacy policy: {failures}. The rows were not de-identified enough; nothing "
    "was exported."
)
MSG_DP_ROWS = (
    "Differential-privacy noise is for cells; a row-level table is released by its policy."
)
MSG_DP_EPSILON = "Epsilon must be a number above 0 and at most {limit}, not {epsilon}."
MSG_DP_CONTRIBUTIONS = "The records one person may add must be 1 or more."
MSG_DP_BOUNDS = (
    "With an epsilon, the summed value {value!r} needs bounds LOW < HIGH: values are clamped to "
    "them, which bounds what one person can change."
)
