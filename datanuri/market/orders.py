"""Market orders: a buyer orders a published listing under an idempotency key, pays through a
`PaymentProvider` (prepaid credit built in), and is entitled to the dataset's rows for the term
bought through the platform's one access mechanism (`accounts.models.Entitlement`, checked on
every request, so expiry and revocation take effect at the next one).

The order row, the sale's journal entry (and its ledger entry), the order's ledger entry and the
entitlement are written in one transaction: all or nothing. The same key with the same request
returns the order already made (one charge); with another request it is a `Conflict`.

Subscriptions renew each period (`renew_due`, the periodic job "market.renew"), charging again
or lapsing when the credit is short; each new version of a subscribed dataset is covered by the
entitlement (it is per dataset) and announced to the buyer in-app and by signed webhook
(`on_dataset_change`, a catalogue listener). Refunds (full or partial) are refund entries in the
books; a full refund ends the entitlement and the subscription.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from datanuri import canonical, errors
from datanuri.accounts.access import AccessControl
from datanuri.accounts.models import Entitlement, Membership, Organization, User
from datanuri.accounts.notifications import Event, Notice, Notifier
from datanuri.accounts.policy import EDITORS, DatasetAccess
from datanuri.accounts.principal import SYSTEM, Principal
from datanuri.accounts.service import AccountService
from datanuri.catalog.models import Dataset, Version
from datanuri.events import EntitlementRevoked, EventSink
from datanuri.market import licence as L
from datanuri.market import money
from datanuri.market import order_messages as M
from datanuri.market import order_rules as rules
from datanuri.market.book_tables import BookEntry
from datanuri.market.books import Books
from datanuri.market.listing_rules import won
from datanuri.market.listing_tables import Listing
from datanuri.market.order_events import OrderPlaced, SubscriptionLapsed
from datanuri.market.order_tables import MarketOrder, MarketSubscription
from datanuri.market.payments import PaymentProvider, PrepaidCredit
from datanuri.store.db import Database, lock_name, utcnow

log = logging.getLogger("datanuri.market")

FEE_BPS = 1000  # the platform's fee: 10 % of each sale
ORDERS_LINK = "/console/market/orders"
SALES_LINK = "/console/market/sales"


@dataclass(frozen=True)
class OrderInfo:
    """One order as its buyer and the selling organisation see it."""

    id: int
    key: str
    buyer: str  # e-mail
    listing_id: int
    listing_title: str
    dataset: str
    organization: str
    version: int | None
    price_kind: str
    period: str | None
    amount: int
    fee: int
    refunded: int
    status: str
    provider: str
    entry_id: int | None
    subscription_id: int | None
    licence_sha256: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    access: str  # active | expired | revoked | none
    created_at: dt.datetime
    replayed: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k in ("starts_at", "ends_at", "created_at"):
            out[k] = out[k].isoformat() if out[k] else None
        return out


@dataclass(frozen=True)
class SubscriptionInfo:
    id: int
    buyer: str
    listing_id: int
    dataset: str
    period: str
    amount: int
    status: str
    paid_until: dt.datetime
    renewals: int
    last_version: int | None

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["paid_until"] = self.paid_until.isoformat()
        return out


@dataclass(frozen=True)
class RenewResult:
    """What a renewal run did: subscriptions renewed (charged again) and lapsed."""

    renewed: int
    lapsed: int


@dataclass(frozen=True)
class Credit:
    """A buyer's prepaid credit: the balance and the account (None before the first top-up)."""

    balance: int
    account_id: int | None


def _denied(p: Principal, message: str) -> errors.DatanuriError:
    if p.kind == "anonymous":
        return errors.NotAuthenticated(message)
    return errors.PermissionDenied(message)


def _ends_text(t: dt.datetime | None) -> str:
    return t.date().isoformat() if t else "—"


