"""Slots keep the id they have in an imported file (a FET activity id), unique per timetable, so a re-import matches them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 06:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    # Existing slots have none (NULL): unique constraints let NULLs repeat on both engines.
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_ref', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_slots_external_ref', ['timetable_id', 'external_ref'])


def downgrade():
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.drop_constraint('uq_slots_external_ref', type_='unique')
        batch_op.drop_column('external_ref')
