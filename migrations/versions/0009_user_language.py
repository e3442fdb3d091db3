"""user language: the language a user chose for the pages, or none to follow the browser

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 16:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=True))


def downgrade():
    # SQLite drops the column in place: rebuilding `user` would break the keys that refer to it.
    with op.batch_alter_table('user', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('language')
