"""The plain data of a quarterly report: every figure of every format comes from here.

`ReportData` holds only plain values (str, int, Decimal, date, lists, dataclasses), so the
PDF, HTML and Excel builders are pure functions of it and an issued version can be stored as
JSON (`to_json`) next to the files it produced.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass
class Header:
    """The administrative frame of the document (Decree 30/2020/NĐ-CP)."""

    parent_body: str
    issuing_body: str
    number_line: str  # "Số: 12/BC-SKHCN"
    place_date_line: str  # "Thừa Thiên Huế, ngày 05 tháng 10 năm 2025"
    title: str  # "BÁO CÁO"
    summary_line: str  # trích yếu
    addressee: str  # "Ủy ban nhân dân tỉnh Thừa Thiên Huế"
    recipients: list[str]  # "Như trên;", ..., "Lưu: VT, ..."
    signer_title_lines: list[str]
    signer_name: str
    issuer_name: str  # "Sở Khoa học và Công nghệ", in running text
    annex_reference: str  # "(Kèm theo Báo cáo số .../BC-SKHCN ngày ... của ...)"
    report_date: date
    is_draft: bool = True
    version: int | None = None


@dataclass
class AppendixSummary:
    number: str
    kind: str
    kind_label: str
    title: str
    total: int = 0
    done: int = 0
    in_progress: int = 0  # in progress, late or stalled
    behind: int = 0  # late or stalled (subset of in_progress)
    not_started: int = 0
    cancelled: int = 0
    overdue: int = 0
    reported: int = 0  # items with at least one update up to the period

    @property
    def done_percent(self) -> Decimal | None:
        active = self.total - self.cancelled
        return (Decimal(self.done) * 100 / active).quantize(Decimal("0.1")) if active else None


@dataclass
class ItemRow:
    """One item of the plan as of the period: what the annex tables list."""

    id: int
    ref: str
    code: str  # path inside the appendix, "A › I › 1"
    own_code: str  # the row's own STT as printed, "1"
    kind: str
    appendix_number: str
    section_id: int | None
    text: str
    owner: str  # as the plan writes it, plus the unit carrying it now when it changed
    coordinators: str
    due_date: date | None
    due_text: str
    status: str
    status_label: str
    progress: int
    reported: bool
    last_period: str  # "Quý 3/2025", or "" when never reported
    overdue: bool
    result_text: str = ""
    # targets
    target_text: str = ""
    target_value: Decimal | None = None
    measure_unit: str = ""
    target_year: int | None = None
    baseline_value: Decimal | None = None
    achieved_value: Decimal | None = None
    assessment: str = ""  # achieved | on_track | behind | missed | no_data
    assessment_label: str = ""
    # documents
    doc_type: str = ""
    # projects and tasks
    completed_in: str = ""  # when it was done: a date or "Quý n/yyyy"
    done_on_time: bool | None = None
    # money (exact đồng; None is "no amount")
    budget_state: int | None = None
    budget_other: int | None = None
    budget_total: int | None = None
    committed: int | None = None
    disbursed: int | None = None
    # a budget line names the project it funds; a project lists its budget lines (their sums above)
    project_ref: str = ""
    budget_refs: list[str] = field(default_factory=list)
    # the units carrying the item on the report date, one name each (the lists grouped by agency)
    carriers: list[str] = field(default_factory=list)


@dataclass
class SectionHeading:
    id: int
    code: str
    title: str
    depth: int


@dataclass
class Annex:
    roman: str
    kind: str
    title: str
    rows: list  # ItemRow and SectionHeading, in document order


@dataclass
class ProjectSummary:
    total: int = 0
    done_on_time: int = 0
    done_late: int = 0
    in_progress: int = 0
    behind: int = 0
    not_started: int = 0
    cancelled: int = 0
    overdue: int = 0
    overdue_rows: list[ItemRow] = field(default_factory=list)
    behind_rows: list[ItemRow] = field(default_factory=list)
    done_late_rows: list[ItemRow] = field(default_factory=list)


@dataclass
class BudgetRow:
    label: str
    planned: int | None
    committed: int
    disbursed: int
    lines: int = 0
    unfixed_lines: int = 0  # lines the plan prints as "-" (no amount fixed)
    # Disbursed on lines with a fixed amount: the only spending a rate against `planned` may use
    # ("-" lines count 0 in `planned`, so their spending would inflate the rate).
    disbursed_fixed: int = 0
    shared_lines: int = 0  # lines this unit carries with others (counted for each of them)

    @property
    def disbursed_percent(self) -> Decimal | None:
        if not self.planned:
            return None
        return (Decimal(self.disbursed_fixed) * 100 / self.planned).quantize(Decimal("0.1"))


@dataclass
class BudgetSummary:
    by_source: list[BudgetRow]
    by_owner: list[BudgetRow]
    total: BudgetRow
    declared_state: int | None
    declared_other: int | None
    declared_total: int | None
    unfixed_lines: int
    mixed_note: str
    shared_lines: int = 0  # lines carried by several units: in each unit's row of `by_owner`


@dataclass
class AgencyRow:
    unit_id: int
    name: str
    obligations: int
    on_time: int
    late: int
    missing: int
    last_submitted: datetime | None
    note: str = ""

    @property
    def status_label(self) -> str:
        if self.missing == self.obligations:
            return "Chưa báo cáo"
        if self.missing:
            return "Báo cáo chưa đủ"
        if self.late:
            return "Báo cáo trễ hạn"
        return "Đúng hạn"


@dataclass
class IndicatorRisk:
    framework: str
    code: str
    name: str
    max_points: Decimal | None
    items: list[str]  # "3 › A › V › 2 (Chậm tiến độ)"
    pillar: str = ""  # the top of the indicator's tree ("1. Nhận thức số"), for the chart per pillar


@dataclass
class ProgressPoint:
    """The average progress of an appendix's items at the end of a period (the chart over the quarters)."""

    appendix_number: str
    period_label: str
    average_progress: int  # %, items never reported count 0


