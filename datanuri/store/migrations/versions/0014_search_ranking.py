"""search ranking: official organisations and editable synonym sets

Revision ID: 0014_search_ranking
Revises: 0001_catalog
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

import datanuri.store.db

revision = "0014_search_ranking"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None

# The synonym sets shipped at this revision (datanuri.search.synonyms.SHIPPED, copied: a migration
# keeps the data of its time). Admins edit them afterwards.
SHIPPED = (
    ("대기질", "공기질", "대기오염", "공기", "air quality", "air pollution"),
    ("교통사고", "traffic accident", "road accident"),
    ("약국", "pharmacy", "drugstore"),
    ("주차장", "parking lot", "car park"),
    ("어린이집", "보육시설", "daycare"),
    ("와이파이", "무선인터넷", "wifi", "wi fi"),
    ("전기차", "전기자동차", "electric vehicle"),
    ("충전소", "충전기", "charging station"),
    ("자전거", "bicycle", "bike"),
    ("도서관", "library"),
    ("병원", "의료기관", "hospital"),
    ("인구", "population"),
    ("폐기물", "쓰레기", "waste"),
    ("가로등", "street light", "streetlight"),
    ("버스정류장", "버스정류소", "bus stop"),
)


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(
            sa.Column("official", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    table = op.create_table(
        "search_synonyms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("updated_at", datanuri.store.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_synonyms")),
    )
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        table,
        [{"terms": list(s), "origin": "shipped", "updated_at": now} for s in SHIPPED],
    )


def downgrade() -> None:
    op.drop_table("search_synonyms")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("official")
