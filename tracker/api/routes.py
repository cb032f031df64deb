"""`/api/v1`: the read API of an area, authenticated by bearer tokens (no session, no CSRF).

Every answer is JSON; lists are paginated by id (`limit`, `cursor`); every 200 carries an ETag
and a matching If-None-Match gets 304; each token may make API_RATE_LIMIT requests per
API_RATE_WINDOW_SECONDS (fixed window, counted in the database), then 429 with Retry-After.
"""
from __future__ import annotations

import hashlib
import json
import re

from flask import Blueprint, Response, current_app, g, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from tracker.areas.scope import SYSTEM, set_request_scope, tenant_scope, using
from tracker.api import openapi, serializers
from tracker.api.errors import ApiError, error_response
from tracker.api.scoping import get_scoped, tenant_filter
from tracker.api.tokens import authenticate, consume
from tracker.core import unit_of_work
from tracker.core.security import MAX_ID
from tracker.core.time import today_local
from tracker.extensions import csrf, db
from tracker.ops.observability import _IDENTITY_KEY as LOG_IDENTITY_KEY
from tracker.indicators.models import Indicator, ItemIndicatorLink
from tracker.periods.models import ReportingPeriod
from tracker.plans.listing import assignment_options
from tracker.plans.models import ITEM_KIND_LABELS, STATUS_LABELS, Plan, PlanItem

API_PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)

PUBLIC_ENDPOINTS = {"api.openapi_document"}
_CODE = re.compile(openapi.CODE_PATTERN)
_CURSOR = re.compile(openapi.CURSOR_PATTERN)


# --------------------------------------------------------------------------- plumbing

@bp.record_once
def _sessionless(state) -> None:
    """API requests neither read nor write the session cookie: a token is the only credential."""
    from tracker.api.sessions import ApiSessionInterface

    app = state.app
    if not isinstance(app.session_interface, ApiSessionInterface):
        app.session_interface = ApiSessionInterface(app.session_interface, API_PREFIX)


@bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    with using(SYSTEM):  # no one has signed in: the token itself says which area the request reads
        token = authenticate(request.headers.get("Authorization"))
        if token is None:
            return error_response(401)
        limit = int(current_app.config.get("API_RATE_LIMIT", 120))
        window = int(current_app.config.get("API_RATE_WINDOW_SECONDS", 60))
        decision = consume(token, limit, window)
        # The documented early commit (tracker/core/unit_of_work.py): the count stands even for a
        # refused request, and an API request (a GET) commits nothing else.
        unit_of_work.commit_now()
    # Every query of the request, the session filter's included, reads the token's area alone.
    set_request_scope(tenant_scope(token.tenant_id, read_only=True))
    g.api_token = token
    g.api_rate = decision
    # The request's log lines name the token's area (no user signs in to the API).
    request.environ[LOG_IDENTITY_KEY] = (None, token.tenant_id)
    if not decision.allowed:
        return error_response(429, headers={"Retry-After": str(decision.reset_after)})
    return None


@bp.after_request
def _rate_headers(response):
    decision = g.get("api_rate")
    if decision is not None:
        response.headers["X-RateLimit-Limit"] = str(decision.limit)
        response.headers["X-RateLimit-Remaining"] = str(decision.remaining)
        response.headers["X-RateLimit-Reset"] = str(decision.reset_after)
    response.headers["Vary"] = "Authorization"
    return response


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error_response(error.status, error.message, error.headers)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    return error_response(error.code or 500)


def json_answer(body) -> Response:
    """The body as JSON with a strong ETag of its bytes; 304 when If-None-Match names it."""
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    response = Response(payload, mimetype="application/json")
    response.set_etag(hashlib.sha256(payload).hexdigest()[:32])
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


def _int_arg(name: str, *, default=None, low: int = 0, high: int = MAX_ID):
    raw = request.args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,10}", raw) or not low <= int(raw) <= high:
        raise ApiError(400, f"Tham số “{name}” phải là số nguyên từ {low} đến {high}.")
    return int(raw)


