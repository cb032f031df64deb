"""Provinces as tenants

Every unit, unit group, plan, plan item, reporting period and user gets the province-level area
(province or centrally-run city) it belongs to; frameworks get one unless they are national;
areas get their names over time and mergers; units an end date; items dated reassignments; areas
a report profile. Existing rows are filled in:

- an area's tenant is its nearest province-level ancestor (itself for a province);
- units, groups and plans take their area's tenant, items their plan's;
- a framework that is an appendix of a plan (plan_number set) belongs to its area's tenant; the
  others are national indices (the provincial DTI, the DTI for departments), shared by all;
- a user takes the tenant of its unit; a user without a unit (an administrator) the tenant of the
  first plan loaded, else of the first province;
- reporting periods, until now shared, are copied for every tenant that has plans or used them:
  updates, contributions, drafts, issued reports and late exceptions point to their own tenant's
  copy; reminder notices to their recipient's.

Revision ID: eab2f285da9b
Revises: b7c1e5a0d2f4
Create Date: 2026-12-01 21:46:43.087242

"""
from alembic import op
import sqlalchemy as sa
import tracker.core.types


TENANT_LEVELS = ('province', 'city')
PERIOD_COLUMNS = ('code', 'year', 'quarter', 'data_start', 'data_end', 'submission_deadline',
                  'consolidated_deadline', 'closed_at', 'closed_by_id', 'created_at')


def _t(name, *columns):
    return sa.table(name, sa.column('id', sa.Integer()), *[sa.column(c) for c in columns])


def _fill_tenants(bind):
    area = _t('area', 'level', 'parent_id', 'tenant_id')
    areas = {row.id: row for row in bind.execute(sa.select(area.c.id, area.c.level, area.c.parent_id))}
    tenant_of_area = {}
    for area_id in areas:
        current, seen = areas[area_id], set()
        while current.level not in TENANT_LEVELS and current.parent_id in areas and current.id not in seen:
            seen.add(current.id)
            current = areas[current.parent_id]
        tenant_of_area[area_id] = current.id
    for area_id, tenant_id in tenant_of_area.items():
        bind.execute(area.update().where(area.c.id == area_id).values(tenant_id=tenant_id))

    for name in ('unit', 'unit_group', 'plan'):
        table = _t(name, 'area_id', 'tenant_id')
        for row in bind.execute(sa.select(table.c.id, table.c.area_id)).all():
            bind.execute(table.update().where(table.c.id == row.id).values(tenant_id=tenant_of_area[row.area_id]))
    plan = _t('plan', 'tenant_id')
    plan_tenant = dict(bind.execute(sa.select(plan.c.id, plan.c.tenant_id)).all())
    item = _t('plan_item', 'plan_id', 'tenant_id')
    for plan_id, tenant_id in plan_tenant.items():
        bind.execute(item.update().where(item.c.plan_id == plan_id).values(tenant_id=tenant_id))
    framework = _t('framework', 'area_id', 'plan_number', 'tenant_id')
    for row in bind.execute(sa.select(framework.c.id, framework.c.area_id, framework.c.plan_number)).all():
        if row.area_id is not None and row.plan_number:
            bind.execute(framework.update().where(framework.c.id == row.id)
                         .values(tenant_id=tenant_of_area[row.area_id]))

    unit = _t('unit', 'tenant_id')
    unit_tenant = dict(bind.execute(sa.select(unit.c.id, unit.c.tenant_id)).all())
    default_tenant = (plan_tenant[min(plan_tenant)] if plan_tenant
                      else min((t for t in tenant_of_area.values()), default=None))
    user = _t('user', 'unit_id', 'role', 'tenant_id')
    user_tenant = {}
    for row in bind.execute(sa.select(user.c.id, user.c.unit_id, user.c.role)).all():
        tenant_id = unit_tenant.get(row.unit_id, default_tenant)
        user_tenant[row.id] = tenant_id
        bind.execute(user.update().where(user.c.id == row.id).values(tenant_id=tenant_id))

    _split_periods(bind, plan_tenant, unit_tenant, user_tenant, default_tenant)


