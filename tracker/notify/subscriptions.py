"""Every notification handler, subscribed in one place (`register_subscriptions`, at app creation).

Quarterly updates: a submission tells the coordinators of the update's province; a return (with its
reason), an acceptance and a correction request tell the reporters of the unit that carries the
report today (after a merger, the successor's). The actor is never told of their own step.
"""
from __future__ import annotations

from tracker.core.events import Event, subscribe
from tracker.core.text import shorten
from tracker.core.time import today_local
from tracker.notify.passwords import on_password_reset_requested
from tracker.notify.services import Message, area_coordinators, notify, unit_reporters
from tracker.reminders import links


def _code(item) -> str:
    """"222/KH-UBND · PL 3 › 1.": the plan, the appendix and the document's own codes."""
    return f"{item.plan.number_label} · PL {item.ref.split('/')[0]} › {item.display_code}"


def _what(update) -> str:
    item = update.item
    return f"báo cáo {update.period.label} của {update.unit.name} về hạng mục {_code(item)}: {shorten(item.text, 160)}"


def _short(update) -> str:
    return shorten(update.item.text, 90)


def _reporters(update):
    return unit_reporters(update.unit.carrier_on(today_local()).id)


def _form_link(update) -> str:
    return links.update_form_url(update.item_id, update.period.code)


def on_update_submitted(event: Event) -> None:
    update = event.entity
    resubmitted = event.data.get("resubmitted")
    title = (f"{update.unit.name} gửi lại báo cáo {update.period.label} (đã bị trả lại trước đó): {_short(update)}"
             if resubmitted else f"{update.unit.name} gửi báo cáo {update.period.label}: {_short(update)}")
    body = f"Có {_what(update)} chờ duyệt (tiến độ {update.progress} %)."
    if resubmitted and update.review_comment:
        body += f"\nLý do lần trả lại trước: {update.review_comment}"
    if event.data.get("late"):
        body += "\nBáo cáo được gửi sau hạn."
    notify(area_coordinators(update.item.tenant_id), event.key, event.name, event.entity_type, event.entity_id,
           Message(title, body, links.absolute_url("updates.review_queue", "/cho-duyet")), exclude=event.actor)


def _reviewer(event: Event) -> str:
    """Who reviewed: the coordinator's unit as named in the database (every province's own)."""
    unit = getattr(event.actor, "unit", None)
    return unit.name if unit is not None else "Đơn vị điều phối"


def _tell_reporters(event: Event, title: str, body: str) -> None:
    update = event.entity
    notify(_reporters(update), event.key, event.name, event.entity_type, event.entity_id,
           Message(f"{title}: {_short(update)}", body, _form_link(update)), exclude=event.actor)


def on_update_returned(event: Event) -> None:
    update = event.entity
    _tell_reporters(event, f"Báo cáo {update.period.label} bị trả lại",
                    f"{_reviewer(event)} đã trả lại {_what(update)}.\nLý do: {event.data.get('reason', '')}\n"
                    "Vui lòng bổ sung, chỉnh sửa rồi gửi lại.")


def on_update_accepted(event: Event) -> None:
    update = event.entity
    body = f"{_reviewer(event)} đã chấp nhận {_what(update)} (tiến độ {update.progress} %)."
    if event.data.get("comment"):
        body += f"\nÝ kiến: {event.data['comment']}"
    _tell_reporters(event, f"Báo cáo {update.period.label} đã được chấp nhận", body)


def on_update_correction_requested(event: Event) -> None:
    update = event.entity
    _tell_reporters(event, f"Yêu cầu đính chính báo cáo {update.period.label}",
                    f"{_reviewer(event)} yêu cầu đính chính {_what(update)}.\n"
                    f"Nội dung cần đính chính: {event.data.get('reason', '')}\n"
                    "Mở báo cáo và bấm \"Tạo bản đính chính\"; bản đã chấp nhận vẫn giữ nguyên cho đến khi "
                    "bản đính chính được chấp nhận.")


def _input_what(item) -> str:
    what = f"thông tin chung {item.code}" if item.is_general else f"chỉ số {item.code}"
    return f"số liệu {what} – {item.campaign.title}"


def _input_link(item) -> str:
    return links.absolute_url("campaigns.input_page", f"/tu-danh-gia/so-lieu/{item.id}", input_id=item.id)


def on_campaign_input_submitted(event: Event) -> None:
    item = event.entity
    unit = item.unit.name if item.unit is not None else "Đơn vị"
    notify(area_coordinators(item.campaign.tenant_id), event.key, event.name, event.entity_type, event.entity_id,
           Message(f"{unit} gửi {_input_what(item)}", f"Có {_input_what(item)} của {unit} chờ duyệt.",
                   _input_link(item)), exclude=event.actor)


def _tell_providers(event: Event, title: str, body: str) -> None:
    item = event.entity
    unit_id = item.unit.carrier_on(today_local()).id if item.unit is not None else None
    notify(unit_reporters(unit_id), event.key, event.name, event.entity_type, event.entity_id,
           Message(title, body, _input_link(item)), exclude=event.actor)


def on_campaign_input_returned(event: Event) -> None:
    item = event.entity
    _tell_providers(event, f"Số liệu tự đánh giá DTI bị trả lại: {item.code}",
                    f"{_reviewer(event)} đã trả lại {_input_what(item)}.\nLý do: {event.data.get('reason', '')}\n"
                    "Vui lòng bổ sung, chỉnh sửa rồi gửi lại.")


def on_campaign_input_accepted(event: Event) -> None:
    item = event.entity
    _tell_providers(event, f"Số liệu tự đánh giá DTI đã được chấp nhận: {item.code}",
                    f"{_reviewer(event)} đã chấp nhận {_input_what(item)}.")


SUBSCRIPTIONS = {
    "campaign_input.submit": on_campaign_input_submitted,
    "campaign_input.return": on_campaign_input_returned,
    "campaign_input.accept": on_campaign_input_accepted,
    "update.submitted": on_update_submitted,
    "update.returned": on_update_returned,
    "update.accepted": on_update_accepted,
    "update.correction_requested": on_update_correction_requested,
    "auth.password_reset_requested": on_password_reset_requested,
}


def register_subscriptions() -> None:
    for name, handler in SUBSCRIPTIONS.items():
        subscribe(name, handler)
