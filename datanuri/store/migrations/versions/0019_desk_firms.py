"""the request desk's analysis firms: firm profiles, processing projects and offers

Revision ID: 0019_desk_firms
Revises: 0018_desk
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0019_desk_firms"
down_revision = "0017_rate_buckets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "firm_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("certifications", sa.JSON(), nullable=False),
        sa.Column("past_projects", sa.JSON(), nullable=False),
        sa.Column("updated_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_firm_profiles_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firm_profiles")),
        sa.UniqueConstraint("organization_id", name=op.f("uq_firm_profiles_organization_id")),
    )
    op.create_table(
        "firm_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("poster_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("desk_request_id", sa.Integer(), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("sector", sa.String(length=40), nullable=True),
        sa.Column("sensitivity", sa.String(length=20), nullable=False),
        sa.Column("certifications", sa.JSON(), nullable=False),
        sa.Column("budget_min", sa.BigInteger(), nullable=False),
        sa.Column("budget_max", sa.BigInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("firm_id", sa.Integer(), nullable=True),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("dataset", sa.String(length=100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("delivery_note", sa.Text(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=True),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.Column("awarded_at", datanuri.store.db.UTCDateTime(), nullable=True),
        sa.Column("delivered_at", datanuri.store.db.UTCDateTime(), nullable=True),
        sa.Column("closed_at", datanuri.store.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["poster_id"], ["users.id"], name=op.f("fk_firm_projects_poster_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_firm_projects_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["firm_id"], ["organizations.id"], name=op.f("fk_firm_projects_firm_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firm_projects")),
    )
    with op.batch_alter_table("firm_projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_firm_projects_poster_id"), ["poster_id"])
        batch_op.create_index(batch_op.f("ix_firm_projects_desk_request_id"), ["desk_request_id"])
        batch_op.create_index(batch_op.f("ix_firm_projects_status"), ["status"])
    op.create_table(
        "firm_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sent_by", sa.Integer(), nullable=False),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.Column("decided_at", datanuri.store.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["firm_projects.id"],
            name=op.f("fk_firm_offers_project_id_firm_projects"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_firm_offers_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["sent_by"], ["users.id"], name=op.f("fk_firm_offers_sent_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firm_offers")),
        sa.UniqueConstraint(
            "project_id", "organization_id", "round", name=op.f("uq_firm_offers_project_id")
        ),
    )
    with op.batch_alter_table("firm_offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_firm_offers_project_id"), ["project_id"])
        batch_op.create_index(batch_op.f("ix_firm_offers_organization_id"), ["organization_id"])


def downgrade() -> None:
    op.drop_table("firm_offers")
    op.drop_table("firm_projects")
    op.drop_table("firm_profiles")
