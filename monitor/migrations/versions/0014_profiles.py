"""profiles: the latest public profile of each official channel and registered ASV account (#16)

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import monitor.schema

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

JsonDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("handle", sa.String(length=200), nullable=False),
        sa.Column("handle_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("readable", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("problem", sa.Text(), nullable=False, server_default=""),
        sa.Column("checked_at", monitor.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("fetched_at", monitor.schema.UtcDateTime(timezone=True), nullable=True),
        sa.Column("display_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("bio", sa.Text(), nullable=False, server_default=""),
        sa.Column("avatar_url", sa.Text(), nullable=False, server_default=""),
        sa.Column("url", sa.Text(), nullable=False, server_default=""),
        sa.Column("avatar_state", sa.String(length=10), nullable=False, server_default="none"),
        sa.Column("avatar_skip_reason", sa.Text(), nullable=True),
        sa.Column("avatar_sha256", sa.String(length=64), nullable=True),
        sa.Column("avatar_phash", sa.String(length=64), nullable=True),
        sa.Column("avatar_thumbnail", sa.LargeBinary(), nullable=True),
        sa.Column("logo_findings", JsonDoc, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "handle_key", name="uq_profiles_account"),
    )


def downgrade() -> None:
    op.drop_table("profiles")
