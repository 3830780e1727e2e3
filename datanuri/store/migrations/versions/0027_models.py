"""Model registry records, drift monitors and their runs

Revision ID: 0027_models
Revises: 0024_decisions
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0027_models"
down_revision = "0024_decisions"
branch_labels = None
depends_on = None

T = datanuri.store.db.UTCDateTime


def _fk(table: str, col: str, other: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([col], [f"{other}.id"], name=op.f(f"fk_{table}_{col}_{other}"))


def upgrade() -> None:
    op.create_table(
        "ai_model_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_version_id", sa.Integer(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("training_data", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        _fk("ai_model_records", "model_version_id", "ai_model_versions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_model_records")),
        sa.UniqueConstraint("model_version_id", name=op.f("uq_ai_model_records_model_version_id")),
    )
    op.create_table(
        "ai_drift_monitors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("min_rows", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("last_run_at", T(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        _fk("ai_drift_monitors", "record_id", "ai_model_records"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_drift_monitors")),
    )
    op.create_index(
        op.f("ix_ai_drift_monitors_record_id"), "ai_drift_monitors", ["record_id"], unique=False
    )
    op.create_table(
        "ai_drift_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("monitor_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=400), nullable=False),
        sa.Column("reference_sha256", sa.String(length=64), nullable=False),
        sa.Column("current_sha256", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("result_sha256", sa.String(length=64), nullable=False),
        sa.Column("drifted", sa.JSON(), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        _fk("ai_drift_runs", "monitor_id", "ai_drift_monitors"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_drift_runs")),
    )
    for col in ("monitor_id", "created_at"):
        op.create_index(op.f(f"ix_ai_drift_runs_{col}"), "ai_drift_runs", [col], unique=False)


def downgrade() -> None:
    for col in ("monitor_id", "created_at"):
        op.drop_index(op.f(f"ix_ai_drift_runs_{col}"), table_name="ai_drift_runs")
    op.drop_table("ai_drift_runs")
    op.drop_index(op.f("ix_ai_drift_monitors_record_id"), table_name="ai_drift_monitors")
    op.drop_table("ai_drift_monitors")
    op.drop_table("ai_model_records")
