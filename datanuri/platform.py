"""`Platform(config)` wires the database, blob store, ledger, jobs and capability services.

The CLI, the web app and the tests each build one Platform; nothing reaches for globals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datanuri.accounts.access import AccessControl
from datanuri.accounts.anomaly import Thresholds
from datanuri.accounts.notifications import Notifications
from datanuri.accounts.requests import AccessRequests
from datanuri.accounts.second_factor import SecondFactorSettings
from datanuri.accounts.secrets import load_or_create_key
from datanuri.accounts.selfservice import SelfService, SelfServiceSettings
from datanuri.accounts.service import AccountService
from datanuri.accounts.webauthn_keys import RelyingParty
from datanuri.audit.drift_job import DRIFT, DriftParams
from datanuri.audit.registry import ModelRegistry
from datanuri.audit.service import AuditService
from datanuri.catalog.attachments import AttachmentService
from datanuri.catalog.counts import DatasetCounter
from datanuri.catalog.feedback import FeedbackService
from datanuri.catalog.ingest_job import INGEST
from datanuri.catalog.jobs import JobViews
from datanuri.catalog.service import CatalogService, dataset_access
from datanuri.config import Config
from datanuri.decisions.service import DecisionService
from datanuri.desk.calendar import load_holidays
from datanuri.desk.firms import FirmDesk
from datanuri.desk.service import RequestDesk
from datanuri.desk.suggest import Suggester
from datanuri.desk.sweep_job import SWEEP, SweepParams
from datanuri.desk.tables import DeskRequest
from datanuri.engine import Engine, EngineSettings, make_engine
from datanuri.harvest import Harvester
from datanuri.jobs.policy import QueueSettings
from datanuri.jobs.runner import JobRunner
from datanuri.ledger import Ledger
from datanuri.linkage.expire_job import EXPIRE_PROJECTS, ExpireParams
from datanuri.linkage.zone import LinkageZone, ZoneSettings
from datanuri.market.books import Books
from datanuri.market.deliveries import Deliveries
from datanuri.market.listings import Listings
from datanuri.market.orders import Orders, paid_sales
from datanuri.market.price_advisor import PriceAdvisor
from datanuri.market.renew_job import RENEW, RenewParams
from datanuri.mydata.expiry_job import EXPIRE, ExpiryParams
from datanuri.mydata.service import MyData, TransferDetails
from datanuri.notify import DELIVER, Channels, channel_settings
from datanuri.oauth.service import OAuth
from datanuri.privacy.apply_job import APPLY
from datanuri.privacy.guard import DetectionGuard
from datanuri.privacy.keys import KeyStore, master_key_from_env
from datanuri.privacy.limits import PolicyLimits
from datanuri.privacy.service import PrivacyService
from datanuri.search import SearchService
from datanuri.store.db import Database
from datanuri.store.open_blobs import open_blob_store
from datanuri.synth.jobs import SYNTH_RELEASE, SYNTH_RUN
from datanuri.synth.service import SynthService


def queue_settings(config: Config) -> QueueSettings:
    """The job queue's lease, heartbeat, polling and retry settings from the config."""
    return QueueSettings(
        lease=dt.timedelta(seconds=config.job_lease_seconds),
        heartbeat=dt.timedelta(seconds=config.job_heartbeat_seconds),
        poll=config.job_poll_seconds,
        max_attempts=config.job_max_attempts,
        retry_base=dt.timedelta(seconds=config.job_retry_seconds),
    )


def hidden_dataset(s: Session, name: str) -> bool:
    """Whether dataset `name` is hidden from the public (the ledger's `HiddenFinder`)."""
    found = dataset_access(s, name)
    return found is not None and found.hidden


