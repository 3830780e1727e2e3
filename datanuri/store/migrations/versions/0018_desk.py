"""the data request desk: requests, supporters, history, disputes

Revision ID: 0018_desk
Revises: 0017_rate_buckets
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0018_desk"
down_revision = "0017_rate_buckets"
branch_labels = None
depends_on = None

UTC = datanuri.store.db.UTCDateTime


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for c in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{c}"), [c], unique=False)


def upgrade() -> None:
    op.create_table(
        "desk_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("theme", sa.String(length=100), nullable=True),
        sa.Column("formats", sa.JSON(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("supporters", sa.Integer(), nullable=False),
        sa.Column("filed_at", UTC(), nullable=False),
        sa.Column("routed_at", UTC(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("escalated_at", UTC(), nullable=True),
        sa.Column("answer_kind", sa.String(length=20), nullable=True),
        sa.Column("answer_org_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", UTC(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answer_note", sa.Text(), nullable=True),
        sa.Column("answer_dataset", sa.String(length=100), nullable=True),
        sa.Column("answer_version", sa.Integer(), nullable=True),
        sa.Column("answer_method", sa.String(length=20), nullable=True),
        sa.Column("answer_reason", sa.String(length=40), nullable=True),
        sa.Column("answer_expected_on", sa.Date(), nullable=True),
        sa.Column("closed_at", UTC(), nullable=True),
        _fk("desk_requests", "requester_id", "users"),
        _fk("desk_requests", "organization_id", "organizations"),
        _fk("desk_requests", "answer_org_id", "organizations"),
        _fk("desk_requests", "answered_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_requests")),
    )
    _indexes("desk_requests", "theme", "status", "requester_id", "organization_id", "due_on")

    op.create_table(
        "desk_supporters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        _fk("desk_supporters", "request_id", "desk_requests"),
        _fk("desk_supporters", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_supporters")),
        sa.UniqueConstraint("request_id", "user_id", name=op.f("uq_desk_supporters_request_id")),
    )
    _indexes("desk_supporters", "request_id", "user_id")

    op.create_table(
        "desk_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("ledger_index", sa.Integer(), nullable=True),
        _fk("desk_events", "request_id", "desk_requests"),
        _fk("desk_events", "actor_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_events")),
    )
    _indexes("desk_events", "request_id")

    op.create_table(
        "desk_disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=False),
        sa.Column("opened_at", UTC(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("decided_at", UTC(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        _fk("desk_disputes", "request_id", "desk_requests"),
        _fk("desk_disputes", "opened_by", "users"),
        _fk("desk_disputes", "decided_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_disputes")),
    )
    _indexes("desk_disputes", "request_id", "status")


def downgrade() -> None:
    op.drop_table("desk_disputes")
    op.drop_table("desk_events")
    op.drop_table("desk_supporters")
    op.drop_table("desk_requests")
