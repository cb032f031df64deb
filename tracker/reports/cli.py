"""`flask --app wsgi tracker report ...`: the same report as the web page, from the command line."""
from __future__ import annotations

from pathlib import Path

import click

from tracker.cli import tracker_cli
from tracker.core.unit_of_work import unit_of_work


@tracker_cli.command("report")
@click.option("--plan", "plan_ref", required=True, help="Số, ký hiệu của kế hoạch (ví dụ 222/KH-UBND) hoặc mã số.")
@click.option("--period", "period_code", required=True, help="Kỳ báo cáo, dạng NNNN-QN (ví dụ 2025-Q3).")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html", "xlsx"]), default="pdf", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Tệp ghi ra.")
@click.option("--unit", "unit_name", default=None, help="Báo cáo riêng của một đơn vị (tên hoặc tên viết tắt).")
@click.option("--area", "area_code", default=None,
              help="Mã địa bàn của kế hoạch, khi nhiều địa bàn có kế hoạch cùng số (ví dụ thua-thien-hue).")
def report_command(plan_ref, period_code, fmt, out, unit_name, area_code):
    """Lập báo cáo quý (tổng hợp, hoặc của một đơn vị) dạng PDF, HTML hoặc Excel."""
    from tracker.core.formatting import group_thousands
    from tracker.periods.services import ensure_period, get_period, parse_period_code
    from tracker.reports.builders import build_html, build_pdf, build_xlsx
    from tracker.plans.identity import PlanLookupError, find_plan
    from tracker.reports.services import gather_report_data, get_draft, options_from_draft
    from tracker.units.services import find_units

    try:
        plan = find_plan(plan_ref, area_code)
    except PlanLookupError as error:
        raise click.ClickException(str(error)) from error
    try:
        year, quarter = parse_period_code(period_code)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    period = get_period(f"{year}-Q{quarter}", plan.tenant_id)
    if period is None:
        with unit_of_work():  # the new period is kept whatever becomes of the report
            period = ensure_period(year, quarter, plan.tenant_id)
        click.echo(f"Đã tạo kỳ báo cáo {period.label} với thời hạn mặc định.", err=True)
    unit = None
    if unit_name:
        matches = find_units(unit_name, area_id=plan.area_id) or [
            u for u in find_units(unit_name) if u.tenant_id == plan.tenant_id]
        if not matches:
            raise click.ClickException(f"Không tìm thấy đơn vị '{unit_name}'.")
        if len(matches) > 1:
            raise click.ClickException(f"Tên '{unit_name}' trùng với nhiều đơn vị: {'; '.join(u.name for u in matches)}.")
        unit = matches[0]
    options = options_from_draft(get_draft(plan, period)) if unit is None else None
    data = gather_report_data(plan, period, unit=unit, options=options)
    builder = {"pdf": build_pdf, "html": build_html, "xlsx": build_xlsx}[fmt]
    content = builder(data)
    Path(out).write_bytes(content)
    who = f" của {unit.name}" if unit is not None else ""
    click.echo(f"Đã ghi báo cáo{who} {plan.number_label} {period.label} ({fmt.upper()}, {group_thousands(len(content))} byte) "
               f"vào {out}.")
    if data.not_reported:
        click.echo(f"Đơn vị chưa gửi báo cáo: {'; '.join(data.not_reported)}.")
