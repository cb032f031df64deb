"""The figures: computed once, from the updates as of the period, in a constant number of queries."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import event

from tests.reports.conftest import build_scenario
from tracker.reports.services import ReportOptions, gather_report_data, normalize_recipients, place_date_line


def test_targets_are_assessed_from_the_latest_values(scenario):
    data = gather_report_data(scenario.plan, scenario.q3)
    by_ref = {t.ref: t for t in data.targets}
    items = scenario.items
    assert {key: by_ref[items[key].ref].assessment for key in ("t1", "t2", "t3")} == scenario.expected["targets"]
    t2 = by_ref[items["t2"].ref]
    assert t2.achieved_value == Decimal(12) and t2.target_value == Decimal(20)
    assert t2.last_period == "Quý 3/2025"
    # t3 is owned by the former Sở TT&TT: its successor's submitted (not yet accepted) update counts
    assert by_ref[items["t3"].ref].reported and by_ref[items["t3"].ref].progress == 80
    assert "Sở Thông tin và Truyền thông (nay: Sở KH&CN)" == by_ref[items["t3"].ref].owner


def test_project_counts_equal_those_of_the_updates(scenario):
    data = gather_report_data(scenario.plan, scenario.q3)
    p = data.projects
    got = {"total": p.total, "done_on_time": p.done_on_time, "done_late": p.done_late,
           "in_progress": p.in_progress, "behind": p.behind, "not_started": p.not_started, "overdue": p.overdue}
    assert got == scenario.expected["projects"]
    assert [r.ref for r in p.overdue_rows] == [scenario.items["p3"].ref]
    assert [r.ref for r in p.done_late_rows] == [scenario.items["p2"].ref]


def test_later_periods_and_drafts_do_not_count(scenario):
    data = gather_report_data(scenario.plan, scenario.q3)
    rows = {r.ref: r for a in data.annexes for r in a.rows if hasattr(r, "ref")}
    p3 = rows[scenario.items["p3"].ref]
    assert p3.status == "in_progress" and p3.progress == 70  # Q4's "done" is after the period
    p5 = rows[scenario.items["p5"].ref]
    assert p5.status == "not_started" and not p5.reported  # only a draft exists
    later = gather_report_data(scenario.plan, scenario.periods["2025-Q4"])
    rows = {r.ref: r for a in later.annexes for r in a.rows if hasattr(r, "ref")}
    assert rows[scenario.items["p3"].ref].status == "done"


def test_merged_unit_history_continues_under_its_successor(scenario, updates):
    data = gather_report_data(scenario.plan, scenario.q3)
    rows = {r.ref: r for a in data.annexes for r in a.rows if hasattr(r, "ref")}
    p6 = rows[scenario.items["p6"].ref]
    assert (p6.status, p6.progress, p6.committed) == ("in_progress", 80, 900_000_000)
    # In Q4 2024 (before the merger) the old unit's own update is the item's state.
    before = gather_report_data(scenario.plan, scenario.periods["2024-Q4"])
    rows = {r.ref: r for a in before.annexes for r in a.rows if hasattr(r, "ref")}
    assert rows[scenario.items["p6"].ref].progress == 40


def test_accepted_version_wins_over_a_pending_correction(scenario, updates):
    p4 = scenario.items["p4"]
    updates.add(p4, scenario.q3, scenario.units["khcn"], "done", 100, version=2, state="submitted")
    data = gather_report_data(scenario.plan, scenario.q3)
    rows = {r.ref: r for a in data.annexes for r in a.rows if hasattr(r, "ref")}
    assert rows[p4.ref].status == "late"


def test_budget_per_source_and_owner(scenario):
    b = gather_report_data(scenario.plan, scenario.q3).budget
    e = scenario.expected
    state, other, mixed = b.by_source
    assert (state.planned, other.planned, b.total.planned) == (e["planned_state"], e["planned_other"], e["planned_total"])
    assert (b.total.committed, b.total.disbursed) == (e["committed"], e["disbursed"])
    assert (state.committed, state.disbursed) == (5_000_000_000, 4_500_000_000)  # p1: state budget only
    assert (other.committed, other.disbursed) == (900_000_000, 600_000_000)  # p6: other sources only
    assert (mixed.committed, mixed.disbursed) == (3_800_000_000, 1_100_000_000)  # p3 mixed, p4 "-"
    assert b.unfixed_lines == 1
    owners = {r.label: r for r in b.by_owner}
    assert owners["Sở Khoa học và Công nghệ"].planned == 6_500_000_000  # own line + the merged unit's
    assert owners["Sở Khoa học và Công nghệ"].disbursed == 4_500_000_000 + 100_000_000 + 600_000_000
    assert sum(r.disbursed for r in b.by_owner) == e["disbursed"]


def test_agencies_that_have_not_reported_are_named(scenario):
    data = gather_report_data(scenario.plan, scenario.q3)
    assert data.not_reported == scenario.expected["not_reported"]
    agencies = {a.name: a for a in data.agencies}
    assert (agencies["Sở Công Thương"].late, agencies["Sở Công Thương"].on_time) == (2, 0)
    assert (agencies["Sở Khoa học và Công nghệ"].on_time, agencies["Sở Khoa học và Công nghệ"].missing) == (4, 0)
    assert agencies["Sở Y tế"].status_label == "Chưa báo cáo"


def test_indicators_at_risk_and_points(scenario):
    data = gather_report_data(scenario.plan, scenario.q3)
    assert {r.code for r in data.indicators} == {"6.4", "7.1"}
    assert data.points_at_risk == scenario.expected["points_at_risk"]


def test_difficulties_are_quoted_per_agency_and_merged(scenario):
    data = gather_report_data(scenario.plan, scenario.q3)
    quotes = {a.unit: a.quotes for a in data.difficulties}
    assert set(quotes) == {"Sở Công Thương", "Sở Khoa học và Công nghệ"}
    (ct,) = quotes["Sở Công Thương"]  # the same text on two items is quoted once
    assert len(ct.items) == 2 and ct.difficulties == "Thiếu số liệu thống kê kinh tế số cấp tỉnh"


def test_units_are_named_when_nothing_else_holds_them(scenario, db):
    """A fresh session (the CLI, a new request) holds no unit objects: quotes still name the agency,
    and the merged unit's history still continues under its successor."""
    import gc

    from tracker.periods.models import ReportingPeriod
    from tracker.plans.models import Plan

    plan_id, period_id, p6_ref = scenario.plan.id, scenario.q3.id, scenario.items["p6"].ref
    db.session.flush()
    db.session.expunge_all()
    gc.collect()
    data = gather_report_data(db.session.get(Plan, plan_id), db.session.get(ReportingPeriod, period_id))
    assert {a.unit for a in data.difficulties} == {"Sở Công Thương", "Sở Khoa học và Công nghệ"}
    rows = {r.ref: r for a in data.annexes for r in a.rows if hasattr(r, "ref")}
    assert (rows[p6_ref].status, rows[p6_ref].progress) == ("in_progress", 80)


