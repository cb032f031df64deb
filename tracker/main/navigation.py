"""Links between areas that may not all be installed yet.

Pages link to another area's endpoint only through `endpoint_url`, which gives None when the
endpoint does not exist (its blueprint has not landed), so that every page renders either way.
"""
from __future__ import annotations

import re

from flask import current_app, url_for
from werkzeug.routing import BuildError

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def endpoint_url(endpoint: str, **values) -> str | None:
    """url_for(endpoint, **values), or None when the endpoint is missing or cannot be built."""
    if not has_endpoint(endpoint):
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def navigation_globals() -> dict:
    return {"has_endpoint": has_endpoint, "endpoint_url": endpoint_url}


def _code_labels() -> dict[str, dict[str, str]]:
    """Field -> {stored code: Vietnamese label}, for the coded values audit entries keep."""
    from tracker.auth.models import ROLE_LABELS
    from tracker.plans.models import STATUS_LABELS
    from tracker.updates.models import UPDATE_STATE_LABELS

    return {"status": STATUS_LABELS, "state": UPDATE_STATE_LABELS, "role": ROLE_LABELS,
            "succession_type": {"merged": "Hợp nhất", "renamed": "Đổi tên"}}


MONEY_FIELDS = {"amount_committed", "amount_disbursed", "budget_state", "budget_other", "budget_total"}
NUMBER_FIELDS = {"achieved_value", "target_value", "baseline_value"}


def audit_value(value, key: str | None = None) -> str:
    """An audit entry's old or new value, readable: lists joined, nothing shown as "(trống)".

    With the field's name, codes become their labels ("not_started" -> "Chưa triển khai"), money is
    written in đồng and progress in percent; without it, a known status, state or role code is still
    translated, never shown raw.
    """
    from tracker.core.formatting import format_money, format_number

    if value is None or value == "" or value == []:
        return "(trống)"
    if isinstance(value, (list, tuple)):
        return "; ".join(audit_value(v, key) for v in value)
    if isinstance(value, bool):
        return "có" if value else "không"
    labels = _code_labels()
    if isinstance(value, str) and key in labels:
        return labels[key].get(value, value)
    if key in MONEY_FIELDS and isinstance(value, int):
        return format_money(value)
    if key == "progress" and isinstance(value, (int, float)):
        return f"{format_number(value)} %"
    if key in NUMBER_FIELDS and isinstance(value, (int, float, str)):
        try:
            return format_number(value)
        except ArithmeticError:  # decimal.InvalidOperation: not a number after all
            return str(value)
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"  # audit entries store dates as ISO text
    if isinstance(value, str) and key is None:
        for codes in labels.values():
            if value in codes:
                return codes[value]
    return str(value)


AUDIT_FIELD_LABELS = {
    "text": "Nội dung", "deadline": "Hạn hoàn thành", "note": "Ghi chú", "owners": "Chủ trì",
    "coordinators": "Phối hợp", "indicator": "Chỉ số", "successor": "Đơn vị kế thừa",
    "succeeded_on": "Từ ngày", "succession_type": "Hình thức", "succession_note": "Căn cứ",
    "users": "Tài khoản chuyển sang", "predecessor": "Tiếp nhận từ", "name": "Tên", "short_name": "Tên viết tắt",
    "kind": "Loại", "parent": "Cấp trên", "aliases": "Tên khác", "area": "Địa bàn", "members": "Thành viên",
    "email": "Email", "full_name": "Họ và tên", "role": "Vai trò", "unit": "Đơn vị", "active": "Đang hoạt động",
    # an item's state, as accepted updates set it, and the updates themselves
    "status": "Tình trạng", "progress": "Tiến độ", "achieved_value": "Giá trị đạt được",
    "amount_committed": "Kinh phí đã cam kết", "amount_disbursed": "Kinh phí đã giải ngân",
    "completed_on": "Ngày hoàn thành", "last_update_at": "Cập nhật gần nhất", "state": "Trạng thái báo cáo",
    "reason": "Lý do", "file": "Tệp minh chứng", "done_text": "Kết quả thực hiện",
    "difficulties": "Khó khăn, vướng mắc", "proposals": "Kiến nghị, đề xuất", "supersedes": "Đính chính báo cáo",
    "budget_state": "Ngân sách trung hạn", "budget_other": "Nguồn khác", "budget_total": "Tổng kinh phí",
    "target_value": "Giá trị chỉ tiêu", "baseline_value": "Giá trị ban đầu",
    "submission_deadline": "Hạn gửi báo cáo", "consolidated_deadline": "Hạn báo cáo tổng hợp",
    "successor_id": "Đơn vị kế thừa", "notify_optional": "Nhận thông báo không bắt buộc",
}


def audit_field(key: str) -> str:
    """The Vietnamese label of a field named in an audit entry (the key itself when unknown)."""
    return AUDIT_FIELD_LABELS.get(key, key)
