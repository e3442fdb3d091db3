"""names in two languages: Russian names and addresses of branches, carriers and PBX systems

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# table -> (column, length): empty until an admin fills them in; Russian documents use the English meanwhile.
COLUMNS = {
    'department': (('name_ru', 120), ('city_ru', 80), ('address_ru', 250)),
    'carrier': (('name_ru', 120), ('legal_name_ru', 250), ('address_ru', 250), ('signatory_ru', 120)),
    'pbx_system': (('name_ru', 120), ('vendor_ru', 120)),
}


def upgrade():
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, length in columns:
                batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=False, server_default=''))


def downgrade():
    # SQLite drops these columns in place: rebuilding `department` would break the keys that refer to it.
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None, recreate='never') as batch_op:
            for name, _ in reversed(columns):
                batch_op.drop_column(name)
