"""The kept page bodies (tracker/core/fragments.py) attacked from the side: users of the other
province, of other roles and units, the national viewer's chosen area, the day turning, a write of
another process, the query string. Each test asks for a page as one user, then as another, and
asserts what the second page must not show."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update

from tests.core.test_fragments import _page
from tests.notify.test_workflow_notices import _values
from tests.updates.world import make_user
from tracker.areas.scope import SESSION_AREA_KEY
from tracker.core.time import today_local
from tracker.ops.freshness import DataVersion
from tracker.plans.models import PlanItem
from tracker.updates import services


def _national(client, as_user, user, area=None):
    as_user(user)
    with client.session_transaction() as session:
        if area is None:
            session.pop(SESSION_AREA_KEY, None)
        else:
            session[SESSION_AREA_KEY] = area.id


def test_the_national_viewers_chosen_area_is_its_own_page(client, db, factory, provinces, as_user, kept):
    hue, thanh_hoa = provinces
    national = make_user(factory, "national_viewer", None, "toanquoc@test.vn", "Cục Chuyển đổi số")
    db.session.commit()
    _national(client, as_user, national)
    every = _page(client, f"/ke-hoach/{hue.plan.id}?phu-luc=tat-ca")
    assert hue.project.text in every
    assert thanh_hoa.plan.title in _page(client, "/bao-cao") and hue.plan.title in _page(client, "/bao-cao")

    _national(client, as_user, national, thanh_hoa.area)
    # The plan page kept for "every area" is not served inside Thanh Hóa's scope.
    assert client.get(f"/ke-hoach/{hue.plan.id}?phu-luc=tat-ca").status_code == 404
    index = _page(client, "/bao-cao")
    assert thanh_hoa.plan.title in index and hue.plan.title not in index
    board = _page(client, "/tong-quan")
    assert thanh_hoa.plan.title in board and hue.plan.title not in board

    _national(client, as_user, national, hue.area)
    index = _page(client, "/bao-cao")
    assert hue.plan.title in index and thanh_hoa.plan.title not in index
    board = _page(client, "/tong-quan")
    assert hue.plan.title in board and thanh_hoa.plan.title not in board

    # Thanh Hóa's own coordinator, after the national viewer read it: Huế is nowhere.
    as_user(thanh_hoa.coordinator)
    for url in ("/tong-quan", "/bao-cao", f"/ke-hoach/{thanh_hoa.plan.id}?phu-luc=tat-ca"):
        page = _page(client, url)
        assert thanh_hoa.plan.title in page and hue.plan.title not in page and hue.project.text not in page


def test_roles_and_units_of_one_province_get_their_own_page(client, db, factory, provinces, as_user, kept):
    hue, _thanh_hoa = provinces
    # Sở Tài chính ended without a successor: its item is listed for reassignment, a coordinator's act.
    hue.finance.ended_on = today_local() - timedelta(days=1)
    khcn_reporter = make_user(factory, "reporter", hue.khcn, "baocao.khcn.hue@test.vn", "Báo cáo Sở KH&CN")
    db.session.commit()

    as_user(hue.coordinator)
    board = _page(client, "/tong-quan")
    assert "Giao lại" in board and "Tự đánh giá chỉ số DTI" in board
    assert "Xem, soạn báo cáo" in _page(client, "/bao-cao")
    for user in (hue.admin, hue.viewer, hue.reporter):
        as_user(user)
        board = _page(client, "/tong-quan")
        assert hue.plan.title in board and "Giao lại" not in board  # the reassign link is the coordinator's
    as_user(hue.reporter)
    assert "Tự đánh giá chỉ số DTI" not in _page(client, "/tong-quan")
    for user in (hue.admin, hue.viewer):
        as_user(user)
        index = _page(client, "/bao-cao")
        assert "Xem báo cáo" in index and "soạn báo cáo" not in index

    as_user(hue.reporter)
    index = _page(client, "/bao-cao")
    assert f"Báo cáo của {hue.finance.name}" in index and "Dự thảo" not in index
    as_user(khcn_reporter)
    index = _page(client, "/bao-cao")
    assert f"Báo cáo của {hue.khcn.name}" in index and hue.finance.name not in index
    assert f"/don-vi/{hue.finance.id}." not in index and f"/don-vi/{hue.khcn.id}.html" in index
    as_user(hue.reporter)
    assert client.get("/cho-duyet").status_code == 403  # the coordinator's kept queue is not reached


def test_the_other_provinces_coordinator_never_gets_this_review_queue(client, db, provinces, as_user, kept):
    hue, thanh_hoa = provinces
    update = services.save_draft(hue.reporter, hue.project, hue.period, _values(hue.project, progress="70"),
                                 update_id=None, lock_version=None)
    services.submit(hue.reporter, update)
    db.session.commit()
    for query in ("", f"?ky={hue.period.code}", "?trang=1"):
        as_user(hue.coordinator)
        assert hue.project.text in _page(client, f"/cho-duyet{query}")
        as_user(thanh_hoa.coordinator)
        page = client.get(f"/cho-duyet{query}").get_data(as_text=True)
        assert hue.project.text not in page and f"/cap-nhat/{update.id}/duyet" not in page


def _overdue(page: str, item) -> bool:
    """Whether the plan page marks that item's row overdue."""
    row = re.search(rf'<tr id="hm-{item.id}">.*?</tr>', page, re.S)
    return row is not None and "Quá hạn</span>" in row.group(0)