def _choice_arg(name: str, choices) -> str | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if raw not in choices:
        raise ApiError(400, f"Tham số “{name}” không hợp lệ; các giá trị: {', '.join(choices)}.")
    return raw


def _page_args() -> tuple[int, int]:
    limit = _int_arg("limit", default=openapi.DEFAULT_LIMIT, low=1, high=openapi.MAX_LIMIT)
    raw = request.args.get("cursor")
    if raw is None:
        return limit, 0
    if not _CURSOR.fullmatch(raw) or int(raw) > MAX_ID:
        raise ApiError(400, "Tham số “cursor” không hợp lệ: dùng giá trị next_cursor của trang trước.")
    return limit, int(raw)


def _page(query, model, serialize) -> dict:
    """One page of `query` ordered by id after the cursor: the rows and the next cursor."""
    limit, after = _page_args()
    rows = list(db.session.scalars(query.where(model.id > after).order_by(model.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"data": serialize(rows), "next_cursor": str(rows[-1].id) if more and rows else None}


def _token():
    return g.api_token


def _period_arg(required_default: bool):
    """The period named by `?period=` (of the token's area), else the current one when asked."""
    raw = request.args.get("period")
    if raw is None:
        return _current_period() if required_default else None
    if not _CODE.fullmatch(raw):
        raise ApiError(400, "Tham số “period” phải có dạng YYYY-Qn, ví dụ 2025-Q3.")
    return _period_by_code(raw)


def _period_by_code(code: str):
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.code == code,
                                                             tenant_filter(_token(), ReportingPeriod)))
    if period is None:
        raise ApiError(404, f"Địa bàn chưa có kỳ báo cáo {code}.")
    return period


def _current_period():
    from tracker.periods.services import quarter_of

    today = today_local()
    year, quarter = quarter_of(today)
    query = select(ReportingPeriod).where(tenant_filter(_token(), ReportingPeriod))
    period = db.session.scalar(query.where(ReportingPeriod.year == year, ReportingPeriod.quarter == quarter))
    if period is None:
        period = db.session.scalar(query.where(ReportingPeriod.data_start <= today)
                                   .order_by(ReportingPeriod.data_start.desc()).limit(1))
    if period is None:
        raise ApiError(404, "Địa bàn chưa có kỳ báo cáo nào.")
    return period


def _plan_or_404(plan_id: int) -> Plan:
    plan = get_scoped(_token(), Plan, plan_id)
    if plan is None:
        raise ApiError(404, "Không tìm thấy kế hoạch này trong địa bàn của khóa API.")
    return plan


# --------------------------------------------------------------------------- the document

@bp.get("/openapi.json")
def openapi_document():
    return json_answer(openapi.document(int(current_app.config.get("API_RATE_LIMIT", 120)),
                                        int(current_app.config.get("API_RATE_WINDOW_SECONDS", 60))))


# --------------------------------------------------------------------------- plans

@bp.get("/plans")
def plans():
    query = select(Plan).where(tenant_filter(_token(), Plan)).options(selectinload(Plan.area))
    return json_answer(_page(query, Plan, lambda rows: [serializers.plan(p) for p in rows]))


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int):
    return json_answer(serializers.plan(_plan_or_404(plan_id)))


@bp.get("/plans/<int:plan_id>/figures")
def figures(plan_id: int):
    from tracker.reports.services import gather_report_data

    plan_obj = _plan_or_404(plan_id)
    period = _period_arg(required_default=True)
    return json_answer(serializers.figures(gather_report_data(plan_obj, period)))


@bp.get("/plans/<int:plan_id>/points-at-risk")
def points_at_risk(plan_id: int):
    from tracker.reports.services import gather_report_data

    plan_obj = _plan_or_404(plan_id)
    period = _period_arg(required_default=True)
    data = gather_report_data(plan_obj, period)
    return json_answer({"plan_id": plan_obj.id, "period": period.code, **serializers.indicators_at_risk(data)})


# --------------------------------------------------------------------------- items

