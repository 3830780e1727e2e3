"""AI accountability audits (dataset, model and release audits)

Revision ID: 0023_audits
Revises: 0017_rate_buckets
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0023_audits"
down_revision = "0017_rate_buckets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.Column("dataset_version", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=400), nullable=True),
        sa.Column("data_hash", sa.String(length=64), nullable=False),
        sa.Column("predictions_hash", sa.String(length=64), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("result_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_audits_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_audits_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audits")),
    )
    op.create_index(op.f("ix_audits_kind"), "audits", ["kind"], unique=False)
    op.create_index(op.f("ix_audits_dataset_id"), "audits", ["dataset_id"], unique=False)
    op.create_index(op.f("ix_audits_user_id"), "audits", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_audits_user_id"), table_name="audits")
    op.drop_index(op.f("ix_audits_dataset_id"), table_name="audits")
    op.drop_index(op.f("ix_audits_kind"), table_name="audits")
    op.drop_table("audits")
