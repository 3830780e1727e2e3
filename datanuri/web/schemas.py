"""Response models of the JSON API (`/api/v1`), so `/openapi.json` describes every answer.

They mirror the services' records field for field and only describe them: every model keeps
keys it does not name (`extra="allow"`), and numbers keep their JSON type (`Number`), so the
JSON the routes return is the same with or without them. Models stay in the web layer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Number = int | float  # an int stays an int and a float a float (pydantic's smart unions)


class Out(BaseModel):
    """Base of the response models: describes the known keys, keeps any other."""

    model_config = ConfigDict(extra="allow")


# ----- catalog -------------------------------------------------------------------------------
class OrganizationOut(Out):
    name: str
    title: str
    description: str
    created_at: str
    dataset_count: int
    official: bool = Field(False, description="An official holder (search ranks its data higher)")


class OrganizationDetailOut(OrganizationOut):
    datasets: list[str] = Field(description="Names of the datasets the caller may see")


class WithdrawalOut(Out):
    reason: str
    withdrawn_by: str
    withdrawn_at: str
    ledger_index: int | None = Field(description="The withdrawal's entry in the integrity ledger")


class VersionOut(Out):
    dataset: str
    number: int
    content_hash: str = Field(description="SHA-256 (hex) of the stored Parquet file")
    source_hash: str = Field(description="SHA-256 (hex) of the uploaded file")
    source_name: str
    source_format: str
    source_encoding: str | None
    byte_size: int
    row_count: int
    column_count: int
    change_note: str
    published_by: str
    ledger_index: int | None = Field(description="The version's entry in the integrity ledger")
    created_at: str
    problem_count: int
    formats: list[str]
    withdrawn: WithdrawalOut | None = Field(
        None, description="Set when the version was withdrawn: its rows are no longer served"
    )


class DatasetSummaryOut(Out):
    name: str
    organization: str
    title: str
    description: str
    keywords: list[str]
    theme: str | None
    license: str | None
    access_level: str
    language: str
    temporal_start: str | None
    temporal_end: str | None
    spatial: str | None
    contact_name: str | None
    contact_email: str | None
    created_at: str
    updated_at: str
    latest_version: int | None
    regions: list[str] = Field(
        [], description='Coverage: 시도 codes ("11"), 시군구 as "11:종로구", "00" for 전국'
    )
    update_frequency: str | None = Field(None, description="갱신주기: realtime, daily, … irregular")
    contact_phone: str | None = None
    provision_type: str | None = Field(None, description="제공형태: file, api, link, …")
    citation: str | None = None
    doi: str | None = None
    column_notes: dict[str, Any] = Field(
        {}, description="Per column name: description, unit, codes ([code, meaning] pairs)"
    )


class DatasetOut(DatasetSummaryOut):
    versions: list[VersionOut]


class CountsOut(Out):
    """Views of a dataset's page (a visitor once a minute) and downloads of its data."""

    dataset: str
    views: int
    downloads: int


class TableSchemaOut(Out):
    """A Frictionless Table Schema."""

    fields: list[dict[str, Any]] = Field(description="Per column: name, type, constraints")


class ProfileOut(Out):
    rows: int
    columns: list[dict[str, Any]] = Field(description="Per column: type, counts, range, top values")


class ProblemsOut(Out):
    count: int
    items: list[dict[str, Any]]


class PreviewOut(Out):
    dataset: str
    version: int
    offset: int
    limit: int
    total: int
    matched: int | None = Field(None, description="Rows that pass the filter (all if none)")
    columns: list[str]
    rows: list[list[Any]]


# ----- jobs ----------------------------------------------------------------------------------
class JobOut(Out):
    id: str
    kind: str
    status: str = Field(description="queued | running | succeeded | failed")
    progress_done: int
    progress_total: int | None
    message: str
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    created_at: str
    finished_at: str | None
    fraction: Number | None
    dataset: str | None = Field(None, description="The dataset the job works on")


class JobAcceptedOut(Out):
    """A background job was started: poll `status_url`."""

    job: JobOut
    status_url: str


class ErrorOut(Out):
    code: str
    message: str


class JobFailedOut(Out):
    """With `?wait=true`: the job failed; nothing was published."""

    error: ErrorOut
    job: JobOut


