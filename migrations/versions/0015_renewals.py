"""renewals: each signed contract's term, renewal rule and notice period, with its current term's end and notice
deadline

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-16 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'signed_contract',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('signed_on', sa.Date(), nullable=False),
        sa.Column('term_months', sa.Integer(), nullable=False),
        sa.Column('renews_for_months', sa.Integer(), nullable=False),
        sa.Column('notice_days', sa.Integer(), nullable=False),
        sa.Column('term_ends_on', sa.Date(), nullable=False),
        sa.Column('notice_by', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['number_request.id'],
                                name=op.f('fk_signed_contract_request_id_number_request')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signed_contract')),
        sa.UniqueConstraint('request_id', name=op.f('uq_signed_contract_request_id')),
    )
    op.create_index(op.f('ix_signed_contract_term_ends_on'), 'signed_contract', ['term_ends_on'])
    op.create_index(op.f('ix_signed_contract_notice_by'), 'signed_contract', ['notice_by'])


def downgrade():
    op.drop_index(op.f('ix_signed_contract_notice_by'), table_name='signed_contract')
    op.drop_index(op.f('ix_signed_contract_term_ends_on'), table_name='signed_contract')
    op.drop_table('signed_contract')
