"""Linkage zone: projects, members by role, keyed uploads, match runs, export requests

Revision ID: 0030_linkage_zone
Revises: 0024_decisions
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0030_linkage_zone"
down_revision = "0024_decisions"
branch_labels = None
depends_on = None

T = datanuri.store.db.UTCDateTime


def _fk(table: str, col: str, other: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([col], [f"{other}.id"], name=op.f(f"fk_{table}_{col}_{other}"))


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _index(table: str, col: str) -> None:
    op.create_index(op.f(f"ix_{table}_{col}"), table, [col], unique=False)


def upgrade() -> None:
    op.create_table(
        "linkage_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("salt_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("closed_at", T(), nullable=True),
        sa.Column("ledger_index", sa.Integer(), nullable=True),
        _fk("linkage_projects", "operator_id", "organizations"),
        _fk("linkage_projects", "created_by", "users"),
        _pk("linkage_projects"),
        sa.UniqueConstraint("name", name=op.f("uq_linkage_projects_name")),
    )
    _index("linkage_projects", "operator_id")
    op.create_table(
        "linkage_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        _fk("linkage_members", "project_id", "linkage_projects"),
        _fk("linkage_members", "user_id", "users"),
        _fk("linkage_members", "organization_id", "organizations"),
        _pk("linkage_members"),
        sa.UniqueConstraint(
            "project_id", "user_id", "role", name=op.f("uq_linkage_members_project_id")
        ),
    )
    _index("linkage_members", "project_id")
    _index("linkage_members", "user_id")
    op.create_table(
        "linkage_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        _fk("linkage_uploads", "project_id", "linkage_projects"),
        _fk("linkage_uploads", "organization_id", "organizations"),
        _fk("linkage_uploads", "uploaded_by", "users"),
        _pk("linkage_uploads"),
    )
    _index("linkage_uploads", "project_id")
    op.create_table(
        "linkage_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("tables", sa.JSON(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("run_by", sa.Integer(), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        _fk("linkage_runs", "project_id", "linkage_projects"),
        _fk("linkage_runs", "run_by", "users"),
        _pk("linkage_runs"),
    )
    _index("linkage_runs", "project_id")
    op.create_table(
        "linkage_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("analyst_id", sa.Integer(), nullable=False),
        sa.Column("sql", sa.Text(), nullable=False),
        sa.Column("group_by", sa.JSON(), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("dataset", sa.String(length=100), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("decided_at", T(), nullable=True),
        _fk("linkage_exports", "project_id", "linkage_projects"),
        _fk("linkage_exports", "analyst_id", "users"),
        _fk("linkage_exports", "reviewer_id", "users"),
        _pk("linkage_exports"),
    )
    _index("linkage_exports", "project_id")


def downgrade() -> None:
    for table in ("linkage_exports", "linkage_runs", "linkage_uploads", "linkage_members"):
        op.drop_table(table)
    op.drop_table("linkage_projects")
