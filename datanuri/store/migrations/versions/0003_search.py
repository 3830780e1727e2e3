"""harvest records (search, metadata and harvesting)

Revision ID: 0003_search
Revises: 0001_catalog
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0003_search"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "harvest_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_name", sa.String(length=100), nullable=False),
        sa.Column("source_url", sa.String(length=1000), nullable=False),
        sa.Column("remote_id", sa.String(length=300), nullable=False),
        sa.Column("remote_url", sa.String(length=1000), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("resources", sa.JSON(), nullable=False),
        sa.Column("harvested_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_harvest_records")),
        sa.UniqueConstraint("dataset_name", name=op.f("uq_harvest_records_dataset_name")),
    )
    with op.batch_alter_table("harvest_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_harvest_records_source_url"), ["source_url"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("harvest_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_harvest_records_source_url"))
    op.drop_table("harvest_records")
