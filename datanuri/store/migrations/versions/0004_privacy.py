"""privacy releases

Revision ID: 0004_privacy
Revises: 0001_catalog
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0004_privacy"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization", sa.String(length=100), nullable=False),
        sa.Column("source_dataset", sa.String(length=100), nullable=False),
        sa.Column("source_version", sa.Integer(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("target_dataset", sa.String(length=100), nullable=False),
        sa.Column("target_version", sa.Integer(), nullable=False),
        sa.Column("target_hash", sa.String(length=64), nullable=False),
        sa.Column("access_level", sa.String(length=20), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("policy_hash", sa.String(length=64), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("report_hash", sa.String(length=64), nullable=False),
        sa.Column("released_by", sa.String(length=200), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_releases")),
    )
    with op.batch_alter_table("privacy_releases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_releases_organization"), ["organization"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_privacy_releases_source_dataset"), ["source_dataset"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_privacy_releases_target_dataset"), ["target_dataset"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("privacy_releases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_releases_target_dataset"))
        batch_op.drop_index(batch_op.f("ix_privacy_releases_source_dataset"))
        batch_op.drop_index(batch_op.f("ix_privacy_releases_organization"))
    op.drop_table("privacy_releases")
