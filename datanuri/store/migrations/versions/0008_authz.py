"""login counters (atomic lockout)

Revision ID: 0008_authz
Revises: 0001_catalog
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0008_authz"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_counters",
        sa.Column("key", sa.String(length=440), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_counters")),
    )


def downgrade() -> None:
    op.drop_table("login_counters")
