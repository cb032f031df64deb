"""Plan import mapping kept for the next import of the same plan (area + number)

Revision ID: d2b1c0a1e001
Revises: c4e8a1f0b9d2
Create Date: 2026-12-02 14:00:00

"""
from alembic import op
import sqlalchemy as sa
import tracker.core.types


# revision identifiers, used by Alembic.
revision = 'd2b1c0a1e001'
down_revision = 'c4e8a1f0b9d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_import_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=120), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('source_name', sa.String(length=255), nullable=True),
    sa.Column('saved_at', tracker.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_plan_import_mapping_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['saved_by_id'], ['user.id'], name=op.f('fk_plan_import_mapping_saved_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['area.id'], name=op.f('fk_plan_import_mapping_tenant_id_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_import_mapping')),
    sa.UniqueConstraint('area_id', 'number', name=op.f('uq_plan_import_mapping_area_id_number'))
    )
    with op.batch_alter_table('plan_import_mapping', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_import_mapping_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_import_mapping_tenant_id'), ['tenant_id'], unique=False)


def downgrade():
    with op.batch_alter_table('plan_import_mapping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_import_mapping_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_plan_import_mapping_area_id'))
    op.drop_table('plan_import_mapping')
