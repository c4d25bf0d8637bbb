"""media: what an image's logo findings mean (decision) and when routing took them (routed_at) (#16)

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

import monitor.schema

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("media") as batch:
        batch.add_column(sa.Column("decision", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("routed_at", monitor.schema.UtcDateTime(timezone=True), nullable=True))
    op.create_index("ix_media_unrouted", "media", ["routed_at"])


def downgrade() -> None:
    op.drop_index("ix_media_unrouted", table_name="media")
    with op.batch_alter_table("media") as batch:
        batch.drop_column("routed_at")
        batch.drop_column("decision")
