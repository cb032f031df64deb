"""The password-reset e-mail (tracker/auth/passwords.py raises the event; the outbox sends the mail)."""
from __future__ import annotations

from tracker.core.events import Event
from tracker.core.formatting import format_datetime
from tracker.core.time import today_local
from tracker.extensions import db
from tracker.reminders import links
from tracker.reminders.models import OutboxMessage, OutboxStatus


def on_password_reset_requested(event: Event) -> None:
    """Queue the reset e-mail in the requester's transaction (the outbox sends it)."""
    token, user, raw, minutes = event.entity, event.data["user"], event.data["raw"], event.data["minutes"]
    url = links.absolute_url("auth.reset_password", f"/dat-lai-mat-khau/{raw}", token=raw)
    until = format_datetime(token.expires_at)
    text = (f"Kính gửi {user.display_name},\n\nCó yêu cầu đặt lại mật khẩu cho tài khoản {user.email} trên hệ thống "
            f"theo dõi thực hiện Kế hoạch chuyển đổi số.\n\nĐặt mật khẩu mới tại: {url}\n\n"
            f"Đường dẫn dùng được một lần, đến {until} ({minutes} phút). Đặt mật khẩu mới sẽ đăng xuất tài khoản "
            "trên mọi thiết bị.\nNếu bạn không yêu cầu, hãy bỏ qua thư này: mật khẩu hiện tại vẫn giữ nguyên.\n\n--\n"
            "Thư này được gửi tự động, vui lòng không trả lời.\n")
    html = (f"<p>Kính gửi {_escape(user.display_name)},</p><p>Có yêu cầu đặt lại mật khẩu cho tài khoản "
            f"{_escape(user.email)}.</p><p><a href=\"{_escape(url)}\">Đặt mật khẩu mới</a></p>"
            f"<p>Đường dẫn dùng được một lần, đến {until} ({minutes} phút). Đặt mật khẩu mới sẽ đăng xuất tài khoản "
            "trên mọi thiết bị. Nếu bạn không yêu cầu, hãy bỏ qua thư này.</p>")
    db.session.add(OutboxMessage(
        user_id=user.id, to_email=user.email, subject="[Theo dõi CĐS] Đặt lại mật khẩu", body_text=text,
        body_html=html, message_id=f"<dat-lai-mat-khau.{token.id}.{token.token_hash[:12]}@{links.site_domain()}>",
        run_day=today_local(), status=OutboxStatus.PENDING.value, created_at=token.created_at,
    ))


def _escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
