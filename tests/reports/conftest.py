"""A small plan with a known history of updates, so that every figure of the report is predictable."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from tracker.indicators.models import Framework, Indicator, ItemIndicatorLink
from tracker.updates.models import StatusUpdate


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


class Updates:
    """Writes StatusUpdate rows directly (the report must not depend on the workflow's services)."""

    def __init__(self, db):
        self.db = db

    def add(self, item, period, unit, status, progress=0, *, state="accepted", version=1, achieved=None,
            committed=None, disbursed=None, done_text="", difficulties="", proposals="", submitted_at=None):
        if submitted_at is None and state in ("submitted", "accepted", "superseded"):
            submitted_at = utc(period.submission_deadline.year, period.submission_deadline.month,
                               period.submission_deadline.day, 2, 0)
        update = StatusUpdate(item=item, period=period, unit=unit, version=version, state=state, status=status,
                              progress=progress, achieved_value=None if achieved is None else Decimal(str(achieved)),
                              amount_committed=committed, amount_disbursed=disbursed, done_text=done_text,
                              difficulties=difficulties, proposals=proposals, submitted_at=submitted_at)
        self.db.session.add(update)
        self.db.session.flush()
        return update


@pytest.fixture
def updates(db):
    return Updates(db)


@dataclass
class Scenario:
    plan: object
    periods: dict
    units: dict
    items: dict
    framework: object = None
    expected: dict = field(default_factory=dict)

    @property
    def q3(self):
        return self.periods["2025-Q3"]


def build_scenario(factory, updates, db, *, number="901/KH-UBND", extra_projects=0) -> Scenario:
    area = factory.area(name="Tỉnh Thừa Thiên Huế")
    khcn = factory.unit("Sở Khoa học và Công nghệ", area=area, short_name="Sở KH&CN")
    tttt = factory.unit("Sở Thông tin và Truyền thông", area=area, short_name="Sở TT&TT",
                        successor=khcn, succeeded_on=date(2025, 3, 1), succession_type="merged")
    vp = factory.unit("Văn phòng UBND tỉnh", area=area, short_name="VP UBND tỉnh", kind="committee_office")
    yte = factory.unit("Sở Y tế", area=area)
    ct = factory.unit("Sở Công Thương", area=area)
    units = {"khcn": khcn, "tttt": tttt, "vp": vp, "yte": yte, "ct": ct}

    plan = factory.plan(number=number, area=area, title="Triển khai chương trình Chuyển đổi số tỉnh đến năm 2025",
                        issuing_body="UBND tỉnh Thừa Thiên Huế", issued_on=date(2020, 10, 21))
    factory.appendix(plan, "target", title="PHÂN CÔNG THEO DÕI, ĐÔN ĐỐC THỰC HIỆN CÁC CHỈ TIÊU")
    factory.appendix(plan, "document", title="DANH MỤC VĂN BẢN, CHƯƠNG TRÌNH")
    project_appendix = factory.appendix(plan, "project", title="DANH MỤC DỰ ÁN, NHIỆM VỤ")
    budget_appendix = factory.appendix(plan, "budget", title="DANH MỤC KINH PHÍ TRUNG HẠN")
    db.session.refresh(plan)
    section_a = factory.section(project_appendix, "A", "Phát triển nền tảng cho chuyển đổi số")
    budget_a = factory.section(budget_appendix, "A", "Phát triển nền tảng cho chuyển đổi số")

    items = {
        "t1": factory.item(plan, "target", owner=vp, code="1.", text="100% văn bản điện tử có chữ ký số",
                           target_value=Decimal(100), measure_unit="%", target_year=2025, target_text="100%"),
        "t2": factory.item(plan, "target", owner=ct, code="2.", text="Tỷ trọng kinh tế số đạt 20% GRDP",
                           target_value=Decimal(20), measure_unit="%", target_year=2025, target_text="20%"),
        "t3": factory.item(plan, "target", owner=tttt, code="3.", text="100% phủ sóng mạng 4G/5G",
                           target_value=Decimal(100), measure_unit="%", target_year=2025, target_text="100%"),
        "d1": factory.item(plan, "document", owner=khcn, code="1", text="Nghị quyết về chuyển đổi số",
                           doc_type="Nghị quyết"),
        "d2": factory.item(plan, "document", owner=yte, code="2", text="Kế hoạch chuyển đổi số ngành y tế",
                           doc_type="Kế hoạch"),
        "p1": factory.item(plan, "project", owner=khcn, section=section_a, code="1", text="Trung tâm dữ liệu dùng chung",
                           start_year=2021, end_year=2023),
        "p2": factory.item(plan, "project", owner=vp, section=section_a, code="2", text="Hệ thống một cửa điện tử",
                           start_year=2021, end_year=2022),
        "p3": factory.item(plan, "project", owner=ct, section=section_a, code="3", text="Sàn thương mại điện tử tỉnh",
                           start_year=2021, end_year=2024),
        "p4": factory.item(plan, "project", owner=khcn, section=section_a, code="4", text="Hạ tầng IoT đô thị thông minh",
                           start_year=2022, end_year=2025),
        "p5": factory.item(plan, "project", owner=yte, section=section_a, code="5", text="Bệnh án điện tử",
                           start_year=2022, end_year=2025),
        "p6": factory.item(plan, "project", owner=tttt, section=section_a, code="6", text="Ứng dụng Hue-S",
                           start_year=2021, end_year=2025),
    }
    items["b1"] = factory.item(plan, "budget", owner=khcn, section=budget_a, code="1", text="Trung tâm dữ liệu dùng chung",
                               budget_state=5_000_000_000, budget_other=0, budget_total=5_000_000_000,
                               funded_project=items["p1"])
    items["b3"] = factory.item(plan, "budget", owner=ct, section=budget_a, code="3", text="Sàn thương mại điện tử tỉnh",
                               budget_state=2_000_000_000, budget_other=3_000_000_000, budget_total=5_000_000_000,
                               funded_project=items["p3"])
    items["b4"] = factory.item(plan, "budget", owner=khcn, section=budget_a, code="4", text="Hạ tầng IoT",
                               budget_state=None, budget_other=None, budget_total=None, funded_project=items["p4"])
    items["b6"] = factory.item(plan, "budget", owner=tttt, section=budget_a, code="6", text="Ứng dụng Hue-S",
                               budget_state=0, budget_other=1_500_000_000, budget_total=1_500_000_000,
                               funded_project=items["p6"])
    for n in range(extra_projects):
        items[f"x{n}"] = factory.item(plan, "project", owner=[yte, ct][n % 2], section=section_a, code=f"9{n}",
                                      text=f"Dự án bổ sung {n}", start_year=2022, end_year=2025)

    # the current state the workflow keeps on items once it accepts an update saying "done"
    for key, finished in [("p1", date(2023, 6, 1)), ("p2", date(2024, 1, 10)), ("t1", date(2025, 9, 5)),
                          ("d1", date(2025, 9, 5))]:
        items[key].status, items[key].progress, items[key].completed_on = "done", 100, finished
    from tracker.periods.services import ensure_period

    periods = {code: ensure_period(int(code[:4]), int(code[-1]), area)
               for code in ("2023-Q2", "2024-Q1", "2024-Q4", "2025-Q2", "2025-Q3", "2025-Q4")}
    P = periods
    add = updates.add
    # history before the period
    add(items["p1"], P["2023-Q2"], khcn, "done", 100, committed=5_000_000_000, disbursed=4_500_000_000,
        done_text="Đã vận hành Trung tâm dữ liệu")
    add(items["p2"], P["2024-Q1"], vp, "done", 100, done_text="Đã hoàn thành, nghiệm thu")
    add(items["p6"], P["2024-Q4"], tttt, "in_progress", 40, committed=500_000_000, disbursed=200_000_000)
    add(items["t2"], P["2025-Q2"], ct, "in_progress", 50, achieved=10)
    # the period: Q3 2025, deadline 18/09/2025
    add(items["t1"], P["2025-Q3"], vp, "done", 100, achieved=100, submitted_at=utc(2025, 9, 10, 3))
    add(items["t2"], P["2025-Q3"], ct, "in_progress", 60, achieved=12, submitted_at=utc(2025, 9, 25, 3),
        difficulties="Thiếu số liệu thống kê kinh tế số cấp tỉnh", proposals="=HYPERLINK(\"http://x\")")
    add(items["t3"], P["2025-Q3"], khcn, "in_progress", 80, achieved=None, state="submitted",
        submitted_at=utc(2025, 9, 12, 3))
    add(items["d1"], P["2025-Q3"], khcn, "done", 100, submitted_at=utc(2025, 9, 12, 3),
        done_text="Nghị quyết số 05/NQ-HĐND")
    add(items["p3"], P["2025-Q3"], ct, "in_progress", 70, committed=3_000_000_000, disbursed=1_000_000_000,
        submitted_at=utc(2025, 9, 25, 3), difficulties="Thiếu số liệu thống kê kinh tế số cấp tỉnh",
        proposals="=HYPERLINK(\"http://x\")")
    add(items["p4"], P["2025-Q3"], khcn, "late", 30, committed=800_000_000, disbursed=100_000_000,
        submitted_at=utc(2025, 9, 12, 3), difficulties="Vướng mắc thủ tục đấu thầu thiết bị IoT",
        proposals="+ Đề nghị UBND tỉnh bổ sung vốn đầu tư công")
    add(items["p6"], P["2025-Q3"], khcn, "in_progress", 80, committed=900_000_000, disbursed=600_000_000,
        submitted_at=utc(2025, 9, 12, 3))
    # a draft never counts; a later period never counts in Q3's report
    add(items["p5"], P["2025-Q3"], yte, "in_progress", 10, state="draft")
    add(items["p3"], P["2025-Q4"], ct, "done", 100, committed=5_000_000_000, disbursed=5_000_000_000)

    framework = Framework(name=f"DTI cấp tỉnh thử nghiệm {number}", level="province", year=2024)
    db.session.add(framework)
    db.session.flush()
    indicators = {}
    for position, (code, name, points) in enumerate([("6.4", "Tỷ lệ dịch vụ công trực tuyến toàn trình", 20),
                                                     ("7.1", "Tỷ trọng kinh tế số trong GRDP", 15),
                                                     ("2.1", "Văn bản chỉ đạo về chuyển đổi số", 10)]):
        indicators[code] = Indicator(framework=framework, code=code, key=code, name=name,
                                     max_points=Decimal(points), position=position)
        db.session.add(indicators[code])
    db.session.flush()
    for item_key, code in [("p3", "6.4"), ("p4", "7.1"), ("p1", "2.1")]:
        db.session.add(ItemIndicatorLink(item=items[item_key], indicator=indicators[code]))
    db.session.flush()

    expected = {
        "targets": {"t1": "achieved", "t2": "behind", "t3": "no_data"},
        "projects": {"total": 6 + extra_projects, "done_on_time": 1, "done_late": 1, "in_progress": 3,
                     "behind": 1, "not_started": 1 + extra_projects, "overdue": 1},
        "committed": 5_000_000_000 + 3_000_000_000 + 800_000_000 + 900_000_000,
        "disbursed": 4_500_000_000 + 1_000_000_000 + 100_000_000 + 600_000_000,
        "planned_state": 7_000_000_000,
        "planned_other": 4_500_000_000,
        "planned_total": 11_500_000_000,
        "points_at_risk": Decimal(35),
        "not_reported": ["Sở Y tế"],
    }
    return Scenario(plan=plan, periods=periods, units=units, items=items, framework=framework, expected=expected)


@pytest.fixture
def scenario(factory, updates, db) -> Scenario:
    return build_scenario(factory, updates, db)


def pdftotext(pdf: bytes, tmp_path, first: int | None = None, last: int | None = None, layout=False) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    command = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        command.append("-layout")
    if first:
        command += ["-f", str(first)]
    if last:
        command += ["-l", str(last)]
    return subprocess.run(command + [str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_words(pdf: bytes, tmp_path) -> list[list[tuple[float, float, float, float, str]]]:
    """Every word of every page with its box (xMin, yMin, xMax, yMax, text), from pdftotext -bbox."""
    import re

    path = tmp_path / "words.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [[(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(pattern, page)]
            for page in out.split("<page ")[1:]]


def overlapping_words(pdf: bytes, tmp_path) -> list[tuple[int, str, str]]:
    """(page, word, word) for every two words drawn over each other: text run out of its cell or column."""
    found = []
    for number, words in enumerate(pdf_words(pdf, tmp_path), start=1):
        words.sort()
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                if b[0] >= a[2] - 0.5:
                    break
                if min(a[3], b[3]) - max(a[1], b[1]) > 0.5:
                    found.append((number, a[4], b[4]))
    return found


def download(client, url: str):
    """A draft report file as the browser ends up with it: the request queues the render (202 and a
    progress page), the background worker runs it, and the same URL then serves the stored file."""
    from tracker.queue.services import run_jobs

    response = client.get(url)
    if response.status_code == 202:
        assert run_jobs(), "the request queued no job"
        response = client.get(url)
    return response
