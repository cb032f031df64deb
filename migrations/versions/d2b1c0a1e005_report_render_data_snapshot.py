"""the data snapshot kept with a consolidated report render, for issuing without gathering again

Revision ID: d2b1c0a1e005
Revises: d2b1c0a1e004
Create Date: 2026-12-02 14:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2b1c0a1e005'
down_revision = 'd2b1c0a1e004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rendered_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_stamp', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('data', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_rendered_report_data_stamp'), ['data_stamp'], unique=False)


def downgrade():
    with op.batch_alter_table('rendered_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rendered_report_data_stamp'))
        batch_op.drop_column('data')
        batch_op.drop_column('data_stamp')
