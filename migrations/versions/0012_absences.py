"""Absences of staff, rooms and groups, their audit, and the cover limits per timetable (the substitution desk).

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-01 06:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'absences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('timetable_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('resource_id', sa.Integer(), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=False),
        sa.Column('start_minute', sa.Integer(), nullable=True),
        sa.Column('end_minute', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('withdrawn', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('start_date <= end_date', name=op.f('ck_absences_date_order')),
        sa.CheckConstraint("kind IN ('staff', 'room', 'group')", name=op.f('ck_absences_kind')),
        sa.CheckConstraint(
            '(start_minute IS NULL AND end_minute IS NULL) OR (start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440)',
            name=op.f('ck_absences_minutes')),
        sa.ForeignKeyConstraint(['timetable_id'], ['timetables.id'], name=op.f('fk_absences_timetable_id_timetables'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_absences')),
    )
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absences_timetable_id'), ['timetable_id'], unique=False)
        batch_op.create_index('ix_absences_dates', ['timetable_id', 'end_date', 'start_date'], unique=False)

    op.create_table(
        'absence_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('absence_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['absence_id'], ['absences.id'], name=op.f('fk_absence_changes_absence_id_absences'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_absence_changes_user_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_absence_changes')),
    )
    with op.batch_alter_table('absence_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absence_changes_absence_id'), ['absence_id'], unique=False)

    op.create_table(
        'cover_limits',
        sa.Column('timetable_id', sa.Integer(), nullable=False),
        sa.Column('per_day', sa.Integer(), nullable=False),
        sa.Column('per_week', sa.Integer(), nullable=False),
        sa.CheckConstraint('per_day >= 0 AND per_week >= 0', name=op.f('ck_cover_limits_limits_positive')),
        sa.ForeignKeyConstraint(['timetable_id'], ['timetables.id'], name=op.f('fk_cover_limits_timetable_id_timetables'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('timetable_id', name=op.f('pk_cover_limits')),
    )


def downgrade():
    op.drop_table('cover_limits')
    with op.batch_alter_table('absence_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_absence_changes_absence_id'))
    op.drop_table('absence_changes')
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.drop_index('ix_absences_dates')
        batch_op.drop_index(batch_op.f('ix_absences_timetable_id'))
    op.drop_table('absences')
