"""A province merged into another from a date (Nghị quyết 202/2025/QH15: Ninh Thuận into Khánh Hòa,
01/07/2025): the successor carries the predecessor's plans, units, users and periods; the plans keep
their issuing area, and a report dated before the merger keeps the predecessor's header.
The Ninh Thuận / Khánh Hòa pair here is test data, not a seeded plan."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.updates.world import make_user
from tracker.areas.services import AreaError, merge_area
from tracker.audit.models import AuditEntry
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import obligations_for_period
from tracker.periods.services import ensure_period, get_period
from tracker.reports.services import ReportOptions, gather_report_data

BASIS = "Nghị quyết số 202/2025/QH15 ngày 12/6/2025 của Quốc hội về sắp xếp đơn vị hành chính cấp tỉnh"
ON = date(2025, 7, 1)


@pytest.fixture
def pair(db, factory):
    from tests.reports.conftest import Updates

    result = {}
    for code, name in (("ninh-thuan", "Tỉnh Ninh Thuận"), ("khanh-hoa", "Tỉnh Khánh Hòa")):
        area = factory.area(code=code, name=name)
        khcn = factory.unit("Sở Khoa học và Công nghệ", area=area)
        plan = factory.plan("50/KH-UBND", area=area, title=f"Chuyển đổi số {name.lower()}",
                            issuing_body=f"UBND {name[:1].lower()}{name[1:]}")
        item = factory.item(plan, owner=khcn, text=f"Nền tảng số {name}", end_year=2030)
        q2, q3 = ensure_period(2025, 2, area), ensure_period(2025, 3, area)
        coordinator = make_user(factory, "coordinator", khcn, f"dieuphoi@{code}.vn", f"Điều phối {name}")
        result[code] = dict(area=area, khcn=khcn, plan=plan, item=item, q2=q2, q3=q3, coordinator=coordinator)
    nt = result["ninh-thuan"]
    only_nt = ensure_period(2024, 4, nt["area"])  # a quarter the successor has no period for
    Updates(db).add(nt["item"], nt["q2"], nt["khcn"], "in_progress", 40)
    result["only_nt"] = only_nt
    db.session.commit()
    return result


def test_the_successor_carries_plans_units_users_and_periods(db, pair):
    nt, kh = pair["ninh-thuan"], pair["khanh-hoa"]
    counts = merge_area(None, nt["area"], kh["area"], ON, basis=BASIS)
    assert counts["plan"] == 1 and counts["unit"] == 1 and counts["user"] == 1
    assert counts["periods_joined"] == 2 and counts["periods_moved"] == 1
    db.session.expire_all()
    area_nt, area_kh = db.session.get(type(nt["area"]), nt["area"].id), db.session.get(type(kh["area"]), kh["area"].id)
    plan = db.session.get(type(nt["plan"]), nt["plan"].id)
    assert plan.tenant_id == area_kh.id and plan.area_id == area_nt.id  # issued by Ninh Thuận, carried by Khánh Hòa
    assert plan.title == "Chuyển đổi số tỉnh ninh thuận" and plan.issuing_body == "UBND tỉnh Ninh Thuận"
    assert db.session.get(type(nt["item"]), nt["item"].id).tenant_id == area_kh.id
    assert db.session.get(type(nt["khcn"]), nt["khcn"].id).tenant_id == area_kh.id
    assert db.session.get(type(nt["coordinator"]), nt["coordinator"].id).tenant_id == area_kh.id
    assert area_nt.tenant_id == area_kh.id and area_nt.successor_id == area_kh.id and area_nt.merged_on == ON
    # One calendar: the joint quarters are the successor's periods, the predecessor's update points to it.
    periods = db.session.scalars(select(ReportingPeriod).where(ReportingPeriod.tenant_id == area_kh.id)).all()
    assert sorted(p.code for p in periods) == ["2024-Q4", "2025-Q2", "2025-Q3"]
    q2 = get_period("2025-Q2", area_kh)
    assert q2.id == kh["q2"].id
    assert {o.item.plan_id for o in obligations_for_period(q2)} == {nt["plan"].id, kh["plan"].id}
    from tracker.updates.models import StatusUpdate

    update = db.session.scalars(select(StatusUpdate).where(StatusUpdate.item_id == nt["item"].id)).one()
    assert update.period_id == q2.id  # the predecessor's Q2 report, in the successor's Q2
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "area.merge")).one()
    assert BASIS in entry.changes["merge_note"][1]


def test_the_predecessor_heads_its_reports_until_the_merger(db, pair):
    nt, kh = pair["ninh-thuan"], pair["khanh-hoa"]
    merge_area(None, nt["area"], kh["area"], ON, basis=BASIS)
    plan = db.session.get(type(nt["plan"]), nt["plan"].id)
    q2 = get_period("2025-Q2", plan.tenant_id)
    before = gather_report_data(plan, q2, options=ReportOptions(report_date=date(2025, 6, 25))).header
    after = gather_report_data(plan, q2, options=ReportOptions(report_date=date(2025, 7, 5))).header
    assert before.parent_body == "UBND TỈNH NINH THUẬN" and before.addressee == "Ủy ban nhân dân tỉnh Ninh Thuận"
    assert after.parent_body == "UBND TỈNH KHÁNH HÒA" and after.addressee == "Ủy ban nhân dân tỉnh Khánh Hòa"
    assert "Kế hoạch số 50/KH-UBND ngày 21/10/2020 của UBND tỉnh Ninh Thuận" in after.summary_line


def test_the_successors_coordinator_is_escalated_the_predecessors_units(db, pair):
    from datetime import timedelta

    from tracker.reminders.services import plan_digests

    nt, kh = pair["ninh-thuan"], pair["khanh-hoa"]
    merge_area(None, nt["area"], kh["area"], ON, basis=BASIS)
    db.session.commit()
    day = kh["q3"].submission_deadline + timedelta(days=8)
    digests = {d.user.email: d for d in plan_digests(day)}
    for email in ("dieuphoi@khanh-hoa.vn", "dieuphoi@ninh-thuan.vn"):
        escalation = next(n for n in digests[email].notices if n.rule.value == "escalation")
        assert {u.unit.id for u in escalation.units} == {nt["khcn"].id, kh["khcn"].id}


def test_merging_is_refused_when_it_makes_no_sense(db, pair, factory):
    nt, kh = pair["ninh-thuan"], pair["khanh-hoa"]
    with pytest.raises(AreaError):
        merge_area(None, nt["area"], nt["area"], ON)
    district = factory.area(name="Huyện Thử", level="district", parent=kh["area"])
    with pytest.raises(AreaError):
        merge_area(None, district, kh["area"], ON)
    merge_area(None, nt["area"], kh["area"], ON, basis=BASIS)
    other = factory.area(code="tinh-thu-ba", name="Tỉnh Thứ Ba")
    with pytest.raises(AreaError, match="đã hợp nhất"):
        merge_area(None, other, db.session.get(type(nt["area"]), nt["area"].id), ON)


UNITS = """\
kind: units
area:
  code: {code}
  name: {name}
  level: province
  parent: null
{merge}units:
  - {{name: Sở Khoa học và Công nghệ, short_name: Sở KH&CN, kind: department}}
