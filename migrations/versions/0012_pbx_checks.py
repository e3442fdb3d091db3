"""pbx checks: a PBX's reachability and drift, and applying its plan again, asked for on its page and done by the
workflow

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pbx_check',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('pbx_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('requested_by', sa.String(length=120), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('done_at', sa.DateTime(), nullable=True),
        sa.Column('reachable', sa.Boolean(), nullable=True),
        sa.Column('ok', sa.Boolean(), nullable=True),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('drift', sa.JSON(), nullable=True),
        sa.Column('applied', sa.JSON(), nullable=True),
        sa.Column('dispatch_pending', sa.Boolean(), nullable=False),
        sa.Column('dispatch_attempts', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['pbx_id'], ['pbx_system.id'], name=op.f('fk_pbx_check_pbx_id_pbx_system')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pbx_check')),
    )
    op.create_index(op.f('ix_pbx_check_pbx_id'), 'pbx_check', ['pbx_id'])


def downgrade():
    op.drop_index(op.f('ix_pbx_check_pbx_id'), table_name='pbx_check')
    op.drop_table('pbx_check')
