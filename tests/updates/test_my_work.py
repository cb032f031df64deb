"""“Việc của tôi”: everything a unit owes for the period, in one form."""
import re

from sqlalchemy import select

from tracker.updates.models import StatusUpdate


def row(item, unit, **values):
    prefix = f"r-{item.id}-{unit.id}-"
    data = {prefix + "present": "1", prefix + "update_id": "", prefix + "lock_version": "",
            prefix + "status": "not_started", prefix + "progress": "0", prefix + "achieved_value": "",
            prefix + "amount_committed": "", prefix + "amount_disbursed": "", prefix + "done_text": "",
            prefix + "difficulties": "", prefix + "proposals": ""}
    data.update({prefix + k: str(v) for k, v in values.items()})
    return data


def hidden(html, name):
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    return match.group(1) if match else None


def updates(db):
    db.session.expire_all()
    return {u.item_id: u for u in db.session.scalars(select(StatusUpdate))}


def test_lists_what_the_unit_owes_with_the_deadline(client, world, as_user):
    as_user(world.reporter)
    html = client.get("/viec-cua-toi").get_data(as_text=True)
    assert f"Hạn gửi báo cáo {world.period.label}: {world.period.submission_deadline:%d/%m/%Y}" in html
    for item in (world.document, world.project, world.project_nobudget, world.project_group, world.project_tttt):
        assert item.text in html, item.text  # Sở TT&TT's project: Sở KH&CN carries it since the merger
    assert world.target.text not in html  # VP UBND tỉnh's
    assert f"Kinh phí {world.project.text}" not in html  # budget lines are reported through their project


