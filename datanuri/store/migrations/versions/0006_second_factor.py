"""second factor (TOTP, passkeys, recovery codes), pending logins, auth events and alerts

Revision ID: 0006_second_factor
Revises: 0001_catalog
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0006_second_factor"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("time", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("network", sa.String(length=64), nullable=False),
        sa.Column("device", sa.String(length=32), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("trusted", sa.Boolean(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_events")),
    )
    with op.batch_alter_table("auth_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_events_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_auth_events_network"), ["network"], unique=False)
        batch_op.create_index(batch_op.f("ix_auth_events_time"), ["time"], unique=False)
        batch_op.create_index(batch_op.f("ix_auth_events_token_id"), ["token_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_auth_events_user_id"), ["user_id"], unique=False)

    op.create_table(
        "security_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("time", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("network", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=False),
        sa.Column("acknowledged_at", datanuri.store.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_alerts")),
    )
    with op.batch_alter_table("security_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_security_alerts_time"), ["time"], unique=False)
        batch_op.create_index(batch_op.f("ix_security_alerts_user_id"), ["user_id"], unique=False)

    op.create_table(
        "login_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("webauthn_challenge", sa.String(length=200), nullable=True),
        sa.Column("pending_secret", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_challenges_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_challenges")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_login_challenges_secret_hash")),
    )
    with op.batch_alter_table("login_challenges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_challenges_user_id"), ["user_id"], unique=False)

    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", datanuri.store.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_codes_code_hash")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_codes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "second_factors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.Column("credential_id", sa.String(length=1400), nullable=True),
        sa.Column("public_key", sa.Text(), nullable=True),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("created_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", datanuri.store.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_second_factors_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_second_factors")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_second_factors_credential_id")),
    )
    with op.batch_alter_table("second_factors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_second_factors_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("second_factors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_second_factors_user_id"))

    op.drop_table("second_factors")
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_user_id"))

    op.drop_table("recovery_codes")
    with op.batch_alter_table("login_challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_challenges_user_id"))

    op.drop_table("login_challenges")
    with op.batch_alter_table("security_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_security_alerts_user_id"))
        batch_op.drop_index(batch_op.f("ix_security_alerts_time"))

    op.drop_table("security_alerts")
    with op.batch_alter_table("auth_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_events_user_id"))
        batch_op.drop_index(batch_op.f("ix_auth_events_token_id"))
        batch_op.drop_index(batch_op.f("ix_auth_events_time"))
        batch_op.drop_index(batch_op.f("ix_auth_events_network"))
        batch_op.drop_index(batch_op.f("ix_auth_events_email"))

    op.drop_table("auth_events")
