"""market: fingerprint schemes and fingerprinted deliveries; price observations for suggestions

Revision ID: 0029_market_price
Revises: 0024_decisions
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0029_market_price"
down_revision = "0024_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "market_fingerprint_plans",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.JSON(), nullable=False),
        sa.Column("scheme_sha256", sa.String(length=64), nullable=False),
        sa.Column("key_name", sa.String(length=100), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_market_fingerprint_plans_dataset_id_datasets"),
        ),
        sa.PrimaryKeyConstraint("dataset_id", name=op.f("pk_market_fingerprint_plans")),
    )
    op.create_table(
        "market_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("key_name", sa.String(length=100), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=100), nullable=False),
        sa.Column("scheme_sha256", sa.String(length=64), nullable=False),
        sa.Column("copy_sha256", sa.String(length=64), nullable=False),
        sa.Column("ledger_index", sa.Integer(), nullable=True),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_market_deliveries_dataset_id_datasets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_deliveries")),
    )
    with op.batch_alter_table("market_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_market_deliveries_dataset_id"), ["dataset_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_market_deliveries_recipient"), ["recipient"], unique=False
        )
    op.create_table(
        "market_price_observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=True),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("columns", sa.Integer(), nullable=False),
        sa.Column("age_days", sa.Float(), nullable=False),
        sa.Column("update_frequency", sa.String(length=20), nullable=True),
        sa.Column("theme", sa.String(length=100), nullable=True),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("sales", sa.Integer(), nullable=False),
        sa.Column("annual_krw", sa.BigInteger(), nullable=False),
        sa.Column("observed_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_price_observations")),
    )
    with op.batch_alter_table("market_price_observations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_market_price_observations_source"), ["source"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_market_price_observations_observed_at"), ["observed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("market_price_observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_market_price_observations_observed_at"))
        batch_op.drop_index(batch_op.f("ix_market_price_observations_source"))
    op.drop_table("market_price_observations")
    with op.batch_alter_table("market_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_market_deliveries_recipient"))
        batch_op.drop_index(batch_op.f("ix_market_deliveries_dataset_id"))
    op.drop_table("market_deliveries")
    op.drop_table("market_fingerprint_plans")
