"""incident lifecycle, silences, outbox backoff

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa
import monitor.schema
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('silences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=300), nullable=False),
    sa.Column('until', monitor.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', monitor.schema.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('route', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('level', sa.String(length=10), nullable=False, server_default='normal'))
        batch_op.add_column(sa.Column('group_wait', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('group_interval', sa.Integer(), nullable=False, server_default='30'))
        batch_op.add_column(sa.Column('repeat_interval', sa.Integer(), nullable=False, server_default='240'))
        batch_op.add_column(sa.Column('message_id', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('last_notified_at', monitor.schema.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('notified_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('notified_level', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', monitor.schema.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('resolved_at', monitor.schema.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sla_due_at', monitor.schema.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', monitor.schema.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('next_check_at', monitor.schema.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('topic_terms', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('first_posted_at', monitor.schema.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('history', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='[]'))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', monitor.schema.UtcDateTime(timezone=True), nullable=True))

    # Incidents opened before this revision already had their opening email: record it as such,
    # so the new notification step does not send it again.
    op.execute(
        "UPDATE incidents SET last_notified_at = opened_at, notified_count = mention_count, "
        "message_id = (SELECT MIN(outbox.message_id) FROM outbox WHERE outbox.incident_id = incidents.id)"
    )



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('first_posted_at')
        batch_op.drop_column('topic_terms')
        batch_op.drop_column('next_check_at')
        batch_op.drop_column('history')
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('sla_due_at')
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('acknowledged_by')
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('notified_level')
        batch_op.drop_column('notified_count')
        batch_op.drop_column('last_notified_at')
        batch_op.drop_column('message_id')
        batch_op.drop_column('repeat_interval')
        batch_op.drop_column('group_interval')
        batch_op.drop_column('group_wait')
        batch_op.drop_column('level')
        batch_op.drop_column('route')

    op.drop_table('silences')
