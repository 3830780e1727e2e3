"""market listings: restricted datasets offered with an ODRL licence, a price and a sample

Revision ID: 0022_market_listings
Revises: 0017_rate_buckets
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0022_market_listings"
down_revision = "0017_rate_buckets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "market_listings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("price_kind", sa.String(length=20), nullable=False),
        sa.Column("price_krw", sa.BigInteger(), nullable=True),
        sa.Column("price_period", sa.String(length=10), nullable=True),
        sa.Column("licence_terms", sa.JSON(), nullable=False),
        sa.Column("licence_sha256", sa.String(length=64), nullable=False),
        sa.Column("sample_source", sa.String(length=20), nullable=True),
        sa.Column("sample_release_id", sa.Integer(), nullable=True),
        sa.Column("sample_columns", sa.JSON(), nullable=False),
        sa.Column("sample_rows", sa.JSON(), nullable=False),
        sa.Column("sample_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.Column("published_at", datanuri.store.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_market_listings_dataset_id_datasets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_listings")),
    )
    with op.batch_alter_table("market_listings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_market_listings_dataset_id"), ["dataset_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_market_listings_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("market_listings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_market_listings_status"))
        batch_op.drop_index(batch_op.f("ix_market_listings_dataset_id"))
    op.drop_table("market_listings")
