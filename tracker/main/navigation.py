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


def audit_value(value) -> str:
    """An audit entry's old or new value, readable: lists joined, nothing shown as "(trống)"."""
    if value is None or value == "" or value == []:
        return "(trống)"
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"  # audit entries store dates as ISO text
    return str(value)


AUDIT_FIELD_LABELS = {
    "text": "Nội dung", "deadline": "Hạn hoàn thành", "note": "Ghi chú", "owners": "Chủ trì",
    "coordinators": "Phối hợp", "indicator": "Chỉ số", "successor": "Đơn vị kế thừa",
    "succeeded_on": "Từ ngày", "succession_type": "Hình thức", "succession_note": "Căn cứ",
    "users": "Tài khoản chuyển sang", "predecessor": "Tiếp nhận từ", "name": "Tên", "short_name": "Tên viết tắt",
    "kind": "Loại", "parent": "Cấp trên", "aliases": "Tên khác", "area": "Địa bàn", "members": "Thành viên",
    "email": "Email", "full_name": "Họ và tên", "role": "Vai trò", "unit": "Đơn vị", "active": "Đang hoạt động",
}


def audit_field(key: str) -> str:
    """The Vietnamese label of a field named in an audit entry (the key itself when unknown)."""
    return AUDIT_FIELD_LABELS.get(key, key)
