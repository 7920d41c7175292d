"""School calendar: holidays (ranges of dates), the week cycle and per-week label overrides.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 03:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('timetable_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.CheckConstraint('start_date <= end_date', name=op.f('ck_holidays_date_order')),
    sa.ForeignKeyConstraint(['timetable_id'], ['timetables.id'], name=op.f('fk_holidays_timetable_id_timetables'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holidays'))
    )
    with op.batch_alter_table('holidays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holidays_timetable_id'), ['timetable_id'], unique=False)

    op.create_table('week_cycles',
    sa.Column('timetable_id', sa.Integer(), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('start_week', sa.Integer(), nullable=True),
    sa.CheckConstraint('length >= 1 AND length <= 26', name=op.f('ck_week_cycles_length_range')),
    sa.ForeignKeyConstraint(['timetable_id'], ['timetables.id'], name=op.f('fk_week_cycles_timetable_id_timetables'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('timetable_id', name=op.f('pk_week_cycles'))
    )
    op.create_table('week_label_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('timetable_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=1), nullable=False),
    sa.ForeignKeyConstraint(['timetable_id'], ['timetables.id'],
                            name=op.f('fk_week_label_overrides_timetable_id_timetables'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_week_label_overrides')),
    sa.UniqueConstraint('timetable_id', 'week', name='uq_week_label_overrides_week')
    )


def downgrade():
    op.drop_table('week_label_overrides')
    op.drop_table('week_cycles')
    with op.batch_alter_table('holidays', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holidays_timetable_id'))

    op.drop_table('holidays')
