"""safe for years: unknown send outcomes counted, minimised mentions, heartbeat pings (#12)

Revision ID: 0006
Revises: 0004 (the lead re-points this after #11's 0005)
"""

import sqlalchemy as sa
from alembic import op

import monitor.schema

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("unknown_outcomes", sa.Integer(), nullable=False, server_default="0"))
    op.add_column(
        "mentions", sa.Column("minimised_at", monitor.schema.UtcDateTime(timezone=True), nullable=True)
    )
    op.create_table(
        "heartbeats",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("at", monitor.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kind"),
    )


def downgrade() -> None:
    op.drop_table("heartbeats")
    with op.batch_alter_table("mentions") as batch:
        batch.drop_column("minimised_at")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("unknown_outcomes")
