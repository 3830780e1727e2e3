"""double-entry books of the data market: accounts, insert-only journal entries and postings

Revision ID: 0021_market_books
Revises: 0017_rate_buckets
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0021_market_books"
down_revision = "0017_rate_buckets"
branch_labels = None
depends_on = None

INSERT_ONLY = ("book_accounts", "book_entries", "book_postings")


def upgrade() -> None:
    op.create_table(
        "book_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_kind", sa.String(length=10), nullable=False),
        sa.Column("owner_ref", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("normal_side", sa.String(length=6), nullable=False),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_book_accounts")),
        sa.UniqueConstraint(
            "owner_kind",
            "owner_ref",
            "type",
            "currency",
            name=op.f("uq_book_accounts_owner_kind"),
        ),
    )
    op.create_table(
        "book_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("holder_account_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("ledger_index", sa.Integer(), nullable=True),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["book_entries.id"],
            name=op.f("fk_book_entries_reverses_id_book_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["holder_account_id"],
            ["book_accounts.id"],
            name=op.f("fk_book_entries_holder_account_id_book_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_book_entries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_book_entries_idempotency_key")),
    )
    with op.batch_alter_table("book_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_book_entries_reverses_id"), ["reverses_id"], unique=False
        )
    op.create_table(
        "book_postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_book_postings_nonzero")),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["book_entries.id"], name=op.f("fk_book_postings_entry_id_book_entries")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["book_accounts.id"],
            name=op.f("fk_book_postings_account_id_book_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_book_postings")),
    )
    with op.batch_alter_table("book_postings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_book_postings_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_book_postings_account_id"), ["account_id"], unique=False
        )
    op.create_table(
        "book_balances",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.Column("last_entry_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["book_accounts.id"],
            name=op.f("fk_book_balances_account_id_book_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["last_entry_id"],
            ["book_entries.id"],
            name=op.f("fk_book_balances_last_entry_id_book_entries"),
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_book_balances")),
    )
    _refuse_changes()


def _refuse_changes() -> None:
    """The database itself refuses UPDATE and DELETE on accounts, entries and postings."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION book_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'the books are insert-only: % on % refused', TG_OP, "
            "TG_TABLE_NAME; END $$"
        )
        for table in INSERT_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_insert_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION book_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION book_refuse_change()"
            )
        return
    for table in INSERT_ONLY:
        for what in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{what.lower()} BEFORE {what} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'the books are insert-only: {what} on {table} "
                "refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in INSERT_ONLY:
            op.execute(f"DROP TRIGGER {table}_insert_only ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION book_refuse_change()")
    else:
        for table in INSERT_ONLY:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
    op.drop_table("book_balances")
    op.drop_table("book_postings")
    op.drop_table("book_entries")
    op.drop_table("book_accounts")
