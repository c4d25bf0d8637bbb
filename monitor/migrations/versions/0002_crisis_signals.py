"""crisis signals: threads surging against their platform's baseline

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import monitor.schema
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crisis_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_key", sa.String(length=300), nullable=False),
        sa.Column("window_start", monitor.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("window_end", monitor.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("mentions", sa.Integer(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("p_value", sa.Float(), nullable=False),
        sa.Column("negative", sa.Integer(), nullable=False),
        sa.Column("expected_negative", sa.Float(), nullable=False),
        sa.Column("p_value_negative", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                  nullable=False),
        sa.Column("detected_at", monitor.schema.UtcDateTime(timezone=True), nullable=False),
        sa.Column("routed_at", monitor.schema.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("thread_key"),
    )


def downgrade() -> None:
    op.drop_table("crisis_signals")
