"""jobs: a durable queue (run_after, lease, attempts, scopes, the staged upload's blob)

Revision ID: 0015_job_queue
Revises: 0014_search_ranking
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0015_job_queue"
down_revision = "0014_search_ranking"
branch_labels = None
depends_on = None

# Copied from datanuri.jobs.messages at this revision (a migration keeps the text of its time).
INTERRUPTED = (
    "The process running this job stopped before it finished. Nothing was published; run it again."
)
RECOVERED_DONE = (
    "done (the process stopped right after the work was committed; the result below is what exists)"
)


def upgrade() -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("run_after", datanuri.store.db.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("lease_until", datanuri.store.db.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("attempt", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("max_attempts", sa.Integer(), server_default="3", nullable=False)
        )
        batch_op.add_column(sa.Column("scopes", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("input_blob", sa.String(length=64), nullable=True))
    jobs = sa.table(
        "jobs",
        sa.column("status", sa.String),
        sa.column("result", sa.JSON),
        sa.column("message", sa.Text),
        sa.column("error", sa.JSON),
        sa.column("finished_at", sa.DateTime),
        sa.column("run_after", sa.DateTime),
        sa.column("created_at", sa.DateTime),
    )
    conn = op.get_bind()
    # Jobs of the old in-process runner were closures: nothing can run them again. Settle them
    # as its recovery did: succeeded if their outcome committed, else failed.
    unfinished = jobs.c.status.in_(("queued", "running"))
    conn.execute(
        sa.update(jobs)
        .where(unfinished & jobs.c.result.isnot(None))
        .values(status="succeeded", message=RECOVERED_DONE, finished_at=now)
    )
    conn.execute(
        sa.update(jobs)
        .where(unfinished)
        .values(
            status="failed",
            message=INTERRUPTED,
            error={"code": "interrupted", "message": INTERRUPTED},
            finished_at=now,
        )
    )
    conn.execute(sa.update(jobs).values(run_after=jobs.c.created_at))
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.alter_column(
            "run_after", existing_type=datanuri.store.db.UTCDateTime(), nullable=False
        )
        batch_op.create_index("ix_jobs_claim", ["status", "run_after"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_input_blob"), ["input_blob"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_input_blob"))
        batch_op.drop_index("ix_jobs_claim")
        batch_op.drop_column("input_blob")
        batch_op.drop_column("scopes")
        batch_op.drop_column("max_attempts")
        batch_op.drop_column("attempt")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("run_after")
