"""The OpenAPI 3 document of `/api/v1`, written here by hand beside the serializers it describes
(tracker/api/serializers.py); tests/api/test_schema.py checks every answer against it."""
from __future__ import annotations

from tracker.plans.models import ITEM_KIND_LABELS, STATUS_LABELS

STATES = ["not_started", "draft", "returned", "submitted", "accepted"]
CODE_PATTERN = r"^[0-9]{4}-Q[1-4]$"
CURSOR_PATTERN = r"^[0-9]{1,10}$"
MAX_LIMIT = 200
DEFAULT_LIMIT = 50


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def _obj(properties: dict, *, nullable: bool = False) -> dict:
    schema = {"type": "object", "required": list(properties), "properties": properties}
    return _nullable(schema) if nullable else schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
DECIMAL = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "description": "Số thập phân dạng chuỗi."}


def _list(schema: dict) -> dict:
    return {"type": "array", "items": schema}


TALLY = {
    "owed": INT, "states": _obj({state: INT for state in STATES}), "sent": INT, "on_time": INT, "late": INT,
    "percent": {"type": "number"},
}
ASSIGNMENT = _obj({"name_as_written": STR, "unit": _nullable(_ref("UnitRef")),
                   "group": _obj({"id": INT, "name": STR}, nullable=True)})
BUDGET_ROW = _obj({"label": STR, "planned": _nullable(INT), "committed": INT, "disbursed": INT, "lines": INT,
                   "unfixed_lines": INT, "disbursed_percent": _nullable(DECIMAL)})
INDICATOR_RISK = _obj({"framework": STR, "code": STR, "name": STR, "max_points": _nullable(DECIMAL),
                       "items": _list(STR)})
AT_RISK = {"points_at_risk": DECIMAL, "indicators_without_points": INT, "indicators": _list(INDICATOR_RISK)}

SCHEMAS = {
    "Error": _obj({"error": _obj({"code": STR, "message": STR})}),
    "UnitRef": _obj({"id": INT, "name": STR, "short_name": _nullable(STR)}),
    "Plan": _obj({
        "id": INT, "number": _nullable(STR), "number_label": STR, "issued_on": _nullable(DATE), "date_label": STR,
        "issuing_body": STR, "title": STR, "period_start": _nullable(INT), "period_end": _nullable(INT),
        "area": _obj({"code": STR, "name": STR}),
    }),
    "Item": _obj({
        "id": INT, "plan_id": INT, "ref": STR, "code": STR, "kind": {"type": "string", "enum": list(ITEM_KIND_LABELS)},
        "kind_label": STR, "text": STR, "owner_text": STR, "coordinators_text": STR,
        "owners": _list(ASSIGNMENT), "coordinators": _list(ASSIGNMENT),
        "carried_by": _list(_ref("UnitRef")), "owners_ended": _list(_ref("UnitRef")),
        "coordinators_carried_by": _list(_ref("UnitRef")),
        "status": {"type": "string", "enum": list(STATUS_LABELS)}, "status_label": STR,
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "last_update_at": _nullable(DATETIME), "completed_on": _nullable(DATE), "due_date": _nullable(DATE),
        "target_value": _nullable(DECIMAL), "target_text": _nullable(STR), "measure_unit": _nullable(STR),
        "target_year": _nullable(INT), "achieved_value": _nullable(DECIMAL), "budget_total": _nullable(INT),
        "amount_committed": _nullable(INT), "amount_disbursed": _nullable(INT),
    }),
    "PeriodReport": _obj({
        "unit": _ref("UnitRef"), "state": {"type": "string", "enum": STATES}, "submitted_at": _nullable(DATETIME),
        "submitted_on_time": _nullable(BOOL), "accepted_status": _nullable({"type": "string", "enum": list(STATUS_LABELS)}),
        "accepted_progress": _nullable(INT),
    }),
    "Period": {
        **_obj({
            "id": INT, "code": STR, "label": STR, "year": INT, "quarter": {"type": "integer", "minimum": 1, "maximum": 4},
            "data_start": DATE, "data_end": DATE, "submission_deadline": DATE, "consolidated_deadline": DATE,
            "closed": BOOL, "closed_at": _nullable(DATETIME),
        }),
    },
    "Completeness": _obj({
        "period": _ref("Period"), "total": _obj(TALLY),
        "units": _list(_obj({"unit": _ref("UnitRef"), **TALLY, "exception_until": _nullable(DATE)})),
    }),
    "IndicatorLink": _obj({
        "id": INT,
        "item": _obj({"id": INT, "plan_id": INT, "ref": STR, "code": STR,
                      "status": {"type": "string", "enum": list(STATUS_LABELS)}, "status_label": STR}),
        "indicator": _obj({"id": INT, "code": STR, "name": STR, "max_points": _nullable(DECIMAL),
                           "framework": _obj({"id": INT, "name": STR, "year": _nullable(INT)})}),
        "note": _nullable(STR), "doubt": _nullable(STR), "at_risk": BOOL,
    }),
    "Figures": _obj({
        "plan": _obj({"id": INT, "number_label": STR, "date_label": STR, "title": STR, "issuing_body": STR}),
        "period": _obj({"code": STR, "label": STR, "data_start": DATE, "data_end": DATE,
                        "submission_deadline": DATE}),
        "updates_used": INT, "updates_pending": INT, "units_reporting": INT,
        "overview": _list(_obj({
            "number": STR, "kind": STR, "kind_label": STR, "title": STR, "total": INT, "done": INT,
            "in_progress": INT, "behind": INT, "not_started": INT, "cancelled": INT, "overdue": INT,
            "reported": INT, "done_percent": _nullable(DECIMAL)})),
        "targets": _list(_obj({
            "id": INT, "ref": STR, "code": STR, "text": STR, "target_text": STR, "target_value": _nullable(DECIMAL),
            "measure_unit": STR, "target_year": _nullable(INT), "baseline_value": _nullable(DECIMAL),
            "achieved_value": _nullable(DECIMAL), "assessment": STR, "assessment_label": STR, "status": STR,
            "progress": INT})),
        "projects": _obj({name: INT for name in ("total", "done_on_time", "done_late", "in_progress", "behind",
                                                  "not_started", "cancelled", "overdue")}),
        "documents": _obj({"issued": INT, "missing": INT}),
        "budget": _obj({"by_source": _list(BUDGET_ROW), "by_owner": _list(BUDGET_ROW), "total": BUDGET_ROW,
                        "declared_state": _nullable(INT), "declared_other": _nullable(INT),
                        "declared_total": _nullable(INT), "unfixed_lines": INT}),
        "agencies": _list(_obj({"unit_id": INT, "name": STR, "obligations": INT, "on_time": INT, "late": INT,
                                "missing": INT, "last_submitted": _nullable(DATETIME), "status_label": STR})),
        "not_reported": _list(STR), "partially_reported": _list(STR),
        **AT_RISK,
    }),
    "PointsAtRisk": _obj({"plan_id": INT, "period": STR, **AT_RISK}),
}
SCHEMAS["PeriodWithCompleteness"] = {
    "allOf": [_ref("Period"), _obj({"completeness": _obj({**TALLY, "units_owing": INT, "units_complete": INT})})]
}


