"""jobs: the dataset a job works on, and its restricted (row-bearing) result apart

Revision ID: 0007_integrity
Revises: 0001_catalog
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_integrity"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("restricted", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("dataset", sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f("ix_jobs_dataset"), ["dataset"], unique=False)
    # Results stored before this revision may hold row values: move them to the restricted
    # part (read only under the dataset's rules) and note the dataset each job worked on.
    jobs = sa.table(
        "jobs",
        sa.column("id", sa.String()),
        sa.column("params", sa.JSON()),
        sa.column("result", sa.JSON()),
        sa.column("restricted", sa.JSON()),
        sa.column("dataset", sa.String()),
    )
    conn = op.get_bind()
    for row in conn.execute(sa.select(jobs.c.id, jobs.c.params, jobs.c.result)).all():
        dataset = (row.params or {}).get("dataset")
        values: dict[str, object] = {"dataset": dataset if isinstance(dataset, str) else None}
        if row.result is not None:
            values |= {"restricted": row.result, "result": None}
        conn.execute(sa.update(jobs).where(jobs.c.id == row.id).values(**values))


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_dataset"))
        batch_op.drop_column("dataset")
        batch_op.drop_column("restricted")
