"""Bell times: bell grids (periods per weekday) that hold from a week on, and the grids each change set replaced.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 03:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bell_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('timetable_id', sa.Integer(), nullable=False),
    sa.Column('from_week', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['timetable_id'], ['timetables.id'], name=op.f('fk_bell_schedules_timetable_id_timetables'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bell_schedules')),
    sa.UniqueConstraint('timetable_id', 'from_week', name='uq_bell_schedules_week')
    )
    op.create_table('periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.CheckConstraint('start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440', name=op.f('ck_periods_period_minutes')),
    sa.CheckConstraint('weekday >= 1 AND weekday <= 7', name=op.f('ck_periods_weekday_range')),
    sa.ForeignKeyConstraint(['schedule_id'], ['bell_schedules.id'], name=op.f('fk_periods_schedule_id_bell_schedules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_periods')),
    sa.UniqueConstraint('schedule_id', 'weekday', 'name', name='uq_periods_name')
    )
    with op.batch_alter_table('periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_periods_schedule_id'), ['schedule_id'], unique=False)
    op.create_table('bell_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('change_set_id', sa.Integer(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['change_set_id'], ['change_sets.id'], name=op.f('fk_bell_changes_change_set_id_change_sets'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bell_changes')),
    sa.UniqueConstraint('change_set_id', name=op.f('uq_bell_changes_change_set_id'))
    )



def downgrade():
    op.drop_table('bell_changes')
    with op.batch_alter_table('periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_periods_schedule_id'))

    op.drop_table('periods')
    op.drop_table('bell_schedules')
