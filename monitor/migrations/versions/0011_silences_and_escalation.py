"""silences with matchers that can be lifted; incidents carry other categories and an escalation step

Existing silences keep muting exactly what they did: their kind and value become their one matcher.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import monitor.schema

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

JsonDoc = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("silences") as batch:
        batch.add_column(sa.Column("matchers", JsonDoc, nullable=True))
        batch.add_column(sa.Column("lifted_at", monitor.schema.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("lifted_by", sa.String(length=200), nullable=False, server_default=""))
    silences = sa.table(
        "silences", sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("value", sa.String),
        sa.column("matchers", JsonDoc),
    )
    bind = op.get_bind()
    for row_id, kind, value in bind.execute(sa.select(silences.c.id, silences.c.kind, silences.c.value)).all():
        bind.execute(silences.update().where(silences.c.id == row_id).values(matchers={kind: value}))
    with op.batch_alter_table("silences") as batch:
        batch.alter_column("matchers", existing_type=JsonDoc, nullable=False)
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("also_categories", JsonDoc, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("escalation_step", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("escalated_at", monitor.schema.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("first_notified_at", monitor.schema.UtcDateTime(timezone=True), nullable=True))
    # An incident already emailed starts its chain from its last email.
    op.execute("UPDATE incidents SET first_notified_at = last_notified_at")


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("first_notified_at")
        batch.drop_column("escalated_at")
        batch.drop_column("escalation_step")
        batch.drop_column("also_categories")
    with op.batch_alter_table("silences") as batch:
        batch.drop_column("lifted_by")
        batch.drop_column("lifted_at")
        batch.drop_column("matchers")
