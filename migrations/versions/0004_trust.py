"""trust: users' branches, sign-in attempts, named expiring tokens, encrypted trunk secrets, who approved,
step errors, a hash-chained audit trail for more than requests, kept report versions

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_department',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_department_user_id_user'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'],
                            name=op.f('fk_user_department_department_id_department'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'department_id', name=op.f('pk_user_department'))
    )
    op.execute('INSERT INTO user_department (user_id, department_id) '
               'SELECT id, department_id FROM "user" WHERE department_id IS NOT NULL')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_user_department_id_department'), type_='foreignkey')
        batch_op.drop_column('department_id')
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        # Bumped when the password changes: sessions that carry an older value end.
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))

    op.create_table('sign_in_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_attempt'))
    )
    op.create_index('ix_sign_in_attempt_email_at', 'sign_in_attempt', ['email', 'at'])
    op.create_index('ix_sign_in_attempt_address_at', 'sign_in_attempt', ['address', 'at'])

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('carrier_order', schema=None) as batch_op:
        # The trunk's password, encrypted; carrier_order.trunk keeps everything else.
        batch_op.add_column(sa.Column('trunk_secret', sa.Text(), nullable=True))

    with op.batch_alter_table('number_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('step_error', sa.Text(), nullable=False, server_default=''))
        batch_op.create_foreign_key(op.f('fk_number_request_approved_by_id_user'), 'user', ['approved_by_id'], ['id'])
    op.execute("UPDATE number_request SET approved_by_id = (SELECT e.actor_id FROM audit_event e "
               "WHERE e.request_id = number_request.id AND e.action = 'approve' ORDER BY e.id DESC LIMIT 1)")

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('request_id', existing_type=sa.Integer(), nullable=True)
        # What an event that is not about a request is about, e.g. "user 5" or "carrier 2".
        batch_op.add_column(sa.Column('subject', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=False, server_default=''))

    with op.batch_alter_table('expense_report', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_expense_report_month'), type_='unique')
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.create_unique_constraint('uq_expense_report_month_version', ['month', 'version'])


def downgrade():
    with op.batch_alter_table('expense_report', schema=None) as batch_op:
        batch_op.drop_constraint('uq_expense_report_month_version', type_='unique')
        batch_op.drop_column('version')
        batch_op.create_unique_constraint(op.f('uq_expense_report_month'), ['month'])
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('subject')
    with op.batch_alter_table('number_request', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_number_request_approved_by_id_user'), type_='foreignkey')
        batch_op.drop_column('step_error')
        batch_op.drop_column('approved_by_id')
    with op.batch_alter_table('carrier_order', schema=None) as batch_op:
        batch_op.drop_column('trunk_secret')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('name')
    op.drop_index('ix_sign_in_attempt_address_at', table_name='sign_in_attempt')
    op.drop_index('ix_sign_in_attempt_email_at', table_name='sign_in_attempt')
    op.drop_table('sign_in_attempt')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
        batch_op.drop_column('must_change_password')
        batch_op.add_column(sa.Column('department_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_user_department_id_department'), 'department',
                                    ['department_id'], ['id'])
    op.execute('UPDATE "user" SET department_id = (SELECT MIN(department_id) FROM user_department '
               'WHERE user_department.user_id = "user".id)')
    op.drop_table('user_department')