def _split_periods(bind, plan_tenant, unit_tenant, user_tenant, default_tenant):
    period = _t('reporting_period', 'tenant_id', *PERIOD_COLUMNS)
    item = _t('plan_item', 'tenant_id')
    item_tenant = dict(bind.execute(sa.select(item.c.id, item.c.tenant_id)).all())
    # (table, column giving the tenant, lookup)
    referrers = [
        (_t('status_update', 'period_id', 'item_id'), 'item_id', item_tenant),
        (_t('contribution_note', 'period_id', 'item_id'), 'item_id', item_tenant),
        (_t('report_draft', 'period_id', 'plan_id'), 'plan_id', plan_tenant),
        (_t('issued_report', 'period_id', 'plan_id'), 'plan_id', plan_tenant),
        (_t('late_exception', 'period_id', 'unit_id'), 'unit_id', unit_tenant),
        (_t('reminder_notice', 'period_id', 'user_id'), 'user_id', user_tenant),
    ]
    with_plans = set(plan_tenant.values())
    for row in bind.execute(sa.select(period)).all():
        rows_by_tenant = {}
        for table, column, lookup in referrers:
            for ref in bind.execute(sa.select(table.c.id, table.c[column]).where(table.c.period_id == row.id)).all():
                rows_by_tenant.setdefault(lookup.get(ref[1]), []).append((table, ref.id))
        tenants = sorted({t for t in rows_by_tenant if t is not None} | with_plans)
        if not tenants:
            if default_tenant is None:
                bind.execute(period.delete().where(period.c.id == row.id))
                continue
            tenants = [default_tenant]
        first, others = tenants[0], tenants[1:]
        bind.execute(period.update().where(period.c.id == row.id).values(tenant_id=first))
        for tenant_id in others:
            values = {c: getattr(row, c) for c in PERIOD_COLUMNS}
            new_id = bind.execute(period.insert().values(tenant_id=tenant_id, **values)
                                  .returning(period.c.id)).scalar_one()
            for table, ref_id in rows_by_tenant.get(tenant_id, []):
                bind.execute(table.update().where(table.c.id == ref_id).values(period_id=new_id))


def _join_periods(bind):
    """Downgrade: one period per quarter again; the copies' references go to the first one."""
    period = _t('reporting_period', 'year', 'quarter')
    keep = {}
    for row in bind.execute(sa.select(period.c.id, period.c.year, period.c.quarter).order_by(period.c.id)).all():
        kept = keep.setdefault((row.year, row.quarter), row.id)
        if kept == row.id:
            continue
        for name in ('status_update', 'contribution_note', 'report_draft', 'issued_report', 'late_exception',
                     'reminder_notice'):
            table = _t(name, 'period_id')
            bind.execute(table.update().where(table.c.period_id == row.id).values(period_id=kept))
        bind.execute(period.delete().where(period.c.id == row.id))
    plan = _t('plan', 'number')
    seen = set()
    for row in bind.execute(sa.select(plan.c.id, plan.c.number).order_by(plan.c.id)).all():
        number = row.number or f'(không số) #{row.id}'
        if number in seen:
            number = f'{number} #{row.id}'
        seen.add(number)
        if number != row.number:
            bind.execute(plan.update().where(plan.c.id == row.id).values(number=number))


