"""audit chain: the chain's head (and lock), and the hashes of every event recorded before the chain

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 16:00:00

"""
from alembic import op
import sqlalchemy as sa

# The one definition of an event's hash: the chain written here must be the chain the app verifies.
from models.audit_trail import GENESIS, HEAD_ID, event_hash


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

audit_event = sa.table(
    'audit_event',
    sa.column('id', sa.Integer), sa.column('request_id', sa.Integer), sa.column('subject', sa.String),
    sa.column('actor_id', sa.Integer), sa.column('actor', sa.String), sa.column('action', sa.String),
    sa.column('from_state', sa.String), sa.column('to_state', sa.String), sa.column('comment', sa.Text),
    sa.column('data', sa.JSON), sa.column('at', sa.DateTime), sa.column('prev_hash', sa.String),
    sa.column('hash', sa.String),
)


def upgrade():
    head = op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    # Chain the events recorded so far, in the order they were recorded.
    connection = op.get_bind()
    prev_hash, last_id = GENESIS, None
    for row in connection.execute(sa.select(audit_event).order_by(audit_event.c.id)).all():
        row_hash = event_hash(prev_hash, row)
        connection.execute(sa.update(audit_event).where(audit_event.c.id == row.id)
                           .values(prev_hash=prev_hash, hash=row_hash))
        prev_hash, last_id = row_hash, row.id
    op.bulk_insert(head, [{'id': HEAD_ID, 'event_id': last_id, 'hash': prev_hash}])


def downgrade():
    op.drop_table('audit_chain_head')
    op.execute("UPDATE audit_event SET prev_hash = '', hash = ''")