class Orders:
    """The market's orders, refunds, subscriptions and buyers' credit."""

    def __init__(
        self,
        db: Database,
        events: EventSink,
        access: AccessControl,
        accounts: AccountService,
        books: Books,
        notifier: Notifier,
        *,
        fee_bps: int = FEE_BPS,
        provider: PaymentProvider | None = None,
    ) -> None:
        self.db = db
        self.events = events
        self.access = access
        self.accounts = accounts
        self.books = books
        self.notifier = notifier
        money.split_fee(0, fee_bps)  # refuses a fee outside 0..10000 basis points
        self.fee_bps = fee_bps
        self.provider: PaymentProvider = provider or PrepaidCredit(books)

    # ----- buying ------------------------------------------------------------------------------
    def place(
        self, listing_id: int, *, key: str, version: int | None = None, principal: Principal
    ) -> OrderInfo:
        """Order listing `listing_id` (its version `version`, for a one-off price: the newest by
        default) and pay for it; the same `key` again returns this order, charged once."""
        if principal.kind != "user" or principal.user_id is None:
            raise _denied(principal, M.MSG_ORDER_LOGIN)
        key = rules.clean_key(key)
        buyer = principal.user_id
        request = {"listing": listing_id, "version": version, "buyer": buyer}
        with self.db.write_session() as s:
            lock_name(s, f"market-order:{key}")
            if (done := self._replay(s, key, request)) is not None:
                return done
            row, ds = self._listing_for_sale(s, listing_id, principal)
            if principal.role_in(ds.organization) in EDITORS:
                raise errors.Conflict(M.MSG_OWN_LISTING.format(name=ds.name))
            bought = self._version(s, row, ds, version)
            terms = L.Terms.from_dict(row.licence_terms)
            now = utcnow()
            period = row.price_period if row.price_kind == "subscription" else None
            ends = rules.term_end(
                now,
                price_kind=row.price_kind,
                period=period,  # type: ignore[arg-type]
                term_days=terms.term_days,
                ends_on=terms.ends_on,
            )
            amount = int(row.price_krw or 0) if row.price_kind != "free-research" else 0
            order = MarketOrder(
                idempotency_key=key,
                request_sha256=canonical.sha256(request),
                buyer_id=buyer,
                listing_id=row.id,
                dataset_id=ds.id,
                version=bought,
                price_kind=row.price_kind,
                period=period,
                amount=amount,
                fee=0,
                provider=self.provider.name,
                status="paid",
                refunded=0,
                licence_sha256=row.licence_sha256,
                starts_at=now,
                ends_at=ends,
                created_at=now,
            )
            s.add(order)
            s.flush()
            entry_sha = None
            if amount:
                paid = self.provider.pay(
                    s,
                    buyer=buyer,
                    holder_org=ds.organization,
                    amount=amount,
                    fee_bps=self.fee_bps,
                    key=f"order:{key}",
                    memo=f"order {order.id}: listing {row.id}",
                    principal=principal,
                )
                order.entry_id, order.fee, entry_sha = paid.entry_id, paid.fee, paid.entry_sha256
            self.events.record(
                s,
                OrderPlaced(
                    actor=principal.ref,
                    time=now,
                    dataset=ds.name,
                    order_id=order.id,
                    listing_id=row.id,
                    user_id=buyer,
                    licence_sha256=row.licence_sha256,
                    entry_sha256=entry_sha,
                    amount=amount,
                    price_kind=row.price_kind,
                ),
            )
            order.entitlement_id = self.accounts.add_entitlement(
                s, buyer, ds, expires_at=ends, source="market", principal=principal
            )
            if row.price_kind == "subscription":
                assert period is not None and ends is not None
                sub = MarketSubscription(
                    buyer_id=buyer,
                    listing_id=row.id,
                    dataset_id=ds.id,
                    period=period,
                    amount=amount,
                    status="active",
                    paid_until=ends,
                    renewals=0,
                    last_version=bought,
                    created_at=now,
                )
                s.add(sub)
                s.flush()
                order.subscription_id = sub.id
            self._tell_sale(s, order, ds)
            s.flush()
            return self._info(s, order)

    def refund(
        self, order_id: int, *, key: str, amount: int | None = None, principal: Principal
    ) -> OrderInfo:
        """Give `amount` (all that is left by default) of a paid order back to the buyer's
        credit; a full refund ends the entitlement and any subscription (owners of the selling
        organisation, administrators). The same `key` again refunds once."""
        key = rules.clean_key(key)
        with self.db.write_session() as s:
            order = s.scalar(
                select(MarketOrder).where(MarketOrder.id == order_id).with_for_update()
            )
            if order is None:
                raise errors.NotFound(M.MSG_NO_ORDER.format(id=order_id))
            ds = self._may_change(s, order, principal, M.MSG_REFUND_RIGHTS)
            if order.entry_id is None:
                raise errors.Conflict(M.MSG_FREE_NO_REFUND.format(id=order_id))
            left = order.amount - order.refunded
            give = left if amount is None else money.Won.positive(amount).minor
            done = s.scalar(
                select(BookEntry.id).where(BookEntry.idempotency_key == f"refund:{key}")
            )
            if done is None and left == 0:
                raise errors.Conflict(M.MSG_REFUNDED_ALREADY.format(id=order_id))
            self.provider.refund(
                s,
                sale_entry=order.entry_id,
                amount=give,
                key=f"refund:{key}",
                memo=f"order {order.id}",
                principal=principal,
            )
            if done is not None:  # the same refund again: nothing more happens
                return self._info(s, order, replayed=True)
            order.refunded += give
            if order.refunded == order.amount:
                order.status = "refunded"
                self._end_access(s, order, ds, principal)
            ko, en = M.NOTE_REFUNDED
            fmt = {"order": order.id, "amount": f"{give:,}"}
            self.notifier.notify(
                s,
                Notice(
                    order.buyer_id,
                    "market.order.refunded",
                    (ko.format(**fmt), en.format(**fmt)),
                    f"{ORDERS_LINK}/{order.id}",
                    Event("market.order.refunded", {"order": order.id, "amount": give}),
                ),
            )
            s.flush()
            return self._info(s, order)

    def revoke(self, order_id: int, *, principal: Principal) -> OrderInfo:
        """End the buyer's access from this order now (a licence breach; owners of the selling
        organisation, administrators); no money moves (refund separately)."""
        with self.db.write_session() as s:
            order = s.get(MarketOrder, order_id)
            if order is None:
                raise errors.NotFound(M.MSG_NO_ORDER.format(id=order_id))
            ds = self._may_change(s, order, principal, M.MSG_REVOKE_RIGHTS)
            self._end_access(s, order, ds, principal)
            ko, en = M.NOTE_REVOKED
            fmt = {"order": order.id, "dataset": ds.name}
            self.notifier.notify(
                s,
                Notice(
                    order.buyer_id,
                    "market.order.revoked",
                    (ko.format(**fmt), en.format(**fmt)),
                    f"{ORDERS_LINK}/{order.id}",
                ),
            )
            s.flush()
            return self._info(s, order)

    # ----- reading -----------------------------------------------------------------------------
    def get(self, order_id: int, *, principal: Principal) -> OrderInfo:
        """One order: its buyer, the selling organisation's owners and editors, administrators."""
        if principal.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_ORDER_LOGIN)
        with self.db.session() as s:
            order = s.get(MarketOrder, order_id)
            if order is None or not self._may_see(s, order, principal):
                raise errors.NotFound(M.MSG_NO_ORDER.format(id=order_id))
            return self._info(s, order)

    def mine(self, *, principal: Principal) -> list[OrderInfo]:
        """The caller's orders, newest first."""
        if principal.kind != "user":
            raise _denied(principal, M.MSG_ORDER_LOGIN)
        with self.db.session() as s:
            q = select(MarketOrder).where(MarketOrder.buyer_id == principal.user_id)
            return self._infos(s, list(s.scalars(q.order_by(MarketOrder.id.desc()))))

    def sales(self, organization: str, *, principal: Principal) -> list[OrderInfo]:
        """The orders of an organisation's listings, newest first (its owners and editors)."""
        if not (principal.is_admin or principal.role_in(organization) in EDITORS):
            raise _denied(principal, M.MSG_ORDERS_RIGHTS)
        with self.db.session() as s:
            q = (
                select(MarketOrder)
                .join(Dataset, Dataset.id == MarketOrder.dataset_id)
                .join(Organization, Organization.id == Dataset.organization_id)
                .where(Organization.name == organization)
                .order_by(MarketOrder.id.desc())
            )
            return self._infos(s, list(s.scalars(q)))

    def subscriptions(self, *, principal: Principal) -> list[SubscriptionInfo]:
        """The caller's subscriptions, newest first."""
        if principal.kind != "user":
            raise _denied(principal, M.MSG_ORDER_LOGIN)
        with self.db.session() as s:
            rows = s.execute(
                select(MarketSubscription, Dataset.name, User.email)
                .join(Dataset, Dataset.id == MarketSubscription.dataset_id)
                .join(User, User.id == MarketSubscription.buyer_id)
                .where(MarketSubscription.buyer_id == principal.user_id)
                .order_by(MarketSubscription.id.desc())
            )
            return [_sub_info(sub, name, email) for sub, name, email in rows]

    def cancel(self, subscription_id: int, *, principal: Principal) -> SubscriptionInfo:
        """Stop renewing a subscription (the period paid for stays usable)."""
        with self.db.write_session() as s:
            sub = s.get(MarketSubscription, subscription_id)
            if sub is None or not (principal.is_admin or principal.user_id == sub.buyer_id):
                raise errors.NotFound(M.MSG_NO_SUBSCRIPTION.format(id=subscription_id))
            if sub.status != "active":
                raise errors.Conflict(M.MSG_SUBSCRIPTION_ENDED.format(id=subscription_id))
            ds = self.access.dataset(s, sub.dataset_id)
            self._lapse(s, sub, ds, "cancelled", principal)
            user = s.get(User, sub.buyer_id)
            assert user is not None
            return _sub_info(sub, ds.name, user.email)

    def invoice(self, order_id: int, *, principal: Principal) -> rules.Invoice:
        """The order's invoice with the fields of a Korean tax invoice (buyer, seller, admins)."""
        if principal.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_ORDER_LOGIN)
        with self.db.session() as s:
            order = s.get(MarketOrder, order_id)
            if order is None or not self._may_see(s, order, principal):
                raise errors.NotFound(M.MSG_NO_ORDER.format(id=order_id))
            d = s.get(Dataset, order.dataset_id)
            buyer = s.get(User, order.buyer_id)
            listing = s.get(Listing, order.listing_id)
            assert d is not None and buyer is not None and listing is not None
            org = d.organization
            what = listing.title + (f" (v{order.version})" if order.version else "")
            return rules.invoice_of(
                order_id=order.id,
                created=order.created_at,
                amount=order.amount,
                refunded=order.refunded,
                description=what,
                supplier=rules.Party(registration_no="", name=org.title or org.name),
                buyer=rules.Party(registration_no="", name=buyer.display_name, email=buyer.email),
            )

    # ----- credit ------------------------------------------------------------------------------
    def credit(self, *, principal: Principal, user_id: int | None = None) -> Credit:
        """A buyer's prepaid credit (the caller's own; administrators any user's)."""
        if principal.kind == "anonymous":
            raise errors.NotAuthenticated(M.MSG_CREDIT_LOGIN)
        who = user_id if user_id is not None else principal.user_id
        if who is None:
            raise errors.InvalidInput(M.MSG_CREDIT_LOGIN)
        try:
            acct = self.books.account("user", who, "buyer_credit", principal=principal)
        except errors.NotFound:
            return Credit(0, None)
        return Credit(self.books.balance(acct.id, principal=principal).minor, acct.id)

    def top_up(self, email: str, amount: int, *, key: str, principal: Principal) -> Credit:
        """Add `amount` won to the credit of the user with `email` (administrators)."""
        with self.db.session() as s:
            user = s.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
            if user is None:
                raise errors.NotFound(M.MSG_NO_USER.format(email=email))
            uid = user.id
        self.books.top_up(uid, amount, f"topup:{key}", principal=principal)
        return self.credit(principal=principal, user_id=uid)

    # ----- subscriptions: renewal and new versions ---------------------------------------------
    def renew_due(self, *, now: dt.datetime | None = None) -> RenewResult:
        """Charge each active subscription whose paid period has ended for its next period, or
        let it lapse when the buyer's credit is short (the periodic job "market.renew")."""
        at = now or utcnow()
        with self.db.session() as s:
            due = list(
                s.scalars(
                    select(MarketSubscription.id).where(
                        MarketSubscription.status == "active", MarketSubscription.paid_until <= at
                    )
                )
            )
        renewed = lapsed = 0
        for sub_id in due:
            try:
                if self._renew_one(sub_id, at):
                    renewed += 1
            except errors.Conflict:  # the credit is short (nothing was posted): it lapses
                with self.db.write_session() as s:
                    sub = s.get(MarketSubscription, sub_id)
                    if sub is not None and sub.status == "active":
                        self._lapse(
                            s, sub, self.access.dataset(s, sub.dataset_id), "credit", SYSTEM
                        )
                        lapsed += 1
        return RenewResult(renewed, lapsed)

    def on_dataset_change(self, name: str) -> None:
        """Tell each active subscriber of dataset `name` about a version newer than the last one
        they were told of (a catalogue listener: called after each committed change)."""
        try:
            self.announce(name)
        except Exception:  # a notice must never break the catalogue's change
            log.exception("announcing a new version of %s to subscribers failed", name)

    def announce(self, name: str) -> int:
        """Announce the newest version of dataset `name` to the subscribers not yet told of it
        (in-app and by signed webhook, "market.version.delivered"); how many were told."""
        return self._announce(name)

    # ----- helpers -----------------------------------------------------------------------------
    def _announce(self, name: str) -> int:
        with self.db.session() as s:  # most changes concern no subscribed dataset: a read only
            subscribed = s.scalar(
                select(MarketSubscription.id)
                .join(Dataset, Dataset.id == MarketSubscription.dataset_id)
                .where(Dataset.name == name, MarketSubscription.status == "active")
                .limit(1)
            )
        if subscribed is None:
            return 0
        with self.db.write_session() as s:
            d = s.scalar(select(Dataset).where(Dataset.name == name))
            if d is None:
                return 0
            latest = s.scalar(
                select(func.max(Version.number)).where(
                    Version.dataset_id == d.id, ~Version.withdrawal.has()
                )
            )
            if latest is None:
                return 0
            subs = list(
                s.scalars(
                    select(MarketSubscription).where(
                        MarketSubscription.dataset_id == d.id,
                        MarketSubscription.status == "active",
                        func.coalesce(MarketSubscription.last_version, 0) < latest,
                    )
                )
            )
            ko, en = M.NOTE_NEW_VERSION
            for sub in subs:
                sub.last_version = latest
                fmt = {"dataset": name, "version": latest}
                self.notifier.notify(
                    s,
                    Notice(
                        sub.buyer_id,
                        "market.version.delivered",
                        (ko.format(**fmt), en.format(**fmt)),
                        f"/datasets/{name}",
                        Event(
                            "market.version.delivered",
                            {"dataset": name, "version": latest, "subscription": sub.id},
                        ),
                    ),
                )
            return len(subs)

    def _renew_one(self, sub_id: int, at: dt.datetime) -> bool:
        with self.db.write_session() as s:
            sub = s.scalar(
                select(MarketSubscription).where(MarketSubscription.id == sub_id).with_for_update()
            )
            if sub is None or sub.status != "active" or sub.paid_until > at:
                return False  # renewed or ended meanwhile
            ds = self.access.dataset(s, sub.dataset_id)
            org = ds.organization
            listing = s.get(Listing, sub.listing_id)
            if listing is None or listing.status != "published":
                self._lapse(s, sub, ds, "cancelled", SYSTEM)
                return False
            n = sub.renewals + 1
            start = sub.paid_until
            ends = rules.add_period(start, sub.period)  # type: ignore[arg-type]
            key = f"renew:{sub.id}:{n}"
            order = MarketOrder(
                idempotency_key=key,
                request_sha256=canonical.sha256({"subscription": sub.id, "renewal": n}),
                buyer_id=sub.buyer_id,
                listing_id=sub.listing_id,
                dataset_id=sub.dataset_id,
                version=None,
                price_kind="subscription",
                period=sub.period,
                amount=sub.amount,
                fee=0,
                provider=self.provider.name,
                status="paid",
                refunded=0,
                subscription_id=sub.id,
                licence_sha256=listing.licence_sha256,
                starts_at=start,
                ends_at=ends,
                created_at=at,
            )
            s.add(order)
            s.flush()
            paid = self.provider.pay(
                s,
                buyer=sub.buyer_id,
                holder_org=org,
                amount=sub.amount,
                fee_bps=self.fee_bps,
                key=f"order:{key}",
                memo=f"order {order.id}: renewal {n} of subscription {sub.id}",
                principal=SYSTEM,
            )
            order.entry_id, order.fee = paid.entry_id, paid.fee
            self.events.record(
                s,
                OrderPlaced(
                    actor=SYSTEM.ref,
                    time=at,
                    dataset=ds.name,
                    order_id=order.id,
                    listing_id=sub.listing_id,
                    user_id=sub.buyer_id,
                    licence_sha256=listing.licence_sha256,
                    entry_sha256=paid.entry_sha256,
                    amount=sub.amount,
                    price_kind="subscription",
                ),
            )
            order.entitlement_id = self.accounts.add_entitlement(
                s, sub.buyer_id, ds, expires_at=ends, source="market", principal=SYSTEM
            )
            sub.paid_until, sub.renewals = ends, n
            ko, en = M.NOTE_RENEWED
            fmt = {"dataset": ds.name, "amount": f"{sub.amount:,}", "until": _ends_text(ends)}
            self.notifier.notify(
                s,
                Notice(
                    sub.buyer_id,
                    "market.subscription.renewed",
                    (ko.format(**fmt), en.format(**fmt)),
                    f"{ORDERS_LINK}/{order.id}",
                ),
            )
            return True

    def _lapse(
        self,
        s: Session,
        sub: MarketSubscription,
        ds: DatasetAccess,
        reason: str,
        principal: Principal,
    ) -> None:
        self.events.record(
            s,
            SubscriptionLapsed(
                actor=principal.ref,
                time=utcnow(),
                dataset=ds.name,
                subscription_id=sub.id,
                user_id=sub.buyer_id,
                reason=reason,
            ),
        )
        sub.status = "lapsed" if reason == "credit" else "cancelled"
        if reason == "credit":
            ko, en = M.NOTE_LAPSED
            self.notifier.notify(
                s,
                Notice(
                    sub.buyer_id,
                    "market.subscription.lapsed",
                    (ko.format(dataset=ds.name), en.format(dataset=ds.name)),
                    ORDERS_LINK,
                    Event("market.subscription.lapsed", {"subscription": sub.id}),
                ),
            )

    def _end_access(
        self, s: Session, order: MarketOrder, ds: DatasetAccess, principal: Principal
    ) -> None:
        """Revoke the order's entitlement (recorded first) and stop its subscription."""
        ent = s.get(Entitlement, order.entitlement_id) if order.entitlement_id else None
        if ent is not None and ent.revoked_at is None:
            self.events.record(
                s, EntitlementRevoked(actor=principal.ref, time=utcnow(), dataset=ds.name)
            )
            ent.revoked_at = utcnow()
        if order.subscription_id is not None:
            sub = s.get(MarketSubscription, order.subscription_id)
            if sub is not None and sub.status == "active":
                self._lapse(s, sub, ds, "cancelled", principal)

    def _tell_sale(self, s: Session, order: MarketOrder, ds: DatasetAccess) -> None:
        ko, en = M.NOTE_PAID
        fmt = {"order": order.id, "dataset": ds.name, "until": _ends_text(order.ends_at)}
        payload = {"order": order.id, "dataset": ds.name, "amount": order.amount}
        self.notifier.notify(
            s,
            Notice(
                order.buyer_id,
                "market.order.paid",
                (ko.format(**fmt), en.format(**fmt)),
                f"{ORDERS_LINK}/{order.id}",
                Event("market.order.paid", payload),
            ),
        )
        owners = s.scalars(
            select(Membership.user_id)
            .join(Organization, Organization.id == Membership.organization_id)
            .where(Organization.name == ds.organization, Membership.role == "owner")
        )
        ko, en = M.NOTE_SOLD
        fmt = {"order": order.id, "dataset": ds.name, "amount": won(order.amount)}
        event = Event("market.order.sold", payload, org=ds.organization)
        for uid in owners:
            self.notifier.notify(
                s,
                Notice(
                    uid,
                    "market.order.sold",
                    (ko.format(**fmt), en.format(**fmt)),
                    SALES_LINK,
                    event,
                ),
            )

    def _replay(self, s: Session, key: str, request: dict[str, Any]) -> OrderInfo | None:
        row = s.scalar(select(MarketOrder).where(MarketOrder.idempotency_key == key))
        if row is None:
            return None
        if row.request_sha256 != canonical.sha256(request):
            raise errors.Conflict(M.MSG_KEY_REUSED.format(key=key))
        return self._info(s, row, replayed=True)

    def _listing_for_sale(
        self, s: Session, listing_id: int, p: Principal
    ) -> tuple[Listing, DatasetAccess]:
        row = s.get(Listing, listing_id)
        if row is None:
            raise errors.NotFound(M.MSG_NOT_FOR_SALE.format(id=listing_id))
        ds = self.access.dataset(s, row.dataset_id)
        if row.status != "published" or not self.access.can(s, p, "read_metadata", dataset=ds):
            raise errors.NotFound(M.MSG_NOT_FOR_SALE.format(id=listing_id))
        if ds.access_level != "restricted":
            raise errors.Conflict(M.MSG_NOT_FOR_SALE.format(id=listing_id))
        return row, ds

    @staticmethod
    def _version(s: Session, row: Listing, ds: DatasetAccess, version: int | None) -> int | None:
        """The version a one-off order buys (the listing's, the asked, or the newest)."""
        if row.version is not None:
            if version is not None and version != row.version:
                raise errors.InvalidInput(M.MSG_VERSION_FIXED.format(id=row.id, listed=row.version))
            version = row.version
        live = select(Version.number).where(Version.dataset_id == ds.id, ~Version.withdrawal.has())
        if version is None:
            return s.scalar(live.order_by(Version.number.desc()).limit(1))
        if s.scalar(live.where(Version.number == version)) is None:
            raise errors.NotFound(M.MSG_NO_VERSION.format(name=ds.name, version=version))
        return version

    def _may_change(
        self, s: Session, order: MarketOrder, p: Principal, message: str
    ) -> DatasetAccess:
        """The order's dataset, if `p` may refund or revoke it (an owner of the selling
        organisation, an administrator); those who may see it are refused, others not told."""
        ds = self.access.dataset(s, order.dataset_id)
        if p.is_admin or p.role_in(ds.organization) == "owner":
            return ds
        if self._may_see(s, order, p):
            raise _denied(p, message)
        if p.kind == "anonymous":
            raise errors.NotAuthenticated(message)
        raise errors.NotFound(M.MSG_NO_ORDER.format(id=order.id))

    def _may_see(self, s: Session, order: MarketOrder, p: Principal) -> bool:
        if p.is_admin or (p.kind == "user" and p.user_id == order.buyer_id):
            return True
        org = s.scalar(
            select(Organization.name)
            .join(Dataset, Dataset.organization_id == Organization.id)
            .where(Dataset.id == order.dataset_id)
        )
        return org is not None and p.role_in(org) in EDITORS

    def _info(self, s: Session, order: MarketOrder, *, replayed: bool = False) -> OrderInfo:
        return self._infos(s, [order], replayed=replayed)[0]

    @staticmethod
    def _infos(s: Session, orders: list[MarketOrder], *, replayed: bool = False) -> list[OrderInfo]:
        """Infos of many orders in three queries (no query per order)."""
        if not orders:
            return []
        ds_rows = s.execute(
            select(Dataset.id, Dataset.name, Organization.name)
            .join(Organization, Organization.id == Dataset.organization_id)
            .where(Dataset.id.in_({o.dataset_id for o in orders}))
        )
        datasets = {i: (n, org) for i, n, org in ds_rows}
        titles: dict[int, str] = {
            i: t
            for i, t in s.execute(
                select(Listing.id, Listing.title).where(
                    Listing.id.in_({o.listing_id for o in orders})
                )
            )
        }
        emails: dict[int, str] = {
            i: e
            for i, e in s.execute(
                select(User.id, User.email).where(User.id.in_({o.buyer_id for o in orders}))
            )
        }
        ent_ids = {o.entitlement_id for o in orders if o.entitlement_id}
        ents = {e.id: e for e in s.scalars(select(Entitlement).where(Entitlement.id.in_(ent_ids)))}
        now = utcnow()
        out = []
        for o in orders:
            name, org = datasets[o.dataset_id]
            ent = ents.get(o.entitlement_id) if o.entitlement_id else None
            if ent is None:
                state = "none"
            elif ent.revoked_at is not None:
                state = "revoked"
            elif ent.expires_at is not None and ent.expires_at <= now:
                state = "expired"
            else:
                state = "active"
            out.append(
                OrderInfo(
                    id=o.id,
                    key=o.idempotency_key,
                    buyer=emails.get(o.buyer_id, ""),
                    listing_id=o.listing_id,
                    listing_title=titles.get(o.listing_id, ""),
                    dataset=name,
                    organization=org,
                    version=o.version,
                    price_kind=o.price_kind,
                    period=o.period,
                    amount=o.amount,
                    fee=o.fee,
                    refunded=o.refunded,
                    status=o.status,
                    provider=o.provider,
                    entry_id=o.entry_id,
                    subscription_id=o.subscription_id,
                    licence_sha256=o.licence_sha256,
                    starts_at=o.starts_at,
                    ends_at=o.ends_at,
                    access=state,
                    created_at=o.created_at,
                    replayed=replayed,
                )
            )
        return out


def _sub_info(sub: MarketSubscription, dataset: str, email: str) -> SubscriptionInfo:
    return SubscriptionInfo(
        id=sub.id,
        buyer=email,
        listing_id=sub.listing_id,
        dataset=dataset,
        period=sub.period,
        amount=sub.amount,
        status=sub.status,
        paid_until=sub.paid_until,
        renewals=sub.renewals,
        last_version=sub.last_version,
    )


def paid_sales(s: Session, listing_ids: Sequence[int]) -> dict[int, int]:
    """Orders paid (not wholly refunded) per listing, in one query: the price suggestions'
    `SalesCounter`."""
    if not listing_ids:
        return {}
    q = (
        select(MarketOrder.listing_id, func.count(MarketOrder.id))
        .where(MarketOrder.listing_id.in_(list(listing_ids)), MarketOrder.status == "paid")
        .group_by(MarketOrder.listing_id)
    )
    return {int(i): int(n) for i, n in s.execute(q)}
