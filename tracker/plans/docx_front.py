"""The front matter of a Word plan: the national header table, title, legal bases, goals, signature.

The header table of an administrative document (Decree 30/2020/NĐ-CP) holds the issuing body
("ỦY BAN NHÂN DÂN / TỈNH THỪA THIÊN HUẾ") over "Số: 222/KH-UBND", and the national motto over
"Thừa Thiên Huế, ngày 21 tháng 10 năm 2020". A draft leaves the number or the day blank
("Số:     /KH-UBND", "ngày … tháng 02 năm 2021"), which the plan document cannot hold yet: the
reader keeps what it can and records the rest as an inconsistency of the plan.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from docx.text.paragraph import Paragraph

from tracker.core.text import fold_search
from tracker.plans.docx_tables import Grid, element_lines, grid_of
from tracker.plans.sources import LDict

MOTTO = re.compile(r"cộng hòa xã hội|cộng hoà xã hội|độc lập\s*[-–]\s*tự do", re.IGNORECASE)
NUMBER_LINE = re.compile(r"^s[ốo]\s*(?:[:.]|(?=\s*[\d/…._]))\s*(?P<number>.*)$", re.IGNORECASE)
DATE_WORDS = re.compile(
    r"ngày\s*(?P<day>[^\s]*?)\s*tháng\s*(?P<month>[^\s]*?)\s*năm\s*(?P<year>\d{4})"
    r"|ngày\s+(?P<d2>\d{1,2})/(?P<m2>\d{1,2})/(?P<y2>\d{4})",
    re.IGNORECASE,
)
DECORATION = re.compile(r"^[\s_\-–—=.*~…]+$")
LEGAL_BASIS = re.compile(r"^(căn cứ|thực hiện|trên cơ sở|theo đề nghị|xét đề nghị)\b", re.IGNORECASE)
ROMAN_HEADING = re.compile(r"^(phần\s+)?[IVX]+\s*[.:]\s+\S", re.IGNORECASE)
GOALS_HEADING = re.compile(r"^[IVX]+\s*[.:]\s*mục (tiêu|đích)", re.IGNORECASE)
PEOPLES_COMMITTEE = re.compile(
    r"^(?:ỦY|UỶ|UY)\s+BAN\s+NHÂN\s+DÂN\s*|^UBND\s+", re.IGNORECASE)
LEVEL_WORDS = ("thành phố", "thị xã", "thị trấn", "tỉnh", "huyện", "quận", "xã", "phường")
AGENCY_HEADS = re.compile(r"^(ủy ban nhân dân|uỷ ban nhân dân|ubnd|sở|ban|văn phòng|hội đồng|bộ|cục|tỉnh ủy|huyện ủy)\b", re.IGNORECASE)


def read_front_matter(blocks, plan: LDict, numbering=None) -> dict:
    """Fill the plan's header fields from the blocks before the first appendix; returns them as printed."""
    paragraphs: list[str] = []
    header_lines: list[tuple[int, str]] = []   # (column, line) of the header table
    signature: Grid | None = None
    tables = 0
    for block in blocks:
        if isinstance(block, Paragraph):
            paragraphs.extend(element_lines(block._p, numbering))
            continue
        tables += 1
        grid = grid_of(block, numbering)
        if "nơi nhận" in " ".join(c.text for row in grid.rows for c in row).casefold():
            signature = grid
        elif not header_lines and is_front_table(grid, tables):
            header_lines = [(j, line) for row in grid.rows for j, c in enumerate(row) if c.own for line in c.lines]
    if not header_lines:  # a header typed as paragraphs, above "KẾ HOẠCH"
        top = paragraphs[:next((k for k, line in enumerate(paragraphs) if line.casefold() == "kế hoạch"), 12)]
        header_lines = [(0, line) for line in top]
    printed = _header(header_lines, plan)
    _title_and_bases(paragraphs, plan)
    if signature is not None:
        _signature(signature, plan)
    return printed


def _header(lines: list[tuple[int, str]], plan: LDict) -> dict:
    printed: dict[str, Any] = {}
    issues = plan.setdefault("inconsistencies", [])
    number_at = next(((k, j) for k, (j, line) in enumerate(lines) if NUMBER_LINE.match(line)), None)
    body_lines = [line for k, (j, line) in enumerate(lines)
                  if (number_at is None or (j == number_at[1] and k < number_at[0]))
                  and not MOTTO.search(line) and not DECORATION.match(line) and not DATE_WORDS.search(line)]
    body, area_place, _ = _issuing_body(body_lines)
    if body:
        plan["issuing_body"] = body
        printed["issuing_body"] = " / ".join(body_lines)
    date_line = next((line for _, line in lines if DATE_WORDS.search(line)), None)
    when = month = year = None
    if date_line:
        printed["date"] = date_line
        when, month, year = _date(date_line)
        if when is None:
            issues.append({"kind": "other", "text": (
                f"Văn bản in \"{date_line}\" (chưa ghi ngày); định dạng kế hoạch chỉ ghi ngày đầy đủ nên để trống ngày ban hành.")})
        elif when == "invalid":
            issues.append({"kind": "typo", "text": f"Văn bản in \"{date_line}\": không có ngày này; để trống ngày ban hành."})
            when = None
        plan["date"] = when
        if not area_place:
            area_place = date_line.split(",")[0].strip() if "," in date_line else None
    if area_place:
        plan["area"] = re.sub(r"[^a-z0-9]+", "-", fold_search(area_place)).strip("-")
    if number_at is not None:
        raw = NUMBER_LINE.match(lines[number_at[0]][1]).group("number")
        printed["number"] = lines[number_at[0]][1]
        number = re.sub(r"\s*/\s*", "/", raw).strip()
        if not re.match(r"\d", number):
            symbol = number.lstrip("…._ ")
            whenever = f"ngày {when:%d/%m/%Y}" if isinstance(when, date) else (
                f"tháng {int(month):02d}/{year}" if month and year else (f"năm {year}" if year else "chưa ghi ngày"))
            number = f"{symbol} ({body or 'chưa rõ cơ quan ban hành'}, {whenever})"
            issues.append({"kind": "other", "text": (
                f"Văn bản in \"{printed['number']}\" (chưa có số); định dạng kế hoạch cần số, ký hiệu nên ghi tạm "
                f"\"{number}\" (ghi số thật vào ánh xạ khi có).")})
        plan["number"] = number
    return printed