def test_one_form_saves_valid_rows_and_keeps_typed_text_of_invalid_ones(client, db, world, as_user):
    k = world.khcn
    as_user(world.reporter)
    data = {"action": "draft"}
    data.update(row(world.project, k, status="in_progress", progress="50", amount_disbursed="300.000.000",
                    done_text="Đã lắp đặt máy chủ."))
    data.update(row(world.document, k, status="in_progress", progress="một nửa", done_text="Đang lấy ý kiến góp ý.",
                    difficulties="Chưa có hướng dẫn của Bộ."))
    data.update(row(world.project_nobudget, k))  # untouched: no update created
    response = client.post("/viec-cua-toi", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "1 hạng mục cần xem lại" in html
    assert "Tiến độ phải là số nguyên từ 0 đến 100" in html
    assert 'value="một nửa"' in html and "Đang lấy ý kiến góp ý." in html and "Chưa có hướng dẫn của Bộ." in html
    saved = updates(db)
    assert set(saved) == {world.project.id, world.document.id}  # the untouched row is left alone
    assert saved[world.project.id].amount_disbursed == 300_000_000 and saved[world.project.id].state == "draft"
    # The row with an error keeps, as a draft, what could be read; the wrong number is not stored.
    document = saved[world.document.id]
    assert (document.state, document.progress, document.done_text) == ("draft", 0, "Đang lấy ý kiến góp ý.")
    assert "Đã lưu nháp phần hợp lệ; các ô đánh dấu đỏ chưa được lưu" in html
    # The saved rows' forms carry their new versions, so the next save is not refused as stale.
    prefix = f"r-{world.project.id}-{k.id}-"
    doc_prefix = f"r-{world.document.id}-{k.id}-"
    assert hidden(html, prefix + "lock_version") == str(saved[world.project.id].lock_version)
    assert hidden(html, doc_prefix + "lock_version") == str(document.lock_version)

    data = {"action": "submit"}
    data.update(row(world.project, k, update_id=hidden(html, prefix + "update_id"),
                    lock_version=hidden(html, prefix + "lock_version"), status="in_progress", progress="55",
                    amount_disbursed="300.000.000", done_text="Đã lắp đặt máy chủ."))
    data.update(row(world.document, k, update_id=hidden(html, doc_prefix + "update_id"),
                    lock_version=hidden(html, doc_prefix + "lock_version"), status="in_progress", progress="50",
                    done_text="Đang lấy ý kiến góp ý."))
    response = client.post("/viec-cua-toi", data=data)
    assert response.status_code == 302
    saved = updates(db)
    assert {i: (u.state, u.progress) for i, u in saved.items()} == {
        world.project.id: ("submitted", 55), world.document.id: ("submitted", 50)}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "đã gửi 2 hạng mục" in page
    assert "Đã gửi hoặc đã được chấp nhận" in page


def test_submit_sends_saved_drafts_and_skips_untouched_rows(client, db, world, as_user):
    k = world.khcn
    as_user(world.reporter)
    data = {"action": "draft"}
    data.update(row(world.project, k, status="in_progress", progress="20", done_text="Khởi động dự án."))
    assert client.post("/viec-cua-toi", data=data).status_code == 302
    draft = updates(db)[world.project.id]
    data = {"action": "submit"}
    data.update(row(world.project, k, update_id=draft.id, lock_version=draft.lock_version, status="in_progress",
                    progress="20", done_text="Khởi động dự án."))
    data.update(row(world.document, k))
    assert client.post("/viec-cua-toi", data=data).status_code == 302
    saved = updates(db)
    assert set(saved) == {world.project.id} and saved[world.project.id].state == "submitted"


def test_stale_row_is_refused_and_shown_back(client, db, world, as_user):
    k = world.khcn
    as_user(world.reporter)
    data = {"action": "draft"}
    data.update(row(world.project, k, status="in_progress", progress="20", done_text="Bản thứ nhất."))
    client.post("/viec-cua-toi", data=data)
    first = updates(db)[world.project.id]
    seen = {"update_id": first.id, "lock_version": first.lock_version}  # both open the page at this version
    data = {"action": "draft"}
    data.update(row(world.project, k, status="in_progress", progress="25", done_text="Anh An sửa.", **seen))
    client.post("/viec-cua-toi", data=data)

    as_user(world.reporter2)
    data = {"action": "draft"}
    data.update(row(world.project, k, status="in_progress", progress="30", done_text="Chị Bình sửa trên bản cũ.",
                    **seen))
    data.update(row(world.document, k, status="in_progress", progress="10", done_text="Dòng khác vẫn được lưu."))
    response = client.post("/viec-cua-toi", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Chị Bình sửa trên bản cũ." in html and "vừa được người khác thay đổi" in html
    saved = updates(db)
    assert saved[world.project.id].done_text == "Anh An sửa."
    assert saved[world.document.id].done_text == "Dòng khác vẫn được lưu."


def test_only_reporters(client, world, as_user):
    for user in (world.coordinator, world.viewer, world.admin):
        as_user(user)
        assert client.get("/viec-cua-toi").status_code == 403


def shown_items(html):
    return set(re.findall(r'href="/cap-nhat/(\d+)/', html))


def test_filters_by_state_appendix_and_words_with_counts_of_everything(client, db, factory, world, as_user):
    # 68+ rows in one form was unusable: the page counts rows per state (each a filter link) and
    # filters by plan, appendix, state and words.
    for n in range(4):  # enough rows for the filter bar
        factory.item(world.plan, kind="project", owner=world.khcn, text=f"Dự án bổ sung {n}", start_year=2021,
                     end_year=2025)
    db.session.commit()
    as_user(world.reporter)
    data = {"action": "submit"}
    data.update(row(world.project, world.khcn, status="in_progress", progress="50", done_text="Đã lắp máy chủ."))
    assert client.post("/viec-cua-toi", data=data).status_code == 302

    html = client.get("/viec-cua-toi").get_data(as_text=True)
    flat = " ".join(html.split())
    assert "<strong>9</strong> hạng mục phải báo cáo: <strong>8</strong> cần nhập hoặc gửi" in flat
    assert re.search(r"Chưa báo cáo <span class=\"count\">8</span>", flat)
    assert re.search(r"Đã gửi, chờ duyệt <span class=\"count\">1</span>", flat)
    assert 'name="phu-luc"' in html and 'name="trang-thai"' in html and 'name="q"' in html

    submitted = client.get("/viec-cua-toi?trang-thai=submitted").get_data(as_text=True)
    assert shown_items(submitted) == {str(world.project.id)}
    assert "Đang hiện 1/9 hạng mục" in submitted
    assert re.search(r"Chưa báo cáo <span class=\"count\">8</span>", " ".join(submitted.split()))  # counts stay whole

    documents = client.get(f"/viec-cua-toi?phu-luc={world.document.appendix_id}").get_data(as_text=True)
    assert shown_items(documents) == {str(world.document.id)}

    words = client.get("/viec-cua-toi", query_string={"q": "chu ky so"}).get_data(as_text=True)
    assert shown_items(words) == {str(world.project_tttt.id)}  # "Triển khai nền tảng chữ ký số"

    nothing = client.get("/viec-cua-toi?trang-thai=returned").get_data(as_text=True)
    assert "Không có hạng mục nào phù hợp với bộ lọc" in nothing and not shown_items(nothing)


def test_saving_a_filtered_page_keeps_the_filter_and_the_rows_with_errors(client, db, world, as_user):
    as_user(world.reporter)
    html = client.get("/viec-cua-toi?trang-thai=not_started").get_data(as_text=True)
    assert 'action="/viec-cua-toi?ky=' in html and "trang-thai=not_started" in html
    url = f"/viec-cua-toi?ky={world.period.code}&trang-thai=not_started"
    data = {"action": "draft"}
    data.update(row(world.project, world.khcn, status="in_progress", progress="30", done_text="Khởi động."))
    response = client.post(url, data=data)
    assert response.status_code == 302
    assert "trang-thai=not_started" in response.headers["Location"]
    # The saved row is a draft now, so no longer "Chưa báo cáo"; a row sent back with an error stays
    # on the page although it no longer matches the filter.
    data = {"action": "draft"}
    data.update(row(world.document, world.khcn, status="in_progress", progress="150", done_text="Đang soạn."))
    response = client.post(url, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert str(world.document.id) in shown_items(html)
    assert 'value="150"' in html and "Tiến độ phải là số nguyên từ 0 đến 100" in html


def test_unchanged_row_returned_meanwhile_is_not_resubmitted_unseen(client, db, world, as_user):
    """The reporter opened the page on its draft; the coordinator returned the report meanwhile; the
    reporter submits without changing anything: the row is refused with the conflict message."""
    from tracker.updates import services

    k = world.khcn
    as_user(world.reporter)
    values = dict(status="in_progress", progress="20", done_text="Khởi động dự án.")
    data = {"action": "submit"}
    data.update(row(world.project, k, **values))
    assert client.post("/viec-cua-toi", data=data).status_code == 302
    sent = updates(db)[world.project.id]
    assert sent.state == "submitted"
    seen = {"update_id": sent.id, "lock_version": sent.lock_version}  # the page as it was then
    services.return_update(world.coordinator, sent, "Thiếu biên bản nghiệm thu.")
    db.session.commit()

    data = {"action": "submit"}
    data.update(row(world.project, k, **values, **seen))
    response = client.post("/viec-cua-toi", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "vừa được người khác thay đổi" in html and "Khởi động dự án." in html
    update = updates(db)[world.project.id]
    assert update.state == "returned" and update.review_comment == "Thiếu biên bản nghiệm thu."


def test_new_row_starts_from_the_units_last_accepted_report(client, db, world, as_user):
    """As on the item's own page: a group member's new row starts from its last accepted report."""
    from datetime import date

    from tests.updates.world import form
    from tracker.periods.services import ensure_period
    from tracker.updates import services
    from tracker.updates.validation import validate_update

    item, finance = world.project_group, world.finance
    earlier = ensure_period(2025, 1, world.area)
    checked = validate_update(item, form(status="in_progress", progress="65"), budget=services.budget_of(item))
    update = services.save_draft(world.reporter_finance, item, earlier, checked.values, update_id=None,
                                 lock_version=None, today=date(2025, 3, 10))
    services.submit(world.reporter_finance, update, today=date(2025, 3, 10))
    services.accept(world.coordinator, update, today=date(2025, 3, 10))
    db.session.commit()
    expected = services.default_values(item, finance)
    assert expected["progress"] == 65

    as_user(world.reporter_finance)
    html = client.get(f"/viec-cua-toi?ky={world.period.code}").get_data(as_text=True)
    prefix = f"r-{item.id}-{finance.id}-"
    match = re.search(rf'name="{re.escape(prefix)}progress"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(prefix)}progress"', html)
    assert match and match.group(1) == "65"
