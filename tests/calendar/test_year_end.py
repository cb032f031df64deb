"""Items due only "by the end of a year" make one summary event, not dozens on 31/12; items with a
deadline of their own keep theirs; the profile's feed link is built from BASE_URL."""
from datetime import date

from tracker.calendar import services


def test_year_end_items_collapse_into_one_summary(db, factory):
    unit = factory.unit("Sở Khoa học và Công nghệ")
    plan = factory.plan("222/KH-UBND", area=unit.area)
    for n in range(5):
        factory.item(plan=plan, owner=unit, kind="project", start_year=2021, end_year=2025, text=f"Dự án số {n}")
    factory.item(plan=plan, owner=unit, kind="document", deadline=date(2025, 12, 31), doc_type="Quyết định",
                 text="Ban hành Quyết định có ngày riêng")
    factory.item(plan=plan, owner=unit, kind="project", start_year=2021, end_year=2026, text="Dự án đến 2026")
    events = services.item_events(services.unit_items(unit, date(2025, 10, 1)), date(2025, 10, 1), f"unit-{unit.id}")
    on_last_day = [e for e in events if e.day == date(2025, 12, 31)]
    assert len(on_last_day) == 2
    summary = next(e for e in on_last_day if e.uid.startswith("han-cuoi-nam-2025"))
    assert summary.summary == "Hạn cuối năm 2025: 5 hạng mục (5 chưa hoàn thành)"
    assert "Dự án số 4" in summary.description and "5 dự án" in summary.description
    assert any("Quyết định có ngày riêng" in e.summary for e in on_last_day)
    assert [e.summary for e in events if e.day == date(2026, 12, 31)] == ["Hạn hoàn thành dự án: Dự án đến 2026"]


def test_profile_feed_link_uses_base_url(app, client, db, factory, login, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "http://127.0.0.1:5741")
    user = factory.user(role="viewer")
    user.regenerate_calendar_token()
    db.session.commit()
    login(user)
    html = client.get("/ho-so").get_data(as_text=True)
    assert f"http://127.0.0.1:5741/lich/{user.calendar_token}.ics" in html
    assert "127.0.0.1:5000" not in html

