"""Demo data for `make run`: two areas, one account per role in each, the reporting periods, and
sample updates.

Thừa Thiên Huế (thành phố Huế from 01/01/2025) with plan 222/KH-UBND is built here; Thanh Hóa
with the Triệu Sơn plan, the national viewer and the superadmin in `demo_areas`, so that the
separation of the areas can be seen in a browser.

Idempotent: accounts, the succession and periods are created only when missing, and the sample
updates only when plan 222/KH-UBND has none yet. Every sample update has `is_sample=True` and is
shown with the label "Dữ liệu mẫu". The caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from tracker.audit.services import record
from tracker.auth.models import User
from tracker.core.time import VN_TZ, utcnow
from tracker.extensions import db
from tracker.periods.models import ReportingPeriod
from tracker.periods.obligations import REPORTING_KINDS, item_owes_in, owner_units
from tracker.periods.services import ensure_period, get_period, quarter_of
from tracker.plans.models import Plan, PlanItem
from tracker.units.models import Area, Unit
from tracker.units.services import find_units
from tracker.updates.models import StatusUpdate, UpdateState
from tracker.updates.services import budgets_for, recompute_item_state

AREA_CODE = "thua-thien-hue"
PLAN_NUMBER = "222/KH-UBND"
PASSWORD = "matkhau123"
FIRST_PERIOD = (2024, 1)
MERGER_DAY = date(2025, 3, 1)
ACTOR = "tracker demo"

ACCOUNTS = [
    # email, role, unit key, full name
    ("admin@demo.vn", "admin", None, "Quản trị hệ thống (mẫu)"),
    ("dieuphoi@demo.vn", "coordinator", "khcn", "Nguyễn Thị Điều Phối (mẫu)"),
    ("xem@demo.vn", "viewer", "office", "Trần Văn Theo Dõi (mẫu)"),
    ("baocao.skhcn@demo.vn", "reporter", "khcn", "Lê Văn Báo Cáo – Sở KH&CN (mẫu)"),
    ("baocao.vpubnd@demo.vn", "reporter", "office", "Phạm Thị Báo Cáo – VP UBND tỉnh (mẫu)"),
]

TEXTS = [
    ("Đã hoàn thành khảo sát hiện trạng, xây dựng đề cương và dự toán; đang trình thẩm định.",
     "Thủ tục thẩm định dự toán kéo dài; thiếu cán bộ chuyên trách về công nghệ thông tin.",
     "Đề nghị Sở Tài chính sớm thẩm định dự toán; bổ sung 01 biên chế chuyên trách chuyển đổi số."),
    ("Đã lựa chọn nhà thầu, ký hợp đồng và triển khai giai đoạn 1 tại 12 đơn vị.",
     "Hạ tầng mạng tại một số xã chưa đáp ứng; dữ liệu đầu vào chưa chuẩn hóa.",
     "Đề nghị UBND tỉnh chỉ đạo các huyện, xã rà soát, nâng cấp đường truyền."),
    ("Đã ban hành văn bản hướng dẫn; tổ chức 02 lớp tập huấn cho 150 cán bộ, công chức.",
     "Kinh phí tập huấn năm nay chưa được bố trí đủ.",
     "Đề nghị bố trí bổ sung kinh phí trong dự toán năm sau."),
    ("Đang tích hợp với Cổng dịch vụ công quốc gia; đã chạy thử 30 thủ tục.",
     "Nền tảng tích hợp, chia sẻ dữ liệu quốc gia thay đổi phiên bản, phải điều chỉnh kết nối.",
     "Đề nghị Bộ Công an, Văn phòng Chính phủ hướng dẫn kỹ thuật kết nối thống nhất."),
    ("Đã hoàn thành nghiệm thu giai đoạn 1, đưa vào vận hành chính thức.",
     "Không có.",
     "Đề nghị tiếp tục bố trí vốn cho giai đoạn 2."),
]


class DemoError(ValueError):
    """The seeds are not loaded (message in Vietnamese)."""


@dataclass
class DemoResult:
    accounts: list[tuple[str, str, str, bool]] = field(default_factory=list)  # email, role, unit/area, created
    succession: str | None = None
    periods_created: list[str] = field(default_factory=list)
    samples_created: int = 0
    samples_existing: int = 0
    notes: list[str] = field(default_factory=list)


def _one_unit(name: str, area: Area) -> Unit | None:
    found = find_units(name, area_id=area.id)
    return found[0] if len(found) == 1 else None


def _at(day: date, hour: int = 9) -> datetime:
    """A local time on a day, as UTC, never in the future."""
    value = datetime.combine(day, time(hour, 0), tzinfo=VN_TZ)
    return min(value, utcnow() - timedelta(minutes=5))


def demo_account(email: str, role: str, unit: Unit | None, full_name: str, tenant: Area | None,
                 result: DemoResult) -> User:
    """The demo account, created (with an audit entry) when missing."""
    user = db.session.scalar(select(User).where(User.email == email))
    created = user is None
    if created:
        user = User(email=email, role=role, unit=unit, full_name=full_name, tenant=tenant)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        record(actor=None, actor_label=ACTOR, action="create", entity_type="user", entity_id=user.id,
               summary=f"Tạo tài khoản mẫu {email} ({role})")
    area = user.tenant.current_name if user.tenant else "mọi địa bàn"
    where = f"{user.unit.name} · {area}" if user.unit else area
    result.accounts.append((email, role, where, created))
    return user


def demo_periods(tenant: Area, today: date, closer: User, result: DemoResult) -> list[ReportingPeriod]:
    """The tenant's periods from 2024-Q1 to the current quarter; quarters long past are closed."""
    last = quarter_of(today)
    periods: list[ReportingPeriod] = []
    year, quarter = FIRST_PERIOD
    while (year, quarter) <= last:
        existed = get_period(f"{year}-Q{quarter}", tenant)
        period = existed or ensure_period(year, quarter, tenant)
        if existed is None:
            result.periods_created.append(period.code)
            if period.consolidated_deadline < today - timedelta(days=90):
                period.closed_at = _at(period.consolidated_deadline + timedelta(days=1))
                period.closed_by_id = closer.id
        periods.append(period)
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    db.session.flush()
    return periods


