"""deadlines: each stage's business days, each branch's country calendar, and each request's due time

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-14 10:00:00

Every branch gets Russia's calendar. A request waiting in a stage with a deadline gets one counted from when it
entered its state, with the default business days (no admin has changed them yet).
"""
from alembic import op
import sqlalchemy as sa

# One definition of a deadline: what this writes is what the app computes.
from models.deadlines import STAGE_OF_STATE, STAGES, due_after


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

number_request = sa.table('number_request', sa.column('id', sa.Integer), sa.column('department_id', sa.Integer),
                          sa.column('state', sa.String), sa.column('state_changed_at', sa.DateTime),
                          sa.column('due_at', sa.DateTime))
department = sa.table('department', sa.column('id', sa.Integer), sa.column('time_zone', sa.String),
                      sa.column('country', sa.String))


def upgrade():
    op.create_table(
        'stage_deadline',
        sa.Column('stage', sa.String(length=32), nullable=False),
        sa.Column('business_days', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('stage', name=op.f('pk_stage_deadline')),
    )
    with op.batch_alter_table('department') as batch_op:
        batch_op.add_column(sa.Column('country', sa.String(length=2), server_default='RU', nullable=False))
    with op.batch_alter_table('number_request') as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_number_request_due_at'), ['due_at'], unique=False)

    connection = op.get_bind()
    branches = {row.id: row for row in connection.execute(sa.select(department))}
    waiting = connection.execute(sa.select(number_request.c.id, number_request.c.department_id,
                                           number_request.c.state, number_request.c.state_changed_at)
                                 .where(number_request.c.state.in_(list(STAGE_OF_STATE)))).all()
    for row in waiting:
        branch = branches[row.department_id]
        due = due_after(row.state_changed_at, STAGES[STAGE_OF_STATE[row.state]].default_days, branch.time_zone,
                        branch.country)
        connection.execute(number_request.update().where(number_request.c.id == row.id).values(due_at=due))


def downgrade():
    # SQLite drops the columns in place: rebuilding these tables would break the keys that refer to them.
    with op.batch_alter_table('number_request', recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_number_request_due_at'))
        batch_op.drop_column('due_at')
    with op.batch_alter_table('department', recreate='never') as batch_op:
        batch_op.drop_column('country')
    op.drop_table('stage_deadline')