def _title_and_bases(paragraphs: list[str], plan: LDict) -> None:
    start = next((k for k, line in enumerate(paragraphs) if line.casefold() == "kế hoạch"), None)
    if start is None:
        return
    title: list[str] = []
    k = start + 1
    while k < len(paragraphs) and not (DECORATION.match(paragraphs[k]) or LEGAL_BASIS.match(paragraphs[k])
                                       or ROMAN_HEADING.match(paragraphs[k])):
        title.append(paragraphs[k])
        k += 1
    if title:
        plan["title"] = " ".join(title)
        period = re.search(r"giai đoạn\s+((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})", plan["title"], re.IGNORECASE)
        vision = re.search(r"(?:tầm nhìn|định hướng)(?: đến)?(?: năm)?\s+((?:19|20)\d{2})", plan["title"], re.IGNORECASE)
        if period:
            plan["period"] = {"start": int(period.group(1)), "end": int(period.group(2)),
                              "vision": int(vision.group(1)) if vision else None}
    bases: list[str] = []
    goals: list[str] | None = None
    in_body = False
    for line in paragraphs[k:]:
        if ROMAN_HEADING.match(line):
            if goals is not None:
                break
            in_body = True
            if GOALS_HEADING.match(line):
                goals = []
            continue
        if goals is not None:
            goals.append(line)
        elif LEGAL_BASIS.match(line) and not in_body:
            bases.append(line)
    plan["legal_bases"] = bases
    if goals:
        plan["goals"] = "\n\n".join(goals) + "\n"


def _signature(grid: Grid, plan: LDict) -> None:
    for row in grid.rows:
        for cell in row:
            if not cell.own or not cell.lines:
                continue
            if cell.lines[0].casefold().startswith("nơi nhận"):
                plan["recipients"] = [re.sub(r"^[-–+•]\s*", "", line) for line in cell.lines[1:]]
            else:
                lines = [line for line in cell.lines if not re.match(r"^\(.*\)$", line)]
                if len(lines) >= 2:
                    plan["signer"] = {"title": "\n".join(lines[:-1]), "name": lines[-1]}


def is_front_table(grid: Grid, number: int) -> bool:
    """The national header table (issuing body | motto; number | date) or the signature table."""
    texts = [c.text for row in grid.rows[:4] for c in row]
    joined = " ".join(texts)
    if "nơi nhận" in joined.casefold():
        return True
    return number <= 2 and (bool(MOTTO.search(joined)) or any(NUMBER_LINE.match(line) for row in grid.rows[:4]
                                                              for c in row for line in c.lines))


def _issuing_body(lines: list[str]) -> tuple[str | None, str | None, str | None]:
    """("UBND tỉnh Thừa Thiên Huế", "Thừa Thiên Huế", "tỉnh") from "ỦY BAN NHÂN DÂN / TỈNH THỪA THIÊN HUẾ".
    Under a People's Committee line, the last agency named is the issuer, kept as printed; the
    area is the People's Committee's."""
    segments: list[str] = []
    for line in lines:
        if AGENCY_HEADS.match(line):
            segments.append(line)
        elif segments:
            segments[-1] += " " + line
    if not segments:
        return None, None, None
    issuer, place, level = segments[-1], None, None
    for k, segment in enumerate(segments):
        found = PEOPLES_COMMITTEE.match(segment)
        rest = segment[found.end():].strip() if found else ""
        word = next((w for w in LEVEL_WORDS if rest.casefold().startswith(w + " ")), None)
        if word:
            level, place = word, rest[len(word):].strip().title()
            if k == len(segments) - 1:
                issuer = f"UBND {level} {place}"
    return issuer, place, level


def _date(line: str):
    """(date | None | "invalid", month, year) of "..., ngày 21 tháng 10 năm 2020"."""
    found = DATE_WORDS.search(line)
    day, month, year = (found.group("day"), found.group("month"), found.group("year")) if found.group("year") else (
        found.group("d2"), found.group("m2"), found.group("y2"))
    month = month if month and month.isdigit() else None
    if not (day and day.isdigit() and month):
        return None, month, year
    try:
        return date(int(year), int(month), int(day)), month, year
    except ValueError:
        return "invalid", month, year


def plan_level(plan: LDict) -> str:
    body = fold_search(plan.get("issuing_body") or "")
    if body.startswith("ubnd"):
        if re.match(r"ubnd (huyen|quan|thi xa)\b", body):
            return "district"
        if re.match(r"ubnd (xa|phuong|thi tran)\b", body):
            return "commune"
        return "province"
    return "department"