def build_demo(today: date) -> DemoResult:
    from tracker.updates.demo_areas import build_other_areas

    result = _build_hue(today)
    build_other_areas(today, result)
    return result


def _build_hue(today: date) -> DemoResult:
    result = DemoResult()
    area = db.session.scalar(select(Area).where(Area.code == AREA_CODE))
    if area is None:
        raise DemoError("Chưa có dữ liệu tỉnh Thừa Thiên Huế (thua-thien-hue). "
                        "Chạy `flask --app wsgi tracker load-plans` trước.")
    khcn = _one_unit("Sở Khoa học và Công nghệ", area)
    office = _one_unit("Văn phòng UBND tỉnh", area)
    if khcn is None or office is None:
        raise DemoError("Không tìm thấy Sở Khoa học và Công nghệ hoặc Văn phòng UBND tỉnh trong dữ liệu "
                        "đơn vị tỉnh Thừa Thiên Huế.")
    tttt = _one_unit("Sở Thông tin và Truyền thông", area)

    # The merger of Sở TT&TT into Sở KH&CN (the seeds record it; recorded here when they did not).
    if tttt is not None and tttt.successor_id is None:
        from tracker.units.services import merge_unit

        merge_unit(None, tttt, khcn, MERGER_DAY,
                   note="Hợp nhất Sở Thông tin và Truyền thông vào Sở Khoa học và Công nghệ từ 01/3/2025 (dữ liệu mẫu).")
        result.succession = "Đã ghi nhận: Sở TT&TT hợp nhất vào Sở KH&CN từ 01/03/2025."
    elif tttt is not None:
        result.succession = (f"Đã có: {tttt.name} → {tttt.successor.name} từ "
                             f"{tttt.succeeded_on:%d/%m/%Y}." if tttt.succeeded_on else None)

    units = {"khcn": khcn, "office": office}
    users = {}
    for email, role, unit_key, full_name in ACCOUNTS:
        user = demo_account(email, role, units.get(unit_key), full_name, area, result)
        users[role if role != "reporter" else unit_key] = user

    # Periods from 2024-Q1 to the current quarter; quarters before the previous one are closed.
    periods = demo_periods(area, today, users["coordinator"], result)

    plan = db.session.scalar(select(Plan).where(Plan.number == PLAN_NUMBER, Plan.area_id == area.id))
    if plan is None:
        result.notes.append(f"Không có kế hoạch {PLAN_NUMBER}: không tạo báo cáo mẫu.")
        return result
    existing = db.session.scalar(
        select(func.count()).select_from(StatusUpdate).join(PlanItem, PlanItem.id == StatusUpdate.item_id)
        .where(PlanItem.plan_id == plan.id, StatusUpdate.is_sample.is_(True))
    )
    if existing:
        result.samples_existing = existing
        return result
    result.samples_created = _samples(plan, periods, today, users, khcn, office, tttt)
    return result


