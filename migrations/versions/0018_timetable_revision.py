"""Timetables carry a last-change marker (revision, changed_at) for ETags and the page and feed caches.

Revision ID: 0018
Revises: 0010
Create Date: 2026-12-01 06:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('timetables', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('timetables', schema=None) as batch_op:
        batch_op.drop_column('changed_at')
        batch_op.drop_column('revision')
