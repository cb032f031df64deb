"""The item's current state from its accepted updates (rule in tracker/updates/services.py)."""
from datetime import date
from decimal import Decimal

from tests.updates.world import form
from tracker.periods.services import ensure_period
from tracker.updates import services
from tracker.updates.validation import validate_update


def report(world, user, item, period, today=None, **values):
    checked = validate_update(item, form(**values), budget=services.budget_of(item))
    assert checked.ok, checked.errors
    update = services.save_draft(user, item, period, checked.values, update_id=None, lock_version=None, today=today)
    services.submit(user, update, today=today)
    services.accept(world.coordinator, update, today=today)
    return update


def test_single_owner_takes_the_latest_accepted_update(world):
    item = world.project
    q1 = ensure_period(2025, 1, world.area)
    report(world, world.reporter, item, world.period, status="in_progress", progress="60",
           amount_committed="1.000.000.000", amount_disbursed="400.000.000")
    # An older period accepted afterwards does not override the newer one.
    report(world, world.reporter, item, q1, today=date(2025, 3, 10), status="in_progress", progress="20")
    assert (item.status, item.progress, item.amount_committed, item.amount_disbursed) == (
        "in_progress", 60, 1_000_000_000, 400_000_000)
    assert item.completed_on is None


def test_done_sets_the_completion_date_within_the_period(world):
    item = world.document
    q2 = ensure_period(2025, 2, world.area)
    report(world, world.reporter, item, q2, today=date(2025, 7, 2), status="done", progress="100")
    assert item.status == "done" and item.progress == 100
    assert q2.data_start <= item.completed_on <= q2.data_end  # so the item stops owing after that period
    report(world, world.reporter, item, world.period, status="done", progress="100")
    assert item.completed_on <= q2.data_end  # a later "still done" keeps the first completion date


def test_group_item_combines_its_members(world):
    item = world.project_group  # Sở KH&CN and Sở Tài chính each owe their part
    report(world, world.reporter, item, world.period, status="done", progress="100",
           amount_disbursed="1.000.000.000")
    assert (item.status, item.progress, item.amount_disbursed) == ("in_progress", 50, 1_000_000_000)
    report(world, world.reporter_finance, item, world.period, status="late", progress="40",
           amount_disbursed="500.000.000")
    assert (item.status, item.progress, item.amount_disbursed) == ("late", 70, 1_500_000_000)


def test_group_item_done_when_every_member_is_done_or_cancelled(world):
    item = world.project_group
    report(world, world.reporter, item, world.period, status="done", progress="100")
    report(world, world.reporter_finance, item, world.period, status="cancelled", progress="0")
    assert (item.status, item.progress) == ("done", 100)
    assert item.completed_on is not None


def test_targets_in_percent_average_across_owners(factory, world):
    item = factory.item(world.plan, kind="target", owner=[world.khcn, world.finance], code="9.",
                        text="Tỷ lệ hồ sơ xử lý trực tuyến", target_value=Decimal("80"), measure_unit="%",
                        target_year=2025)
    report(world, world.reporter, item, world.period, achieved_value="70")
    assert item.achieved_value == Decimal("70")
    report(world, world.reporter_finance, item, world.period, achieved_value="85,5")
    assert item.achieved_value == Decimal("77.75")


def test_item_state_change_is_audited(db, world):
    from sqlalchemy import select

    from tracker.audit.models import AuditEntry

    report(world, world.reporter, world.project, world.period, status="stalled", progress="10")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "plan_item")).one()
    assert entry.actor_id == world.coordinator.id
    assert entry.changes["status"] == ["not_started", "stalled"] and entry.changes["progress"] == [0, 10]


def test_accept_locks_the_item_before_recomputing_its_state(db, world):
    """Two coordinators accepting reports of one shared item at once must not drop an acceptance:
    the item row is read FOR UPDATE (PostgreSQL; SQLite serialises writers anyway)."""
    from sqlalchemy import event

    item = world.project_group
    checked = validate_update(item, form(status="in_progress", progress="30"), budget=services.budget_of(item))
    update = services.save_draft(world.reporter, item, world.period, checked.values, update_id=None,
                                 lock_version=None)
    services.submit(world.reporter, update)
    locked = []

    def spy(conn, clauseelement, multiparams, params, execution_options):
        if getattr(clauseelement, "_for_update_arg", None) is not None:
            locked.append(str(clauseelement))

    engine = db.session.get_bind().engine
    event.listen(engine, "before_execute", spy)
    try:
        services.accept(world.coordinator, update)
    finally:
        event.remove(engine, "before_execute", spy)
    assert any("plan_item" in statement for statement in locked), locked
    assert item.progress == 15  # the other member (Sở Tài chính) has not reported: (30 + 0) / 2