@dataclass
class Quote:
    items: list[str]  # item codes the text was written for
    difficulties: str
    proposals: str


@dataclass
class AgencyQuotes:
    unit: str
    quotes: list[Quote]


@dataclass
class ReportData:
    kind: str  # consolidated | unit
    header: Header
    plan_id: int
    plan_number: str
    plan_title: str
    plan_issued_on: date | None
    plan_issuing_body: str
    period_code: str
    period_label: str  # "Quý 3/2025"
    period_title: str  # "quý III năm 2025"
    data_start: date
    data_end: date
    submission_deadline: date
    unit_id: int | None
    unit_name: str
    generated_at: datetime
    updates_used: int  # updates (versions) the figures rest on
    updates_pending: int  # of which submitted but not yet accepted by the coordinator
    units_reporting: int
    overview: list[AppendixSummary]
    targets: list[ItemRow]
    projects: ProjectSummary
    documents_issued: list[ItemRow]
    documents_missing: list[ItemRow]
    budget: BudgetSummary
    agencies: list[AgencyRow]
    not_reported: list[str]  # agencies that sent nothing for the period
    partially_reported: list[str]
    indicators: list[IndicatorRisk]
    points_at_risk: Decimal
    indicators_without_points: int
    difficulties: list[AgencyQuotes]
    coordinator_summary: str
    coordinator_proposals: str
    annexes: list[Annex]
    items: list[ItemRow]  # every item in scope, in document order (budget lines included)
    plan_date_label: str = ""  # the issue date as printed: "21/10/2020", "…/02/2021" (month only)
    progress_history: list[ProgressPoint] = field(default_factory=list)  # the last quarters, oldest first

    def to_json(self) -> dict:
        """A JSON-compatible dict (Decimals as strings, dates ISO) for the issued snapshot."""
        return _plain(self)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def to_plain(value):
    """One part of the data (a Header, a date …) as `to_json` writes it: issuing applies a draft's
    header onto a kept snapshot with it."""
    return _plain(value)


def _plain(value):
    """One pass to JSON-compatible values (a 1,000-item report: in the issuing request, and hashed
    by the worker): dataclasses as dicts tagged with "__type__", Decimals normalised, dates ISO."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        if not dataclasses.is_dataclass(value) or isinstance(value, type):
            raise TypeError(f"not serialisable: {type(value)!r}")
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    data = {name: _plain(getattr(value, name)) for name in names}
    data["__type__"] = type(value).__name__
    return data


def report_data_from_json(snapshot: dict) -> ReportData:
    """The ReportData an issued snapshot (`ReportData.to_json`) was made from: the files of an issued
    version are rendered from it, in the background, never from the live data."""
    return _revive(snapshot, ReportData)


_CLASSES = {cls.__name__: cls for cls in (Header, AppendixSummary, ItemRow, SectionHeading, Annex, ProjectSummary,
                                          BudgetRow, BudgetSummary, AgencyRow, IndicatorRisk, ProgressPoint, Quote,
                                          AgencyQuotes, ReportData)}


def _hints(cls) -> dict:
    import typing

    cached = _HINTS.get(cls)
    if cached is None:
        cached = _HINTS[cls] = typing.get_type_hints(cls)
    return cached


_HINTS: dict = {}


def _revive(value, hint=None):
    import typing

    if isinstance(value, dict) and "__type__" in value:
        cls = _CLASSES[value["__type__"]]
        hints = _hints(cls)
        return cls(**{f.name: _revive(value[f.name], hints.get(f.name)) for f in dataclasses.fields(cls)
                      if f.name in value})
    if isinstance(value, list):
        args = typing.get_args(hint) if hint is not None else ()
        return [_revive(v, args[0] if args else None) for v in value]
    if isinstance(value, str) and hint is not None:
        kinds = set(typing.get_args(hint)) or {hint}
        if Decimal in kinds:
            return Decimal(value)
        if datetime in kinds:
            return datetime.fromisoformat(value)
        if date in kinds:
            return date.fromisoformat(value)
    return value
