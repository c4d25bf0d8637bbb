"""job state: what the running scheduler knows, for `status`

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

import monitor.schema

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_state",
        sa.Column("job", sa.String(length=100), nullable=False),
        sa.Column("next_run_at", monitor.schema.UtcDateTime(timezone=True), nullable=True),
        sa.Column("waiting_until", monitor.schema.UtcDateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("operator_told", sa.Boolean(), nullable=False),
        sa.Column("updated_at", monitor.schema.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job"),
    )


def downgrade() -> None:
    op.drop_table("job_state")
