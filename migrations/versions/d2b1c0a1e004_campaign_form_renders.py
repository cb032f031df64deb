"""stored campaign form renders, and the report page's summary kept with a draft's HTML render

Revision ID: d2b1c0a1e004
Revises: c4e8a1f0b9d2
Create Date: 2026-12-02 14:10:00.000000

"""
from alembic import op
import sqlalchemy as sa
import tracker.core.types


# revision identifiers, used by Alembic.
revision = 'd2b1c0a1e004'
down_revision = "d2b1c0a1e001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign_form_render',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('fmt', sa.String(length=8), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('stamp', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('render_ms', sa.Integer(), nullable=False),
    sa.Column('created_at', tracker.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_campaign_form_render_campaign_id_campaign'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_form_render')),
    sa.UniqueConstraint('campaign_id', 'fingerprint', 'fmt', name=op.f('uq_campaign_form_render_campaign_id_fingerprint_fmt'))
    )
    with op.batch_alter_table('campaign_form_render', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_form_render_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index('ix_campaign_form_render_stamp', ['stamp', 'fmt'], unique=False)

    with op.batch_alter_table('rendered_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('rendered_report', schema=None) as batch_op:
        batch_op.drop_column('summary')

    with op.batch_alter_table('campaign_form_render', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_form_render_stamp')
        batch_op.drop_index(batch_op.f('ix_campaign_form_render_campaign_id'))

    op.drop_table('campaign_form_render')
