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
