"""media: the images each mention carries, one row per image, for the logo analysis (#16)

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import monitor.schema

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JsonDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", Id, nullable=False),
        sa.Column("mention_id", Id, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("alt", sa.Text(), nullable=False, server_default=""),
        sa.Column("state", sa.String(length=10), nullable=False, server_default="pending"),
        sa.Column("skip_reason", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("phash", sa.String(length=64), nullable=True),
        sa.Column("thumbnail", sa.LargeBinary(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("findings", JsonDoc, nullable=False, server_default="[]"),
        sa.Column("analysed_at", monitor.schema.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["mention_id"], ["mentions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mention_id", "position", name="uq_media_mention_position"),
    )
    op.create_index("ix_media_state", "media", ["state"])


def downgrade() -> None:
    op.drop_index("ix_media_state", table_name="media")
    op.drop_table("media")
