"""Synthetic candidates: a synthetic table and its report, kept for the holder to read before
releasing it

Revision ID: 0032_synth_candidates
Revises: 0031_synth
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0032_synth_candidates"
down_revision = "0031_synth"
branch_labels = None
depends_on = None

T = datanuri.store.db.UTCDateTime
INDEXED = ("organization", "source_dataset", "output_hash")


def upgrade() -> None:
    op.create_table(
        "synth_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization", sa.String(length=100), nullable=False),
        sa.Column("source_dataset", sa.String(length=100), nullable=False),
        sa.Column("source_version", sa.Integer(), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("epsilon", sa.Float(), nullable=True),
        sa.Column("delta", sa.Float(), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("report_hash", sa.String(length=64), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("output_hash", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_synth_candidates")),
    )
    for col in INDEXED:
        op.create_index(op.f(f"ix_synth_candidates_{col}"), "synth_candidates", [col], unique=False)


def downgrade() -> None:
    for col in INDEXED:
        op.drop_index(op.f(f"ix_synth_candidates_{col}"), table_name="synth_candidates")
    op.drop_table("synth_candidates")