def _samples(plan, periods, today, users, khcn, office, tttt) -> int:
    items = list(db.session.scalars(
        select(PlanItem).where(PlanItem.plan_id == plan.id, PlanItem.kind.in_([k.value for k in REPORTING_KINDS]))
        .order_by(PlanItem.position)
    ))
    budgets = budgets_for(items)
    by_code = {p.code: p for p in periods}
    current = periods[-1]
    previous = periods[-2] if len(periods) > 1 else None
    coordinator = users["coordinator"]
    created: list[StatusUpdate] = []
    touched: set[int] = set()
    counter = iter(range(10_000))

    def owned_by(unit, on):
        preferred = [i for i in items if unit.id in {u.id for u in owner_units(i, on)} and i.kind == "project"]
        others = [i for i in items if unit.id in {u.id for u in owner_units(i, on)} and i.kind != "project"]
        return preferred[:4] + others[:2]

    def make(item, period, unit, state, progress, *, author=None, version=1, supersedes=None, late=False,
             status=None, comment=None, disbursed_share=None):
        n = next(counter)
        status = status or ("done" if progress == 100 else "in_progress" if progress else "not_started")
        done, difficulties, proposals = TEXTS[-1] if status == "done" else TEXTS[n % (len(TEXTS) - 1)]
        budget = budgets.get(item.id)
        committed = disbursed = None
        if budget is not None and budget.has_budget and budget.total:
            share = disbursed_share if disbursed_share is not None else Decimal(progress) / 100
            committed = int(budget.total * min(Decimal(1), share + Decimal("0.2")) // 1_000_000 * 1_000_000)
            disbursed = int(budget.total * share // 1_000_000 * 1_000_000)
        achieved = None
        if item.kind == "target" and item.target_value is not None:
            achieved = (item.target_value * Decimal(progress) / 100).quantize(Decimal("0.1"))
        update = StatusUpdate(
            item=item, period=period, unit=unit, version=version, state=state, status=status, progress=progress,
            achieved_value=achieved, amount_committed=committed, amount_disbursed=disbursed, done_text=done,
            difficulties=difficulties, proposals=proposals, is_sample=True, author=author,
            supersedes_id=supersedes.id if supersedes is not None else None,
        )
        if state != UpdateState.DRAFT:
            deadline = period.submission_deadline
            update.submitted_at = _at(deadline + timedelta(days=3) if late else deadline - timedelta(days=2 + n % 4))
            update.submitted_by = author
            update.created_at = update.submitted_at - timedelta(hours=2)  # written before it was sent
        if state in (UpdateState.ACCEPTED, UpdateState.RETURNED, UpdateState.SUPERSEDED):
            # Reviewed after it was sent (both are capped at "now" for the current period).
            update.reviewed_at = max(_at(min(today, period.consolidated_deadline), 15), update.submitted_at)
            update.reviewed_by = coordinator
            update.review_comment = comment
        db.session.add(update)
        db.session.flush()
        created.append(update)
        touched.add(item.id)
        return update

    # 2024: Sở TT&TT reports its projects (the history keeps its name after the merger).
    if tttt is not None:
        for index, item in enumerate(owned_by(tttt, date(2024, 12, 31))[:3]):
            progress = 15 + 10 * index
            for code in ("2024-Q2", "2024-Q3", "2024-Q4"):
                period = by_code.get(code)
                if period is None or not item_owes_in(item, period):
                    continue
                first = make(item, period, tttt, UpdateState.ACCEPTED, progress, late=(index == 2 and code == "2024-Q3"))
                if index == 0 and code == "2024-Q4":
                    # A correction: the accepted figures were wrong; version 2 replaces version 1.
                    first.state = UpdateState.SUPERSEDED.value
                    make(item, period, tttt, UpdateState.ACCEPTED, progress + 5, version=2, supersedes=first,
                         comment="Chấp nhận số liệu đính chính theo báo cáo quyết toán.")
                progress = min(progress + 15, 90)

    # The previous quarter: accepted reports, one sent late.
    if previous is not None:
        for index, item in enumerate(owned_by(khcn, previous.submission_deadline)[:3]):
            if item_owes_in(item, previous):
                make(item, previous, khcn, UpdateState.ACCEPTED, 40 + 15 * index, author=users["khcn"],
                     comment="Đạt yêu cầu." if index == 0 else None)
        for index, item in enumerate(owned_by(office, previous.submission_deadline)[:2]):
            if item_owes_in(item, previous):
                make(item, previous, office, UpdateState.ACCEPTED, 50 + 20 * index, author=users["office"],
                     late=index == 1)

    # The current quarter: work in every state.
    states = [
        (UpdateState.DRAFT, 55, None, None),
        (UpdateState.SUBMITTED, 70, None, None),
        (UpdateState.RETURNED, 60, "late",
         "Đề nghị bổ sung biên bản nghiệm thu và số liệu giải ngân đến ngày chốt số liệu."),
        (UpdateState.SUBMITTED, 100, "done", None),
    ]
    for (state, progress, status, comment), item in zip(states, owned_by(khcn, current.submission_deadline)):
        if item_owes_in(item, current):
            make(item, current, khcn, state, progress, author=users["khcn"], status=status, comment=comment)
    for (state, progress), item in zip([(UpdateState.SUBMITTED, 80), (UpdateState.DRAFT, 30)],
                                       owned_by(office, current.submission_deadline)):
        if item_owes_in(item, current):
            make(item, current, office, state, progress, author=users["office"])

    return finish_samples(created, items, touched, today)


def finish_samples(created: list[StatusUpdate], items, touched: set[int], today: date) -> int:
    """Audit the sample updates and bring the items' state up to date with them."""
    for update in created:
        record(actor=None, actor_label=ACTOR, action="create_sample", entity_type="status_update",
               entity_id=update.id, summary=f"Tạo báo cáo mẫu (Dữ liệu mẫu) {update.period.label} của "
                                           f"{update.unit.name} về hạng mục {update.item.ref}")
    for item in items:
        if item.id in touched:
            recompute_item_state(item, actor=None, today=today)
    return len(created)
