"""outbox: e-mails queued in the transaction of what they tell, sent by the workflow; each person's mail preference;
each carrier's order address

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-15 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outgoing_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=250), nullable=False),
        sa.Column('text_body', sa.Text(), nullable=False),
        sa.Column('html_body', sa.Text(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('key', sa.String(length=120), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('dispatch_pending', sa.Boolean(), nullable=False),
        sa.Column('dispatch_attempts', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['number_request.id'],
                                name=op.f('fk_outgoing_mail_request_id_number_request')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_outgoing_mail_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail')),
        sa.UniqueConstraint('key', name=op.f('uq_outgoing_mail_key')),
    )
    op.create_index(op.f('ix_outgoing_mail_request_id'), 'outgoing_mail', ['request_id'])
    op.create_index(op.f('ix_outgoing_mail_created_at'), 'outgoing_mail', ['created_at'])
    op.create_index(op.f('ix_outgoing_mail_sent_at'), 'outgoing_mail', ['sent_at'])
    op.create_table(
        'mail_attachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mail_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['mail_id'], ['outgoing_mail.id'],
                                name=op.f('fk_mail_attachment_mail_id_outgoing_mail'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_mail_attachment_document_id_document')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_attachment')),
    )
    op.create_index(op.f('ix_mail_attachment_mail_id'), 'mail_attachment', ['mail_id'])
    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(sa.Column('mail_preference', sa.String(length=16), server_default='immediately',
                                      nullable=False))
    with op.batch_alter_table('carrier') as batch_op:
        batch_op.add_column(sa.Column('order_email', sa.String(length=254), server_default='', nullable=False))


def downgrade():
    # SQLite drops the columns in place: rebuilding these tables would break the keys that refer to them.
    with op.batch_alter_table('carrier', recreate='never') as batch_op:
        batch_op.drop_column('order_email')
    with op.batch_alter_table('user', recreate='never') as batch_op:
        batch_op.drop_column('mail_preference')
    op.drop_index(op.f('ix_mail_attachment_mail_id'), table_name='mail_attachment')
    op.drop_table('mail_attachment')
    op.drop_index(op.f('ix_outgoing_mail_sent_at'), table_name='outgoing_mail')
    op.drop_index(op.f('ix_outgoing_mail_created_at'), table_name='outgoing_mail')
    op.drop_index(op.f('ix_outgoing_mail_request_id'), table_name='outgoing_mail')
    op.drop_table('outgoing_mail')
