"""One exception hierarchy for datanuri.

Every error carries a message written for the user (what went wrong and what to do), an HTTP
status for the web layer and an exit code for the CLI. Messages that tests check are named
constants in this module so wording lives in one place.
"""

from __future__ import annotations

from typing import Any


class DatanuriError(Exception):
    """Base of every error datanuri raises on purpose."""

    status: int = 500
    exit_code: int = 1
    code: str = "internal_error"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON error shape used by the REST API and `--json` CLI output."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


class ConfigError(DatanuriError):
    status, exit_code, code = 500, 78, "config_error"


class InvalidInput(DatanuriError):
    """The caller sent something we cannot accept; nothing was changed."""

    status, exit_code, code = 422, 2, "invalid_input"


class NotFound(DatanuriError):
    status, exit_code, code = 404, 4, "not_found"


class Conflict(DatanuriError):
    status, exit_code, code = 409, 5, "conflict"


class Gone(DatanuriError):
    """What was asked for existed and was withdrawn on purpose (a tombstone remains)."""

    status, exit_code, code = 410, 4, "withdrawn"


class PermissionDenied(DatanuriError):
    status, exit_code, code = 403, 6, "permission_denied"


class NotAuthenticated(DatanuriError):
    status, exit_code, code = 401, 6, "not_authenticated"


class TooLarge(InvalidInput):
    status, code = 413, "too_large"


class IngestError(InvalidInput):
    """A file could not be read as a table (bad format, encoding, rows...)."""

    code = "ingest_error"


class IntegrityError(DatanuriError):
    """Stored content does not match its recorded hash or signature."""

    status, exit_code, code = 500, 7, "integrity_error"


class LedgerError(DatanuriError):
    """The integrity ledger could not record or prove an event; the action it guarded failed."""

    status, exit_code, code = 500, 7, "ledger_error"


class RateLimited(DatanuriError):
    status, exit_code, code = 429, 75, "rate_limited"

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


class ServiceUnavailable(DatanuriError):
    status, exit_code, code = 503, 69, "unavailable"


class SecondFactorRequired(NotAuthenticated):
    """The password was right; a second factor (or its enrolment) must follow. `details` holds
    the pending login's `challenge`, the `methods` the user can pass and whether to `enroll`."""

    code = "second_factor_required"


# Messages checked by tests (format with .format(**kw)).
MSG_EMPTY_FILE = (
    "The file {name!r} is empty: there is nothing to ingest. Check that you picked the right file."
)
MSG_BINARY_FILE = (
    "The file {name!r} does not look like a table (it contains binary data that is not CSV, XLSX, "
    "JSON or Parquet). Export it as CSV or XLSX and try again."
)
MSG_DATASET_NOT_FOUND = "No dataset named {name!r}. List datasets with `datanuri datasets list`."
MSG_ORG_NOT_FOUND = "No organization named {name!r}. Create it with `datanuri orgs create {name}`."
MSG_DATASET_EXISTS = (
    "A dataset named {name!r} already exists. Pick another name or publish a new version."
)
MSG_NAME_UNAVAILABLE = "The name {name!r} cannot be used for a new dataset. Pick another name."
MSG_VERSION_NOT_FOUND = "Dataset {name!r} has no version {version}. It has versions 1 to {latest}."
MSG_NO_VERSIONS = (
    "Dataset {name!r} has no published version yet. Publish a file with `datanuri publish`."
)
MSG_SAME_CONTENT = (
    "This content is identical to version {version} of {name!r}; no new version was made."
)
MSG_JOB_ACTOR_GONE = (
    "The job was started by {actor}, who no longer has an active account here, so it was not "
    "run. Someone with the rights it needs must start it again."
)
MSG_PERSONAL_ACCESS = (
    "Dataset {name!r} is for personal data, so it cannot be made {to}: its versions would be released "
    "as they are. Publish a de-identified release into another dataset instead "
    "(`datanuri privacy apply {name} --policy FILE --release NEW-NAME`, or the de-identification wizard)."
)
MSG_PERSONAL_NO_ROWS = (
    "Dataset {name!r} holds personal data: its rows cannot be previewed or downloaded. "
    "Ask the holder for a de-identified release."
)

