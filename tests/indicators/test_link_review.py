"""Links reviewed against the 2024 indicators: one-line reasons, doubts, removals; shown on both pages."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.indicators.test_rules import FRAMEWORK
from tracker.audit.models import AuditEntry
from tracker.indicators.models import Framework, Indicator, ItemIndicatorLink
from tracker.plans.loader import load_paths
from tracker.plans.models import Plan, PlanItem
from tracker.plans.sources import LoadError

UNITS = """\
kind: units
area: {code: tinh-lien-ket, name: Tỉnh Liên Kết, level: province, parent: null}
units:
  - {name: Sở Khoa học và Công nghệ, short_name: Sở KH&CN, kind: department}
"""

PLAN = """\
kind: plan
number: 9/KH-UBND
date: 2021-01-05
issuing_body: UBND tỉnh Liên Kết
area: tinh-lien-ket
title: Kế hoạch liên kết chỉ số
period: {start: 2021, end: 2025}
appendices:
  - {number: "3", kind: project, title: DANH MỤC DỰ ÁN, items: [
      {code: "1", text: Triển khai chữ ký số, owner: Sở KH&CN, start_year: 2021, end_year: 2022},
      {code: "2", text: Số hóa dữ liệu, owner: Sở KH&CN, start_year: 2021, end_year: 2025}]}
"""

LINKS = """\
kind: links
plan: 9/KH-UBND
framework: Bộ chỉ số thử
links:
  - item: 3/1
    indicators: ["1.1"]
    note: "Chữ ký số"
  - item: 3/2
    indicators: ["1.2"]
    note: "Số hóa dữ liệu"
