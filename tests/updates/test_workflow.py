"""The update cycle through the pages: draft → submit → return → resubmit → accept; corrections."""
from sqlalchemy import select

from tests.updates.world import edit_url, form, ids_of
from tracker.audit.models import AuditEntry
from tracker.updates.models import StatusUpdate


def latest(db, item, period):
    db.session.expire_all()
    return db.session.scalars(
        select(StatusUpdate).where(StatusUpdate.item_id == item.id, StatusUpdate.period_id == period.id)
        .order_by(StatusUpdate.version.desc())
    ).first()


def test_update_return_resubmit_accept(client, db, world, as_user):
    item, period = world.project, world.period
    url = edit_url(item, period)

    as_user(world.reporter)
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"Hạn gửi báo cáo {period.label}: {period.submission_deadline:%d/%m/%Y}" in html
    assert "Lưu nháp" in html and "Gửi báo cáo" in html

    response = client.post(url, data=form(progress="30", amount_committed="1.200.000.000"))
    assert response.status_code == 302
    update = latest(db, item, period)
    assert (update.state, update.progress, update.amount_committed, update.unit_id) == (
        "draft", 30, 1_200_000_000, world.khcn.id)
    assert update.author_id == world.reporter.id

    response = client.post(url, data=form(progress="35", action="submit", amount_committed="1200000000",
                                          **ids_of(update)))
    assert response.status_code == 302
    update = latest(db, item, period)
    assert update.state == "submitted" and update.submitted_by_id == world.reporter.id
    assert update.version == 1

    # The coordinator sees it waiting, and a return needs a reason.
    as_user(world.coordinator)
    queue = client.get("/cho-duyet").get_data(as_text=True)
    assert "Xây dựng Trung tâm dữ liệu tỉnh" in queue and "Sở Khoa học và Công nghệ" in queue
    response = client.post(f"/cap-nhat/{update.id}/duyet", data={"decision": "return", "reason": "  "},
                           follow_redirects=True)
    assert "Vui lòng ghi lý do trả lại" in response.get_data(as_text=True)
    assert latest(db, item, period).state == "submitted"
    response = client.post(f"/cap-nhat/{update.id}/duyet",
                           data={"decision": "return", "reason": "Thiếu biên bản nghiệm thu giai đoạn 1."})
    assert response.status_code == 302
    update = latest(db, item, period)
    assert update.state == "returned" and update.reviewed_by_id == world.coordinator.id

    # The reporter sees the reason, corrects and sends again.
    as_user(world.reporter)
    html = client.get(url).get_data(as_text=True)
    assert "Thiếu biên bản nghiệm thu giai đoạn 1." in html and "Bị trả lại" in html
    my_work = client.get("/viec-cua-toi").get_data(as_text=True)
    assert "Thiếu biên bản nghiệm thu giai đoạn 1." in my_work
    response = client.post(url, data=form(progress="45", action="submit", done_text="Đã bổ sung biên bản nghiệm thu.",
                                          amount_committed="1.200.000.000 đ", **ids_of(update)))
    assert response.status_code == 302
    update = latest(db, item, period)
    assert update.state == "submitted" and update.version == 1 and update.progress == 45

    as_user(world.coordinator)
    response = client.post(f"/cap-nhat/{update.id}/duyet", data={"decision": "accept", "comment": "Đạt yêu cầu."})
    assert response.status_code == 302
    update = latest(db, item, period)
    assert update.state == "accepted" and update.review_comment == "Đạt yêu cầu."
    item = update.item
    assert (item.status, item.progress, item.amount_committed) == ("in_progress", 45, 1_200_000_000)
    assert item.last_update_at is not None

    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "status_update", AuditEntry.entity_id == update.id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["create", "save_draft", "submit", "return", "save_draft", "submit", "accept"]
    state_change = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "plan_item", AuditEntry.entity_id == item.id)
    ).one()
    assert state_change.changes["progress"] == [0, 45]
    # The history of the period, with the return reason, stays readable.
    html = client.get(url).get_data(as_text=True)
    assert "lý do: “Thiếu biên bản nghiệm thu giai đoạn 1.”" in html


