"""Scoring rules on indicators, doubts on indicator links

Revision ID: b7d2f4a91c3e
Revises: 6e727e5e9a31
Create Date: 2026-11-30 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2f4a91c3e'
down_revision = '6e727e5e9a31'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule', sa.JSON(), nullable=True))
    with op.batch_alter_table('item_indicator_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('doubt', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('item_indicator_link', schema=None) as batch_op:
        batch_op.drop_column('doubt')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_column('rule')
