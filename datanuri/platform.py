"""`Platform(config)` wires the database, blob store, ledger, jobs and capability services.

The CLI, the web app and the tests each build one Platform; nothing reaches for globals.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datanuri.accounts.secrets import load_or_create_key
from datanuri.catalog.service import dataset_access
from datanuri.config import Config
from datanuri.jobs.policy import QueueSettings
from datanuri.store.db import Database
from datanuri.store.open_blobs import open_blob_store

if TYPE_CHECKING:
    from datanuri.accounts.access import AccessControl
    from datanuri.accounts.notifications import Notifications
    from datanuri.accounts.requests import AccessRequests
    from datanuri.accounts.selfservice import SelfService
    from datanuri.accounts.service import AccountService
    from datanuri.audit.registry import ModelRegistry
    from datanuri.audit.service import AuditService
    from datanuri.catalog.attachments import AttachmentService
    from datanuri.catalog.counts import DatasetCounter
    from datanuri.catalog.feedback import FeedbackService
    from datanuri.catalog.guards import CopyMaker, PublishGuard
    from datanuri.catalog.jobs import JobViews
    from datanuri.catalog.service import CatalogService
    from datanuri.decisions.service import DecisionService
    from datanuri.desk.calendar import Holidays
    from datanuri.desk.firms import FirmDesk
    from datanuri.desk.service import RequestDesk
    from datanuri.engine import Engine
    from datanuri.harvest import Harvester
    from datanuri.jobs.runner import JobRunner
    from datanuri.ledger import Ledger
    from datanuri.linkage.zone import LinkageZone
    from datanuri.market.books import Books
    from datanuri.market.deliveries import Deliveries
    from datanuri.market.listings import Listings
    from datanuri.market.orders import Orders
    from datanuri.market.price_advisor import PriceAdvisor
    from datanuri.mydata.service import MyData
    from datanuri.notify import Channels
    from datanuri.oauth.service import OAuth
    from datanuri.privacy.guard import DetectionGuard
    from datanuri.privacy.keys import KeyStore
    from datanuri.privacy.service import PrivacyService
    from datanuri.search import SearchService
    from datanuri.synth.service import SynthService

T = TypeVar("T")


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


class service(Generic[T]):  # noqa: N801 - used as a decorator, like `cached_property`
    """A Platform service made on first use (under the platform's lock, once), then kept: a
    command that lists datasets imports and builds the catalog, not the privacy engine."""

    def __init__(self, make: Callable[[Any], T]) -> None:
        self.make = make
        self.name = make.__name__
        self.__doc__ = make.__doc__

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> service[T]: ...
    @overload
    def __get__(self, obj: Platform, owner: type | None = None) -> T: ...
    def __get__(self, obj: Platform | None, owner: type | None = None) -> service[T] | T:
        if obj is None:
            return self
        made = obj.__dict__.get(self.name, _UNMADE)
        if made is _UNMADE:
            with obj._building:  # one thread builds it; a service may build those it needs
                made = obj.__dict__.get(self.name, _UNMADE)
                if made is _UNMADE:
                    made = obj.__dict__[self.name] = self.make(obj)
        return cast(T, made)


_UNMADE = object()


class on_demand(service[T]):  # noqa: N801
    """A `service` that `build_all` leaves to its first use (the compute engine may start
    Spark)."""


class Later:
    """Stands in for a service that is made when one of its methods is first used (the
    catalog's publish guard and copy maker)."""

    def __init__(self, get: Callable[[], object]) -> None:
        self._get = get

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)


class Platform:
    """One datanuri instance: open it, use its services, close it. Services are made on first
    use (`service`), each wired to the others it needs, so each process imports only the
    capabilities it uses; `build_all` makes them all."""

    def __init__(self, config: Config | None = None, *, migrate: bool = True) -> None:
        self.config = config or Config.load()
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        self._building = threading.RLock()
        self.db = Database(self.config.db_url)
        if migrate:
            self.db.migrate()
        self.blobs = open_blob_store(self.config)  # blob_url: local, shared mount or S3
        self.blobs.clean_tmp()  # only leftovers of dead processes, or older than a day

    def build_all(self) -> None:
        """Make every service now: keys, the search index and the job kinds exist before a
        server forks its workers or starts serving."""
        for name, attribute in vars(type(self)).items():
            if isinstance(attribute, service) and not isinstance(attribute, on_demand):
                getattr(self, name)

    @service
    def ledger(self) -> Ledger:
        """The integrity ledger; entries name hidden datasets by a commitment."""
        from datanuri.ledger import Ledger

        ledger = Ledger(
            self.db,
            key_dir=self.config.data_dir / "keys",
            origin=self.config.ledger_origin,
            required_cosignatures=self.config.ledger_required_cosignatures,
        )
        ledger.ensure_key()
        ledger.hidden = hidden_dataset
        return ledger

    @service
    def jobs(self) -> JobRunner:
        """The job queue, with the kinds of job this instance runs, each registered by its
        capability; a job row names its kind, so any process (a `datanuri worker`) can run it."""
        from datanuri.audit.drift_job import DRIFT, DriftParams
        from datanuri.catalog.ingest_job import INGEST
        from datanuri.desk.sweep_job import SWEEP, SweepParams
        from datanuri.jobs.runner import JobRunner
        from datanuri.linkage.expire_job import EXPIRE_PROJECTS, ExpireParams
        from datanuri.market.renew_job import RENEW, RenewParams
        from datanuri.mydata.expiry_job import EXPIRE, ExpiryParams
        from datanuri.notify import DELIVER
        from datanuri.privacy.apply_job import APPLY
        from datanuri.synth.jobs import SYNTH_RELEASE, SYNTH_RUN

        jobs = JobRunner(
            self.db, settings=queue_settings(self.config), workers=self.config.job_workers
        )
        jobs.registry.add(INGEST)
        jobs.registry.add(APPLY)
        jobs.registry.add(SYNTH_RUN)
        jobs.registry.add(SYNTH_RELEASE)
        jobs.registry.add(DELIVER)
        if self.config.desk_sweep_seconds > 0:  # overdue requests flagged and escalated
            jobs.every(SWEEP, SweepParams(), self.config.desk_sweep_seconds)
        if self.config.ai_drift_seconds > 0:  # drift monitors on recent decisions
            jobs.every(DRIFT, DriftParams(), self.config.ai_drift_seconds)
        if self.config.market_renew_seconds > 0:  # subscriptions charged again or lapsed
            jobs.every(RENEW, RenewParams(), self.config.market_renew_seconds)
        if self.config.linkage_expire_seconds > 0:  # expired linkage projects closed
            jobs.every(EXPIRE_PROJECTS, ExpireParams(), self.config.linkage_expire_seconds)
        if self.config.mydata_expiry_seconds > 0:  # consents past their end recorded as expired
            jobs.every(EXPIRE, ExpiryParams(), self.config.mydata_expiry_seconds)
        jobs.bind(self)
        return jobs

    @service
    def access(self) -> AccessControl:
        """The authorisation policy over datasets the catalog finds."""
        from datanuri.accounts.access import AccessControl

        return AccessControl(self.db, find_dataset=dataset_access)

    @service
    def accounts(self) -> AccountService:
        """Users, organisations, tokens, sessions and second factors."""
        from datanuri.accounts.anomaly import Thresholds
        from datanuri.accounts.second_factor import SecondFactorSettings
        from datanuri.accounts.service import AccountService
        from datanuri.accounts.webauthn_keys import RelyingParty

        accounts = AccountService(
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
        accounts.org_listeners.append(lambda org: self.search.on_org_change(org))
        return accounts

    @service
    def selfservice(self) -> SelfService:
        """Sign-up and password reset by mail."""
        from datanuri.accounts.mail import make_mailer
        from datanuri.accounts.selfservice import SelfService, SelfServiceSettings

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

    @service
    def catalog(self) -> CatalogService:
        """Datasets and versions. Identifier detection on every publish (passing privacy
        releases carry its tickets); the search index, MyData and subscribers hear of changes."""
        from datanuri.catalog.service import CatalogService

        catalog = CatalogService(self.db, self.blobs, self.ledger, self.access, self.config)
        catalog.guard = cast("PublishGuard", Later(lambda: self.guard))
        catalog.copies = cast("CopyMaker", Later(lambda: self.deliveries))
        catalog.listeners.append(lambda name: self.search.on_change(name))
        catalog.listeners.append(lambda name: self.mydata.on_change(name))
        catalog.listeners.append(lambda name: self.orders.on_dataset_change(name))
        return catalog

    @service
    def notifications(self) -> Notifications:
        """Notices in the app."""
        from datanuri.accounts.notifications import Notifications

        return Notifications(self.db)

    @service
    def channels(self) -> Channels:
        """Notices go in-app, by e-mail and (those with an event) as signed webhooks, sent by
        `notify.deliver` jobs after the sender's transaction commits (datanuri.notify)."""
        from datanuri.notify import Channels, channel_settings

        return Channels(
            self.db,
            self.selfservice.mailer,
            channel_settings(self.config),
            load_or_create_key(self.config.data_dir / "keys" / "webhooks.key"),  # seals secrets
        )

    @service
    def access_requests(self) -> AccessRequests:
        """Access requests ("이용 신청") to restricted datasets."""
        from datanuri.accounts.requests import AccessRequests

        return AccessRequests(
            self.db, self.ledger, self.access, self.accounts, self.channels.notifier
        )

    @service
    def firm_desk(self) -> FirmDesk:
        """The request desk's analysis firms: profiles, processing projects, offers."""
        from datanuri.desk.firms import FirmDesk

        return FirmDesk(self.db, self.ledger, self.access, self.accounts, self.channels.notifier)

    @service
    def holidays(self) -> Holidays:
        """Korean business days (public holidays as data): the desk's and contests' deadlines."""
        from datanuri.desk.calendar import load_holidays

        return load_holidays(self.config.desk_holidays_path)

    @service
    def decisions(self) -> DecisionService:
        """AI accountability: decisions about people, their contests and oversight; a
        decision's person is found by their CI (MyData)."""
        from datanuri.decisions.service import DecisionService

        decisions = DecisionService(
            self.db,
            self.ledger,
            self.blobs,
            self.channels.notifier,
            code_key=load_or_create_key(self.config.data_dir / "keys" / "decisions.key"),
            holidays=self.holidays,
            review_days=self.config.ai_contest_review_days,
        )
        decisions.identity = self.mydata
        return decisions

    @service
    def job_views(self) -> JobViews:
        """Jobs under dataset rules."""
        from datanuri.catalog.jobs import JobViews

        return JobViews(self.jobs, self.db, self.access)

    @service
    def counts(self) -> DatasetCounter:
        """Views and downloads."""
        from datanuri.catalog.counts import DatasetCounter

        return DatasetCounter(self.db, self.access)

    @service
    def feedback(self) -> FeedbackService:
        """문의/오류 신고 to the holder."""
        from datanuri.catalog.feedback import FeedbackService

        return FeedbackService(self.db, self.access)

    @service
    def attachments(self) -> AttachmentService:
        """정의서, 매뉴얼."""
        from datanuri.catalog.attachments import AttachmentService

        return AttachmentService(self.db, self.blobs, self.access)

    @service
    def keys(self) -> KeyStore:
        """Pseudonymisation keys: files under config.keys_path, sealed by DATANURI_KEY_MASTER
        if set."""
        from datanuri.privacy.keys import KeyStore, master_key_from_env

        return KeyStore(self.config.keys_path, master_key=master_key_from_env())

    @service
    def guard(self) -> DetectionGuard:
        """Identifier detection on every publish."""
        from datanuri.privacy.guard import DetectionGuard

        return DetectionGuard()

    @service
    def privacy(self) -> PrivacyService:
        """De-identification, with the privacy-loss budgets synthetic twins also spend."""
        from datanuri.privacy.limits import PolicyLimits
        from datanuri.privacy.service import PrivacyService

        privacy = PrivacyService(
            self.db,
            self.blobs,
            self.ledger,
            self.access,
            self.catalog,
            keys=self.keys,
            guard=self.guard,
            limits=PolicyLimits(
                min_k=self.config.privacy_min_k,
                max_epsilon=self.config.privacy_max_epsilon,
                default_epsilon_budget=self.config.privacy_default_epsilon_budget,
            ),
            engine=lambda: self.engine,  # made on first use, by the large-table path only
            engine_name=self.config.engine,
            inmemory_rows=self.config.privacy_inmemory_rows,
        )
        privacy.spent_elsewhere.append(lambda s, name: self.synth.spent(s, name))
        return privacy

    @service
    def synth(self) -> SynthService:
        """Synthetic twins of personal datasets, spending the same privacy-loss budgets."""
        from datanuri.synth.service import SynthService

        # its release tickets come from the catalog's publish guard (privacy.guard.ticket_issuer)
        return SynthService(
            self.db, self.blobs, self.ledger, self.access, self.catalog, limits=self.privacy.limits
        )

    @service
    def books(self) -> Books:
        """The market's money: double-entry books in the database, every entry also in the
        ledger."""
        from datanuri.market.books import Books

        return Books(self.db, self.ledger)

    @service
    def audits(self) -> AuditService:
        """AI accountability audits of datasets, models' predictions and privacy releases."""
        from datanuri.audit.service import AuditService

        return AuditService(self.db, self.ledger, self.access, self.catalog)

    @service
    def models(self) -> ModelRegistry:
        """The model registry: model versions with features and training data, drift monitors
        (alerts by notice and webhook) and model cards."""
        from datanuri.audit.registry import ModelRegistry

        return ModelRegistry(
            self.db, self.ledger, self.catalog, self.decisions, self.channels.notifier
        )

    @service
    def search(self) -> SearchService:
        """The search index of datasets and listings."""
        from datanuri.search import SearchService

        return SearchService(
            self.db, self.config.data_dir / "search", backend=self.config.search_backend
        )

    @service
    def desk(self) -> RequestDesk:
        """The data request desk ("데이터 114"): requests for data not yet open, routed to
        holders against the legal deadline (business days from the holiday table)."""
        from datanuri.desk.service import RequestDesk
        from datanuri.desk.suggest import Suggester

        return RequestDesk(
            self.db,
            self.ledger,
            self.access,
            self.channels.notifier,
            Suggester(self.db, self.search, self.access),
            self.holidays,
        )

    @service
    def listings(self) -> Listings:
        """The market's listings: restricted datasets offered with an ODRL licence; the search
        index shows them as a "for sale" facet."""
        from datanuri.market.listings import Listings

        listings = Listings(
            self.db,
            self.ledger,
            self.access,
            self.catalog,
            base_url=self.config.base_url,
            guard=self.guard,
        )
        listings.listeners.append(lambda name: self.search.on_change(name))
        return listings

    @service
    def linkage(self) -> LinkageZone:
        """The linkage zone: holders' keyed files linked, analysed and released only through
        disclosure checks and a reviewer (issue #17)."""
        from datanuri.linkage.zone import LinkageZone, ZoneSettings

        # Row-level outputs pass the privacy engine under the platform's policy limits; the
        # exact-key joins of a match run on the compute engine.
        return LinkageZone(
            self.db,
            self.blobs,
            self.ledger,
            self.catalog,
            ZoneSettings(privacy=self.privacy.limits),
            engine=lambda: self.engine,  # key joins on DuckDB or Spark, made on first use
        )

    @service
    def deliveries(self) -> Deliveries:
        """Fingerprinted deliveries: an entitled recipient's download of a restricted dataset
        with a fingerprint scheme carries their marks, recorded (market/deliveries.py)."""
        from datanuri.market.deliveries import Deliveries

        return Deliveries(self.db, self.ledger, self.access, self.keys, self.blobs)

    @service
    def prices(self) -> PriceAdvisor:
        """Price suggestions from comparable listings, the price history and demand:
        request-desk requests answered with each dataset (the desk imports search, which
        imports the market, so the count is handed over from here) and the orders paid for
        each listing."""
        from datanuri.market.orders import paid_sales
        from datanuri.market.price_advisor import PriceAdvisor

        return PriceAdvisor(self.db, self.access, demand=desk_demand, sales=paid_sales)

    @service
    def mydata(self) -> MyData:
        """MyData: people direct holders to send their own rows to a recipient they choose.
        The CI key is the platform's own entry in the key store; receipts are signed with the
        ledger's key; new versions of offered datasets are indexed by CI after they publish."""
        from datanuri.mydata.service import MyData

        return MyData(
            self.db,
            self.ledger,
            self.blobs,
            self.keys,
            self.channels.notifier,
            self.ledger.keys.signer,
            ledger_receipt=self.ledger.receipt,
        )

    @service
    def orders(self) -> Orders:
        """Orders of listings: paid from the books, granting entitlements; subscribers hear of
        each new version of a dataset they subscribe to."""
        from datanuri.market.orders import Orders

        return Orders(
            self.db,
            self.ledger,
            self.access,
            self.accounts,
            self.books,
            self.channels.notifier,
            fee_bps=self.config.market_fee_bps,
        )

    @service
    def oauth(self) -> OAuth:
        """MyData's authorization server (PAR, PKCE, DPoP, private_key_jwt); what a request may
        ask for is MyData's offer check."""
        from datanuri.oauth.service import OAuth

        return OAuth(self.db, check_details=self._mydata_details)

    @service
    def harvester(self) -> Harvester:
        """Imports of CKAN and DCAT catalogues."""
        from datanuri.harvest import Harvester

        return Harvester(self.catalog, self.accounts, self.db, notify=self.search.on_change)

    @on_demand
    def engine(self) -> Engine:
        """The compute engine `Config.engine` names (DuckDB or Spark), made on first use, so
        PySpark is imported and a SparkSession started only when heavy work asks for it."""
        from datanuri.engine import EngineSettings, make_engine

        return make_engine(EngineSettings.from_config(self.config))

    def _mydata_details(self, entries: Sequence[Mapping[str, Any]], client_id: str) -> None:
        """Check pushed `authorization_details` against the holders' MyData offers."""
        from datanuri.mydata.service import TransferDetails

        for entry in entries:
            details = TransferDetails.from_authorization_details(entry)
            self.mydata.check_details(details, recipient_client_id=client_id)

    def made(self, name: str) -> bool:
        """Whether the service `name` has been made (used) in this platform."""
        return name in self.__dict__

    def close(self) -> None:
        if self.made("engine"):
            self.__dict__.pop("engine").close()
        if self.made("jobs"):
            self.jobs.shutdown()
        if self.made("search"):
            self.search.close()
        self.db.dispose()

    def __enter__(self) -> Platform:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def desk_demand(s: Session, names: Sequence[str]) -> dict[str, int]:
    """Request-desk requests answered with each of the datasets `names` (one query)."""
    from datanuri.desk.tables import DeskRequest

    if not names:
        return {}
    q = (
        select(DeskRequest.answer_dataset, func.count(DeskRequest.id))
        .where(DeskRequest.answer_dataset.in_(list(names)))
        .group_by(DeskRequest.answer_dataset)
    )
    return {str(name): int(n) for name, n in s.execute(q)}