def _page_of(name: str) -> dict:
    return _obj({"data": _list(_ref(name)), "next_cursor": _nullable({"type": "string", "pattern": CURSOR_PATTERN})})


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


RATE_HEADERS = {name: {"schema": INT, "description": text} for name, text in (
    ("X-RateLimit-Limit", "Số yêu cầu cho phép trong một cửa sổ."),
    ("X-RateLimit-Remaining", "Số yêu cầu còn lại trong cửa sổ hiện tại."),
    ("X-RateLimit-Reset", "Số giây đến khi cửa sổ mới bắt đầu."),
)}


def _responses(schema: dict, *, not_found: bool = True) -> dict:
    responses = {
        "200": {"description": "Thành công.", "content": {"application/json": {"schema": schema}},
                "headers": {"ETag": {"schema": STR}, **RATE_HEADERS}},
        "304": {"description": "Không thay đổi (If-None-Match trùng ETag)."},
        "400": _error("Tham số không hợp lệ."),
        "401": _error("Thiếu khóa API, khóa sai hoặc đã bị thu hồi."),
        "429": {**_error("Vượt giới hạn số yêu cầu; thử lại sau Retry-After giây."),
                "headers": {"Retry-After": {"schema": INT}}},
    }
    if not_found:
        responses["404"] = _error("Không tìm thấy (hoặc thuộc địa bàn khác).")
    return responses


def _param(name: str, where: str, schema: dict, description: str, required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required or where == "path", "schema": schema,
            "description": description}


PAGE_PARAMS = [
    _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
           "Số bản ghi mỗi trang."),
    _param("cursor", "query", {"type": "string", "pattern": CURSOR_PATTERN},
           "Giá trị next_cursor của trang trước."),
]
IF_NONE_MATCH = _param("If-None-Match", "header", STR, "ETag của lần đọc trước: 304 khi dữ liệu không đổi.")
PERIOD_QUERY = _param("period", "query", {"type": "string", "pattern": CODE_PATTERN},
                      "Mã kỳ báo cáo, ví dụ 2025-Q3.")
PLAN_PATH = _param("plan_id", "path", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, "Mã số kế hoạch.")
STATUS_QUERY = _param("status", "query", {"type": "string", "enum": list(STATUS_LABELS)},
                      "Trạng thái của hạng mục (theo báo cáo được chấp nhận gần nhất).")


def _get(operation_id: str, summary: str, description: str, params: list, schema: dict, **kwargs) -> dict:
    return {"get": {"operationId": operation_id, "summary": summary, "description": description,
                    "parameters": params + [IF_NONE_MATCH], "responses": _responses(schema, **kwargs),
                    "security": [{"bearerAuth": []}]}}


