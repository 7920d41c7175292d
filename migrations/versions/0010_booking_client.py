"""Bookings remember a digest of the visitor's address, for the per-client limits on holds and the waiting list.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-01 03:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # Existing bookings have no address: they count towards no client's limit.
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_bookings_client', ['timetable_id', 'client_hash', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_client')
        batch_op.drop_column('client_hash')
