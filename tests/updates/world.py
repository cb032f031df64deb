"""A small province for the update workflow tests, built with the factories, with the unit names of
the seeds (Thừa Thiên Huế): Sở TT&TT (merged into Sở KH&CN on 01/3/2025 when `merged`), Sở KH&CN,
Văn phòng UBND tỉnh, Sở Tài chính; plan 222/KH-UBND with a target, a document, projects with and
without a budget line, a project owned by a group; the current period; one user per role."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from werkzeug.security import generate_password_hash

from tracker.auth.models import User
from tracker.core.time import today_local
from tracker.periods.services import ensure_period, quarter_of
from tracker.plans.models import PlanItem
from tracker.units.models import UnitAlias

PASSWORD = "matkhau123"
# A cheap hash keeps the many sign-ins of these tests fast; sign-in itself is unchanged.
CHEAP_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def make_user(factory, role: str, unit, email: str, full_name: str, tenant=None) -> User:
    """A user of `unit`'s province (or of `tenant`, or the factory's current one when it has no unit)."""
    if tenant is None and unit is None and role not in ("national_viewer", "superadmin"):
        tenant = factory.tenant()
    user = User(email=email, role=role, unit=unit, full_name=full_name, password_hash=CHEAP_HASH, tenant=tenant)
    return factory._add(user)


@dataclass
class World:
    area: object
    tttt: object
    khcn: object
    office: object
    finance: object
    group: object
    plan: object
    target: object
    document: object
    project: object  # owner Sở KH&CN, budget 2.000.000.000 đ
    project_tttt: object  # owner Sở TT&TT (a 2021–2025 project), budget 5.000.000.000 đ
    project_nobudget: object  # owner Sở KH&CN, no budget line
    project_group: object  # owner the group (Sở KH&CN, Sở Tài chính), coordinator VP UBND tỉnh
    period: object  # the current period
    reporter: object  # Sở KH&CN
    reporter2: object  # Sở KH&CN, a second person
    reporter_office: object  # VP UBND tỉnh
    reporter_finance: object  # Sở Tài chính
    reporter_tttt: object  # Sở TT&TT
    coordinator: object
    viewer: object
    admin: object


def budget_line(factory, plan, project, total: int | None, code: str) -> PlanItem:
    return factory.item(plan, kind="budget", owner=project.owners[0].unit or None, code=code,
                        text=f"Kinh phí {project.text}", budget_state=total, budget_other=None,
                        budget_total=total, funded_project_id=project.id)


def build_world(factory, *, merged: bool = True, area_code: str = "thua-thien-hue") -> World:
    area = factory.area(code=area_code, name="Tỉnh Thừa Thiên Huế")
    tttt = factory.unit("Sở Thông tin và Truyền thông", area=area, short_name="Sở TT&TT")
    khcn = factory.unit("Sở Khoa học và Công nghệ", area=area, short_name="Sở KH&CN")
    office = factory.unit("Văn phòng Ủy ban nhân dân tỉnh", area=area, short_name="VP UBND tỉnh",
                          kind="committee_office")
    office.aliases.append(UnitAlias(alias="Văn phòng UBND tỉnh"))
    finance = factory.unit("Sở Tài chính", area=area)
    if merged:
        tttt.successor = khcn
        tttt.succeeded_on = date(2025, 3, 1)
        tttt.succession_type = "merged"
    group = factory.group("Các Sở, ban, ngành", [khcn, finance], area=area)
    plan = factory.plan("222/KH-UBND", area=area, title="Triển khai chương trình Chuyển đổi số tỉnh Thừa Thiên Huế")
    target = factory.item(plan, kind="target", owner=office, coordinators=[tttt], code="1.",
                          text="100% văn bản điện tử có chữ ký số", target_value=Decimal("100"), measure_unit="%",
                          target_year=2025, target_text="100%")
    document = factory.item(plan, kind="document", owner=khcn, code="2.", text="Ban hành Quy chế quản lý dữ liệu",
                            doc_type="Quy chế")
    project = factory.item(plan, kind="project", owner=khcn, coordinators=[office], code="1.",
                           text="Xây dựng Trung tâm dữ liệu tỉnh", start_year=2021, end_year=2025)
    project_tttt = factory.item(plan, kind="project", owner=tttt, code="2.",
                                text="Triển khai nền tảng chữ ký số", start_year=2021, end_year=2025)
    project_nobudget = factory.item(plan, kind="project", owner=khcn, code="3.",
                                    text="Hội thảo chuyển đổi số", start_year=2021, end_year=2025)
    project_group = factory.item(plan, kind="project", owner=group, coordinators=[office], code="4.",
                                 text="Số hóa hồ sơ các sở", start_year=2021, end_year=2025)
    budget_line(factory, plan, project, 2_000_000_000, "1")
    budget_line(factory, plan, project_tttt, 5_000_000_000, "2")
    budget_line(factory, plan, project_group, 3_000_000_000, "4")
    period = ensure_period(*quarter_of(today_local()), area)
    return World(
        area=area, tttt=tttt, khcn=khcn, office=office, finance=finance, group=group, plan=plan, target=target,
        document=document, project=project, project_tttt=project_tttt, project_nobudget=project_nobudget,
        project_group=project_group, period=period,
        reporter=make_user(factory, "reporter", khcn, "baocao.khcn@test.vn", "Nguyễn Văn An"),
        reporter2=make_user(factory, "reporter", khcn, "baocao2.khcn@test.vn", "Trần Thị Bình"),
        reporter_office=make_user(factory, "reporter", office, "baocao.vp@test.vn", "Lê Văn Cường"),
        reporter_finance=make_user(factory, "reporter", finance, "baocao.stc@test.vn", "Phạm Thị Dung"),
        reporter_tttt=make_user(factory, "reporter", tttt, "baocao.tttt@test.vn", "Hoàng Văn Em"),
        coordinator=make_user(factory, "coordinator", khcn, "dieuphoi@test.vn", "Võ Thị Giang"),
        viewer=make_user(factory, "viewer", office, "xem@test.vn", "Đặng Văn Hải"),
        admin=make_user(factory, "admin", None, "quantri@test.vn", "Quản trị", tenant=area),
    )


def edit_url(item, period) -> str:
    return f"/cap-nhat/{item.id}/{period.code}"


def form(**values) -> dict:
    data = {"status": "in_progress", "progress": "40", "achieved_value": "", "amount_committed": "",
            "amount_disbursed": "", "done_text": "Đã hoàn thành khảo sát hiện trạng.",
            "difficulties": "Thiếu nhân lực chuyên trách.", "proposals": "Đề nghị bổ sung biên chế.",
            "action": "draft", "update_id": "", "lock_version": ""}
    data.update({k: str(v) if v is not None else "" for k, v in values.items()})
    return data


def ids_of(update) -> dict:
    return {"update_id": update.id, "lock_version": update.lock_version}