# publish guard: detection on every open or restricted publish
MSG_PERSONAL_COPY = (
    "This content is identical to version {version} of the personal dataset {personal!r}, so it "
    "cannot be published into the {level} dataset {name!r}, whoever asks. Personal data leaves "
    "its holder only as a de-identified release (`datanuri privacy apply {personal} --policy FILE "
    "--release NEW-NAME`, or the de-identification wizard)."
)
MSG_LEVEL_CHANGED_DURING_PUBLISH = (
    "The access level of {name!r} changed from {checked} to {now} while this file was being "
    "checked; nothing was published. Publish it again."
)

# The blob store (datanuri/store/blobs.py, remote_blobs.py, blob_url.py).
MSG_BLOB_ADDRESS = "{digest!r} is not a blob address (a 64-digit hex SHA-256)."
MSG_BLOB_MISSING = (
    "The stored file {digest} is missing. An operator must restore it from a backup "
    "(`datanuri ledger audit` lists every missing file)."
)
MSG_BLOB_CORRUPTED = (
    "Blob {digest} is corrupted: its content now hashes to {actual}. Restore it from a backup."
)
MSG_BLOB_UNREACHABLE = (
    "The blob store could not be reached ({what}). Check DATANURI_BLOB_URL, the endpoint and the "
    "AWS credentials, then try again."
)
MSG_BLOB_URL = (
    "DATANURI_BLOB_URL {url!r} is not a blob store address: write a directory, "
    "file:///mnt/shared/blobs or s3://bucket/prefix."
)
MSG_BLOB_SCHEME = (
    "DATANURI_BLOB_URL uses {scheme!r}, which neither pyarrow nor fsspec knows here: use a "
    "directory, file:// or s3://, or install the fsspec package for {scheme!r}."
)


class EngineUnavailable(ConfigError):
    """The configured compute engine (DATANURI_ENGINE) cannot start on this machine."""

    code = "engine_unavailable"


# compute engine (datanuri.engine)
MSG_ENGINE_NO_PYSPARK = (
    "DATANURI_ENGINE is 'spark' but PySpark is not installed. Install it with "
    "`pip install 'datanuri[spark]'`, or set DATANURI_ENGINE=duckdb."
)
MSG_ENGINE_NO_JAVA = (
    "DATANURI_ENGINE is 'spark' but no Java runtime was found (Spark needs Java 17 or later). "
    "Install one (`apt-get install openjdk-17-jre-headless`) or set JAVA_HOME, or set "
    "DATANURI_ENGINE=duckdb."
)
MSG_ENGINE_BAD_SPARK_CONF = (
    "DATANURI_SPARK_CONF must be comma-separated key=value pairs (e.g. "
    "'spark.sql.shuffle.partitions=8,spark.local.dir=/tmp/spark'), got {value!r}."
)

# de-identification of large tables on the compute engine (datanuri.privacy.large)
MSG_LARGE_RELEASE_UNSUPPORTED = (
    "Dataset {name!r} has {rows} rows, so its policy runs on the compute engine ({engine}), "
    "which applies only full-domain generalisation with suppression (k-anonymity, l-diversity, "
    "t-closeness) and deletes columns. This policy also asks for {parts}, which is not applied "
    "there, so nothing was done. Change the policy: delete those columns instead of masking, "
    "pseudonymising or perturbing them, use the optimal algorithm, leave out utility_check and "
    "delta_presence; or de-identify a smaller extract."
)


class InvalidAccessToken(NotAuthenticated):
    """A MyData access token that is unknown, expired or revoked, or sent the wrong way."""

    code = "invalid_token"


class InvalidDpopProof(NotAuthenticated):
    """A DPoP proof (RFC 9449) that is missing, malformed, replayed or for another key or URL."""

    code = "invalid_dpop_proof"


class ConsentNotActive(PermissionDenied):
    """A MyData consent was revoked or has expired: nothing more is sent under it."""

    code = "consent_not_active"