class PublishedOut(Out):
    """With `?wait=true`: the published version (or the identical one already there)."""

    version: VersionOut
    created: bool = Field(description="False when the file equals the latest version")
    message: str
    problems: list[Any]
    job: JobOut
    message_ko: str | None = Field(None, description="The message in Korean")
    outcome: dict[str, Any] | None = Field(
        None,
        description="Exact counts: rows left out (dropped_rows, of which total_rows), values "
        "kept_as_null and kept_as_text, and the header's first and last row (header_lines)",
    )


# ----- accounts ------------------------------------------------------------------------------
class UserOut(Out):
    id: int
    email: str
    display_name: str
    platform_role: str | None
    organizations: dict[str, str] = Field(description="Organisation name -> role")
    created_at: str


class LoginOut(Out):
    user: UserOut
    csrf_token: str = Field(description="Send it as X-CSRF-Token on state-changing requests")


class LoggedOutOut(Out):
    logged_out: bool


class WhoAmIOut(Out):
    authenticated: bool
    user: UserOut | None = None
    scopes: list[str] | None = None
    csrf_token: str | None = None


class TokenOut(Out):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    expires_at: str | None
    revoked: bool
    created_at: str
    last_used_at: str | None
    user: str


class NewTokenOut(TokenOut):
    token: str = Field(description="The secret: shown in this answer only")


class EntitlementGrantedOut(Out):
    id: int


class EntitlementRevokedOut(Out):
    revoked: int


class AccessLogEntryOut(Out):
    time: str
    principal: str
    organization: str | None
    dataset: str | None
    version: int | None
    action: str
    route: str
    client: str | None
    allowed: bool


# ----- search --------------------------------------------------------------------------------
class SearchHitOut(Out):
    name: str
    title: str
    organization: str
    access_level: str
    latest_version: int | None
    updated_at: str | None
    score: Number
    url: str


class FacetValueOut(Out):
    value: Any
    count: int


class SearchOut(Out):
    query: str
    total: int
    page: int
    per_page: int
    pages: int
    sort: str
    mode: str
    results: list[SearchHitOut]
    facets: dict[str, list[FacetValueOut]]
    suggestion: str | None = Field(
        None, description="A corrected query (did you mean) when this one found little"
    )


class CountOut(Out):
    name: str
    count: int


class RegionOut(Out):
    code: str
    name: str
    name_en: str
    count: int
    children: list[CountOut]


class DatamapOut(Out):
    total: int
    themes: list[CountOut]
    organizations: list[CountOut]
    regions: list[RegionOut]
    for_sale: int = Field(0, description="Datasets with a market listing on sale")


# ----- privacy -------------------------------------------------------------------------------
class ScanColumnOut(Out):
    column: str
    category: str = Field(description="direct | quasi | sensitive | other")
    kind: str | None
    kind_ko: str | None = Field(None, description="The kind in words, Korean")
    kind_en: str | None = Field(None, description="The kind in words, English")
    confidence: Number
    evidence: list[str]
    evidence_ko: list[str] = Field(default_factory=list, description="The evidence in Korean")
    warning: str | None = None
    warning_ko: str | None = None


class ScanOut(Out):
    dataset: str
    version: int
    content_hash: str
    sampled_rows: int
    total_rows: int
    columns: list[ScanColumnOut]


class _ReleaseHead(Out):
    id: int
    organization: str
    source_dataset: str
    source_version: int
    source_hash: str
    target_dataset: str
    target_version: int
    target_hash: str
    access_level: str


class ReleaseSummaryOut(_ReleaseHead):
    policy_hash: str
    report_hash: str
    released_by: str
    ledger_index: int | None
    created_at: str


class ReleaseOut(_ReleaseHead):
    """A release record with its policy and assessment report (the rest as in the summary)."""

    policy: dict[str, Any]
    policy_hash: str
    report: dict[str, Any] = Field(description="The adequacy assessment report")
    warnings: list[str] = Field(
        default_factory=list, description="e.g. pseudonyms linkable across releases"
    )


