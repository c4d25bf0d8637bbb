"""mentions.version: which edit of a post is stored, so a later edit replaces an earlier one

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mentions", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("version", sa.String(length=40), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN in place (SQLite 3.35+): a batch rebuild would drop and
    # recreate `mentions`, and with foreign keys on that deletes every assessment and image.
    with op.batch_alter_table("mentions", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("version")
