"""Linkage exports: row-level tables with their privacy report, and the epsilon of noisy cells

Revision ID: 0032_linkage_outputs
Revises: 0030_linkage_zone
"""

import sqlalchemy as sa
from alembic import op

revision = "0032_linkage_outputs"
down_revision = "0030_linkage_zone"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("linkage_exports") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=10), nullable=False, server_default="cells")
        )
        batch.add_column(sa.Column("epsilon", sa.Float(), nullable=True))
        batch.add_column(sa.Column("report", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("linkage_exports") as batch:
        for column in ("report", "epsilon", "kind"):
            batch.drop_column(column)