"""


def write(tmp_path: Path, links: str) -> Path:
    for name, text in (("units.yaml", UNITS), ("plan.yaml", PLAN), ("fw.yaml", FRAMEWORK), ("links.yaml", links)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def links_of(db) -> dict[tuple[str, str], ItemIndicatorLink]:
    rows = db.session.scalars(select(ItemIndicatorLink).join(PlanItem).join(Plan).where(Plan.number == "9/KH-UBND"))
    return {(link.item.ref, link.indicator.code): link for link in rows}


REMOVED = LINKS.replace('''  - item: 3/2
    indicators: ["1.2"]
    note: "Số hóa dữ liệu"
''', '''removed:
  - item: 3/2
    indicators: ["1.2"]
    reason: "Số hóa dữ liệu không làm có chuyên mục"
''')


def test_a_removed_link_is_deleted_with_its_reason_in_the_history(db, tmp_path):
    load_paths([write(tmp_path, LINKS)])
    db.session.commit()
    assert set(links_of(db)) == {("3/1", "1.1"), ("3/2", "1.2")}
    result = load_paths([write(tmp_path, REMOVED)])
    db.session.commit()
    assert set(links_of(db)) == {("3/1", "1.1")}
    item = db.session.scalar(select(PlanItem).where(PlanItem.ref == "3/2"))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == item.id,
                                                       AuditEntry.action == "unlink_indicator"))
    assert entry.entity_type == "plan_item" and "Số hóa dữ liệu không làm có chuyên mục" in entry.summary
    assert result.changes == 1
    assert load_paths([tmp_path]).changes == 0  # reloading changes nothing


def test_a_link_a_coordinator_added_is_kept_with_a_warning(db, tmp_path, factory):
    from tracker.items.services import add_link

    load_paths([write(tmp_path, LINKS.split("  - item: 3/2")[0])])
    coordinator = factory.user(role="coordinator")
    item = db.session.scalar(select(PlanItem).where(PlanItem.ref == "3/2"))
    indicator = db.session.scalar(select(Indicator).join(Framework).where(
        Framework.name == "Bộ chỉ số thử", Indicator.code == "1.2"))
    add_link(coordinator, item, indicator, "Thêm trong ứng dụng")
    db.session.commit()
    result = load_paths([write(tmp_path, REMOVED)])
    assert ("3/2", "1.2") in links_of(db)
    assert any("do người dùng thêm trong ứng dụng: giữ nguyên" in w for w in result.warnings)


@pytest.mark.parametrize("links, expected", [
    (LINKS.replace('    note: "Chữ ký số"\n', ""), "links.yaml: dòng 5, trường 'note': Mỗi liên kết cần một dòng lý do"),
    (LINKS.replace('note: "Chữ ký số"', 'note: "Chữ ký số\\nvà hơn nữa"'), "trường 'note': Lý do chỉ viết trên một dòng."),
    (REMOVED.replace('    reason: "Số hóa dữ liệu không làm có chuyên mục"\n', ""),
     "trường 'reason': Liên kết bị loại cần một dòng lý do"),
    (LINKS + 'removed:\n  - {item: 3/1, indicators: ["1.1"], reason: "Sai"}\n',
     "Liên kết 3/1 → 1.1 vừa có trong links vừa có trong removed."),
    (REMOVED.replace('item: 3/2\n    indicators: ["1.2"]\n    reason', 'item: 3/9\n    indicators: ["1.2"]\n    reason'),
     "trường 'item': Không có hạng mục '3/9'"),
])
def test_bad_link_reviews_are_refused(db, tmp_path, links, expected):
    with pytest.raises(LoadError) as caught:
        load_paths([write(tmp_path, links)])
    assert expected in str(caught.value), str(caught.value)


# --- plan 222 against DTI cấp tỉnh 2024 ------------------------------------------------------------

def seeded_links(db) -> dict[tuple[str, str], ItemIndicatorLink]:
    rows = db.session.scalars(
        select(ItemIndicatorLink).join(Indicator).join(Framework).where(Framework.name == "DTI cấp tỉnh 2024"))
    return {(link.item.ref, link.indicator.code): link for link in rows}


def test_plan_222_links_reviewed_as_the_issue_lists(seeded, db):
    links = seeded_links(db)
    assert ("3/A/V/4", "8.1") not in links  # 8.1 counts e-ID accounts issued by the police
    for pair in [("3/A/III/2", "6.3"), ("3/A/IV/3", "6.3"), ("1/I/5", "3.6"), ("3/C/3", "7.2"), ("3/E/11", "7.2"),
                 ("3/A/I/6", "6.7"), ("3/D/3", "6.7")]:
        assert pair in links, pair
    for pair in [("1/I/1", "8.2"), ("2/I/12", "6.4")]:
        assert links[pair].doubt, pair
    assert "Công an" in links[("1/I/3", "8.1")].doubt
    assert all(link.note and "\n" not in link.note for link in links.values())
    assert sum(1 for link in links.values() if link.doubt) == 3


def test_reasons_and_doubts_show_on_the_item_and_indicator_pages(seeded, db, client, factory, login):
    login(factory.user(role="viewer"))
    links = seeded_links(db)
    doubtful = links[("1/I/1", "8.2")]
    html = " ".join(client.get(f"/hang-muc/{doubtful.item_id}").get_data(as_text=True).split())
    assert doubtful.note in html and f"Cần xem lại: {doubtful.doubt}" in html
    page = " ".join(client.get(f"/bo-chi-so/{doubtful.indicator.framework_id}").get_data(as_text=True).split())
    assert f"Lý do: {doubtful.note}" in page and f"Cần xem lại: {doubtful.doubt}" in page
    new = links[("3/D/3", "6.7")]
    assert f"Lý do: {new.note}" in page
    # the structured rule in words, beside the printed text
    assert "Quy tắc tính điểm (máy tính áp dụng):</strong> Tỷ lệ a/b; điểm = tỷ lệ × điểm tối đa" in page
    item = db.session.scalar(select(PlanItem).where(PlanItem.ref == "3/A/V/4"))
    assert "8.1" not in " ".join(client.get(f"/hang-muc/{item.id}").get_data(as_text=True).split()).split("Chỉ số liên quan")[1].split("Lịch sử")[0]
