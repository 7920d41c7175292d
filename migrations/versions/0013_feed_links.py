"""Private calendar links: a viewer's own revocable feed URL of a timetable, kept as a digest.

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-01 06:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('timetable_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['timetable_id'], ['timetables.id'], name=op.f('fk_feed_links_timetable_id_timetables'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feed_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_feed_links_token_hash'))
    )
    with op.batch_alter_table('feed_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_links_timetable_id'), ['timetable_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feed_links_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('feed_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_links_user_id'))
        batch_op.drop_index(batch_op.f('ix_feed_links_timetable_id'))
    op.drop_table('feed_links')
