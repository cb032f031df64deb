"""Every review step tells the right people, once: in-app at once, by e-mail through the outbox
(at once or in the daily digest), in Vietnamese with the reason and a link; two provinces in the DB."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.updates.world import make_user
from tracker.core.events import Event, publish, subscribe, unsubscribe
from tracker.extensions import db as _db
from tracker.notify.jobs import compose_digests
from tracker.notify.models import EventNotice
from tracker.notify.services import set_mail_choice
from tracker.reminders.models import Notification, OutboxMessage
from tracker.updates import services
from tracker.updates.validation import validate_update


def _values(item, **texts):
    raw = {"status": "in_progress", "progress": "70", "achieved_value": "", "amount_committed": "",
           "amount_disbursed": "", "done_text": "Đã triển khai giai đoạn 2.", "difficulties": "", "proposals": "",
           **texts}
    return validate_update(item, raw, budget=services.budget_of(item)).values


def _submitted(province, **texts):
    update = services.save_draft(province.reporter, province.project, province.period,
                                 _values(province.project, **texts), update_id=None, lock_version=None)
    services.submit(province.reporter, update)
    return update


def _notifications(user):
    return list(_db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def _mails(user):
    return list(_db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)))


def test_submission_tells_the_coordinators_of_that_province_only(db, factory, provinces):
    hue, thanh_hoa = provinces
    second = make_user(factory, "coordinator", hue.khcn, "dieuphoi2.hue@test.vn", "Điều phối 2 Huế")
    _submitted(hue)
    for coordinator in (hue.coordinator, second):
        [notice] = _notifications(coordinator)
        assert "Sở Tài chính gửi báo cáo" in notice.title and notice.link == "http://tracker.test/cho-duyet"
    assert _notifications(thanh_hoa.coordinator) == []
    assert _notifications(hue.reporter) == []  # not the actor
    assert _notifications(hue.viewer) == [] and _notifications(hue.admin) == []


def test_a_return_tells_the_units_reporters_once_with_the_reason(db, factory, provinces):
    hue, thanh_hoa = provinces
    colleague = make_user(factory, "reporter", hue.finance, "baocao2.hue@test.vn", "Đồng nghiệp Huế")
    other_unit = make_user(factory, "reporter", hue.khcn, "baocao.khcn.hue@test.vn", "Sở KH&CN Huế")
    for person in (hue.reporter, colleague):
        set_mail_choice(person, "immediate", actor=person)
    update = _submitted(hue)
    services.return_update(hue.coordinator, update, "Thiếu biên bản nghiệm thu giai đoạn 2.")
    db.session.flush()

    for person in (hue.reporter, colleague):
        [notice] = _notifications(person)
        assert notice.title == f"Báo cáo {hue.period.label} bị trả lại: {hue.project.text}"
        assert f"222/KH-UBND · PL {hue.project.ref.split('/')[0]} › {hue.project.display_code}" in notice.body
        assert "Lý do: Thiếu biên bản nghiệm thu giai đoạn 2." in notice.body
        assert notice.body.startswith("Sở Khoa học và Công nghệ đã trả lại báo cáo")
        [mail] = _mails(person)
        assert notice.outbox_id == mail.id and mail.status == "pending"
        assert "bị trả lại" in mail.subject
        assert "Lý do: Thiếu biên bản nghiệm thu giai đoạn 2." in mail.body_text
        link = f"http://tracker.test/cap-nhat/{hue.project.id}/{hue.period.code}"
        assert link in mail.body_text and f'href="{link}"' in mail.body_html
        assert "Kính gửi" in mail.body_text and "127.0.0.1" not in mail.body_text
    assert _notifications(other_unit) == [] and _notifications(thanh_hoa.reporter) == []
    # The digest adds nothing for them (the e-mail went out at once); the coordinator's submission
    # notice goes in the coordinator's digest.
    compose_digests()
    assert len(_mails(hue.reporter)) == len(_mails(colleague)) == 1
    [digest] = _mails(hue.coordinator)
    assert "gửi báo cáo" in digest.subject


def test_an_acceptance_tells_the_reporters_once_by_the_daily_digest(db, factory, provinces):
    hue, thanh_hoa = provinces
    update = _submitted(hue)
    services.accept(hue.coordinator, update, comment="Đạt yêu cầu.")
    db.session.commit()

    [notice] = _notifications(hue.reporter)
    assert "đã được chấp nhận" in notice.title and "Ý kiến: Đạt yêu cầu." in notice.body
    assert _mails(hue.reporter) == []  # the default: the daily digest
    assert len(compose_digests()) == 2  # the reporter's, and the coordinator's (the submission)
    assert compose_digests() == []  # run again (a restart, a second scheduler): nothing more
    [mail] = _mails(hue.reporter)
    assert "đã được chấp nhận" in mail.subject and "Đạt yêu cầu." in mail.body_text
    assert f"http://tracker.test/cap-nhat/{hue.project.id}/{hue.period.code}" in mail.body_text
    assert _notifications(thanh_hoa.reporter) == [] and _mails(thanh_hoa.reporter) == []
    notices = db.session.scalar(select(func.count()).select_from(EventNotice).where(EventNotice.user_id == hue.reporter.id))
    assert notices == 1


def test_a_resubmission_reminds_the_coordinator_of_the_earlier_return(db, provinces):
    hue, _ = provinces
    update = _submitted(hue)
    services.return_update(hue.coordinator, update, "Thiếu số liệu giải ngân.")
    services.submit(hue.reporter, update)
    titles = [n for n in _notifications(hue.coordinator) if "gửi lại" in n.title]
    assert len(titles) == 1 and "Lý do lần trả lại trước: Thiếu số liệu giải ngân." in titles[0].body


def test_a_correction_request_tells_the_reporters(db, provinces):
    hue, _ = provinces
    update = _submitted(hue)
    services.accept(hue.coordinator, update)
    services.request_correction(hue.coordinator, update, "Số tiền giải ngân chưa khớp sổ kế toán.")
    [notice] = [n for n in _notifications(hue.reporter) if "đính chính" in n.title]
    assert "Số tiền giải ngân chưa khớp sổ kế toán." in notice.body


def test_in_app_only_writes_no_mail(db, provinces):
    hue, _ = provinces
    set_mail_choice(hue.reporter, "none", actor=hue.reporter)
    update = _submitted(hue)
    services.return_update(hue.coordinator, update, "Thiếu minh chứng.")
    assert len(_notifications(hue.reporter)) == 1
    compose_digests()
    assert _mails(hue.reporter) == []


def test_a_failing_handler_undoes_the_step(db, provinces):
    """Handlers run in the step's transaction: no step without its notices, no notice without its step."""
    hue, _ = provinces
    update = _submitted(hue)
    db.session.commit()

    def broken(event: Event) -> None:
        raise RuntimeError("hỏng")

    subscribe("update.returned", broken)
    try:
        try:
            services.return_update(hue.coordinator, update, "Thiếu minh chứng.")
        except RuntimeError:
            db.session.rollback()
    finally:
        unsubscribe("update.returned", broken)
    db.session.expire_all()
    assert update.state == "submitted" and _notifications(hue.reporter) == []


def test_publish_without_subscribers_is_harmless():
    publish(Event(name="dti.campaign_opened", entity_type="campaign", entity_id=1))


def test_the_profile_sets_the_mail_choice(client, db, provinces, login):
    hue, _ = provinces
    login(hue.reporter)
    page = client.get("/ho-so").get_data(as_text=True)
    assert "Thư báo duyệt báo cáo" in page and 'checked id="workflow_mail-0"' in page
    assert client.post("/thong-bao/thu-duyet-bao-cao", data={"workflow_mail": "immediate"}).status_code == 302
    assert 'checked id="workflow_mail-1"' in client.get("/ho-so").get_data(as_text=True)
    assert client.post("/thong-bao/thu-duyet-bao-cao", data={"workflow_mail": "moi-phut"}).status_code == 400
    update = _submitted(hue)
    services.return_update(hue.coordinator, update, "Thiếu minh chứng.")
    db.session.flush()
    assert len(_mails(hue.reporter)) == 1