def test_unit_report_holds_only_its_items(scenario):
    data = gather_report_data(scenario.plan, scenario.q3, unit=scenario.units["yte"])
    refs = {r.ref for a in data.annexes for r in a.rows if hasattr(r, "ref")}
    assert refs == {scenario.items["d2"].ref, scenario.items["p5"].ref}
    assert data.header.issuing_body == "SỞ Y TẾ"
    assert data.header.addressee == "Sở Khoa học và Công nghệ"
    assert data.not_reported == ["Sở Y tế"] and len(data.agencies) == 1


def test_header_follows_decree_30(scenario, app):
    options = ReportOptions(number="125", signer_name="Nguyễn Văn A", recipients=["- Như trên", "Lưu: VT, CĐS"])
    from datetime import date

    options.report_date = date(2025, 10, 5)
    h = gather_report_data(scenario.plan, scenario.q3, options=options).header
    assert h.parent_body == "UBND TỈNH THỪA THIÊN HUẾ" and h.issuing_body == "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    assert h.number_line == "Số: 125/BC-SKHCN"
    assert h.place_date_line == "Thừa Thiên Huế, ngày 05 tháng 10 năm 2025"
    assert h.addressee == "Ủy ban nhân dân tỉnh Thừa Thiên Huế"
    assert h.recipients == ["Như trên;", "Lưu: VT, CĐS."]
    assert h.signer_title_lines == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    assert "quý III năm 2025" in h.summary_line


def test_date_line_and_recipients_rules():
    from datetime import date

    assert place_date_line("Huế", date(2025, 2, 3)) == "Huế, ngày 03 tháng 02 năm 2025"
    assert place_date_line("Huế", date(2025, 3, 13)) == "Huế, ngày 13 tháng 3 năm 2025"
    assert normalize_recipients(["Lưu: VT", "UBND tỉnh (b/c);", ""]) == ["UBND tỉnh (b/c);", "Lưu: VT."]
    assert normalize_recipients([]) == ["Lưu: VT."]


def test_snapshot_is_plain_json(scenario):
    import json

    snapshot = gather_report_data(scenario.plan, scenario.q3).to_json()
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["budget"]["total"]["disbursed"] == scenario.expected["disbursed"]
    assert snapshot["points_at_risk"] == "35"


def _count_queries(db, func):
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        func()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_queries_do_not_grow_with_the_plan(factory, updates, db):
    small = build_scenario(factory, updates, db, number="902/KH-UBND")
    big = build_scenario(factory, updates, db, number="903/KH-UBND", extra_projects=30)
    db.session.expire_all()
    n_small = _count_queries(db, lambda: gather_report_data(small.plan, small.q3))
    db.session.expire_all()
    n_big = _count_queries(db, lambda: gather_report_data(big.plan, big.q3))
    assert n_small == n_big, (n_small, n_big)
    assert n_small <= 25


def test_shared_items_follow_the_workflow_rule(scenario, factory, updates):
    """A row owned by two units: each owes its part; one not reported counts as 0 % (as on item pages)."""
    from tracker.updates.services import item_state

    units = scenario.units
    shared = factory.item(scenario.plan, "target", owner=[units["ct"], units["yte"]], code="9.",
                          text="Chỉ tiêu chung của hai sở", target_value=Decimal(80), measure_unit="%",
                          target_year=2025)
    update = updates.add(shared, scenario.q3, units["ct"], "in_progress", 60, achieved=70)
    data = gather_report_data(scenario.plan, scenario.q3)
    row = next(t for t in data.targets if t.ref == shared.ref)
    expected = item_state(shared, [update], scenario.q3.submission_deadline)
    assert (row.status, row.progress, row.achieved_value) == (expected["status"], 30, Decimal(70))
    assert expected["progress"] == 30
    # Sở Y tế's own report shows its own (missing) part only
    own = gather_report_data(scenario.plan, scenario.q3, unit=units["yte"])
    assert next(t for t in own.targets if t.ref == shared.ref).reported is False


def test_disbursement_rate_ignores_spending_on_lines_without_a_fixed_amount():
    from tracker.reports.data import BudgetRow

    row = BudgetRow("Tổng cộng", planned=1000, committed=0, disbursed=5800, disbursed_fixed=800)
    assert str(row.disbursed_percent) == "80.0"  # not 580 %: the "-" line's 5.000 đ has no plan to compare with
