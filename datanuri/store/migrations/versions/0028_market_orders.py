"""market orders and subscriptions: an order ties a sale in the books to an entitlement

Revision ID: 0028_market_orders
Revises: 0024_decisions
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0028_market_orders"
down_revision = "0024_decisions"
branch_labels = None
# No foreign keys to market_listings (0022) and book_entries (0021): they are on sibling branches
# of 0017, whose order `migrate("heads")` does not fix; the service keeps those references.
depends_on = None

T = datanuri.store.db.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "market_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("paid_until", T(), nullable=False),
        sa.Column("renewals", sa.Integer(), nullable=False),
        sa.Column("last_version", sa.Integer(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["users.id"], name=op.f("fk_market_subscriptions_buyer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_market_subscriptions_dataset_id_datasets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_subscriptions")),
    )
    with op.batch_alter_table("market_subscriptions", schema=None) as b:
        for col in ("buyer_id", "listing_id", "dataset_id", "status", "paid_until"):
            b.create_index(b.f(f"ix_market_subscriptions_{col}"), [col], unique=False)
    op.create_table(
        "market_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("price_kind", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("provider", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("refunded", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("entitlement_id", sa.Integer(), nullable=True),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("licence_sha256", sa.String(length=64), nullable=False),
        sa.Column("starts_at", T(), nullable=False),
        sa.Column("ends_at", T(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["users.id"], name=op.f("fk_market_orders_buyer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_market_orders_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["entitlement_id"],
            ["entitlements.id"],
            name=op.f("fk_market_orders_entitlement_id_entitlements"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["market_subscriptions.id"],
            name=op.f("fk_market_orders_subscription_id_market_subscriptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_orders")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_market_orders_idempotency_key")),
    )
    with op.batch_alter_table("market_orders", schema=None) as b:
        for col in ("buyer_id", "listing_id", "dataset_id", "status", "subscription_id"):
            b.create_index(b.f(f"ix_market_orders_{col}"), [col], unique=False)


def downgrade() -> None:
    op.drop_table("market_orders")
    op.drop_table("market_subscriptions")
