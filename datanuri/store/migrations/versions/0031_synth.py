"""Synthetic releases

Revision ID: 0031_synth
Revises: 0024_decisions
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0031_synth"
down_revision = "0024_decisions"
branch_labels = None
depends_on = None

T = datanuri.store.db.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "synth_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization", sa.String(length=100), nullable=False),
        sa.Column("source_dataset", sa.String(length=100), nullable=False),
        sa.Column("source_version", sa.Integer(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("target_dataset", sa.String(length=100), nullable=False),
        sa.Column("target_version", sa.Integer(), nullable=False),
        sa.Column("target_hash", sa.String(length=64), nullable=False),
        sa.Column("access_level", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("epsilon", sa.Float(), nullable=False),
        sa.Column("delta", sa.Float(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("options_hash", sa.String(length=64), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("report_hash", sa.String(length=64), nullable=False),
        sa.Column("released_by", sa.String(length=200), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_synth_releases")),
    )
    for col in ("organization", "source_dataset", "target_dataset"):
        op.create_index(op.f(f"ix_synth_releases_{col}"), "synth_releases", [col], unique=False)


def downgrade() -> None:
    for col in ("organization", "source_dataset", "target_dataset"):
        op.drop_index(op.f(f"ix_synth_releases_{col}"), table_name="synth_releases")
    op.drop_table("synth_releases")