def test_a_new_day_makes_a_new_page(app, client, db, provinces, as_user, kept, monkeypatch):
    hue, _thanh_hoa = provinces
    today = today_local()
    hue.project.deadline = today  # not overdue today, overdue tomorrow
    db.session.commit()
    as_user(hue.coordinator)
    url = f"/ke-hoach/{hue.plan.id}?phu-luc=tat-ca"
    assert not _overdue(_page(client, url), hue.project)

    import tracker.core.time
    import tracker.plans.routes

    tomorrow = lambda: today + timedelta(days=1)  # noqa: E731
    monkeypatch.setattr(tracker.core.time, "today_local", tomorrow)
    monkeypatch.setattr(tracker.plans.routes, "today_local", tomorrow)
    assert _overdue(_page(client, url), hue.project)


def test_the_day_turning_while_a_page_is_built_keeps_it_under_the_day_it_was_built_for(
        app, client, db, provinces, as_user, kept, monkeypatch):
    """The route reads the day, then the key is made: past midnight in between, the body built for
    yesterday must not be kept as today's (it would be served, with yesterday's lateness, all day)."""
    hue, _thanh_hoa = provinces
    today = today_local()
    hue.project.deadline = today
    db.session.commit()
    as_user(hue.coordinator)

    import tracker.core.time
    import tracker.plans.pages
    import tracker.plans.routes

    clock = {"day": today}
    now = lambda: clock["day"]  # noqa: E731
    monkeypatch.setattr(tracker.core.time, "today_local", now)
    monkeypatch.setattr(tracker.plans.routes, "today_local", now)
    read_filters = tracker.plans.pages.filter_from_args

    def midnight_strikes(args):  # called between the route's reading of the day and the key
        clock["day"] = today + timedelta(days=1)
        return read_filters(args)

    monkeypatch.setattr(tracker.plans.pages, "filter_from_args", midnight_strikes)
    url = f"/ke-hoach/{hue.plan.id}?phu-luc=tat-ca"
    client.get(url)
    monkeypatch.setattr(tracker.plans.pages, "filter_from_args", read_filters)
    assert _overdue(_page(client, url), hue.project)  # tomorrow: the item is overdue


def test_a_write_of_another_process_is_seen_at_once(client, db, provinces, as_user, kept):
    """Another worker's write reaches this process only through the database: its data and the
    version counter it bumped (here written past this process's session and its listeners)."""
    hue, thanh_hoa = provinces
    as_user(hue.coordinator)
    url = f"/ke-hoach/{hue.plan.id}?phu-luc=tat-ca"
    before = hue.project.text
    assert before in _page(client, url)
    connection = db.session.connection()
    connection.execute(update(PlanItem.__table__).where(PlanItem.__table__.c.id == hue.project.id)
                       .values(text="Nền tảng số do tiến trình khác sửa"))
    connection.execute(update(DataVersion.__table__).where(DataVersion.__table__.c.scope == hue.area.id)
                       .values(version=DataVersion.__table__.c.version + 1))
    db.session.commit()
    db.session.expire_all()
    page = _page(client, url)
    assert "Nền tảng số do tiến trình khác sửa" in page and before not in page
    # Thanh Hóa's version did not move: its kept page is still served, and still its own.
    as_user(thanh_hoa.coordinator)
    page = _page(client, f"/ke-hoach/{thanh_hoa.plan.id}?phu-luc=tat-ca")
    assert thanh_hoa.project.text in page and "tiến trình khác" not in page


def test_each_query_string_is_its_own_page(client, db, provinces, as_user, kept):
    hue, _thanh_hoa = provinces
    as_user(hue.coordinator)
    base = f"/ke-hoach/{hue.plan.id}?phu-luc=tat-ca"
    project = _page(client, f"{base}&q=Nền tảng số")
    target = _page(client, f"{base}&q=Chỉ tiêu số")
    assert f'id="hm-{hue.project.id}"' in project and f'id="hm-{hue.target.id}"' not in project
    assert f'id="hm-{hue.target.id}"' in target and f'id="hm-{hue.project.id}"' not in target
    assert f'id="hm-{hue.project.id}"' in _page(client, f"{base}&q=Nền tảng số")
    both = _page(client, base)
    assert f'id="hm-{hue.project.id}"' in both and f'id="hm-{hue.target.id}"' in both
