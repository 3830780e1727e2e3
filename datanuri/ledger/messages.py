"""Messages of the integrity ledger, written once and imported by tests (format with .format(**kw))."""

BAD_KEY_NAME = (
    "{name!r} cannot be a key name: it must be non-empty, without spaces or '+'. Use a name like "
    "'example.org/ledger'."
)
BAD_VKEY = (
    "{vkey!r} is not a valid verifier key (expected NAME+KEYID+BASE64 as served at "
    "/.well-known/datanuri-ledger.pub)."
)
BAD_SKEY = "The ledger signing key file is damaged. Restore it from backup; a new key would invalidate every receipt."
BAD_NOTE = "This is not a valid signed note: {why}."
BAD_SIGNATURE = "The signature by {name!r} does not verify: the checkpoint was altered or signed by another key."
NO_KNOWN_SIGNATURE = (
    "The checkpoint is not signed by any trusted key ({names}). Check that you pinned the right "
    "public key."
)
BAD_CHECKPOINT = "This is not a valid checkpoint: {why}."
WRONG_ORIGIN = "The checkpoint is for log {got!r}, but log {want!r} was expected."
NO_KEY = "The ledger has no signing key in {path}. Run `datanuri init` to create one."
KEY_MISMATCH = (
    "The ledger key in {path} does not match the key that signed the existing checkpoints. "
    "Restore the original key."
)
RECORD_FAILED = (
    "The ledger could not record the event {type!r}, so the action was not performed: {why}"
)
NOT_INITIALISED = "The ledger tables are missing. Run `datanuri init` to migrate the database."
LEAF_OUT_OF_RANGE = "The ledger has {size} entries; there is no entry {index}."
SIZE_OUT_OF_RANGE = "The ledger has {size} entries; a proof for size {want} is not possible."
BAD_RANGE = "Bad range: {why}."
INCONSISTENT_HISTORY = (
    "Refusing to sign: the stored tree at size {size} has root {got}, but the checkpoint signed earlier says {want}. "
    "The ledger database was changed; run `datanuri ledger audit`."
)
TOO_FEW_COSIGNATURES = (
    "The checkpoint has {have} valid witness cosignature(s); {need} are required."
)

# verification of receipts (offline): what each passed check found
CHECK_SIGNED = "signed by {name}, size {size}"
CHECK_LEAF = "the entry hashes to the leaf hash"
CHECK_INCLUDED = "entry {index} is in the tree of size {size}"
CHECK_FILE = "SHA-256 {got} matches the entry"
CHECK_COSIGNED = "cosigned by {names}"
CHECK_NOT_COSIGNED = "cosigned by nobody"
CHECK_BOTH_SIGNED = "both signed by {name}"
CHECK_EMPTY_EXTENDS = "every tree extends the empty tree"
CHECK_EXTENDS = "size {new} extends size {old}"
CHECK_CONTENT = "the entry names this version's Parquet hash"
CHECK_CONTENT_WRONG = "the entry names {got}, not {want}"
CHECK_SUBJECT_WRONG = "the entry is about {named}, not {subject}"
CHECK_CURRENT = "receipt tree size {size}, current checkpoint size {current}"
# verification of receipts (offline): what went wrong
RECEIPT_BAD = "This is not a datanuri receipt: {why}."
FILE_MISMATCH = (
    "The file's SHA-256 is {got}, but the receipt records {want}: this is not the published file."
)
FILE_NO_HASH = (
    "The receipt's entry records no Parquet hash, so the file cannot be checked against it."
)
LEAF_MISMATCH = "The receipt's entry data does not hash to its leaf hash: the entry was altered."
INCLUSION_FAILED = "The inclusion proof does not match the checkpoint: {why}."
CONSISTENCY_FAILED = (
    "The two checkpoints are not consistent: {why}. The log has forked or rewritten its history."
)

# witnesses
FORK_DETECTED = (
    "Fork detected: log {origin!r} presented size {new_size} (root {new_root}), which is not consistent with size "
    "{old_size} (root {old_root}) it presented before: {why}. The witness refused to cosign."
)
ROLLBACK = (
    "Log {origin!r} presented size {new_size}, smaller than size {old_size} it presented before. "
    "The witness refused to cosign."
)
UNKNOWN_WITNESS = (
    "The cosignature is not from a witness this ledger trusts ({name!r}). Add it with `datanuri "
    "ledger witnesses add`."
)
STALE_COSIGNATURE = (
    "The cosignature is for a checkpoint of size {size}, which this ledger never signed."
)
LOG_UNREACHABLE = "Could not reach the log at {url}: {why}"

# audit
AUDIT_OK = "Ledger audit passed: {leaves} entries, {nodes} stored nodes and {checkpoints} checkpoints match."
AUDIT_FAILED = "Ledger audit FAILED: {count} problem(s) found. The ledger database was changed outside datanuri."
KEY_ORIGIN = (
    "The ledger key in {path} is named {name!r}, but the ledger origin is {origin!r}. Set the "
    "origin back or restore the matching key."
)
NO_CHECKPOINT = (
    "The ledger has no signed checkpoint yet. Create one with `datanuri ledger checkpoint`."
)
