"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 06:00:15.582214
"""

from alembic import op
import sqlalchemy as sa
import monitor.schema
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('handle', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('committee', sa.String(length=200), nullable=False),
    sa.Column('admins', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('comms_access', sa.Boolean(), nullable=False),
    sa.Column('logo_approved', sa.Boolean(), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'handle', name='uq_accounts_platform_handle')
    )
    op.create_table('connector_cursors',
    sa.Column('connector', sa.String(length=100), nullable=False),
    sa.Column('cursor', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', monitor.schema.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('connector')
    )
    op.create_table('connector_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connector', sa.String(length=100), nullable=False),
    sa.Column('started_at', monitor.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', monitor.schema.UtcDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('fetched', sa.Integer(), nullable=False),
    sa.Column('stored', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('connector_runs', schema=None) as batch_op:
        batch_op.create_index('ix_connector_runs_connector', ['connector', 'started_at'], unique=False)

    op.create_table('mentions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('platform_id', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=50), nullable=False),
    sa.Column('author_handle', sa.String(length=200), nullable=False),
    sa.Column('author_name', sa.String(length=300), nullable=False),
    sa.Column('author_reach', sa.BigInteger(), nullable=True),
    sa.Column('channel_kind', sa.String(length=20), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('lang', sa.String(length=20), nullable=True),
    sa.Column('created_at', monitor.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('thread_id', sa.String(length=200), nullable=True),
    sa.Column('in_reply_to_id', sa.String(length=200), nullable=True),
    sa.Column('is_official', sa.Boolean(), nullable=False),
    sa.Column('raw', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('ingested_at', monitor.schema.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'platform_id', name='uq_mentions_platform_id')
    )
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.create_index('ix_mentions_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_mentions_thread', ['platform', 'thread_id'], unique=False)

    op.create_table('assessments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('mention_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('scorer_version', sa.String(length=50), nullable=False),
    sa.Column('sentiment', sa.Float(), nullable=False),
    sa.Column('scores', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('flags', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('created_at', monitor.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('routed_at', monitor.schema.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('mention_id', 'scorer_version', name='uq_assessments_mention_version')
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index('ix_assessments_unrouted', ['routed_at'], unique=False)

    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('role', sa.String(length=50), nullable=False),
    sa.Column('clause', sa.String(length=200), nullable=False),
    sa.Column('thread_key', sa.String(length=300), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('opened_at', monitor.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', monitor.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('mention_count', sa.Integer(), nullable=False),
    sa.Column('first_mention_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['first_mention_id'], ['mentions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_open_key', ['status', 'category', 'thread_key'], unique=False)

    op.create_table('incident_mentions',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('mention_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('added_at', monitor.schema.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', 'mention_id')
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.String(length=300), nullable=False),
    sa.Column('to_addr', sa.String(length=300), nullable=False),
    sa.Column('subject', sa.String(length=400), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', monitor.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', monitor.schema.UtcDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', monitor.schema.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_status', ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status')

    op.drop_table('outbox')
    op.drop_table('incident_mentions')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_open_key')

    op.drop_table('incidents')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_assessments_unrouted')

    op.drop_table('assessments')
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_index('ix_mentions_thread')
        batch_op.drop_index('ix_mentions_created_at')

    op.drop_table('mentions')
    with op.batch_alter_table('connector_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_connector_runs_connector')

    op.drop_table('connector_runs')
    op.drop_table('connector_cursors')
    op.drop_table('accounts')