# revision identifiers, used by Alembic.
revision = 'eab2f285da9b'
down_revision = 'b7c1e5a0d2f4'
branch_labels = None
depends_on = None


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('area_name',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=True),
    sa.Column('basis', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_area_name_area_id_area'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area_name')),
    sa.UniqueConstraint('area_id', 'valid_from', name=op.f('uq_area_name_area_id_valid_from'))
    )
    with op.batch_alter_table('area_name', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_name_area_id'), ['area_id'], unique=False)

    op.create_table('report_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('parent_body', sa.String(length=255), nullable=False),
    sa.Column('issuing_body', sa.String(length=255), nullable=False),
    sa.Column('issuer_short', sa.String(length=32), nullable=False),
    sa.Column('issuer_name', sa.String(length=255), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('addressee', sa.String(length=255), nullable=False),
    sa.Column('signer_title', sa.Text(), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.Column('updated_at', tracker.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_report_profile_area_id_area')),
    sa.ForeignKeyConstraint(['tenant_id'], ['area.id'], name=op.f('fk_report_profile_tenant_id_area')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_report_profile_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_profile')),
    sa.UniqueConstraint('area_id', 'valid_from', name=op.f('uq_report_profile_area_id_valid_from'))
    )
    with op.batch_alter_table('report_profile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_profile_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_profile_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('item_reassignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('from_unit_id', sa.Integer(), nullable=False),
    sa.Column('to_unit_id', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', tracker.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_item_reassignment_created_by_id_user')),
    sa.ForeignKeyConstraint(['from_unit_id'], ['unit.id'], name=op.f('fk_item_reassignment_from_unit_id_unit')),
    sa.ForeignKeyConstraint(['item_id'], ['plan_item.id'], name=op.f('fk_item_reassignment_item_id_plan_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_unit_id'], ['unit.id'], name=op.f('fk_item_reassignment_to_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_reassignment'))
    )
    with op.batch_alter_table('item_reassignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_reassignment_from_unit_id'), ['from_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_reassignment_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_reassignment_to_unit_id'), ['to_unit_id'], unique=False)

    # 1. The new columns, nullable while existing rows are filled in.
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tenant_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('successor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('merged_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('merge_note', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_area_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_area_tenant_id_area'), 'area', ['tenant_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_area_successor_id_area'), 'area', ['successor_id'], ['id'])
    for table in ('unit', 'unit_group', 'plan', 'plan_item', 'reporting_period', 'user', 'framework', 'audit_entry'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('tenant_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_note', sa.Text(), nullable=True))
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issued_precision', sa.String(length=8), nullable=False, server_default='day'))
    # A quarter is no longer unique across provinces: the copies below need the old constraints gone.
    with op.batch_alter_table('reporting_period', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_reporting_period_code'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_reporting_period_year_quarter'), type_='unique')

    # 2. Existing rows: each belongs to the province of its area (see _fill_tenants).
    _fill_tenants(op.get_bind())

    # 3. Tenants are required where every row has one; periods are unique per tenant.
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_entry_tenant_id_area'), 'area', ['tenant_id'], ['id'])

    with op.batch_alter_table('framework', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_framework_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_framework_tenant_id_area'), 'area', ['tenant_id'], ['id'])

    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.alter_column('tenant_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('number',
               existing_type=sa.VARCHAR(length=120),
               nullable=True)
        batch_op.drop_constraint(batch_op.f('uq_plan_number'), type_='unique')
        batch_op.create_index('ix_plan_area_number', ['area_id', 'number'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_plan_tenant_id_area'), 'area', ['tenant_id'], ['id'])

    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.alter_column('tenant_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_plan_item_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_plan_item_tenant_id_area'), 'area', ['tenant_id'], ['id'])

    with op.batch_alter_table('reporting_period', schema=None) as batch_op:
        batch_op.alter_column('tenant_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_reporting_period_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_reporting_period_tenant_id_code'), ['tenant_id', 'code'])
        batch_op.create_unique_constraint(batch_op.f('uq_reporting_period_tenant_id_year_quarter'), ['tenant_id', 'year', 'quarter'])
        batch_op.create_foreign_key(batch_op.f('fk_reporting_period_tenant_id_area'), 'area', ['tenant_id'], ['id'])

    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.alter_column('tenant_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_unit_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_unit_tenant_id_area'), 'area', ['tenant_id'], ['id'])

    with op.batch_alter_table('unit_group', schema=None) as batch_op:
        batch_op.alter_column('tenant_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_unit_group_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_unit_group_tenant_id_area'), 'area', ['tenant_id'], ['id'])

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_user_tenant_id_area'), 'area', ['tenant_id'], ['id'])

    # ### end Alembic commands ###


def downgrade():
    _join_periods(op.get_bind())
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_tenant_id_area'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_tenant_id'))
        batch_op.drop_column('tenant_id')

    with op.batch_alter_table('unit_group', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_unit_group_tenant_id_area'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_unit_group_tenant_id'))
        batch_op.drop_column('tenant_id')

    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_unit_tenant_id_area'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_unit_tenant_id'))
        batch_op.drop_column('end_note')
        batch_op.drop_column('ended_on')
        batch_op.drop_column('tenant_id')

    with op.batch_alter_table('reporting_period', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reporting_period_tenant_id_area'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_reporting_period_tenant_id_year_quarter'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_reporting_period_tenant_id_code'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_reporting_period_tenant_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_reporting_period_year_quarter'), ['year', 'quarter'])
        batch_op.create_unique_constraint(batch_op.f('uq_reporting_period_code'), ['code'])
        batch_op.drop_column('tenant_id')

    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_plan_item_tenant_id_area'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_plan_item_tenant_id'))
        batch_op.drop_column('tenant_id')

    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_plan_tenant_id_area'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_plan_tenant_id'))
        batch_op.drop_index('ix_plan_area_number')
        batch_op.create_unique_constraint(batch_op.f('uq_plan_number'), ['number'])
        batch_op.alter_column('number',
               existing_type=sa.VARCHAR(length=120),
               nullable=False)
        batch_op.drop_column('tenant_id')
        batch_op.drop_column('issued_precision')

    with op.batch_alter_table('framework', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_framework_tenant_id_area'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_framework_tenant_id'))
        batch_op.drop_column('tenant_id')

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_entry_tenant_id_area'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_entry_tenant_id'))
        batch_op.drop_column('tenant_id')

    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_area_successor_id_area'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_area_tenant_id_area'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_area_tenant_id'))
        batch_op.drop_column('merge_note')
        batch_op.drop_column('merged_on')
        batch_op.drop_column('successor_id')
        batch_op.drop_column('tenant_id')

    with op.batch_alter_table('item_reassignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_reassignment_to_unit_id'))
        batch_op.drop_index(batch_op.f('ix_item_reassignment_item_id'))
        batch_op.drop_index(batch_op.f('ix_item_reassignment_from_unit_id'))

    op.drop_table('item_reassignment')
    with op.batch_alter_table('report_profile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_profile_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_report_profile_area_id'))

    op.drop_table('report_profile')
    with op.batch_alter_table('area_name', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_name_area_id'))

    op.drop_table('area_name')
    # ### end Alembic commands ###