def document(rate_limit: int, window_seconds: int) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Tracker – API đọc dữ liệu của địa bàn",
            "version": "1.0.0",
            "description": (
                "API chỉ đọc cho các hệ thống của tỉnh, thành phố (hệ thống báo cáo của tỉnh qua LGSP, "
                "bảng điều hành của Văn phòng UBND). Mỗi khóa API thuộc một địa bàn và chỉ đọc dữ liệu của "
                "địa bàn đó; dữ liệu của địa bàn khác trả về 404. Quản trị viên của địa bàn tạo và thu hồi "
                "khóa tại trang Quản trị › Khóa API. Gửi khóa trong tiêu đề `Authorization: Bearer <khóa>`. "
                f"Giới hạn: {rate_limit} yêu cầu mỗi {window_seconds} giây cho mỗi khóa; vượt quá trả về 429 "
                "kèm Retry-After. Danh sách phân trang bằng limit/cursor (next_cursor null là trang cuối). "
                "Mọi câu trả lời 200 có ETag; gửi lại trong If-None-Match để nhận 304 khi không đổi."),
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
        "paths": {
            "/plans": _get("listPlans", "Các kế hoạch", "Các kế hoạch của địa bàn.", PAGE_PARAMS, _page_of("Plan"),
                           not_found=False),
            "/plans/{plan_id}": _get("getPlan", "Một kế hoạch", "Một kế hoạch của địa bàn.", [PLAN_PATH],
                                     _ref("Plan")),
            "/plans/{plan_id}/figures": _get(
                "getPlanFigures", "Số liệu báo cáo tổng hợp",
                "Số liệu của báo cáo tổng hợp của kế hoạch trong một kỳ (mặc định: kỳ hiện tại), đúng như báo "
                "cáo in ra.", [PLAN_PATH, PERIOD_QUERY], _ref("Figures")),
            "/plans/{plan_id}/points-at-risk": _get(
                "getPointsAtRisk", "Điểm chỉ số có nguy cơ",
                "Các chỉ số DTI gắn với hạng mục chậm, đình trệ hoặc quá hạn trong kỳ, và tổng điểm có nguy cơ.",
                [PLAN_PATH, PERIOD_QUERY], _ref("PointsAtRisk")),
            "/items": _get(
                "listItems", "Các hạng mục",
                "Hạng mục của các kế hoạch: đơn vị chủ trì, phối hợp như văn bản ghi và đơn vị đang thực hiện hôm "
                "nay; trạng thái và tiến độ theo báo cáo được chấp nhận gần nhất. Với `period`: chỉ các hạng mục "
                "phải báo cáo trong kỳ, kèm tình trạng báo cáo của từng đơn vị (`period_reports`).",
                [*PAGE_PARAMS, _param("plan_id", "query", PLAN_PATH["schema"], "Lọc theo kế hoạch."), STATUS_QUERY,
                 _param("kind", "query", {"type": "string", "enum": list(ITEM_KIND_LABELS)[:5]}, "Loại hạng mục."),
                 PERIOD_QUERY],
                _obj({"data": _list({"allOf": [_ref("Item"), {"type": "object", "properties": {
                    "period_reports": _list(_ref("PeriodReport"))}}]}),
                      "next_cursor": _nullable({"type": "string", "pattern": CURSOR_PATTERN})})),
            "/items/{item_id}": _get("getItem", "Một hạng mục", "Một hạng mục của địa bàn.",
                                     [_param("item_id", "path", PLAN_PATH["schema"], "Mã số hạng mục.")],
                                     _ref("Item")),
            "/periods": _get(
                "listPeriods", "Các kỳ báo cáo", "Các kỳ báo cáo của địa bàn và mức độ đầy đủ của báo cáo.",
                [*PAGE_PARAMS, _param("status", "query", {"type": "string", "enum": ["open", "closed"]},
                                      "Kỳ đang mở hoặc đã khóa."),
                 _param("year", "query", {"type": "integer", "minimum": 2000, "maximum": 2100}, "Năm.")],
                _page_of("PeriodWithCompleteness"), not_found=False),
            "/periods/{code}/completeness": _get(
                "getCompleteness", "Mức độ đầy đủ theo đơn vị",
                "Số báo cáo phải nộp, đã gửi, đúng hạn, trễ hạn của từng đơn vị trong kỳ.",
                [_param("code", "path", {"type": "string", "pattern": CODE_PATTERN}, "Mã kỳ, ví dụ 2025-Q3.")],
                _ref("Completeness")),
            "/indicator-links": _get(
                "listIndicatorLinks", "Liên kết hạng mục – chỉ số",
                "Các liên kết giữa hạng mục và chỉ số (DTI); at_risk khi hạng mục chậm hoặc đình trệ.",
                [*PAGE_PARAMS, _param("plan_id", "query", PLAN_PATH["schema"], "Lọc theo kế hoạch."), STATUS_QUERY],
                _page_of("IndicatorLink"), not_found=False),
        },
    }
