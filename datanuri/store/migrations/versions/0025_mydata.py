"""MyData: people's linking identifiers, holders' offers and CI indexes, consents, transfers

Revision ID: 0025_mydata
Revises: 0024_decisions
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0025_mydata"
down_revision = "0024_decisions"
branch_labels = None
depends_on = None

T = datanuri.store.db.UTCDateTime


def _fk(table: str, col: str, other: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([col], [f"{other}.id"], name=op.f(f"fk_{table}_{col}_{other}"))


def _ix(table: str, *cols: str, unique: bool = False) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(cols)}"), table, list(cols), unique=unique)


def upgrade() -> None:
    op.create_table(
        "mydata_persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("ci", sa.String(length=64), nullable=False),
        sa.Column("linked_at", T(), nullable=False),
        sa.Column("linked_by", sa.String(length=100), nullable=False),
        sa.Column("ledger_index", sa.Integer(), nullable=True),
        _fk("mydata_persons", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mydata_persons")),
        sa.UniqueConstraint("user_id", name=op.f("uq_mydata_persons_user_id")),
        sa.UniqueConstraint("ci", name=op.f("uq_mydata_persons_ci")),
    )
    op.create_table(
        "mydata_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("subject_column", sa.String(length=200), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("updated_at", T(), nullable=False),
        sa.Column("ledger_index", sa.Integer(), nullable=True),
        _fk("mydata_offers", "dataset_id", "datasets"),
        _fk("mydata_offers", "organization_id", "organizations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mydata_offers")),
        sa.UniqueConstraint("dataset_id", name=op.f("uq_mydata_offers_dataset_id")),
    )
    _ix("mydata_offers", "organization_id")
    op.create_table(
        "mydata_indexes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        _fk("mydata_indexes", "offer_id", "mydata_offers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mydata_indexes")),
        sa.UniqueConstraint("offer_id", "version", name=op.f("uq_mydata_indexes_offer_id")),
    )
    _ix("mydata_indexes", "offer_id")
    op.create_table(
        "mydata_consents",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("record_version", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("recipient_client_id", sa.String(length=200), nullable=False),
        sa.Column("recipient_name", sa.String(length=300), nullable=False),
        sa.Column("recipient_org", sa.String(length=100), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("created_at", T(), nullable=False),
        sa.Column("expires_at", T(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("revoked_at", T(), nullable=True),
        sa.Column("revoked_by", sa.String(length=200), nullable=True),
        sa.Column("ended_index", sa.Integer(), nullable=True),
        sa.Column("ledger_index", sa.Integer(), nullable=False),
        sa.Column("deletion_acknowledged_at", T(), nullable=True),
        sa.Column("last_transfer_at", T(), nullable=True),
        _fk("mydata_consents", "user_id", "users"),
        _fk("mydata_consents", "offer_id", "mydata_offers"),
        _fk("mydata_consents", "organization_id", "organizations"),
        _fk("mydata_consents", "dataset_id", "datasets"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mydata_consents")),
    )
    for col in (
        "user_id",
        "offer_id",
        "organization_id",
        "recipient_client_id",
        "expires_at",
        "status",
    ):
        _ix("mydata_consents", col)
    op.create_table(
        "mydata_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.String(length=40), nullable=False),
        sa.Column("at", T(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("rows_sha256", sa.String(length=64), nullable=False),
        sa.Column("ledger_index", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"],
            ["mydata_consents.id"],
            name=op.f("fk_mydata_transfers_consent_id_mydata_consents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mydata_transfers")),
    )
    _ix("mydata_transfers", "consent_id")


def downgrade() -> None:
    for table in (
        "mydata_transfers",
        "mydata_consents",
        "mydata_indexes",
        "mydata_offers",
        "mydata_persons",
    ):
        op.drop_table(table)
