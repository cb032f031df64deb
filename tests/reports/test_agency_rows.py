"""One agency, one row: the report groups agencies by the unit carrying them on the report date,
whatever spelling the plan used and whether the work came through a merger or is shared."""
from __future__ import annotations

import re

from tests.reports.test_pdf import OPTIONS
from tracker.reports.builders import by_carrier, render_document
from tracker.reports.services import gather_report_data


def _spelled(item, written: str):
    for assignment in item.owners:
        assignment.name_as_written = written
    item.owner_text = written


def test_one_row_per_carrier_unit(scenario, factory, db):
    units, plan = scenario.units, scenario.plan
    budget = next(a for a in plan.appendices if a.kind == "budget")
    document = next(a for a in plan.appendices if a.kind == "document")
    # The plan's own spellings of one unit, and a line Sở Công Thương carries with Sở Y tế.
    _spelled(scenario.items["p3"], "Sở Công thương")
    shared = factory.item(plan, "budget", owner=[units["ct"], units["yte"]], text="Chợ số liên ngành",
                          budget_state=1_000_000_000, budget_other=0, budget_total=1_000_000_000)
    late_doc = factory.item(plan, "document", owner=units["tttt"], text="Quy chế dữ liệu", deadline=None)
    _spelled(late_doc, "Sở Thông tin và Truyền thông")
    khcn_doc = factory.item(plan, "document", owner=units["khcn"], text="Quy định số hóa")
    _spelled(khcn_doc, "Sở Khoa học Công nghệ")
    db.session.flush()
    assert budget.id == shared.appendix_id and document.id == late_doc.appendix_id

    data = gather_report_data(plan, scenario.q3, options=OPTIONS)
    owners = [row.label for row in data.budget.by_owner]
    assert len(owners) == len(set(owners)) and not any(";" in label for label in owners), owners
    assert {"Sở Công Thương", "Sở Y tế", "Sở Khoa học và Công nghệ"} <= set(owners)
    assert "Sở Thông tin và Truyền thông" not in owners  # merged into Sở KH&CN on 01/3/2025
    by_label = {row.label: row for row in data.budget.by_owner}
    assert by_label["Sở Y tế"].shared_lines == by_label["Sở Công Thương"].shared_lines == 1
    assert data.budget.shared_lines == 1

    agencies = [row.name for row in data.agencies]
    assert len(agencies) == len(set(agencies)) and "Sở Thông tin và Truyền thông" not in agencies

    groups = dict(by_carrier(data.documents_missing))
    assert "Sở Khoa học và Công nghệ" in groups
    assert not any("Truyền thông" in name or name == "Sở Khoa học Công nghệ" for name in groups)
    codes = {row.text for row in groups["Sở Khoa học và Công nghệ"]}
    assert {"Quy chế dữ liệu", "Quy định số hóa"} <= codes

    html = render_document(data, pdf=True)
    body = html.split('class="annex', 1)[0]  # the report's body; the annexes keep the plan's wording
    assert _per_list_unique(body)
    # In section III each agency is one row of the table.
    table = body.split("<h2>III.")[1].split("<h2>IV.")[0]
    names = re.findall(r'<tr><td class="center">\d+</td><td>([^<]+)</td>', table)
    assert names and len(names) == len(set(names))


def _per_list_unique(body: str) -> bool:
    """Each list (one per heading) names an agency once."""
    for block in re.split(r"<h4>", body)[1:]:
        names = re.findall(r'<div class="quote">- ([^(<]+?) \(\d+\):', block)
        if len(names) != len(set(names)):
            return False
    return True
