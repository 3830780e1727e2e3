"""Settings, read from `DATANURI_*` environment variables or a TOML file.

Precedence: explicit keyword arguments > environment > TOML file (`DATANURI_CONFIG` or
`<data_dir>/datanuri.toml`) > defaults. Every setting has a sane default so that a bare
`datanuri demo` works on an empty machine.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from datanuri.errors import ConfigError

Engine = Literal["duckdb", "spark"]

ENV_PREFIX = "DATANURI_"


def _networks(value: Any) -> tuple[str, ...]:
    """Addresses or networks from a comma-separated string or a list, each checked."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    out = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        try:
            out.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as exc:
            raise ConfigError(
                f"trusted_proxies: {item!r} is not an IP address or network; write e.g. "
                "'127.0.0.1, 10.0.0.0/8'."
            ) from exc
    return tuple(out)


@dataclass(frozen=True)
class Config:
    """All settings of one datanuri instance."""

    # Where data lives: the data directory (SQLite database, blobs, search index, keys) and the
    # database (none = SQLite in the data directory; a postgresql+psycopg:// URL for several
    # processes or machines).
    data_dir: Path = field(default_factory=lambda: Path(".datanuri"))
    database_url: str | None = None
    engine: Engine = "duckdb"  # the table engine: "duckdb" (embedded) or "spark"
    host: str = "127.0.0.1"  # the address and port this server is reached at
    port: int = 8000
    # Hard limits that protect the server from hostile or broken uploads.
    max_upload_bytes: int = 20 * 1024**3
    max_cell_bytes: int = 16 * 1024**2
    max_columns: int = 2_000  # wider tables are refused at the header, before any work
    max_xlsx_uncompressed_bytes: int = 2 * 1024**3
    batch_rows: int = 65_536  # rows per Arrow batch when files are read and converted
    # Worker threads this process runs jobs on (0: none, for deployments whose jobs run in
    # `datanuri worker` processes); one wide or slow upload must not hold everyone else's jobs.
    job_workers: int = 2
    # Requests per minute per API token and per client address (429 with Retry-After beyond).
    rate_limit_per_minute: int = 600
    rate_limit_burst: int = 120
    # Reverse proxies (addresses or networks, e.g. "10.0.0.0/8, 127.0.0.1") whose
    # X-Forwarded-For names the real client; from any other peer the header is ignored.
    trusted_proxies: tuple[str, ...] = ()
    secure_cookies: bool = False  # set true behind HTTPS
    # The integrity ledger's name in its signed checkpoints, and how many witness
    # cosignatures a checkpoint needs before receipts count it as trusted.
    ledger_origin: str = "datanuri.local/ledger"
    ledger_required_cosignatures: int = 0
    # Pseudonymisation keys (files, outside the database and blob store); None = <data_dir>/keys.
    # Their master key comes from DATANURI_KEY_MASTER (see datanuri.privacy.keys), never from here.
    key_dir: Path | None = None
    # Floors and ceilings no holder's privacy policy may go past (administrators only; see
    # datanuri.privacy.limits): the smallest k, the largest ε of one DP release, and the total ε
    # a source dataset may spend over its DP releases unless its holder declares less.
    privacy_min_k: int = 2
    privacy_max_epsilon: float = 10.0
    privacy_default_epsilon_budget: float = 10.0
    # Who must log in with a second factor (TOTP or a passkey): "publishers" (organisation
    # owners and editors, and platform admins), "everyone" or "off".
    second_factor_policy: str = "publishers"
    # This server as a WebAuthn relying party: its domain and the origins (comma-separated)
    # browsers reach it at. Passkeys need a domain name; an IP address will not do.
    webauthn_rp_id: str = "localhost"
    webauthn_origins: str = "http://localhost:8000"
    # Login anomaly scores (0-100+) at which a login asks for the second factor, or is refused.
    login_step_up_score: int = 40
    login_block_score: int = 80
    # AI decision contests: a reviewer decides within this many Korean business days.
    ai_contest_review_days: int = 10
    # How often the job workers run the AI models' drift monitors on their recent decisions
    # (alerts to the owner's editors and webhooks), in seconds; 0 = never (run
    # `datanuri models drift MONITOR` from cron instead).
    ai_drift_seconds: int = 86400
    # Self-service accounts: "open" lets anyone sign up (confirmed by a mailed link; such users
    # get no organisation role), "off" leaves accounts to admins. Mailed links expire after
    # these hours (sign-up) and minutes (password reset), and each works once.
    signup: str = "open"
    signup_link_hours: int = 48
    reset_link_minutes: int = 60
    # Account mail: "outbox" writes .eml files under outbox_dir (None = <data_dir>/outbox) for an
    # admin or the demo to open; "smtp" sends through smtp_host:smtp_port. Links in mails start
    # with public_url (empty = http://host:port), never with a request's Host header.
    mail_transport: str = "outbox"
    outbox_dir: Path | None = None
    mail_from: str = "datanuri <noreply@datanuri.local>"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_starttls: bool = False
    public_url: str = ""
    # Notification channels (datanuri.notify): notices also go by e-mail (through the mail
    # settings above) and, when they carry an event, as signed webhooks. Webhook URLs must be
    # public https ones; webhook_allow_loopback also allows http(s) to 127.0.0.1/localhost (tests,
    # the demo), webhook_allow_private any private or link-local address (internal receivers).
    # A delivery is tried webhook_attempts times (the job queue's backoff between tries); an
    # endpoint is disabled after webhook_disable_after failed tries in a row.
    webhook_allow_loopback: bool = False
    webhook_allow_private: bool = False
    webhook_attempts: int = 8
    webhook_disable_after: int = 10
    webhook_timeout_seconds: float = 10.0
    # The data request desk's public holidays (a CSV like the shipped data/kr_holidays.csv:
    # date, Korean name, English name); empty = the shipped table. Deadlines count business days.
    desk_holidays_path: Path | None = None
    # How often the job workers sweep the desk for requests past their deadline (flag, escalate
    # and notify the holder's owners and admins), in seconds; 0 = never (run
    # `datanuri requests sweep` from cron instead).
    desk_sweep_seconds: int = 3600
    # The market's fee on each sale, in basis points (1000 = 10 %), and how often the job workers
    # renew the subscriptions whose paid period ended, in seconds (0 = never: run
    # `datanuri market renew` from cron instead).
    market_fee_bps: int = 1000
    market_renew_seconds: int = 3600
    # How often the job workers close the linkage projects past their expiry date (their zone
    # data destroyed, with the same ledger proof as a manual close), in seconds; 0 = never.
    linkage_expire_seconds: int = 3600
    # How often the job workers record MyData consents past their end as expired (ledger entry,
    # the person's notice), in seconds; 0 = never (run `datanuri mydata expire` from cron). An
    # expired consent is refused either way.
    mydata_expiry_seconds: int = 3600
    # The blob store (datanuri/store/blob_url.py): empty = <data_dir>/blobs on the local file
    # system (which may be a shared mount); a directory or file:///mnt/shared/blobs; or
    # s3://bucket/prefix, with blob_s3_endpoint_url for S3-compatible stores (MinIO, Ceph) and
    # credentials from the usual AWS environment variables. Remote stores keep verified copies
    # for local readers in <data_dir>/blob-local/cache, trimmed beyond blob_cache_bytes.
    blob_url: str = ""
    blob_s3_endpoint_url: str = ""
    blob_cache_bytes: int = 10 * 1024**3

    # Several processes (docs/deployment.md): how many API processes `datanuri serve` starts
    # (PostgreSQL is the database for more than one; SQLite copes with a few on one machine).
    workers: int = 1
    # Where the rate-limit token buckets live: "memory" (each process its own), "database" (one
    # bucket per client shared by every process: one atomic UPDATE per request) or "auto"
    # (the database when workers > 1 or the database is PostgreSQL, else memory).
    rate_limit_store: str = "auto"
    # Add an X-Datanuri-Worker header (the answering process id) to every response; for tests
    # and debugging only, never in production.
    worker_header: bool = False
    # Search index: "auto" = the PostgreSQL tables on a PostgreSQL database, else an FTS5 file
    # under <data_dir>/search; "fts5" or "postgres" to choose.
    search_backend: str = "auto"
    # The job queue (datanuri.jobs): a worker's claim on a job lasts job_lease_seconds and is
    # renewed every job_heartbeat_seconds; a job whose worker died is claimed again after its
    # lease. Transient failures are retried after job_retry_seconds, doubled per attempt, up to
    # job_max_attempts claims. Idle workers look for work every job_poll_seconds.
    job_lease_seconds: float = 60.0
    job_heartbeat_seconds: float = 15.0
    job_poll_seconds: float = 1.0
    job_max_attempts: int = 3
    job_retry_seconds: float = 5.0
    # The compute engine (`engine`: duckdb | spark) for heavy table work (datanuri.engine).
    # DuckDB runs in this process within duckdb_memory_limit (threads: 0 = one per core);
    # Spark runs at spark_master with these memories and extra "key=value,key=value" settings.
    duckdb_memory_limit: str = "2GB"
    duckdb_threads: int = 0
    spark_master: str = "local[2]"
    spark_executor_memory: str = "4g"
    spark_driver_memory: str = "2g"
    spark_conf: str = ""
    # A privacy policy runs on the compute engine (frequency table, search on it, streamed
    # release; only generalisation, suppression and deleting columns) when the engine is
    # "spark" or the source version has more rows than this; smaller tables are read into memory.
    privacy_inmemory_rows: int = 5_000_000

    def __post_init__(self) -> None:
        if not isinstance(self.data_dir, Path):
            object.__setattr__(self, "data_dir", Path(self.data_dir))
        if self.key_dir is not None and not isinstance(self.key_dir, Path):
            object.__setattr__(self, "key_dir", Path(self.key_dir))
        if self.outbox_dir is not None and not isinstance(self.outbox_dir, Path):
            object.__setattr__(self, "outbox_dir", Path(self.outbox_dir))
        object.__setattr__(self, "trusted_proxies", _networks(self.trusted_proxies))

    @property
    def db_url(self) -> str:
        """The SQLAlchemy URL: the configured one, or a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'datanuri.db').resolve()}"

    @property
    def shared_rate_limits(self) -> bool:
        """Whether rate-limit buckets are kept in the database, shared by every process."""
        if self.rate_limit_store == "auto":
            return self.workers > 1 or self.db_url.startswith("postgresql")
        return self.rate_limit_store == "database"

    @property
    def outbox_path(self) -> Path:
        """Where the outbox mailer writes: `outbox_dir` if set, else `<data_dir>/outbox`."""
        return self.outbox_dir if self.outbox_dir is not None else self.data_dir / "outbox"

    @property
    def base_url(self) -> str:
        """This server's public address, the start of every link it mails."""
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"

    @property
    def blob_dir(self) -> Path:
        """The default local blob directory (the store when `blob_url` is empty)."""
        return self.data_dir / "blobs"

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"

    @property
    def keys_path(self) -> Path:
        """Where pseudonymisation keys live: `key_dir` if set, else `<data_dir>/keys`."""
        return self.key_dir if self.key_dir is not None else self.data_dir / "keys"

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Build a config from a TOML file, the environment and explicit overrides."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        data_dir = overrides.get("data_dir") or env.get(ENV_PREFIX + "DATA_DIR") or ".datanuri"
        toml_path = env.get(ENV_PREFIX + "CONFIG")
        candidate = Path(toml_path) if toml_path else Path(data_dir) / "datanuri.toml"
        if candidate.is_file():
            try:
                values.update(tomllib.loads(candidate.read_text("utf-8")))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(
                    f"The config file {candidate} is not valid TOML: {exc}. Fix or remove it."
                ) from exc
        elif toml_path:
            raise ConfigError(f"DATANURI_CONFIG points to {toml_path}, which does not exist.")
        for f in dataclasses.fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw not in (None, ""):
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.from_mapping(values)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Config:
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ConfigError(
                f"Unknown setting(s): {', '.join(unknown)}. Known settings: {', '.join(known)}."
            )
        kwargs: dict[str, Any] = {}
        for name, value in values.items():
            default = getattr(cls(), name) if name != "data_dir" else Path(".")
            try:
                if name in ("data_dir", "key_dir", "outbox_dir", "desk_holidays_path"):
                    kwargs[name] = Path(value).expanduser()
                elif isinstance(default, tuple):
                    kwargs[name] = _networks(value)
                elif isinstance(default, bool):
                    kwargs[name] = str(value).lower() in ("1", "true", "yes", "on")
                elif isinstance(default, int):
                    kwargs[name] = int(value)
                elif isinstance(default, float):
                    kwargs[name] = float(value)
                else:
                    kwargs[name] = str(value)
            except ValueError as exc:
                raise ConfigError(f"Setting {name} must be a number, got {value!r}.") from exc
        if kwargs.get("second_factor_policy", "publishers") not in (
            "off",
            "publishers",
            "everyone",
        ):
            raise ConfigError(
                "DATANURI_SECOND_FACTOR_POLICY must be 'publishers', 'everyone' or 'off', got "
                f"{kwargs['second_factor_policy']!r}."
            )
        for name, allowed in (("signup", ("open", "off")), ("mail_transport", ("outbox", "smtp"))):
            if kwargs.get(name, allowed[0]) not in allowed:
                raise ConfigError(
                    f"DATANURI_{name.upper()} must be '{allowed[0]}' or '{allowed[1]}', got "
                    f"{kwargs[name]!r}."
                )
        if kwargs.get("rate_limit_store", "auto") not in ("auto", "memory", "database"):
            raise ConfigError(
                "DATANURI_RATE_LIMIT_STORE must be 'auto', 'memory' or 'database', got "
                f"{kwargs['rate_limit_store']!r}."
            )
        if kwargs.get("workers", 1) < 1:
            raise ConfigError(f"DATANURI_WORKERS must be 1 or more, got {kwargs['workers']}.")
        if kwargs.get("engine", "duckdb") not in ("duckdb", "spark"):
            raise ConfigError(
                f"DATANURI_ENGINE must be 'duckdb' or 'spark', got {kwargs['engine']!r}."
            )
        return cls(**kwargs)
