"""Commands for loading and checking plans: load-plans, check-plans, plan-template."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app

from tracker.cli import tracker_cli
from tracker.core.unit_of_work import rollback_now, unit_of_work


@tracker_cli.command("load-plans")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (README, \"load-plans --json\").")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và so sánh với cơ sở dữ liệu, không ghi gì.")
@click.option("--mapping", "mapping_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Tệp JSON ánh xạ cột và loại phụ lục cho kế hoạch Word (.docx), xem seed_plans/README.md.")
@click.option("--area", "area_code", default=None,
              help="Mã địa bàn của kế hoạch khi tệp không ghi (khi tệp có ghi thì phải trùng), ví dụ thua-thien-hue.")
def load_plans_command(paths, as_json, dry_run, mapping_path, area_code):
    """Nạp kế hoạch, đơn vị, bộ chỉ số từ seed_plans/ hoặc các tệp .yaml/.xlsx/.docx được chỉ định."""
    from tracker.plans.importing.diff import preview_paths, problem_json
    from tracker.plans.loader import load_paths
    from tracker.plans.sources import LoadError

    targets = list(paths) or [current_app.config["SEED_PLANS_DIR"]]
    mapping = None
    if mapping_path is not None:
        try:
            mapping = json.loads(mapping_path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise click.ClickException(f"Tệp ánh xạ {mapping_path.name} không phải JSON hợp lệ: {error}")
    with unit_of_work():  # one commit, or one rollback on error (a dry run, a refused file)
        if dry_run:
            preview = preview_paths(targets, mapping, area=area_code)
            rollback_now()
            if as_json:
                click.echo(json.dumps(preview.as_json(), ensure_ascii=False, indent=2))
            else:
                _echo_problems(preview.problems, "Chạy thử")
                if preview.ok:
                    click.echo("Chạy thử: không ghi gì vào cơ sở dữ liệu.")
                    _echo_summary(preview.as_json(), preview.summary.get("changes", 0))
            raise SystemExit(0 if preview.ok else 1)
        try:
            result = load_paths(targets, mapping, area=area_code)
        except LoadError as error:
            rollback_now()
            if as_json:
                click.echo(json.dumps({"dry_run": False, "plans": [], "frameworks": [],
                                       "unresolved_units": getattr(error, "unresolved_units", []),
                                       "errors": [problem_json(p) for p in error.problems], "warnings": [],
                                       "changes": 0}, ensure_ascii=False, indent=2))
            else:
                _echo_problems(error.problems, "Không nạp được")
            raise SystemExit(1)
        summary = result.as_json()
        changes = result.changes
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    click.echo("Đã nạp xong." if changes else "Đã nạp xong: không có gì thay đổi.")
    _echo_summary(summary, changes)


def _echo_problems(problems, label: str) -> None:
    if problems:
        click.echo(f"{label}: {len(problems)} lỗi. Cơ sở dữ liệu giữ nguyên như trước.", err=True)
        for problem in problems:
            click.echo(f"  - {problem}", err=True)


def _echo_summary(summary: dict, changes: int) -> None:
    from tracker.core.formatting import format_money
    from tracker.plans.models import ITEM_KIND_LABELS

    for plan in summary["plans"]:
        counts = ", ".join(f"{ITEM_KIND_LABELS[k].lower()}: {n}" for k, n in plan["items"].items())
        click.echo(f"Kế hoạch {plan['number'] or '(không số)'}: {counts}.")
        done = plan.get("changes") or {}
        if done:
            missing = (f"; {done['not_in_file']} hạng mục không còn trong tệp (giữ nguyên, không xóa)"
                       if done["not_in_file"] else "")
            click.echo(f"  Hạng mục: thêm {done['created']}, sửa {done['updated']}, giữ nguyên {done['unchanged']}{missing}.")
        if plan["items"].get("budget"):
            totals = plan["budget_total"]
            click.echo(
                f"  Kinh phí: trung hạn {format_money(totals['state'])}, nguồn khác {format_money(totals['other'])}, "
                f"tổng {format_money(totals['total'])}."
            )
            if plan["budget_lines_without_amount"]:
                click.echo(
                    f"  ({plan['budget_lines_without_amount']} dòng ghi \"-\": chưa xác định kinh phí, không cộng vào tổng.)"
                )
    for framework in summary["frameworks"]:
        click.echo(f"Bộ chỉ số {framework['name']}: {framework['indicators']} chỉ số, tối đa {framework['max_points']} điểm.")
    for warning in summary["warnings"]:
        click.echo(f"Cảnh báo: {warning}")


@tracker_cli.command("check-plans")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
def check_plans_command(as_json):
    """Báo cáo chất lượng dữ liệu: các điểm không nhất quán và các tổng khai báo so với tổng các dòng."""
    from tracker.plans.checks import data_quality_report, format_report

    report = data_quality_report()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(report))


@tracker_cli.command("plan-template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plan", "plan_number", default=None, help="Ghi kế hoạch đã nạp (số, ký hiệu) thay vì mẫu trống.")
@click.option("--area", "area_code", default=None, help="Mã địa bàn của kế hoạch, khi nhiều địa bàn có kế hoạch cùng số.")
def plan_template_command(out, plan_number, area_code):
    """Ghi tệp Excel mẫu (tiêu đề tiếng Việt) để nhập một kế hoạch mới."""
    from tracker.plans.identity import PlanLookupError, find_plan
    from tracker.plans.workbook import build_plan_workbook, build_template

    if plan_number:
        try:
            plan = find_plan(plan_number, area_code)
        except PlanLookupError as error:
            raise click.ClickException(str(error)) from error
        out.write_bytes(build_plan_workbook(plan))
    else:
        out.write_bytes(build_template())
    click.echo(f"Đã ghi {out}.")
