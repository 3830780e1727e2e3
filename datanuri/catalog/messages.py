"""Messages of the catalog's jobs, publishing and audit, written once and imported by tests
(format with .format(**kw))."""

# job records keep positions, not values
PROBLEM_POSITION = (
    "Line {line}, column {column}: a {kind} problem. The value is shown to the dataset's editors "
    "with the version's problems, not in job records."
)
STRICT_PROBLEMS = (
    "{count} row problem(s) (strict mode), first at line {line}, column {column} ({kind}). Fix "
    "those rows in your file, or publish in lenient mode to keep going with a report."
)

# publishing
NUMBER_TAKEN = (
    "Another version of {name!r} was published at the same moment, so this one was not. "
    "Publish it again."
)
NOT_AS_RECORDED = (
    "Version {version} of {name!r} is not served: its content hash differs from the one the "
    "ledger recorded when it was published, so the catalog was changed outside datanuri. An "
    "operator must run `datanuri ledger audit` and restore the database from a backup."
)
PUBLISHED_RECOVERED = "Published {name!r} version {version}."
# column notes
NO_SUCH_COLUMN = (
    "Dataset {name!r} has no column {column!r} in any version; check the name on the dataset "
    "page's schema table."
)

# a dataset's life: deleting an empty one, withdrawing versions
DELETE_HAS_VERSIONS = (
    "Dataset {name!r} has published versions, so it cannot be deleted: the ledger keeps what was "
    "published. Withdraw a version instead (`datanuri datasets withdraw`)."
)
DELETE_REFERENCED = (
    "Dataset {name!r} cannot be deleted while other records refer to it (e.g. entitlements). "
    "Revoke them first."
)
WITHDRAW_NEEDS_REASON = (
    "Say why the version is withdrawn: the reason is shown on its page and kept in the ledger."
)
ALREADY_WITHDRAWN = "Version {version} of {name!r} was already withdrawn."
WITHDRAWN = (
    "Version {version} of {name!r} was withdrawn ({reason}); its data is no longer served. Use a "
    "later version, or see the dataset's page."
)
ALL_WITHDRAWN = (
    "Every version of {name!r} was withdrawn; its data is no longer served. See the dataset's "
    "page for the reasons."
)

# `datanuri ledger audit`: the catalog against the ledger and the blob store
AUDIT_OK = (
    "Catalog audit passed: {versions} versions match their ledger entries and {blobs} blobs {what}."
)
AUDIT_PRESENT = "are present with the recorded size (run with --blobs to rehash them)"
AUDIT_HASHED = "hash to their names"
AUDIT_FAILED = (
    "Catalog audit FAILED: {count} difference(s) between the catalog, the ledger and the blob "
    "store. The database or the blob files were changed outside datanuri; restore them from a "
    "backup."
)
NO_ENTRY = "has no ledger entry: it was never recorded as published"
ENTRY_NOT_VERSION = (
    "points to ledger entry {index}, which is not a publication of a version (the ledger has "
    "{size} entries)"
)
ENTRY_OTHER = "points to ledger entry {index}, which records {subject} instead"
HASH_DIFFERS = (
    "{column} is {got} but ledger entry {index} recorded {want}: the file served for this "
    "version is not the one published"
)
ROWS_DIFFER = "has {got} rows but ledger entry {index} recorded {want}"
DIST_DIFFERS = "refers to blob {got} but the version's content is {want}"
LEVEL_DIFFERS = (
    "access level is {got!r} but the last level the ledger recorded is {want!r}: it was changed "
    "without going through datanuri"
)
VERSION_GONE = "recorded as published in ledger entry {index} but missing from the catalog"
BLOB_MISSING = "missing from the blob store: version {version} cannot be read or downloaded"
BLOB_SIZE = "of version {version} is {got:,} bytes but {want:,} were stored: the file was changed"
BLOB_CORRUPTED = "of version {version} now hashes to {actual}: the file was changed"

# exploring a version's rows (catalog/explore.py): (Korean, English) pairs
EXPLORE_NO_COLUMN = (
    "‘{column}’ 열이 없습니다. 스키마에 있는 열 이름을 고르세요.",
    "There is no column {column!r}; choose a column of the schema.",
)
EXPLORE_BAD_OP = (
    "‘{op}’ 조건은 쓸 수 없습니다. 같음(eq), 포함(contains), 범위(range) 중에서 고르세요.",
    "Unknown condition {op!r}; use eq, contains or range.",
)
EXPLORE_NO_VALUE = (
    "‘{column}’ 열의 조건에 값을 입력하세요.",
    "Give a value for the condition on {column!r}.",
)
EXPLORE_BAD_NUMBER = (
    "‘{column}’ 열은 숫자 열입니다. ‘{value}’ 대신 12 또는 3.5 같은 숫자를 입력하세요.",
    "{column!r} holds numbers; give a number like 12 or 3.5 instead of {value!r}.",
)
EXPLORE_BAD_DATE = (
    "‘{column}’ 열은 날짜 열입니다. ‘{value}’ 대신 2024-01-31 같은 날짜를 입력하세요.",
    "{column!r} holds dates; give a date like 2024-01-31 instead of {value!r}.",
)
EXPLORE_NO_RANGE = (
    "‘{column}’ 열에는 범위 조건을 쓸 수 없습니다. 포함 조건을 쓰세요.",
    "{column!r} cannot be filtered by range; use contains.",
)
EXPLORE_BAD_PAGE = (
    "행 위치는 0 이상, 한 번에 보는 행은 1–{limit}행이어야 합니다.",
    "The offset must be 0 or more and the limit 1 to {limit} rows.",
)
WITHDRAWAL_GONE = (
    "was withdrawn in ledger entry {index} but is served again: its withdrawal was removed from "
    "the catalog outside datanuri"
)
WITHDRAWAL_UNRECORDED = (
    "is marked withdrawn (ledger entry {index}) but the ledger records no such withdrawal of it"
)
WITHDRAWAL_DIFFERS = "withdrawal reason differs from the one ledger entry {index} recorded"
