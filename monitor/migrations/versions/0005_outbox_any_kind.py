"""outbox carries any message kind: a kind column; to_addr, subject, message become recipient, title, payload

Every row already queued or sent is an email and stays exactly as it was, with kind 'email'.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # On SQLite batch mode copies the table into its new shape; on PostgreSQL these are ALTERs.
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=20), server_default="email", nullable=False))
        batch.alter_column("to_addr", new_column_name="recipient", existing_type=sa.String(length=300), existing_nullable=False)
        batch.alter_column("subject", new_column_name="title", existing_type=sa.String(length=400), existing_nullable=False)
        batch.alter_column("message", new_column_name="payload", existing_type=sa.Text(), existing_nullable=False)


def downgrade() -> None:
    bind = op.get_bind()
    others = bind.execute(sa.text("SELECT count(*) FROM outbox WHERE kind <> 'email'")).scalar()
    if others:
        # The old table can only hold emails; dropping the rest would lose messages silently.
        raise RuntimeError(
            f"the outbox holds {others} message(s) that are not emails; send or delete them "
            "(DELETE FROM outbox WHERE kind <> 'email') before downgrading below 0005"
        )
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("payload", new_column_name="message", existing_type=sa.Text(), existing_nullable=False)
        batch.alter_column("title", new_column_name="subject", existing_type=sa.String(length=400), existing_nullable=False)
        batch.alter_column("recipient", new_column_name="to_addr", existing_type=sa.String(length=300), existing_nullable=False)
        batch.drop_column("kind")
