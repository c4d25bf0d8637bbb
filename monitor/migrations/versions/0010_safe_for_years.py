"""safe for years: unknown send outcomes counted, minimised mentions, heartbeat pings (#12)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

import monitor.schema

revision = "0010"
down_revision = "0009"
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
    # Before this revision 'sending' spanned the whole hand-over, so a row a crash left there may
    # have been delivered: that is what 'delivering' means now (ask the transport, resend only if
    # it cannot tell). Left as 'sending' it would be resent blindly: a duplicate from Maildir too.
    op.execute(sa.text("UPDATE outbox SET status = 'delivering' WHERE status = 'sending'"))


def downgrade() -> None:
    # The older code asks the transport about every 'sending' row, which is what 'delivering' needs.
    op.execute(sa.text("UPDATE outbox SET status = 'sending' WHERE status = 'delivering'"))
    op.drop_table("heartbeats")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not batch mode: batch copies `mentions`
    # and drops the old table, which SQLite refuses while incidents point at its rows.
    op.drop_column("mentions", "minimised_at")
    op.drop_column("outbox", "unknown_outcomes")
