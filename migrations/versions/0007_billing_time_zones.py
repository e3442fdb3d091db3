"""billing time zones: each carrier counts days and months in its own zone

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:40:00

Every carrier gets the company's accounting time zone (NUMBERDESK_ACCOUNTING_TIME_ZONE when this runs,
Europe/Moscow unless set), which is also the column's server default. Calls were rated by the tariff of their
UTC day; the few that the new zone puts on another day with another tariff (started between the two midnights
of a day the tariff changes on) are rated again. Reports already kept stay as they were kept: their data says
nothing of time zones, which the app reads as "counted in UTC". The report's covering index gains carrier_id,
which tells which carrier's months a call is counted in.
"""
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

# One definition of rating and of a zone's days: what this writes is what the app computes.
from models.billing import rerate_for_time_zone
from models.rating import TariffSchedule, TariffTerms
from models.time_zones import accounting_time_zone


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

MONTH_TOTALS = ['started_at', 'department_id', 'destination_class', 'billed_cost']
RATES = ['rate_local', 'rate_long_distance', 'rate_mobile', 'rate_international', 'rate_toll_free_inbound']
tariff = sa.table('tariff', sa.column('id', sa.Integer), sa.column('carrier_id', sa.Integer),
                  sa.column('valid_from', sa.Date), sa.column('valid_to', sa.Date),
                  sa.column('billing_increment', sa.String),
                  *(sa.column(name, sa.BigInteger) for name in ['monthly_fee', 'one_time_fee', *RATES]))
carrier = sa.table('carrier', sa.column('id', sa.Integer), sa.column('billing_time_zone', sa.String))


def _money(units) -> Decimal:
    return (Decimal(units) / 10000).quantize(Decimal('0.0001'))


def _schedules(connection) -> dict[int, TariffSchedule]:
    """Every carrier's tariffs, as the rating reads them (money is stored in 1/10000 units)."""
    terms: dict[int, list[TariffTerms]] = {}
    for row in connection.execute(sa.select(tariff)).mappings():
        terms.setdefault(row['carrier_id'], []).append(TariffTerms(
            id=row['id'], valid_from=row['valid_from'], valid_to=row['valid_to'],
            monthly_fee=_money(row['monthly_fee']), one_time_fee=_money(row['one_time_fee']),
            rates={name.removeprefix('rate_'): _money(row[name]) for name in RATES},
            billing_increment=row['billing_increment']))
    return {carrier_id: TariffSchedule(found) for carrier_id, found in terms.items()}


def _rerate(connection, zone_of: dict[int, str], old_zone_of: dict[int, str]) -> None:
    for carrier_id, schedule in _schedules(connection).items():
        if carrier_id in zone_of and zone_of[carrier_id] != old_zone_of[carrier_id]:
            rerate_for_time_zone(connection, carrier_id, schedule, old_zone_of[carrier_id], zone_of[carrier_id])


def upgrade():
    zone = accounting_time_zone()
    with op.batch_alter_table('carrier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('billing_time_zone', sa.String(length=64), nullable=False,
                                      server_default=zone))
    op.drop_index('ix_call_record_month_totals', table_name='call_record')
    op.create_index('ix_call_record_month_totals', 'call_record', [*MONTH_TOTALS, 'carrier_id'], unique=False)
    connection = op.get_bind()
    carriers = [carrier_id for carrier_id, in connection.execute(sa.select(carrier.c.id))]
    _rerate(connection, zone_of=dict.fromkeys(carriers, zone), old_zone_of=dict.fromkeys(carriers, 'UTC'))


def downgrade():
    connection = op.get_bind()
    zones = dict(connection.execute(sa.select(carrier.c.id, carrier.c.billing_time_zone)).all())
    _rerate(connection, zone_of=dict.fromkeys(zones, 'UTC'), old_zone_of=zones)
    op.drop_index('ix_call_record_month_totals', table_name='call_record')
    op.create_index('ix_call_record_month_totals', 'call_record', MONTH_TOTALS, unique=False)
    # An ALTER TABLE, never a copy of the table: on SQLite, dropping a copy of a table others refer to would
    # break their foreign keys (SQLite drops columns itself from 3.35 on).
    with op.batch_alter_table('carrier', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('billing_time_zone')
