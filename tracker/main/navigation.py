"""Links between areas that may not all be installed yet.

Pages link to another area's endpoint only through `endpoint_url`, which gives None when the
endpoint does not exist (its blueprint has not landed), so that every page renders either way.
"""
from __future__ import annotations

import re

from flask import current_app, url_for
from werkzeug.routing import BuildError

from tracker.audit.labels import AUDIT_FIELD_LABELS, audit_field  # noqa: F401 - the one table, used by pages

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



