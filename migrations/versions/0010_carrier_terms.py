"""carrier terms: carriers' own contracts split into clauses and checked against a versioned playbook, and the
protocol of disagreements answered item by item

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 18:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'playbook_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('created_by', sa.String(length=120), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_playbook_version')),
        sa.UniqueConstraint('version', name=op.f('uq_playbook_version_version')),
    )
    op.create_table(
        'carrier_contract',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('carrier_id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('playbook_version', sa.Integer(), nullable=False),
        sa.Column('uploaded_by', sa.String(length=120), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.Column('terms_confirmed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['carrier_id'], ['carrier.id'], name=op.f('fk_carrier_contract_carrier_id_carrier')),
        sa.ForeignKeyConstraint(['request_id'], ['number_request.id'],
                                name=op.f('fk_carrier_contract_request_id_number_request')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_carrier_contract')),
        sa.UniqueConstraint('carrier_id', 'version', name=op.f('uq_carrier_contract_carrier_id')),
    )
    op.create_index(op.f('ix_carrier_contract_carrier_id'), 'carrier_contract', ['carrier_id'])
    op.create_index(op.f('ix_carrier_contract_request_id'), 'carrier_contract', ['request_id'])
    op.create_table(
        'contract_clause',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=40), nullable=False),
        sa.Column('heading', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('flags', sa.JSON(), nullable=False),
        sa.Column('terms', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['contract_id'], ['carrier_contract.id'],
                                name=op.f('fk_contract_clause_contract_id_carrier_contract')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_clause')),
    )
    op.create_index(op.f('ix_contract_clause_contract_id'), 'contract_clause', ['contract_id'])
    op.create_table(
        'accepted_risk',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('carrier_id', sa.Integer(), nullable=False),
        sa.Column('clause', sa.String(length=40), nullable=False),
        sa.Column('category', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('accepted_by', sa.String(length=120), nullable=False),
        sa.Column('accepted_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['carrier_id'], ['carrier.id'], name=op.f('fk_accepted_risk_carrier_id_carrier')),
        sa.ForeignKeyConstraint(['request_id'], ['number_request.id'],
                                name=op.f('fk_accepted_risk_request_id_number_request')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_accepted_risk')),
    )
    op.create_index(op.f('ix_accepted_risk_request_id'), 'accepted_risk', ['request_id'])
    with op.batch_alter_table('disagreement_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carrier_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('draft', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('category', sa.String(length=32), server_default='', nullable=False))
        batch_op.add_column(sa.Column('must_have', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('answer', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('counter_wording', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_disagreement_item_carrier_id'), ['carrier_id'])
        batch_op.create_foreign_key(batch_op.f('fk_disagreement_item_carrier_id_carrier'), 'carrier',
                                    ['carrier_id'], ['id'])
    # Items sent before were put to the request's carrier; a settled one was accepted as a whole.
    op.execute("UPDATE disagreement_item SET carrier_id = (SELECT carrier_id FROM number_request "
               "WHERE number_request.id = disagreement_item.request_id)")
    op.execute("UPDATE disagreement_item SET answer = 'accepted' WHERE agreed_wording IS NOT NULL")


def downgrade():
    # Nothing refers to disagreement_item, so SQLite may rebuild it to drop the foreign key.
    with op.batch_alter_table('disagreement_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_disagreement_item_carrier_id_carrier'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_disagreement_item_carrier_id'))
        for column in ('answered_at', 'counter_wording', 'answer', 'must_have', 'category', 'draft', 'carrier_id'):
            batch_op.drop_column(column)
    op.drop_index(op.f('ix_accepted_risk_request_id'), table_name='accepted_risk')
    op.drop_table('accepted_risk')
    op.drop_index(op.f('ix_contract_clause_contract_id'), table_name='contract_clause')
    op.drop_table('contract_clause')
    op.drop_index(op.f('ix_carrier_contract_request_id'), table_name='carrier_contract')
    op.drop_index(op.f('ix_carrier_contract_carrier_id'), table_name='carrier_contract')
    op.drop_table('carrier_contract')
    op.drop_table('playbook_version')
