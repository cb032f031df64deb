"""Two provinces side by side, each with the same unit names and a plan of the same number, a current
period and one user per role: what every test of the tenancy works on."""
from __future__ import annotations

from dataclasses import dataclass

from tests.updates.world import make_user
from tracker.core.time import today_local
from tracker.periods.services import ensure_period, quarter_of


@dataclass
class Province:
    area: object
    khcn: object  # Sở Khoa học và Công nghệ
    finance: object  # Sở Tài chính
    plan: object  # "222/KH-UBND" in both provinces
    project: object  # owned by Sở Tài chính
    target: object  # owned by Sở KH&CN
    period: object  # the current period, in this province's calendar
    admin: object
    coordinator: object
    viewer: object
    reporter: object  # Sở Tài chính


def build_province(factory, code: str, name: str, tag: str, *, number: str = "222/KH-UBND") -> Province:
    area = factory.area(code=code, name=name)
    khcn = factory.unit("Sở Khoa học và Công nghệ", area=area, short_name="Sở KH&CN")
    finance = factory.unit("Sở Tài chính", area=area)
    plan = factory.plan(number, area=area, title=f"Chuyển đổi số {name.lower()} đến năm 2025",
                        issuing_body=f"UBND {name[:1].lower()}{name[1:]}")
    project = factory.item(plan, kind="project", owner=finance, text=f"Nền tảng số của {name}")
    target = factory.item(plan, kind="target", owner=khcn, text=f"Chỉ tiêu số của {name}", target_year=2025)
    period = ensure_period(*quarter_of(today_local()), area)
    return Province(
        area=area, khcn=khcn, finance=finance, plan=plan, project=project, target=target, period=period,
        admin=make_user(factory, "admin", None, f"quantri.{tag}@test.vn", f"Quản trị {name}", tenant=area),
        coordinator=make_user(factory, "coordinator", khcn, f"dieuphoi.{tag}@test.vn", f"Điều phối {name}"),
        viewer=make_user(factory, "viewer", khcn, f"xem.{tag}@test.vn", f"Theo dõi {name}"),
        reporter=make_user(factory, "reporter", finance, f"baocao.{tag}@test.vn", f"Báo cáo {name}"),
    )


def build_two_provinces(factory) -> tuple[Province, Province]:
    return (build_province(factory, "thua-thien-hue", "Tỉnh Thừa Thiên Huế", "hue"),
            build_province(factory, "thanh-hoa", "Tỉnh Thanh Hóa", "thanhhoa"))
