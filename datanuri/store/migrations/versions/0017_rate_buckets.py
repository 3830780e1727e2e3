"""rate-limit token buckets shared by every API process

Revision ID: 0017_rate_buckets
Revises: 0014_search_ranking
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_rate_buckets"
down_revision = "0014_search_ranking"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(length=440), nullable=False),
        sa.Column("tokens", sa.Double(), nullable=False),
        sa.Column("stamp", sa.Double(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_buckets")),
    )


def downgrade() -> None:
    op.drop_table("rate_buckets")
