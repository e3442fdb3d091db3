"""pbx provisioning: an Asterisk PBX's manager interface and configuration folder, each branch's call distribution,
and the test calls that prove a number rings in its branch

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-09 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pbx_system', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ami_host', sa.String(length=253), server_default='127.0.0.1', nullable=False))
        batch_op.add_column(sa.Column('ami_port', sa.Integer(), server_default='5038', nullable=False))
        batch_op.add_column(sa.Column('ami_username', sa.String(length=80), server_default='', nullable=False))
        batch_op.add_column(sa.Column('ami_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('config_dir', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('sip_host', sa.String(length=253), server_default='127.0.0.1', nullable=False))
        batch_op.add_column(sa.Column('sip_port', sa.Integer(), server_default='5060', nullable=False))
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extensions', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('ring_strategy', sa.String(length=16), server_default='ringall',
                                      nullable=False))
        batch_op.add_column(sa.Column('ring_seconds', sa.Integer(), server_default='20', nullable=False))
        batch_op.add_column(sa.Column('fallback_voicemail', sa.String(length=81), server_default='', nullable=False))
        batch_op.add_column(sa.Column('open_hours', sa.String(length=500), server_default='', nullable=False))
    fallback = op.f('fk_department_fallback_department_id_department')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds the column with its reference in place. Recreating department for it, as a batch migration
        # does, would delete the table under the rows of the tables that refer to it.
        op.execute('ALTER TABLE department ADD COLUMN fallback_department_id INTEGER '
                   f'CONSTRAINT {fallback} REFERENCES department (id)')
    else:
        op.add_column('department', sa.Column('fallback_department_id', sa.Integer(), nullable=True))
        op.create_foreign_key(fallback, 'department', 'department', ['fallback_department_id'], ['id'])
    op.create_table(
        'test_call',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('phone_number_id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.Column('requested_by', sa.String(length=120), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=True),
        sa.Column('passed', sa.Boolean(), nullable=True),
        sa.Column('sip_status', sa.Integer(), nullable=True),
        sa.Column('seconds', sa.Float(), nullable=True),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('channel', sa.String(length=200), nullable=False),
        sa.Column('dispatch_pending', sa.Boolean(), nullable=False),
        sa.Column('dispatch_attempts', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['phone_number_id'], ['phone_number.id'],
                                name=op.f('fk_test_call_phone_number_id_phone_number')),
        sa.ForeignKeyConstraint(['request_id'], ['number_request.id'],
                                name=op.f('fk_test_call_request_id_number_request')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_test_call')),
    )
    op.create_index(op.f('ix_test_call_phone_number_id'), 'test_call', ['phone_number_id'])
    op.create_index(op.f('ix_test_call_request_id'), 'test_call', ['request_id'])


def downgrade():
    op.drop_index(op.f('ix_test_call_request_id'), table_name='test_call')
    op.drop_index(op.f('ix_test_call_phone_number_id'), table_name='test_call')
    op.drop_table('test_call')
    if op.get_bind().dialect.name != 'sqlite':  # SQLite drops the column with the reference it holds
        op.drop_constraint(op.f('fk_department_fallback_department_id_department'), 'department', type_='foreignkey')
    with op.batch_alter_table('department', schema=None, recreate='never') as batch_op:
        for column in ('open_hours', 'fallback_department_id', 'fallback_voicemail', 'ring_seconds', 'ring_strategy',
                       'extensions'):
            batch_op.drop_column(column)
    with op.batch_alter_table('pbx_system', schema=None, recreate='never') as batch_op:
        for column in ('sip_port', 'sip_host', 'config_dir', 'ami_secret', 'ami_username', 'ami_port', 'ami_host'):
            batch_op.drop_column(column)
