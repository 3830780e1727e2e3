"""privacy-loss account: declared budgets and the epsilon each DP release spent

Revision ID: 0005_privacy_budget
Revises: 0004_privacy
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0005_privacy_budget"
down_revision = "0004_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization", sa.String(length=100), nullable=False),
        sa.Column("dataset", sa.String(length=100), nullable=False),
        sa.Column("budget", sa.Float(), nullable=True),
        sa.Column("declared_by", sa.String(length=200), nullable=True),
        sa.Column("declared_at", datanuri.store.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_budgets")),
        sa.UniqueConstraint("dataset", name=op.f("uq_privacy_budgets_dataset")),
    )
    with op.batch_alter_table("privacy_budgets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_budgets_organization"), ["organization"], unique=False
        )
    op.create_table(
        "privacy_losses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_dataset", sa.String(length=100), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("epsilon", sa.Float(), nullable=False),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["privacy_releases.id"],
            name=op.f("fk_privacy_losses_release_id_privacy_releases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_losses")),
        sa.UniqueConstraint("release_id", name=op.f("uq_privacy_losses_release_id")),
    )
    with op.batch_alter_table("privacy_losses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_losses_source_dataset"), ["source_dataset"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("privacy_losses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_losses_source_dataset"))
    op.drop_table("privacy_losses")
    with op.batch_alter_table("privacy_budgets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_budgets_organization"))
    op.drop_table("privacy_budgets")