class Platform:
    """One datanuri instance: open it, use its services, close it."""

    _engine: Engine | None = None  # the compute engine, made on first use (see `engine`)

    def __init__(self, config: Config | None = None, *, migrate: bool = True) -> None:
        self.config = config or Config.load()
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        self.db = Database(self.config.db_url)
        if migrate:
            self.db.migrate()
        self.blobs = open_blob_store(self.config)  # blob_url: local, shared mount or S3
        self.blobs.clean_tmp()  # only leftovers of dead processes, or older than a day
        self.ledger = self._make_ledger()
        self.ledger.hidden = hidden_dataset  # entries name hidden datasets by a commitment
        self.jobs = JobRunner(
            self.db, settings=queue_settings(self.config), workers=self.config.job_workers
        )
        self.access = AccessControl(self.db, find_dataset=dataset_access)
        self.accounts = AccountService(
            self.db,
            self.ledger,
            self.access,
            second_factor=SecondFactorSettings(
                policy=self.config.second_factor_policy,
                relying_party=RelyingParty(
                    self.config.webauthn_rp_id,
                    "datanuri",
                    tuple(o.strip() for o in self.config.webauthn_origins.split(",") if o.strip()),
                ),
            ),
            # Seals TOTP seeds at rest; next to the ledger's signing key.
            sealing_key=load_or_create_key(self.config.data_dir / "keys" / "accounts.key"),
            thresholds=Thresholds(
                step_up=self.config.login_step_up_score, block=self.config.login_block_score
            ),
        )
        self.selfservice = self._make_selfservice()  # sign-up and password reset by mail
        self.catalog = CatalogService(self.db, self.blobs, self.ledger, self.access, self.config)
        # Notices go in-app, by e-mail and (those with an event) as signed webhooks, sent by
        # `notify.deliver` jobs after the sender's transaction commits (datanuri.notify).
        self.notifications = Notifications(self.db)
        self.channels = Channels(
            self.db,
            self.selfservice.mailer,
            channel_settings(self.config),
            load_or_create_key(self.config.data_dir / "keys" / "webhooks.key"),  # seals secrets
        )
        # Access requests ("이용 신청") to restricted datasets.
        self.access_requests = AccessRequests(
            self.db, self.ledger, self.access, self.accounts, self.channels.notifier
        )
        # The request desk's analysis firms: profiles, processing projects, offers.
        self.firm_desk = FirmDesk(
            self.db, self.ledger, self.access, self.accounts, self.channels.notifier
        )
        # Korean business days (public holidays as data): the desk's and contests' deadlines.
        holidays = load_holidays(self.config.desk_holidays_path)
        # AI accountability: decisions about people, their contests and oversight.
        self.decisions = DecisionService(
            self.db,
            self.ledger,
            self.blobs,
            self.channels.notifier,
            code_key=load_or_create_key(self.config.data_dir / "keys" / "decisions.key"),
            holidays=holidays,
            review_days=self.config.ai_contest_review_days,
        )
        self.job_views = JobViews(self.jobs, self.db, self.access)  # jobs under dataset rules
        self.counts = DatasetCounter(self.db, self.access)  # views and downloads
        self.feedback = FeedbackService(self.db, self.access)  # 문의/오류 신고 to the holder
        self.attachments = AttachmentService(self.db, self.blobs, self.access)  # 정의서, 매뉴얼
        # Pseudonymisation keys: files under config.keys_path, sealed by DATANURI_KEY_MASTER if set.
        keys = KeyStore(self.config.keys_path, master_key=master_key_from_env())
        # Identifier detection on every publish; passing privacy releases carry its tickets.
        guard = DetectionGuard()
        self.catalog.guard = guard
        self.privacy = PrivacyService(
            self.db,
            self.blobs,
            self.ledger,
            self.access,
            self.catalog,
            keys=keys,
            guard=guard,
            limits=PolicyLimits(
                min_k=self.config.privacy_min_k,
                max_epsilon=self.config.privacy_max_epsilon,
                default_epsilon_budget=self.config.privacy_default_epsilon_budget,
            ),
            engine=lambda: self.engine,  # made on first use, by the large-table path only
            engine_name=self.config.engine,
            inmemory_rows=self.config.privacy_inmemory_rows,
        )
        # Synthetic twins of personal datasets, spending the same privacy-loss budgets.
        self.synth = SynthService(
            self.db, self.blobs, self.ledger, self.access, self.catalog, limits=self.privacy.limits
        )
        self.privacy.spent_elsewhere.append(self.synth.spent)
        # The market's money: double-entry books in the database, every entry also in the ledger.
        self.books = Books(self.db, self.ledger)
        # AI accountability audits of datasets, models' predictions and privacy releases.
        self.audits = AuditService(self.db, self.ledger, self.access, self.catalog)
        # The model registry: model versions with features and training data, drift monitors
        # (alerts by notice and webhook) and model cards.
        self.models = ModelRegistry(
            self.db, self.ledger, self.catalog, self.decisions, self.channels.notifier
        )
        self.search = SearchService(
            self.db, self.config.data_dir / "search", backend=self.config.search_backend
        )
        self.catalog.listeners.append(self.search.on_change)
        self.accounts.org_listeners.append(self.search.on_org_change)
        # The data request desk ("데이터 114"): requests for data not yet open, routed to
        # holders against the legal deadline (business days from the holiday table).
        self.desk = RequestDesk(
            self.db,
            self.ledger,
            self.access,
            self.channels.notifier,
            Suggester(self.db, self.search, self.access),
            holidays,
        )
        # The market's listings: restricted datasets offered with an ODRL licence; the search
        # index shows them as a "for sale" facet.
        self.listings = Listings(
            self.db,
            self.ledger,
            self.access,
            self.catalog,
            base_url=self.config.base_url,
            guard=guard,
        )
        self.listings.listeners.append(self.search.on_change)
        # The linkage zone: holders' keyed files linked, analysed and released only through
        # disclosure checks and a reviewer (issue #17).
        # Row-level outputs pass the privacy engine under the platform's policy limits; the
        # exact-key joins of a match run on the compute engine.
        self.linkage = LinkageZone(
            self.db,
            self.blobs,
            self.ledger,
            self.catalog,
            ZoneSettings(privacy=self.privacy.limits),
            engine=lambda: self.engine,  # key joins on DuckDB or Spark, made on first use
        )
        # Fingerprinted deliveries: an entitled recipient's download of a restricted dataset
        # with a fingerprint scheme carries their marks, recorded (market/deliveries.py).
        self.deliveries = Deliveries(self.db, self.ledger, self.access, keys, self.blobs)
        self.catalog.copies = self.deliveries
        # Price suggestions from comparable listings, the price history and demand: request-desk
        # requests answered with each dataset (the desk imports search, which imports the
        # market, so the count is handed over from here) and the orders paid for each listing.
        self.prices = PriceAdvisor(self.db, self.access, demand=desk_demand, sales=paid_sales)
        # MyData: people direct holders to send their own rows to a recipient they choose.
        # The CI key is the platform's own entry in the key store; receipts are signed with the
        # ledger's key; new versions of offered datasets are indexed by CI after they publish.
        self.mydata = MyData(
            self.db,
            self.ledger,
            self.blobs,
            keys,
            self.channels.notifier,
            self.ledger.keys.signer,
            ledger_receipt=self.ledger.receipt,
        )
        self.catalog.listeners.append(self.mydata.on_change)
        self.decisions.identity = self.mydata  # a decision's person found by their CI
        # Orders of listings: paid from the books, granting entitlements; subscribers hear of
        # each new version of a dataset they subscribe to.
        self.orders = Orders(
            self.db,
            self.ledger,
            self.access,
            self.accounts,
            self.books,
            self.channels.notifier,
            fee_bps=self.config.market_fee_bps,
        )
        self.catalog.listeners.append(self.orders.on_dataset_change)
        # MyData's authorization server (PAR, PKCE, DPoP, private_key_jwt); what a request may
        # ask for is MyData's offer check.
        self.oauth = OAuth(self.db, check_details=self._mydata_details)
        self.harvester = Harvester(
            self.catalog, self.accounts, self.db, notify=self.search.on_change
        )
        # The kinds of job this instance runs, each registered by its capability; a job row
        # names its kind, so any process (a `datanuri worker`) can run it.
        self.jobs.registry.add(INGEST)
        self.jobs.registry.add(APPLY)
        self.jobs.registry.add(SYNTH_RUN)
        self.jobs.registry.add(SYNTH_RELEASE)
        self.jobs.registry.add(DELIVER)
        if self.config.desk_sweep_seconds > 0:  # overdue requests flagged and escalated
            self.jobs.every(SWEEP, SweepParams(), self.config.desk_sweep_seconds)
        if self.config.ai_drift_seconds > 0:  # drift monitors on recent decisions
            self.jobs.every(DRIFT, DriftParams(), self.config.ai_drift_seconds)
        if self.config.market_renew_seconds > 0:  # subscriptions charged again or lapsed
            self.jobs.every(RENEW, RenewParams(), self.config.market_renew_seconds)
        if self.config.linkage_expire_seconds > 0:  # expired linkage projects closed
            self.jobs.every(EXPIRE_PROJECTS, ExpireParams(), self.config.linkage_expire_seconds)
        if self.config.mydata_expiry_seconds > 0:  # consents past their end recorded as expired
            self.jobs.every(EXPIRE, ExpiryParams(), self.config.mydata_expiry_seconds)
        self.jobs.bind(self)

    def _mydata_details(self, entries: Sequence[Mapping[str, Any]], client_id: str) -> None:
        """Check pushed `authorization_details` against the holders' MyData offers."""
        for entry in entries:
            details = TransferDetails.from_authorization_details(entry)
            self.mydata.check_details(details, recipient_client_id=client_id)

    def _make_selfservice(self) -> SelfService:
        from datanuri.accounts.mail import make_mailer

        c = self.config
        mailer = make_mailer(
            c.mail_transport,
            outbox=c.outbox_path,
            sender=c.mail_from,
            host=c.smtp_host,
            port=c.smtp_port,
            starttls=c.smtp_starttls,
        )
        settings = SelfServiceSettings(
            signup="off" if c.signup == "off" else "open",
            verify_ttl=dt.timedelta(hours=c.signup_link_hours),
            reset_ttl=dt.timedelta(minutes=c.reset_link_minutes),
            public_url=c.base_url,
        )
        return SelfService(self.db, mailer, settings)

    def _make_ledger(self) -> Ledger:
        ledger = Ledger(
            self.db,
            key_dir=self.config.data_dir / "keys",
            origin=self.config.ledger_origin,
            required_cosignatures=self.config.ledger_required_cosignatures,
        )
        ledger.ensure_key()
        return ledger

    @property
    def engine(self) -> Engine:
        """The compute engine `Config.engine` names (DuckDB or Spark), made on first use, so
        PySpark is imported and a SparkSession started only when heavy work asks for it."""
        if self._engine is None:
            self._engine = make_engine(EngineSettings.from_config(self.config))
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        self.jobs.shutdown()
        self.search.close()
        self.db.dispose()

    def __enter__(self) -> Platform:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def desk_demand(s: Session, names: Sequence[str]) -> dict[str, int]:
    """Request-desk requests answered with each of the datasets `names` (one query)."""
    if not names:
        return {}
    q = (
        select(DeskRequest.answer_dataset, func.count(DeskRequest.id))
        .where(DeskRequest.answer_dataset.in_(list(names)))
        .group_by(DeskRequest.answer_dataset)
    )
    return {str(name): int(n) for name, n in s.execute(q)}
