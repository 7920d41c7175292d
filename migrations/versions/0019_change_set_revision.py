"""Change sets record the timetable revision their commit made, and timetables the last revision that changed
more than rules, so that readers can catch up on what changed.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 17:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('timetables', schema=None) as batch_op:
        batch_op.add_column(sa.Column('setup_revision', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('change_sets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=True))
        batch_op.create_index('ix_change_sets_revision', ['timetable_id', 'revision'], unique=False)


def downgrade():
    with op.batch_alter_table('change_sets', schema=None) as batch_op:
        batch_op.drop_index('ix_change_sets_revision')
        batch_op.drop_column('revision')
    with op.batch_alter_table('timetables', schema=None) as batch_op:
        batch_op.drop_column('setup_revision')
