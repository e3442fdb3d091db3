"""absences: while somebody is away, their delegate takes their tasks

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-17 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'absence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('delegate_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_absence_user_id_user'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['delegate_id'], ['user.id'], name=op.f('fk_absence_delegate_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_absence')),
        sa.UniqueConstraint('user_id', name=op.f('uq_absence_user_id')),
    )
    op.create_index(op.f('ix_absence_delegate_id'), 'absence', ['delegate_id'])


def downgrade():
    op.drop_index(op.f('ix_absence_delegate_id'), table_name='absence')
    op.drop_table('absence')
