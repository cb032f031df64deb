"""Notifications: everyone signed in (the superadmin too) reads and marks their own; nobody touches another's (404)."""
from tests.permissions.base import Route, expect
from tracker.extensions import db


def notification_of_another_user(scenario):
    from tracker.reminders.models import Notification

    notification = Notification(user_id=scenario["user_other"], title="Quá hạn nộp báo cáo",
                                body="Thông báo của người khác", link="http://tracker.test/viec-cua-toi")
    db.session.add(notification)
    db.session.flush()
    return {"notification_other": notification.id}


ROUTES = [
    Route("notifications.index", "GET", "/thong-bao", expect(200, superadmin=200)),
    Route("notifications.mark_read", "POST", "/thong-bao/{notification_other}/da-doc", expect(404, superadmin=404),
          setup=notification_of_another_user, note="another user's notice"),
    Route("notifications.mark_all_read", "POST", "/thong-bao/da-doc-tat-ca", expect(302, superadmin=302)),
    Route("notifications.preferences", "POST", "/thong-bao/tuy-chon", expect(302, superadmin=302), data={"notify_optional": "y"}),
    Route("notifications.workflow_mail", "POST", "/thong-bao/thu-duyet-bao-cao", expect(302, superadmin=302),
          data={"workflow_mail": "immediate"}),
]
