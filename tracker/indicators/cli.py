"""`flask --app wsgi tracker dti-score`: the DTI self-assessment score of a values file."""
from __future__ import annotations

import json
from pathlib import Path

import click

from tracker.cli import tracker_cli


@tracker_cli.command("dti-score")
@click.option("--framework", "framework_name", required=True, help="Tên bộ chỉ số, ví dụ \"DTI cấp tỉnh 2024\".")
@click.option("--values", "values_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp YAML: mã chỉ số -> số liệu, ví dụ \"1.2\": {a: 5, b: 5}; \"1.1\": {answer: \"có\"}.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
def dti_score_command(framework_name, values_path, as_json):
    """Tính điểm tự đánh giá DTI: điểm từng chỉ số, từng trụ cột và tổng điểm, kèm cách tính."""
    from tracker.indicators.scoring import score
    from tracker.indicators.selfassessment import find_framework, framework_names, framework_spec, read_values

    framework = find_framework(framework_name)
    if framework is None:
        raise click.ClickException(
            f"Không có bộ chỉ số '{framework_name}'. Các bộ chỉ số đã nạp: {'; '.join(framework_names()) or 'chưa có'}."
        )
    values, problems = read_values(values_path)
    result, found = score(framework_spec(framework), values) if not problems else (None, [])
    problems += found
    # In the file's order: "dòng 3" before "dòng 12".
    problems.sort(key=lambda p: int(p.where.split()[-1]) if p.where.split()[-1:] and p.where.split()[-1].isdigit() else 0)
    if problems:
        click.echo(f"Số liệu trong {values_path.name} có {len(problems)} lỗi; chưa tính điểm.", err=True)
        for problem in problems:
            click.echo(f"  - {values_path.name}: {problem}", err=True)
        raise SystemExit(1)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    click.echo(format_score(result))


def format_score(result) -> str:
    from tracker.core.formatting import format_number
    from tracker.indicators.scoring import JUDGEMENT, MISSING, SCORED, STATUS_LABELS

    counts = result.counts()
    lines = [
        f"{result.spec.name}: {result.explanation}",
        f"{STATUS_LABELS[SCORED]}: {counts[SCORED]} · {STATUS_LABELS[JUDGEMENT]}: {counts[JUDGEMENT]} · "
        f"{STATUS_LABELS[MISSING]}: {counts[MISSING]}",
    ]
    for score in result.all():
        pad = "  " * score.spec.depth
        points = "–" if score.points is None else format_number(score.points)
        maximum = format_number(score.max_points) if score.max_points is not None else "?"
        if score.children:
            lines += ["", f"{pad}{score.code} {score.spec.name}: {points}/{maximum} điểm"]
        else:
            lines.append(f"{pad}{score.code}  {points}/{maximum}  [{STATUS_LABELS[score.status]}] {score.explanation}")
    return "\n".join(lines)
