"""Scheduler heartbeat, read by /healthz

Revision ID: b7c1e5a0d2f4
Revises: b7d2f4a91c3e
Create Date: 2026-12-01 22:10:00.000000

"""
from alembic import op
import sqlalchemy as sa
import tracker.core.types


# revision identifiers, used by Alembic.
revision = 'b7c1e5a0d2f4'
down_revision = 'b7d2f4a91c3e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduler_heartbeat',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('beat_at', tracker.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', tracker.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_heartbeat'))
    )


def downgrade():
    op.drop_table('scheduler_heartbeat')
