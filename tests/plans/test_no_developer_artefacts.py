"""No page shows the developers' references: seed file names ("003_91cec11dcba638ab.txt"), the
`shared/` folder or README files, on the real seed documents; search hints have their diacritics."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import or_, select

from tracker.core.public_text import document_source, public_text
from tracker.indicators.models import Framework
from tracker.plans.models import Plan, PlanItem
from tracker.units.models import Unit

ARTEFACT = re.compile(r"\d{3}_[0-9a-f]{16}\.txt|shared/|README\.md|seed_plans/")


def test_public_text_drops_file_references_and_keeps_the_facts():
    assert public_text("Hợp nhất từ 01/3/2025 (theo shared/seeds/README.md; Nghị quyết 60).") == "Hợp nhất từ 01/3/2025."
    assert public_text("Không ghi sắp xếp lại (tài liệu và seeds/README.md không nêu).") == "Không ghi sắp xếp lại."
    assert document_source("003_91cec11dcba638ab.txt") == "" and document_source(None) == ""
    assert document_source("Quyết định 922/QĐ-BTTTT") == "Quyết định 922/QĐ-BTTTT"


def test_no_page_contains_a_seed_file_name_or_shared(client, db, factory, as_user, seeded):
    as_user(factory.user(role="admin"))
    html = client.get("/quan-tri/ke-thua").get_data(as_text=True)
    assert "Sở Thông tin và Truyền thông" in html and ARTEFACT.search(html) is None
    # The national viewer reads every area's pages (a province's viewer sees its own alone).
    as_user(factory.user(role="national_viewer"))
    plans = db.session.scalars(select(Plan)).all()
    paths = ["/tong-quan", "/ke-hoach", "/don-vi", "/bo-chi-so"]
    paths += [f"/ke-hoach/{p.id}?phu-luc=tat-ca" for p in plans]
    paths += [f"/bo-chi-so/{f.id}?ke-hoach=tat-ca" for f in db.session.scalars(select(Framework))]
    units = db.session.scalars(select(Unit).where(or_(Unit.note.is_not(None), Unit.succession_note.is_not(None),
                                                      Unit.end_note.is_not(None)))).all()
    paths += [f"/don-vi/{u.id}" for u in units]
    items = db.session.scalars(select(PlanItem).where(PlanItem.note.is_not(None)).limit(30)).all()
    paths += [f"/hang-muc/{i.id}" for i in items]
    checked = 0
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        found = ARTEFACT.search(html)
        assert found is None, (path, html[max(found.start() - 120, 0):found.end() + 40])
        assert "chu ky so" not in html, path
        checked += 1
    assert checked > 20
