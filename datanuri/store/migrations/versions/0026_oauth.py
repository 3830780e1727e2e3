"""MyData's OAuth 2 authorization server: clients, pushed requests, codes, tokens, DPoP proofs

Revision ID: 0026_oauth
Revises: 0024_decisions
"""

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0026_oauth"
down_revision = "0024_decisions"
branch_labels = None
depends_on = None

T = datanuri.store.db.UTCDateTime


def _fk(table: str, col: str, other: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([col], [f"{other}.id"], name=op.f(f"fk_{table}_{col}_{other}"))


def upgrade() -> None:
    op.create_table(
        "oauth_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("jwks", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", T(), nullable=False),
        _fk("oauth_clients", "organization_id", "organizations"),
        _fk("oauth_clients", "created_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_clients")),
        sa.UniqueConstraint("client_id", name=op.f("uq_oauth_clients_client_id")),
    )
    op.create_index(op.f("ix_oauth_clients_organization_id"), "oauth_clients", ["organization_id"])
    op.create_table(
        "oauth_pushed_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("expires_at", T(), nullable=False),
        sa.Column("used_at", T(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_pushed_requests")),
        sa.UniqueConstraint("ref", name=op.f("uq_oauth_pushed_requests_ref")),
    )
    op.create_index(
        op.f("ix_oauth_pushed_requests_client_id"), "oauth_pushed_requests", ["client_id"]
    )
    op.create_table(
        "oauth_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.String(length=64), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2000), nullable=False),
        sa.Column("code_challenge", sa.String(length=128), nullable=False),
        sa.Column("code_challenge_method", sa.String(length=10), nullable=False),
        sa.Column("expires_at", T(), nullable=False),
        sa.Column("used_at", T(), nullable=True),
        _fk("oauth_codes", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_oauth_codes_code_hash")),
    )
    op.create_index(op.f("ix_oauth_codes_client_id"), "oauth_codes", ["client_id"])
    op.create_table(
        "oauth_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("access_hash", sa.String(length=64), nullable=False),
        sa.Column("refresh_hash", sa.String(length=64), nullable=True),
        sa.Column("family", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.String(length=64), nullable=False),
        sa.Column("jkt", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("issued_at", T(), nullable=False),
        sa.Column("expires_at", T(), nullable=False),
        sa.Column("refresh_expires_at", T(), nullable=True),
        sa.Column("rotated_at", T(), nullable=True),
        sa.Column("revoked_at", T(), nullable=True),
        _fk("oauth_tokens", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_tokens")),
        sa.UniqueConstraint("access_hash", name=op.f("uq_oauth_tokens_access_hash")),
        sa.UniqueConstraint("refresh_hash", name=op.f("uq_oauth_tokens_refresh_hash")),
    )
    op.create_index(op.f("ix_oauth_tokens_family"), "oauth_tokens", ["family"])
    op.create_index(op.f("ix_oauth_tokens_client_id"), "oauth_tokens", ["client_id"])
    op.create_index(op.f("ix_oauth_tokens_consent_id"), "oauth_tokens", ["consent_id"])
    op.create_table(
        "oauth_dpop_proofs",
        sa.Column("jti_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", T(), nullable=False),
        sa.PrimaryKeyConstraint("jti_hash", name=op.f("pk_oauth_dpop_proofs")),
    )
    op.create_index(op.f("ix_oauth_dpop_proofs_expires_at"), "oauth_dpop_proofs", ["expires_at"])


def downgrade() -> None:
    op.drop_table("oauth_dpop_proofs")
    op.drop_table("oauth_tokens")
    op.drop_table("oauth_codes")
    op.drop_table("oauth_pushed_requests")
    op.drop_table("oauth_clients")
