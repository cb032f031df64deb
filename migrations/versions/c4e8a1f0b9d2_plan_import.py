"""Plan import (issue 10): several target values per target; units files' inconsistencies by area

Revision ID: c4e8a1f0b9d2
Revises: c4e8a1f27d90
Create Date: 2026-12-02 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a1f0b9d2'
down_revision = 'c4e8a1f27d90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_values', sa.JSON(), nullable=True))
    with op.batch_alter_table('data_issue', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_data_issue_area_id'), ['area_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_data_issue_area_id_area'), 'area', ['area_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('data_issue', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_data_issue_area_id_area'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_data_issue_area_id'))
        batch_op.drop_column('area_id')
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.drop_column('target_values')