def _item_filters(query):
    """`?plan_id=` and `?status=` (the item's status) on a query of items; and the plan id."""
    plan_id = _int_arg("plan_id")
    if plan_id is not None:
        query = query.where(PlanItem.plan_id == plan_id)
    status = _choice_arg("status", list(STATUS_LABELS))
    if status is not None:
        query = query.where(PlanItem.status == status)
    return query, plan_id


@bp.get("/items")
def items():
    from tracker.periods.obligations import item_owes_in, obligations_for_period

    token = _token()
    query = select(PlanItem).where(tenant_filter(token, PlanItem)).options(
        selectinload(PlanItem.plan), *assignment_options())
    query, plan_id = _item_filters(query)
    kind = _choice_arg("kind", list(ITEM_KIND_LABELS)[:5])
    if kind is not None:
        query = query.where(PlanItem.kind == kind)
    period = _period_arg(required_default=False)
    today = today_local()
    if period is None:
        return json_answer(_page(query, PlanItem, lambda rows: [serializers.item(i, today) for i in rows]))

    # Items owing a report in the period, with each owing unit's report (tracker.periods.obligations).
    limit, after = _page_args()
    candidates = [i for i in db.session.scalars(query.where(PlanItem.id > after).order_by(PlanItem.id))
                  if item_owes_in(i, period)]
    page, more = candidates[:limit], len(candidates) > limit
    reports: dict[int, list] = {}
    if page:
        wanted = {i.id for i in page}
        for obligation in obligations_for_period(period, plan_id=plan_id):
            if obligation.item.id in wanted:
                reports.setdefault(obligation.item.id, []).append(serializers.period_report(obligation))
    rows = [{**serializers.item(i, today), "period_reports": reports.get(i.id, [])} for i in page]
    return json_answer({"data": rows, "next_cursor": str(page[-1].id) if more and page else None})


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    found = db.session.scalar(select(PlanItem).where(PlanItem.id == item_id, tenant_filter(_token(), PlanItem))
                              .options(selectinload(PlanItem.plan), *assignment_options()))
    if found is None:
        raise ApiError(404, "Không tìm thấy hạng mục này trong địa bàn của khóa API.")
    return json_answer(serializers.item(found, today_local()))


# --------------------------------------------------------------------------- periods

@bp.get("/periods")
def periods():
    from tracker.periods.completeness import period_tallies

    query = select(ReportingPeriod).where(tenant_filter(_token(), ReportingPeriod))
    status = _choice_arg("status", ["open", "closed"])
    if status == "open":
        query = query.where(ReportingPeriod.closed_at.is_(None))
    elif status == "closed":
        query = query.where(ReportingPeriod.closed_at.is_not(None))
    year = _int_arg("year", low=2000, high=2100)
    if year is not None:
        query = query.where(ReportingPeriod.year == year)

    def serialize(rows):
        tallies = period_tallies(rows)
        return [serializers.period(p, tallies[p.id]) for p in rows]

    return json_answer(_page(query, ReportingPeriod, serialize))


@bp.get("/periods/<code>/completeness")
def completeness(code: str):
    from tracker.periods.completeness import unit_grid

    if not _CODE.fullmatch(code):
        raise ApiError(404, "Mã kỳ báo cáo có dạng YYYY-Qn, ví dụ 2025-Q3.")
    period = _period_by_code(code)
    rows, total = unit_grid(period, today_local())
    return json_answer(serializers.completeness(period, rows, total))


# --------------------------------------------------------------------------- indicator links

@bp.get("/indicator-links")
def indicator_links():
    token = _token()
    query = (select(ItemIndicatorLink).join(PlanItem, ItemIndicatorLink.item_id == PlanItem.id)
             .where(tenant_filter(token, PlanItem))
             .options(selectinload(ItemIndicatorLink.item),
                      selectinload(ItemIndicatorLink.indicator).selectinload(Indicator.framework)))
    query, _ = _item_filters(query)

    def serialize(rows):
        return [serializers.indicator_link(link, link.indicator.framework) for link in rows]

    return json_answer(_page(query, ItemIndicatorLink, serialize))

