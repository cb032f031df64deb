"""Errors of the API as JSON, with a message in Vietnamese: {"error": {"code", "message"}}."""
from __future__ import annotations

import json

from flask import Response

MESSAGES = {
    400: ("bad_request", "Tham số không hợp lệ."),
    401: ("unauthorized", "Thiếu khóa API hoặc khóa không hợp lệ, đã bị thu hồi (Authorization: Bearer …)."),
    403: ("forbidden", "Khóa API này không có quyền đọc dữ liệu được yêu cầu."),
    404: ("not_found", "Không tìm thấy dữ liệu được yêu cầu."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ: API chỉ cho phép đọc (GET)."),
    406: ("not_acceptable", "API chỉ trả về JSON."),
    413: ("too_large", "Yêu cầu quá lớn."),
    429: ("rate_limited", "Vượt quá số yêu cầu cho phép của khóa API trong một phút. Vui lòng thử lại sau."),
    500: ("server_error", "Đã xảy ra lỗi hệ thống. Vui lòng thử lại sau."),
}


class ApiError(Exception):
    def __init__(self, status: int, message: str | None = None, *, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_response(status: int, message: str | None = None, headers: dict | None = None) -> Response:
    code, default = MESSAGES.get(status, ("error", MESSAGES[500][1] if status >= 500 else MESSAGES[400][1]))
    body = json.dumps({"error": {"code": code, "message": message or default}}, ensure_ascii=False)
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
