"""AI decision registry: systems, model versions, decisions and contests

Revision ID: 0024_decisions
Revises: 0017_rate_buckets
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0024_decisions"
down_revision = "0017_rate_buckets"
branch_labels = None
depends_on = None

T = datanuri.store.db.UTCDateTime


def _fk(table: str, col: str, other: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([col], [f"{other}.id"], name=op.f(f"fk_{table}_{col}_{other}"))


def upgrade() -> None:
    op.create_table(
        "ai_systems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("risk_level", sa.String(length=20), nullable=False),
        sa.Column("intended_use", sa.Text(), nullable=False),
        sa.Column("limitations", sa.Text(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("training_data", sa.JSON(), nullable=False),
        sa.Column("reason_codes", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("ledger_index", sa.Integer(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        _fk("ai_systems", "organization_id", "organizations"),
        _fk("ai_systems", "created_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_systems")),
        sa.UniqueConstraint("name", name=op.f("uq_ai_systems_name")),
    )
    op.create_index(
        op.f("ix_ai_systems_organization_id"), "ai_systems", ["organization_id"], unique=False
    )
    op.create_table(
        "ai_model_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=100), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        _fk("ai_model_versions", "system_id", "ai_systems"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_model_versions")),
        sa.UniqueConstraint("system_id", "version", name=op.f("uq_ai_model_versions_system_id")),
    )
    op.create_index(
        op.f("ix_ai_model_versions_system_id"), "ai_model_versions", ["system_id"], unique=False
    )
    op.create_table(
        "ai_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("system_id", sa.Integer(), nullable=False),
        sa.Column("model_version_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("input_sha256", sa.String(length=64), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("output", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("base_value", sa.Float(), nullable=True),
        sa.Column("contributions", sa.JSON(), nullable=False),
        sa.Column("reason_codes", sa.JSON(), nullable=False),
        sa.Column("method", sa.String(length=100), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("subject_user_id", sa.Integer(), nullable=True),
        sa.Column("subject_ci", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("ledger_index", sa.Integer(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        _fk("ai_decisions", "system_id", "ai_systems"),
        _fk("ai_decisions", "model_version_id", "ai_model_versions"),
        _fk("ai_decisions", "subject_user_id", "users"),
        _fk("ai_decisions", "corrects_id", "ai_decisions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_decisions")),
        sa.UniqueConstraint("reference", name=op.f("uq_ai_decisions_reference")),
        sa.UniqueConstraint("system_id", "idempotency_key", name=op.f("uq_ai_decisions_system_id")),
    )
    for col in ("system_id", "subject_user_id", "subject_ci", "created_at"):
        op.create_index(op.f(f"ix_ai_decisions_{col}"), "ai_decisions", [col], unique=False)
    op.create_table(
        "ai_contests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("deadline_at", T(), nullable=False),
        sa.Column("escalated_at", T(), nullable=True),
        sa.Column("outcome_reasons", sa.Text(), nullable=True),
        sa.Column("decided_at", T(), nullable=True),
        sa.Column("corrected_decision_id", sa.Integer(), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        _fk("ai_contests", "decision_id", "ai_decisions"),
        _fk("ai_contests", "reviewer_id", "users"),
        _fk("ai_contests", "corrected_decision_id", "ai_decisions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_contests")),
    )
    for col in ("decision_id", "status", "reviewer_id"):
        op.create_index(op.f(f"ix_ai_contests_{col}"), "ai_contests", [col], unique=False)


def downgrade() -> None:
    op.drop_table("ai_contests")
    op.drop_table("ai_decisions")
    op.drop_table("ai_model_versions")
    op.drop_table("ai_systems")
