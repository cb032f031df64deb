"""Submitted on time? and which state counts? are answered once, by `tracker.periods.obligations`:
the dashboard (and unit pages), the period pages and the obligations must agree.

History in the previous period, unit A (past its deadline):
  - item "corrected": v1 submitted on time and accepted, then corrected: v2 submitted after the
    deadline and accepted (v1 superseded) -> accepted, ON TIME (first submission counts);
  - item "draft_fix": v1 submitted on time and accepted, v2 a draft correction -> accepted, on time.
"""
from datetime import timedelta

from tests.browsing import recent_quarters, update
from tracker.core.time import today_local
from tracker.dashboard.services import build_dashboard
from tracker.main.completeness import completeness, latest_update_states
from tracker.periods.completeness import period_tallies, unit_grid
from tracker.periods.obligations import Chain, obligations_for_period


def test_dashboard_period_pages_and_obligations_agree(db, factory):
    today = today_local()
    area = factory.area()
    current, previous = recent_quarters(factory, today, 2, tenant=area)
    unit = factory.unit("Sở Nội vụ", area=area)
    y = today.year
    plan = factory.plan(area=area, period_start=y - 2, period_end=y + 2)
    corrected = factory.item(plan, kind="project", owner=unit, text="Dự án đính chính sau hạn",
                             start_year=y - 2, end_year=y + 1)
    draft_fix = factory.item(plan, kind="project", owner=unit, text="Dự án đang đính chính",
                             start_year=y - 2, end_year=y + 1)
    on_time = previous.submission_deadline - timedelta(days=3)
    late = previous.submission_deadline + timedelta(days=5)
    first = update(db, corrected, previous, unit, state="accepted", submitted_on=on_time)
    first.state = "superseded"
    update(db, corrected, previous, unit, state="accepted", version=2, submitted_on=late, supersedes_id=first.id)
    accepted = update(db, draft_fix, previous, unit, state="accepted", submitted_on=on_time)
    update(db, draft_fix, previous, unit, state="draft", version=2, supersedes_id=accepted.id)
    db.session.commit()

    # The reference.
    obligations = {o.item.id: o for o in obligations_for_period(previous, plan_id=plan.id)}
    assert {i: (o.state, o.submitted_on_time) for i, o in obligations.items()} == {
        corrected.id: ("accepted", True), draft_fix.id: ("accepted", True)}

    # Dashboard and unit pages (tracker.main.completeness).
    states = latest_update_states([previous.id], plan_id=plan.id)
    assert states[(corrected.id, unit.id, previous.id)][0] == "accepted"
    assert states[(draft_fix.id, unit.id, previous.id)][0] == "accepted"
    cell = completeness([corrected, draft_fix], [previous], states, today)[(unit.id, previous.id)]
    assert (cell.owed, cell.submitted, cell.late, cell.state) == (2, 2, 0, "submitted")
    board = build_dashboard(plan, today)
    row = next(r for r in board.unit_rows if r.unit.id == unit.id)
    board_cell = row.cells[previous.id]
    assert (board_cell.submitted, board_cell.late, board_cell.state) == (2, 0, "submitted")

    # Period pages.
    rows, total = unit_grid(previous, today)
    grid_row = next(r for r in rows if r.unit.id == unit.id)
    assert grid_row.tally.states["accepted"] == 2 and grid_row.tally.late == 0
    tally, _, _ = period_tallies([previous])[previous.id]
    own = [o for o in obligations_for_period(previous)]
    assert tally.late == sum(1 for o in own if o.submitted_on_time is False)
    assert tally.states["accepted"] == sum(1 for o in own if o.state == "accepted")


def test_chain_matches_obligation_rule():
    from datetime import datetime, timezone

    early = datetime(2025, 9, 1, tzinfo=timezone.utc)
    later = datetime(2025, 10, 30, tzinfo=timezone.utc)
    chain = Chain()
    chain.add(2, "submitted", later)
    chain.add(1, "accepted", early)
    assert chain.state == "submitted" and chain.submitted_at == early  # a correction sent: waiting
    chain = Chain()
    chain.add(1, "accepted", early)
    chain.add(2, "returned", later)
    assert chain.state == "accepted" and chain.submitted_at == early
    assert Chain().state == "not_started" and Chain().submitted_at is None
