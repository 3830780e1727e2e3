"""version withdrawals (a tombstone with a reason; the version row stays as published), and
datasets made as drafts (listed only once their first version is published)

Revision ID: 0009_lifecycle
Revises: 0001_catalog
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0009_lifecycle"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "datasets",
        sa.Column("draft", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "version_withdrawals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("withdrawn_by", sa.String(length=200), nullable=False),
        sa.Column("withdrawn_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["versions.id"],
            name=op.f("fk_version_withdrawals_version_id_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_version_withdrawals")),
        sa.UniqueConstraint("version_id", name=op.f("uq_version_withdrawals_version_id")),
    )


def downgrade() -> None:
    op.drop_table("version_withdrawals")
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("draft")
