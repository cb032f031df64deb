"""Optimistic locking of every record edited in a form: items, report drafts, units, groups,
indicator links, reporting periods, users. A save made from a version someone else has changed
is refused with 409: nothing overwritten, the typed values kept, the stored ones shown."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

import pytest
from sqlalchemy import select

from tests.concurrency import run_together
from tests.csrf import csrf_token, sign_in
from tests.updates.world import CHEAP_HASH
from tracker.auth.models import User
from tracker.core.time import today_local
from tracker.extensions import db as _db
from tracker.indicators.models import ItemIndicatorLink
from tracker.periods.models import ReportingPeriod
from tracker.plans.models import PlanItem
from tracker.reports.models import ReportDraft
from tracker.units.models import Unit, UnitGroup

VERSION = re.compile(r'name="lock_version"[^>]*value="(\d*)"|value="(\d*)"[^>]*name="lock_version"')


def version_on(client, url: str, required: bool = True) -> str:
    """The lock_version the edit form at `url` carries."""
    html = client.get(url).get_data(as_text=True)
    match = VERSION.search(html)
    if match is None and not required:
        return ""
    assert match, f"no lock_version in the form of {url}"
    return match.group(1) if match.group(1) is not None else match.group(2)


def user(factory, role: str, email: str, name: str, unit=None) -> User:
    """A user of the province the factory works in (every role but the national ones has one)."""
    return factory._add(User(email=email, role=role, unit=unit, full_name=name, password_hash=CHEAP_HASH,
                             tenant=factory.tenant()))


# --- every form, one after the other (SQLite and PostgreSQL) ------------------------------------


@dataclass
class Case:
    """One edit form: where it is, who edits it, what it sends, and how to read back what is stored."""

    name: str
    role: str
    make: Callable  # (factory, scenario) -> record
    url: Callable  # record -> edit page url
    post_url: Callable  # record -> url the form posts to
    data: Callable  # (record, text) -> form data
    stored: Callable  # record -> the stored text
    page_url: Callable | None = None  # where the form is shown, if not `url`


def _item(factory, s):
    return factory.item(s["plan"], owner=s["unit"], text="Nội dung ban đầu")


def _item_data(item, text):
    return {"text": text, "owners": [f"u:{item.owners[0].unit_id}"], "deadline": "", "note": ""}


def _draft(factory, s):
    draft = ReportDraft(plan=s["plan"], period=s["period"], summary="Nội dung ban đầu")
    _db.session.add(draft)
    _db.session.flush()
    return draft


def _draft_url(draft):
    return f"/bao-cao/{draft.plan_id}/{draft.period.code}"


def _draft_data(draft, text):
    return {"number": "15", "report_date": "05/10/2025", "signer_title": "GIÁM ĐỐC", "signer_name": "Nguyễn Văn A",
            "recipients": "Như trên;", "summary": text, "proposals": ""}


def _unit_data(unit, text):
    return {"area_id": str(unit.area_id), "name": unit.name, "short_name": "", "kind": "department",
            "parent_name": "", "aliases": "", "note": text}


def _group(factory, s):
    group = factory.group("Các Sở, ban, ngành", [s["unit"]], area=s["unit"].area)
    group.note = "Nội dung ban đầu"
    return group


def _group_data(group, text):
    return {"area_id": str(group.area_id), "name": group.name, "aliases": "", "note": text,
            "members": [str(m.unit_id) for m in group.members]}


def _user(factory, s):
    return user(factory, "viewer", "nguoi-xem@khoa.vn", "Nội dung ban đầu")


def _user_data(person, text):
    return {"email": person.email, "full_name": text, "role": "viewer", "unit_id": "0", "active": "y"}


def _period_data(period, text):
    """`text` is a day offset here: the deadline is what two admins change."""
    days = int(text)
    return {"submission_deadline": (period.data_end + timedelta(days=days)).strftime("%d/%m/%Y"),
            "consolidated_deadline": (period.data_end + timedelta(days=days + 5)).strftime("%d/%m/%Y")}


CASES = [
    Case("item", "coordinator", _item, lambda i: f"/hang-muc/{i.id}/sua", lambda i: f"/hang-muc/{i.id}/sua",
         _item_data, lambda i: i.text),
    Case("report_draft", "coordinator", _draft, _draft_url, lambda d: _draft_url(d) + "/du-thao", _draft_data,
         lambda d: d.summary),
    Case("unit", "admin", lambda f, s: s["unit"], lambda u: f"/quan-tri/don-vi/{u.id}",
         lambda u: f"/quan-tri/don-vi/{u.id}", _unit_data, lambda u: u.note or ""),
    Case("group", "admin", _group, lambda g: f"/quan-tri/nhom-don-vi/{g.id}", lambda g: f"/quan-tri/nhom-don-vi/{g.id}",
         _group_data, lambda g: g.note or ""),
    Case("user", "admin", _user, lambda u: f"/quan-tri/nguoi-dung/{u.id}", lambda u: f"/quan-tri/nguoi-dung/{u.id}",
         _user_data, lambda u: u.full_name),
    Case("period", "admin", lambda f, s: s["period"], lambda p: f"/ky-bao-cao/{p.code}",
         lambda p: f"/ky-bao-cao/{p.code}/han", _period_data,
         lambda p: str((p.submission_deadline - p.data_end).days)),
]
TEXTS = {"period": ("6", "9", "12")}


@pytest.fixture
def scenario(db, factory):
    area = factory.area(name="Tỉnh Khóa Lạc Quan")
    unit = factory.unit("Sở Nội vụ", area=area, note="Nội dung ban đầu")
    plan = factory.plan(area=area)
    today = today_local()
    from tracker.periods.services import quarter_of

    period = factory.period(*quarter_of(today))
    people = {"coordinator": [user(factory, "coordinator", f"dieuphoi{n}@khoa.vn", f"Điều phối {n}") for n in (1, 2)],
              "admin": [user(factory, "admin", f"quantri{n}@khoa.vn", f"Quản trị {n}") for n in (1, 2)]}
    return {"area": area, "unit": unit, "plan": plan, "period": period, "people": people}


@pytest.mark.usefixtures("csrf_enabled")
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_stale_save_is_refused_with_the_typed_and_the_stored_values(case, app, db, factory, scenario):
    record = case.make(factory, scenario)
    db.session.commit()
    first, second = scenario["people"][case.role]
    texts = TEXTS.get(case.name, ("Nội dung của người thứ nhất", "Nội dung của người thứ hai, gõ rất lâu", ""))
    a, b = app.test_client(), app.test_client()
    assert sign_in(a, first.email, "matkhau123").status_code == 302
    seen_a = version_on(a, case.url(record))
    assert sign_in(b, second.email, "matkhau123").status_code == 302
    seen_b = version_on(b, case.url(record))  # both opened the form at the same version
    assert seen_a == seen_b

    saved = a.post(case.post_url(record), data={**case.data(record, texts[0]), "lock_version": seen_a,
                                                "csrf_token": csrf_token(a)})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]

    refused = b.post(case.post_url(record), data={**case.data(record, texts[1]), "lock_version": seen_b,
                                                  "csrf_token": csrf_token(b)})
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "vừa được người khác thay đổi" in html and "CHƯA được" in html
    assert "Đang lưu" in html
    if case.name != "period":
        assert texts[1] in html, "the typed values are kept"
        assert texts[0] in html, "the stored values are shown"
    db.session.expire_all()
    assert case.stored(record) == texts[0], "nothing overwritten"
    # The refused form now carries the stored version: saving again, knowingly, goes through.
    current = VERSION.search(html)
    again = b.post(case.post_url(record), data={**case.data(record, texts[1]),
                                                "lock_version": current.group(1) or current.group(2),
                                                "csrf_token": csrf_token(b)})
    assert again.status_code == 302
    db.session.expire_all()
    assert case.stored(record) == texts[1]


@pytest.mark.usefixtures("csrf_enabled")
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_a_form_without_a_version_is_refused(case, app, db, factory, scenario):
    record = case.make(factory, scenario)
    db.session.commit()
    client = app.test_client()
    sign_in(client, scenario["people"][case.role][0].email, "matkhau123")
    texts = TEXTS.get(case.name, ("Không có phiên bản",))
    response = client.post(case.post_url(record), data={**case.data(record, texts[0]), "csrf_token": csrf_token(client)})
    assert response.status_code == 409
    db.session.expire_all()
    assert case.stored(record) != texts[0]


@pytest.mark.usefixtures("csrf_enabled")
def test_removing_a_link_someone_changed_is_refused(app, db, factory, scenario):
    from tests.browsing import framework, link

    item = _item(factory, scenario)
    _, indicators = framework(db)
    row = link(db, item, indicators["1.1"], note="Lý do ban đầu")
    db.session.commit()
    client = app.test_client()
    sign_in(client, scenario["people"]["coordinator"][0].email, "matkhau123")
    seen = row.lock_version
    row.note = "Lý do đã đổi"  # someone else changes the link meanwhile
    from tracker.core.locking import claim

    claim(row)
    db.session.commit()
    url = f"/hang-muc/{item.id}/chi-so/{row.id}/xoa"
    response = client.post(url, data={"lock_version": str(seen), "csrf_token": csrf_token(client)})
    assert response.status_code == 409
    assert db.session.get(ItemIndicatorLink, row.id) is not None
    response = client.post(url, data={"lock_version": str(row.lock_version), "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(ItemIndicatorLink).where(ItemIndicatorLink.id == row.id)).first() is None


def test_every_edited_model_has_a_version():
    for model in (PlanItem, ReportDraft, Unit, UnitGroup, ItemIndicatorLink, ReportingPeriod, User):
        assert "lock_version" in model.__table__.c, model.__name__


# --- at the same moment, against PostgreSQL (the harness) ----------------------------------------


def _concurrent_world(app):
    from tests.factories import Factory

    with app.app_context():
        factory = Factory(_db)
        area = factory.area(name="Tỉnh Đồng Thời")
        unit = factory.unit("Sở Nội vụ", area=area)
        plan = factory.plan(area=area)
        item = factory.item(plan, owner=unit, text="Nội dung ban đầu")
        period = factory.period(2025, 3)
        _db.session.add(ReportDraft(plan=plan, period=period, summary="Dự thảo ban đầu"))
        for n in (1, 2):
            user(factory, "coordinator", f"dieuphoi{n}@dongthoi.vn", f"Điều phối {n}")
        _db.session.commit()
        return {"item": item.id, "unit": unit.id, "plan": plan.id, "period": period.code}


def _race(app, url: str, post_url: str, forms: list[dict]):
    """Two coordinators open `url` at the same version, then post their forms at the same moment."""
    clients = []
    for n, form in enumerate(forms, start=1):
        client = app.test_client()
        assert sign_in(client, f"dieuphoi{n}@dongthoi.vn", "matkhau123").status_code == 302
        form.update(lock_version=version_on(client, url, required=False), csrf_token=csrf_token(client))
        clients.append(client)
    responses = run_together([lambda c=c, f=f: c.post(post_url, data=f) for c, f in zip(clients, forms)])
    return [(r.status_code, r.get_data(as_text=True)) for r in responses]


def test_two_coordinators_saving_one_item_at_once(concurrent_app):
    ids = _concurrent_world(concurrent_app)
    texts = ["Bản của điều phối viên 1", "Bản của điều phối viên 2"]
    forms = [{"text": t, "owners": [f"u:{ids['unit']}"], "deadline": "", "note": ""} for t in texts]
    url = f"/hang-muc/{ids['item']}/sua"
    results = _race(concurrent_app, url, url, forms)
    assert sorted(status for status, _ in results) == [302, 409], [s for s, _ in results]
    winner = texts[[s for s, _ in results].index(302)]
    loser, html = next((texts[i], body) for i, (s, body) in enumerate(results) if s == 409)
    assert loser in html and winner in html  # typed kept, stored shown
    with concurrent_app.app_context():
        assert _db.session.get(PlanItem, ids["item"]).text == winner


def test_two_coordinators_saving_one_report_draft_at_once(concurrent_app):
    ids = _concurrent_world(concurrent_app)
    texts = ["Đánh giá của điều phối viên 1", "Đánh giá của điều phối viên 2"]
    forms = [_draft_data(None, t) for t in texts]
    url = f"/bao-cao/{ids['plan']}/{ids['period']}"
    results = _race(concurrent_app, url, url + "/du-thao", forms)
    assert sorted(status for status, _ in results) == [302, 409], [s for s, _ in results]
    winner = texts[[s for s, _ in results].index(302)]
    with concurrent_app.app_context():
        assert _db.session.scalar(select(ReportDraft.summary)) == winner


def test_two_coordinators_creating_the_first_report_draft_at_once(concurrent_app):
    ids = _concurrent_world(concurrent_app)
    with concurrent_app.app_context():
        _db.session.execute(ReportDraft.__table__.delete())
        _db.session.commit()
    texts = ["Bản đầu của điều phối viên 1", "Bản đầu của điều phối viên 2"]
    url = f"/bao-cao/{ids['plan']}/{ids['period']}"
    results = _race(concurrent_app, url, url + "/du-thao", [_draft_data(None, t) for t in texts])
    assert sorted(status for status, _ in results) == [302, 409], [s for s, _ in results]
    with concurrent_app.app_context():
        assert _db.session.scalar(select(ReportDraft.summary)) in texts