class BudgetOut(Out):
    """A personal dataset's privacy-loss account over its differential-privacy releases."""

    dataset: str
    budget: Number = Field(description="Total epsilon its DP releases may spend")
    declared: bool = Field(description="False: the platform's default budget applies")
    releases: int = Field(description="DP releases counted")
    spent: Number = Field(description="Epsilon spent, composed by OpenDP")
    remaining: Number
    composition: str


class ApplyOut(Out):
    """With `?wait=true`: the assessment (`released` false) or the release (`released` true)."""

    released: bool
    passed: bool
    report: dict[str, Any]
    job: JobOut


class KeyOut(Out):
    name: str
    organization: str
    fingerprint: str
    created_at: str
    created_by: str


# ----- ledger --------------------------------------------------------------------------------
class LedgerEntryOut(Out):
    """A ledger entry, exactly as hashed into the log (RFC 8785 canonical JSON)."""

    type: str
    actor: str
    subject: str
    time: str
    hashes: dict[str, str]
    data: dict[str, Any]


class CheckpointOut(Out):
    origin: str
    size: int
    root: str = Field(description="Base64 Merkle tree root")
    checkpoint: str = Field(description="The signed note (C2SP tlog-checkpoint)")
    cosigners: list[str]
    created_at: str
    public_key: str
    required_cosignatures: int


class EventFieldOut(Out):
    name: str
    type: str


class EventKindOut(Out):
    name: str = Field(description="The entry's `type`")
    description: str
    fields: list[EventFieldOut]


class LedgerRowOut(Out):
    index: int
    entry: LedgerEntryOut
    leaf_hash: str
    created_at: str


class EntriesOut(Out):
    start: int
    size: int
    entries: list[LedgerRowOut]


class ReceiptOut(Out):
    """Everything needed to verify an entry offline (`datanuri verify`)."""

    format: str
    origin: str
    index: int
    entry: LedgerEntryOut
    leaf_hash: str
    tree_size: int
    inclusion_proof: list[str]
    checkpoint: str
    cosigners: list[str]
    log_public_key: str


class InclusionProofOut(Out):
    index: int
    size: int
    leaf_hash: str
    proof: list[str]


class ConsistencyProofOut(Out):
    first: int
    second: int
    proof: list[str]


# ----- metadata documents --------------------------------------------------------------------
class JsonLdOut(Out):
    """A JSON-LD document (schema.org Dataset, or Croissant)."""

    context: Any = Field(alias="@context")
    type: str = Field(alias="@type")
    name: str


class DataPackageOut(Out):
    """A Frictionless Data Package."""

    profile: str
    name: str
    id: str
    title: str
    description: str
    version: str
    created: str
    homepage: str
    keywords: list[str]
    contributors: list[dict[str, Any]]
    resources: list[dict[str, Any]]


class ApiRootOut(Out):
    name: str
    version: str
    docs: str
    openapi: str


# ----- exploring a version: a quick chart and a map (web/routes_explore.py) -------------------
class BarOut(Out):
    label: str
    count: int
    low: Any = None
    high: Any = None


class ChartOut(Out):
    dataset: str
    version: int
    column: str
    kind: str = Field(description="histogram (numbers, dates) | top (most frequent values)")
    bars: list[BarOut]
    distinct: int | None = Field(None, description="Of a top chart: how many values in all")


class MapOut(Out):
    dataset: str
    version: int
    kind: str = Field(description="points | regions | none")
    lat: str | None = None
    lon: str | None = None
    points: list[list[float]] = Field(description="[latitude, longitude] pairs, at most 2,000")
    points_total: int
    region_columns: list[str]
    regions: dict[str, int] = Field(
        description="Rows per region id: '11' for a 시도 code, '11:종로구' for a 시군구"
    )


# ----- self-service accounts (routes_signup.py) ------------------------------------------------
class MailSentOut(Out):
    """A request that may have mailed a link; the same answer whether the address is known."""

    status: Literal["mail_sent"]
    message: str


class VerifiedOut(Out):
    verified: bool
    email: str


class PasswordResetOut(Out):
    reset: bool
    email: str
    message: str


class SynonymSetOut(Out):
    id: int
    terms: list[str] = Field(description="Terms searched as one another (normalised)")
    origin: str = Field(description="shipped (seeded with the release) | admin")
