"""Resources: details (staff short name and qualifications, room capacity and features, group size)
and the week each is retired from (nothing is deleted).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 02:46:27.525743

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # Only nullable columns and a new table: existing rows need no value, SQLite's batch mode copies the tables.
    op.create_table('staff_courses',
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_staff_courses_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_courses_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_id', 'course_id', name=op.f('pk_staff_courses'))
    )
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_from_week', sa.Integer(), nullable=True))

    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('retired_from_week', sa.Integer(), nullable=True))

    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capacity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('features', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('retired_from_week', sa.Integer(), nullable=True))

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('short_name', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('retired_from_week', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('retired_from_week')
        batch_op.drop_column('short_name')

    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_column('retired_from_week')
        batch_op.drop_column('features')
        batch_op.drop_column('capacity')

    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.drop_column('retired_from_week')
        batch_op.drop_column('size')

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('retired_from_week')

    op.drop_table('staff_courses')
