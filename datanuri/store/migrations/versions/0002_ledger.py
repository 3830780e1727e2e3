"""integrity ledger: state, leaves (with the subtree hashes each completes), checkpoints, cosignatures, witnesses

Revision ID: 0002_ledger
Revises: 0001_catalog
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0002_ledger"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None

KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    state = op.create_table(
        "ledger_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_state")),
    )
    op.create_table(
        "ledger_leaves",
        sa.Column("idx", KEY, autoincrement=False, nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("nodes", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_ledger_leaves")),
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("size", KEY, autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_ledger_checkpoints")),
    )
    op.create_table(
        "ledger_cosignatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_size", KEY, nullable=False),
        sa.Column("witness", sa.String(length=200), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_size"],
            ["ledger_checkpoints.size"],
            name=op.f("fk_ledger_cosignatures_checkpoint_size_ledger_checkpoints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_cosignatures")),
        sa.UniqueConstraint(
            "checkpoint_size", "witness", name=op.f("uq_ledger_cosignatures_checkpoint_size")
        ),
    )
    with op.batch_alter_table("ledger_cosignatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_cosignatures_checkpoint_size"), ["checkpoint_size"], unique=False
        )

    op.create_table(
        "ledger_witnesses",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("vkey", sa.Text(), nullable=False),
        sa.Column("added_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ledger_witnesses")),
    )
    # The single counter row appenders lock; empty tree.
    op.bulk_insert(
        state, [{"id": 1, "size": 0, "frontier": b"", "updated_at": datanuri.store.db.utcnow()}]
    )


def downgrade() -> None:
    op.drop_table("ledger_witnesses")
    with op.batch_alter_table("ledger_cosignatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_cosignatures_checkpoint_size"))
    op.drop_table("ledger_cosignatures")
    op.drop_table("ledger_checkpoints")
    op.drop_table("ledger_leaves")
    op.drop_table("ledger_state")
