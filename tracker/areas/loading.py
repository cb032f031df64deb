"""What a units file says about its area over time, and about units that end (seed_plans/README.md).

    area:
      renamed:                     # the area's later names, each from a date, with its legal basis
        - {date: 2025-01-01, name: Thành phố Huế, level: city, basis: "Nghị quyết số 175/2024/QH15 ..."}
      merged_into: {area: khanh-hoa, date: 2025-07-01, basis: "Nghị quyết số 202/2025/QH15 ..."}
    units:
      - name: ...
        ended: {date: 2025-06-30, basis: "..."}   # the unit ends without one successor

The loader (tracker.plans.loader) calls these with itself, for problems and change counts.
"""
from __future__ import annotations

from datetime import date

from tracker.areas.models import AreaName
from tracker.extensions import db
from tracker.units.models import AREA_LEVEL_LABELS, TENANT_LEVELS, Area

AREA_LEVELS = tuple(AREA_LEVEL_LABELS)


def _levels_text() -> str:
    return ", ".join(AREA_LEVELS)


def check_level(loader, doc, node, level) -> None:
    if level not in AREA_LEVELS:
        loader.problem(doc, node, "level", f"Cấp '{level}' không hợp lệ ({_levels_text()}).")


def apply_area_names(loader, doc, area_node, area: Area) -> None:
    wanted = []
    for entry in area_node.get("renamed") or []:
        if not isinstance(entry, dict):
            loader.problem(doc, area_node, "renamed", "Mỗi lần đổi tên cần date, name (và level, basis).")
            continue
        on, name, level = entry.get("date"), entry.get("name"), entry.get("level")
        if not isinstance(on, date):
            loader.problem(doc, entry, "renamed.date", f"Ngày đổi tên '{on}' không hợp lệ (YYYY-MM-DD).")
            continue
        if not name or not str(name).strip():
            loader.problem(doc, entry, "renamed.name", "Thiếu tên mới của địa bàn.")
            continue
        if level is not None and level not in AREA_LEVELS:
            loader.problem(doc, entry, "renamed.level", f"Cấp '{level}' không hợp lệ ({_levels_text()}).")
            continue
        if level is not None and (level in TENANT_LEVELS) != area.is_tenant_level:
            loader.problem(doc, entry, "renamed.level",
                           "Đổi tên không đổi được địa bàn cấp tỉnh thành cấp huyện, xã (hoặc ngược lại).")
            continue
        wanted.append((on, str(name).strip(), level, (entry.get("basis") or None)))
    wanted.sort()
    current = [(n.valid_from, n.name, n.level, n.basis) for n in area.names]
    if current == wanted:
        return
    area.names.clear()
    db.session.flush()
    for on, name, level, basis in wanted:
        area.names.append(AreaName(valid_from=on, name=name, level=level, basis=basis))
    loader.result.changes += 1


def apply_area_merger(loader, doc, area_node, area: Area) -> None:
    """`merged_into`: recorded once; the successor must already exist (units files of provinces load
    before those of areas merged into them)."""
    from tracker.areas.services import AreaError, find_area, merge_area

    node = area_node.get("merged_into")
    if not node:
        return
    if not isinstance(node, dict) or not node.get("area"):
        loader.problem(doc, area_node, "merged_into", "Ghi merged_into: {area: MÃ_ĐỊA_BÀN, date: YYYY-MM-DD, basis: ...}.")
        return
    on = node.get("date")
    if not isinstance(on, date):
        loader.problem(doc, node, "merged_into.date", f"Ngày hợp nhất '{on}' không hợp lệ (YYYY-MM-DD).")
        return
    target = find_area(str(node["area"]))
    if target is None:
        loader.problem(doc, node, "merged_into.area", f"Không có địa bàn mã '{node['area']}' (nạp tệp đơn vị của nó trước).")
        return
    if area.successor_id == target.id and area.merged_on == on:
        return
    try:
        merge_area(None, area, target, on, basis=node.get("basis"))
    except AreaError as error:
        loader.problem(doc, node, "merged_into", str(error))
        return
    loader.result.changes += 1


def unit_end_values(loader, doc, node) -> dict:
    """{"ended_on", "end_note"} from a unit's `ended:` (both None when it has not ended)."""
    ended = node.get("ended")
    if not ended:
        return {"ended_on": None, "end_note": None}
    if not isinstance(ended, dict) or not isinstance(ended.get("date"), date):
        loader.problem(doc, node, "ended.date", "Ghi ended: {date: YYYY-MM-DD, basis: ...} (ngày cuối cùng đơn vị hoạt động).")
        return {"ended_on": None, "end_note": None}
    if not ended.get("basis"):
        loader.problem(doc, ended, "ended.basis", "Ghi căn cứ (basis) cho việc đơn vị kết thúc hoạt động.")
    return {"ended_on": ended["date"], "end_note": ended.get("basis")}
