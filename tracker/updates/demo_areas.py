"""The demo's second area and the accounts above the areas.

Thanh Hóa carries the plan of Triệu Sơn district: its offices reported until the district level
ended (30/06/2025); from 01/07/2025 the demo gives the standing office's items to Sở KH&CN of the
province (a dated reassignment, labelled as sample data) and leaves the others listed as "không
còn đơn vị thực hiện". A national viewer reads every area; a superadmin manages the areas.
Idempotent, like `tracker.updates.demo`. The caller commits.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.periods.obligations import REPORTING_KINDS, item_owes_in, owner_units
from tracker.plans.models import Plan, PlanItem
from tracker.units.models import Area
from tracker.updates.demo import (
    ACTOR,
    TEXTS,
    DemoResult,
    _at,
    _one_unit,
    demo_account,
    demo_periods,
    finish_samples,
)
from tracker.updates.models import StatusUpdate, UpdateState

PROVINCE_CODE = "thanh-hoa"
DISTRICT_CODE = "trieu-son"
PLAN_NUMBER = "KH-UBND Triệu Sơn triển khai Bộ chỉ số"
REASSIGNED_ON = date(2025, 7, 1)  # the first day without the district level

NATIONAL_ACCOUNTS = [
    ("theodoi.quocgia@demo.vn", "national_viewer", "Bộ KH&CN — Theo dõi toàn quốc (mẫu)"),
    ("superadmin@demo.vn", "superadmin", "Quản trị các địa bàn (mẫu)"),
]
ACCOUNTS = [
    # email, role, (area code, unit name) or None, full name
    ("quantri.thanhhoa@demo.vn", "admin", None, "Quản trị Thanh Hóa (mẫu)"),
    ("dieuphoi.thanhhoa@demo.vn", "coordinator", (PROVINCE_CODE, "Sở Khoa học và Công nghệ"),
     "Hoàng Thị Điều Phối – Sở KH&CN Thanh Hóa (mẫu)"),
    ("xem.thanhhoa@demo.vn", "viewer", (PROVINCE_CODE, "Ủy ban nhân dân tỉnh Thanh Hóa"),
     "Đỗ Văn Theo Dõi – UBND tỉnh Thanh Hóa (mẫu)"),
    ("baocao.skhcn.thanhhoa@demo.vn", "reporter", (PROVINCE_CODE, "Sở Khoa học và Công nghệ"),
     "Lê Thị Báo Cáo – Sở KH&CN Thanh Hóa (mẫu)"),
    ("baocao.vhtt.trieuson@demo.vn", "reporter", (DISTRICT_CODE, "Phòng Văn hóa và Thông tin"),
     "Nguyễn Văn Báo Cáo – Phòng VH&TT Triệu Sơn (mẫu)"),
]


def build_other_areas(today: date, result: DemoResult) -> None:
    for email, role, full_name in NATIONAL_ACCOUNTS:
        demo_account(email, role, None, full_name, None, result)
    province = db.session.scalar(select(Area).where(Area.code == PROVINCE_CODE))
    district = db.session.scalar(select(Area).where(Area.code == DISTRICT_CODE))
    if province is None or district is None:
        result.notes.append("Chưa có dữ liệu tỉnh Thanh Hóa, huyện Triệu Sơn: không tạo tài khoản của địa bàn thứ hai.")
        return
    areas = {PROVINCE_CODE: province, DISTRICT_CODE: district}
    users = {}
    for email, role, where, full_name in ACCOUNTS:
        unit = _one_unit(where[1], areas[where[0]]) if where else None
        if where and unit is None:
            result.notes.append(f"Không tìm thấy {where[1]}: không tạo tài khoản {email}.")
            continue
        users[email] = demo_account(email, role, unit, full_name, province, result)
    coordinator = users.get("dieuphoi.thanhhoa@demo.vn")
    if coordinator is None:
        return
    periods = demo_periods(province, today, coordinator, result)
    plan = db.session.scalar(select(Plan).where(Plan.number == PLAN_NUMBER, Plan.area_id == district.id))
    if plan is None:
        result.notes.append(f"Không có kế hoạch {PLAN_NUMBER}: không tạo báo cáo mẫu của Thanh Hóa.")
        return
    khcn = coordinator.unit
    vhtt = _one_unit("Phòng Văn hóa và Thông tin", district)
    items = list(db.session.scalars(
        select(PlanItem).where(PlanItem.plan_id == plan.id, PlanItem.kind.in_([k.value for k in REPORTING_KINDS]))
        .order_by(PlanItem.position)))
    if today >= REASSIGNED_ON and vhtt is not None:
        _reassign_standing_office(items, vhtt, khcn, result)
    existing = db.session.scalar(
        select(func.count()).select_from(StatusUpdate).join(PlanItem, PlanItem.id == StatusUpdate.item_id)
        .where(PlanItem.plan_id == plan.id, StatusUpdate.is_sample.is_(True)))
    if existing:
        result.samples_existing += existing
        return
    result.samples_created += _samples(items, periods, today, users, coordinator)


def _reassign_standing_office(items, vhtt, khcn, result: DemoResult) -> None:
    """Phòng VH&TT (the standing office of the plan) ended on 30/06/2025: its items go to Sở KH&CN."""
    from tracker.items.reassignment import ReassignmentError, reassign

    moved = 0
    for item in items:
        owned = any(u.id == vhtt.id for a in item.owners for u in a.units)
        if not owned or any(r.from_unit_id == vhtt.id for r in item.reassignments):
            continue
        try:
            reassign(None, item, khcn, REASSIGNED_ON,
                     "Dữ liệu mẫu: cấp huyện kết thúc hoạt động; Sở KH&CN tỉnh tiếp nhận việc theo dõi Bộ chỉ số.",
                     actor_label=ACTOR)
        except ReassignmentError:
            continue
        moved += 1
    if moved:
        result.notes.append(f"Đã giao {moved} hạng mục của Phòng VH&TT Triệu Sơn cho {khcn.name} tỉnh Thanh Hóa "
                            f"từ {REASSIGNED_ON:%d/%m/%Y} (dữ liệu mẫu); các hạng mục khác của huyện được liệt kê "
                            "là \"không còn đơn vị thực hiện\".")


def _samples(items, periods, today, users, coordinator) -> int:
    by_code = {p.code: p for p in periods}
    current = periods[-1]
    reporters = {u.unit_id: u for u in users.values() if u.role == "reporter" and u.unit_id}
    created: list[StatusUpdate] = []
    touched: set[int] = set()

    def make(item, period, unit, state, progress, n):
        done, difficulties, proposals = TEXTS[-1] if progress == 100 else TEXTS[n % (len(TEXTS) - 1)]
        author = reporters.get(unit.id)
        update = StatusUpdate(item=item, period=period, unit=unit, version=1, state=state,
                              status="done" if progress == 100 else "in_progress", progress=progress,
                              done_text=done, difficulties=difficulties, proposals=proposals, is_sample=True,
                              author=author)
        if state != UpdateState.DRAFT:
            update.submitted_at = _at(period.submission_deadline - timedelta(days=1 + n % 3))
            update.submitted_by = author
            update.created_at = update.submitted_at - timedelta(hours=2)
        if state == UpdateState.ACCEPTED:
            update.reviewed_at = max(_at(min(today, period.consolidated_deadline), 15), update.submitted_at)
            update.reviewed_by = coordinator
        db.session.add(update)
        db.session.flush()
        created.append(update)
        touched.add(item.id)

    # Before the district level ended: the district offices report (their names stay in the history).
    n = 0
    for code in ("2025-Q1", "2025-Q2"):
        period = by_code.get(code)
        if period is None:
            continue
        owing: dict[int, list] = {}
        for item in items:
            if item_owes_in(item, period):
                for unit in owner_units(item, period.submission_deadline):
                    owing.setdefault(unit.id, [unit, []])[1].append(item)
        for unit, owned in list(owing.values())[:3]:
            for item in owned[:2]:
                make(item, period, unit, UpdateState.ACCEPTED, 30 + 20 * (code == "2025-Q2"), n)
                n += 1
    # Today: Sở KH&CN reports the items it received.
    khcn = coordinator.unit
    if current.submission_deadline >= date(2025, 7, 1):
        mine = [i for i in items if item_owes_in(i, current)
                and khcn.id in {u.id for u in owner_units(i, current.submission_deadline)}]
        for index, item in enumerate(mine[:2]):
            make(item, current, khcn, UpdateState.SUBMITTED if index == 0 else UpdateState.DRAFT, 60, n + index)
    return finish_samples(created, items, touched, today)
