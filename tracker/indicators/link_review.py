"""The review of a links file: every link says why in one line, a doubtful one says why it is
doubtful, and a link found wrong is listed under `removed:` with the reason it was removed.

Called by the loader's `apply_links`; a removed link is deleted (with an audit entry giving the
reason) only when the loader made it: a link a coordinator added in the application is kept,
with a warning.
"""
from __future__ import annotations

from typing import Callable

from tracker.audit.services import record
from tracker.extensions import db
from tracker.items.services import AUDIT_ENTITY, link_label

ACTOR = "load-plans"


def _line(value) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


def link_values(node: dict, problem: Callable[[str, str], None]) -> dict:
    """{note, doubt} of one `links:` entry; the reason (`note`) is one line and required."""
    note, doubt = _line(node.get("note")), _line(node.get("doubt"))
    if note is None:
        problem("note", "Mỗi liên kết cần một dòng lý do (note) bằng tiếng Việt.")
    for field_name, value in (("note", note), ("doubt", doubt)):
        if value is not None and "\n" in value:
            problem(field_name, "Lý do chỉ viết trên một dòng.")
    return {"note": note, "doubt": doubt}


def remove_rejected(loader, doc, plan, framework, items: dict, by_key: dict, by_code: dict, existing: dict) -> None:
    """Apply the file's `removed:` list: delete those links the loader made, each with its reason."""
    listed = {(item.id, indicator.id) for (item, indicator) in _listed(doc, items, by_key, by_code)}
    for node in doc.data.get("removed") or []:
        reason = _line(node.get("reason"))
        if reason is None or "\n" in reason:
            loader.problem(doc, node, "reason", "Liên kết bị loại cần một dòng lý do (reason).")
        item = items.get(str(node.get("item")))
        if item is None:
            loader.problem(doc, node, "item", f"Không có hạng mục '{node.get('item')}' trong kế hoạch {plan.number}.")
            continue
        for code in node.get("indicators") or []:
            indicator = _indicator(str(code), by_key, by_code)
            if indicator is None:
                loader.problem(doc, node, "indicators", f"Không có chỉ số '{code}' trong {framework.name}.")
                continue
            if (item.id, indicator.id) in listed:
                loader.problem(doc, node, "indicators",
                               f"Liên kết {item.ref} → {indicator.code} vừa có trong links vừa có trong removed.")
                continue
            link = existing.pop((item.id, indicator.id), None)
            if link is None or reason is None:
                continue
            if link.created_by_id is not None:
                loader.warn(doc, node, f"Liên kết {item.ref} → {indicator.code} do người dùng thêm trong ứng dụng: "
                                       "giữ nguyên, không xóa theo danh sách removed.")
                continue
            record(actor=None, actor_label=ACTOR, action="unlink_indicator", entity_type=AUDIT_ENTITY,
                   entity_id=item.id, summary=f"Bỏ liên kết hạng mục {item.ref} với chỉ số {link_label(indicator)}: "
                                              f"{reason}",
                   changes={"indicator": [link_label(indicator), None]})
            db.session.delete(link)
            loader.result.changes += 1


def _indicator(code: str, by_key: dict, by_code: dict):
    indicator = by_key.get(code)
    if indicator is None:
        matches = by_code.get(code, [])
        indicator = matches[0] if len(matches) == 1 else None
    return indicator


def _listed(doc, items, by_key, by_code):
    for node in doc.data.get("links") or []:
        item = items.get(str(node.get("item")))
        for code in node.get("indicators") or [] if item is not None else []:
            indicator = _indicator(str(code), by_key, by_code)
            if indicator is not None:
                yield item, indicator
