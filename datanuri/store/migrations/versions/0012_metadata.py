"""dataset metadata: coverage regions, 갱신주기, contact phone, provision type, citation, DOI,
column notes; view/download counts; feedback; attached documents

Revision ID: 0012_metadata
Revises: 0001_catalog
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db
from datanuri.regions import NATIONWIDE, parse_regions, sido_list

revision = "0012_metadata"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None


def _regions(text: str | None) -> list[str]:
    """Region ids of an old free-text coverage (as catalog/vocab.py's regions_from_text, kept
    here so the migration does not change when the catalog does)."""
    if not text:
        return []
    codes = {s.name: s.code for s in sido_list()}
    found = [
        codes[r.sido] if r.sigungu is None else f"{codes[r.sido]}:{r.sigungu}"
        for r in parse_regions(text)
    ]
    if not found and any(w in text.lower() for w in NATIONWIDE):
        found = ["00"]
    return found


def upgrade() -> None:
    with op.batch_alter_table("datasets", schema=None) as b:
        b.add_column(sa.Column("regions", sa.JSON(), nullable=False, server_default="[]"))
        b.add_column(sa.Column("update_frequency", sa.String(length=20), nullable=True))
        b.add_column(sa.Column("contact_phone", sa.String(length=30), nullable=True))
        b.add_column(sa.Column("provision_type", sa.String(length=20), nullable=True))
        b.add_column(sa.Column("citation", sa.Text(), nullable=True))
        b.add_column(sa.Column("doi", sa.String(length=200), nullable=True))
        b.add_column(sa.Column("column_notes", sa.JSON(), nullable=False, server_default="{}"))
    datasets = sa.table(
        "datasets",
        sa.column("id", sa.Integer()),
        sa.column("spatial", sa.String()),
        sa.column("regions", sa.JSON()),
    )
    conn = op.get_bind()
    for row in conn.execute(sa.select(datasets.c.id, datasets.c.spatial)).all():
        found = _regions(row.spatial)
        if found:
            conn.execute(sa.update(datasets).where(datasets.c.id == row.id).values(regions=found))
    op.create_table(
        "dataset_counts",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("views", sa.BigInteger(), nullable=False),
        sa.Column("downloads", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_dataset_counts_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", name=op.f("pk_dataset_counts")),
    )
    op.create_table(
        "dataset_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=320), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("handled_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_dataset_feedback_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_dataset_feedback_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_feedback")),
    )
    with op.batch_alter_table("dataset_feedback", schema=None) as b:
        b.create_index(b.f("ix_dataset_feedback_dataset_id"), ["dataset_id"], unique=False)
        b.create_index(b.f("ix_dataset_feedback_user_id"), ["user_id"], unique=False)
    op.create_table(
        "dataset_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("blob_hash", sa.String(length=64), nullable=False),
        sa.Column("byte_size", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_dataset_documents_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_documents")),
    )
    with op.batch_alter_table("dataset_documents", schema=None) as b:
        b.create_index(b.f("ix_dataset_documents_dataset_id"), ["dataset_id"], unique=False)


def downgrade() -> None:
    op.drop_table("dataset_documents")
    op.drop_table("dataset_feedback")
    op.drop_table("dataset_counts")
    with op.batch_alter_table("datasets", schema=None) as b:
        for col in (
            "column_notes",
            "doi",
            "citation",
            "provision_type",
            "contact_phone",
            "update_frequency",
            "regions",
        ):
            b.drop_column(col)
