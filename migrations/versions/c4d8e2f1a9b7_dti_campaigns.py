"""DTI self-assessment campaigns, their inputs and evidence

Revision ID: c4d8e2f1a9b7
Revises: c4f1a8e2d9b6
Create Date: 2026-12-02 01:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

from tracker.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'c4d8e2f1a9b7'
down_revision = 'c4f1a8e2d9b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'campaign',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('framework_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('judgements', sa.JSON(), nullable=False),
        sa.Column('started_by_id', sa.Integer(), nullable=True),
        sa.Column('started_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('lock_version', sa.Integer(), server_default='1', nullable=False),
        sa.ForeignKeyConstraint(['framework_id'], ['framework.id'], ),
        sa.ForeignKeyConstraint(['started_by_id'], ['user.id'], ),
        sa.ForeignKeyConstraint(['tenant_id'], ['area.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('tenant_id', 'framework_id', 'year'),
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_framework_id'), ['framework_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_tenant_id'), ['tenant_id'], unique=False)

    op.create_table(
        'campaign_input',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=True),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('provider_text', sa.String(length=255), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('review_comment', sa.Text(), nullable=True),
        sa.Column('proposal', sa.JSON(), nullable=True),
        sa.Column('proposal_used', sa.Boolean(), nullable=False),
        sa.Column('submitted_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('submitted_by_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('lock_version', sa.Integer(), server_default='1', nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], ),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], ),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], ),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('campaign_id', 'key', 'provider_text'),
    )
    with op.batch_alter_table('campaign_input', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_input_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_input_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_input_unit_id'), ['unit_id'], unique=False)

    op.create_table(
        'campaign_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('input_id', sa.Integer(), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('stored_name', sa.String(length=64), nullable=False),
        sa.Column('content_type', sa.String(length=120), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['input_id'], ['campaign_input.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('stored_name'),
    )
    with op.batch_alter_table('campaign_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_evidence_input_id'), ['input_id'], unique=False)


def downgrade():
    op.drop_table('campaign_evidence')
    op.drop_table('campaign_input')
    op.drop_table('campaign')