def test_accepted_update_is_corrected_by_a_new_version(client, db, world, as_user):
    item, period = world.project, world.period
    url = edit_url(item, period)
    as_user(world.reporter)
    client.post(url, data=form(progress="60", action="submit", amount_disbursed="800.000.000"))
    first = latest(db, item, period)
    as_user(world.coordinator)
    client.post(f"/cap-nhat/{first.id}/duyet", data={"decision": "accept"})

    as_user(world.reporter)
    # Editing the accepted version in place is refused; the typed text is shown back.
    response = client.post(url, data=form(progress="70", done_text="Sửa trực tiếp", **ids_of(latest(db, item, period))))
    assert response.status_code == 409
    assert "tạo bản đính chính" in response.get_data(as_text=True)
    assert "Sửa trực tiếp" in response.get_data(as_text=True)
    assert latest(db, item, period).progress == 60

    response = client.post(f"/cap-nhat/{first.id}/dinh-chinh")
    assert response.status_code == 302
    correction = latest(db, item, period)
    assert (correction.version, correction.state, correction.supersedes_id) == (2, "draft", first.id)
    assert correction.progress == 60 and correction.amount_disbursed == 800_000_000
    # Asking again returns the correction under way rather than a third version.
    client.post(f"/cap-nhat/{first.id}/dinh-chinh")
    assert latest(db, item, period).version == 2

    client.post(url, data=form(progress="65", action="submit", amount_disbursed="900.000.000",
                               done_text="Đính chính số giải ngân.", **ids_of(correction)))
    as_user(world.coordinator)
    first_state_before = db.session.get(StatusUpdate, first.id).state
    assert first_state_before == "accepted"  # the accepted version stands until the correction is accepted
    client.post(f"/cap-nhat/{correction.id}/duyet", data={"decision": "accept"})
    db.session.expire_all()
    assert db.session.get(StatusUpdate, first.id).state == "superseded"
    correction = db.session.get(StatusUpdate, correction.id)
    assert correction.state == "accepted"
    assert (correction.item.progress, correction.item.amount_disbursed) == (65, 900_000_000)

    html = client.get(url).get_data(as_text=True)
    assert "phiên bản 1" in html and "phiên bản 2" in html
    assert "Đã được thay thế" in html and "Đã chấp nhận" in html
    assert "Đính chính số giải ngân." in html and "Đã hoàn thành khảo sát hiện trạng." in html


def test_reviewing_twice_is_refused(client, db, world, as_user):
    as_user(world.reporter)
    client.post(edit_url(world.project, world.period), data=form(action="submit"))
    update = latest(db, world.project, world.period)
    as_user(world.coordinator)
    client.post(f"/cap-nhat/{update.id}/duyet", data={"decision": "accept"})
    response = client.post(f"/cap-nhat/{update.id}/duyet", data={"decision": "return", "reason": "Muộn"},
                           follow_redirects=True)
    assert "không phải chờ duyệt" in response.get_data(as_text=True)
    assert latest(db, world.project, world.period).state == "accepted"


def test_submitted_update_cannot_be_edited_until_reviewed(client, db, world, as_user):
    url = edit_url(world.project, world.period)
    as_user(world.reporter)
    client.post(url, data=form(action="submit"))
    update = latest(db, world.project, world.period)
    response = client.post(url, data=form(progress="90", done_text="Nội dung mới", **ids_of(update)))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "đang chờ Sở KH&amp;CN duyệt" in html and "Nội dung mới" in html
    assert latest(db, world.project, world.period).progress == 40


def test_contribution_note_by_a_coordinating_unit(client, db, world, as_user):
    from tracker.updates.models import ContributionNote

    url = f"/dong-gop/{world.project.id}/{world.period.code}"
    as_user(world.reporter_office)  # VP UBND tỉnh coordinates the project
    assert client.get(edit_url(world.project, world.period)).status_code == 200
    response = client.post(url, data={"text": "  "}, follow_redirects=True)
    assert "Vui lòng nhập nội dung phối hợp." in response.get_data(as_text=True)
    response = client.post(url, data={"text": "VP UBND tỉnh đã bố trí phòng máy chủ."})
    assert response.status_code == 302
    note = db.session.scalars(select(ContributionNote)).one()
    assert note.unit_id == world.office.id and note.period_id == world.period.id
    html = client.get(edit_url(world.project, world.period)).get_data(as_text=True)
    assert "VP UBND tỉnh đã bố trí phòng máy chủ." in html
    # Writing the update itself is the owner's.
    assert client.post(edit_url(world.project, world.period), data=form()).status_code == 403

    as_user(world.reporter)  # the owner does not coordinate its own item
    assert client.post(url, data={"text": "Ý kiến"}).status_code == 403


def test_viewer_and_admin_read_but_do_not_write(client, world, as_user):
    url = edit_url(world.project, world.period)
    for user in (world.viewer, world.admin, world.coordinator):
        as_user(user)
        page = client.get(url)
        assert page.status_code == 200
        assert 'name="action" value="submit"' not in page.get_data(as_text=True)
        assert client.post(url, data=form()).status_code == 403
    as_user(world.reporter_finance)  # neither owns nor coordinates
    assert client.get(url).status_code == 403
    assert client.post(url, data=form()).status_code == 403


def test_budget_lines_are_not_reported_on(client, db, world, as_user):
    from tracker.plans.models import PlanItem

    line = db.session.scalars(select(PlanItem).where(PlanItem.kind == "budget")).first()
    as_user(world.coordinator)
    assert client.get(edit_url(line, world.period)).status_code == 404
    assert client.get(f"/cap-nhat/{world.project.id}/2099-Q1").status_code == 404