groups: []
"""


def test_a_units_file_records_the_merger_and_the_cli_lists_it(db, tmp_path, runner):
    (tmp_path / "ninh-thuan.yaml").write_text(UNITS.format(
        code="ninh-thuan", name="Tỉnh Ninh Thuận",
        merge=f'  merged_into: {{area: khanh-hoa, date: 2025-07-01, basis: "{BASIS}"}}\n'), encoding="utf-8")
    (tmp_path / "khanh-hoa.yaml").write_text(UNITS.format(code="khanh-hoa", name="Tỉnh Khánh Hòa", merge=""),
                                             encoding="utf-8")
    result = runner.invoke(args=["tracker", "load-plans", str(tmp_path)])
    assert result.exit_code == 0, result.output
    from tracker.areas.services import find_area

    nt, kh = find_area("ninh-thuan"), find_area("khanh-hoa")
    assert nt.successor_id == kh.id and nt.merged_on == ON and nt.tenant_id == kh.id
    units = {u.tenant_id for u in nt.units}
    assert units == {kh.id}
    again = runner.invoke(args=["tracker", "load-plans", str(tmp_path)])
    assert again.exit_code == 0 and "không có gì thay đổi" in again.output
    listing = runner.invoke(args=["tracker", "areas"])
    assert "ninh-thuan" in listing.output and "hợp nhất vào Tỉnh Khánh Hòa từ 01/07/2025" in listing.output


def test_merge_area_command(db, pair, runner):
    result = runner.invoke(args=["tracker", "merge-area", "--from", "ninh-thuan", "--into", "khanh-hoa",
                                 "--date", "2025-07-01", "--basis", BASIS])
    assert result.exit_code == 0, result.output
    assert "1 kế hoạch" in result.output and "Tỉnh Ninh Thuận hợp nhất vào Tỉnh Khánh Hòa" in result.output
    bad = runner.invoke(args=["tracker", "merge-area", "--from", "khong-co", "--into", "khanh-hoa",
                              "--date", "2025-07-01", "--basis", BASIS])
    assert bad.exit_code != 0 and "khong-co" in bad.output
