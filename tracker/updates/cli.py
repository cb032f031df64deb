"""`flask --app wsgi tracker demo`: demo accounts, reporting periods and sample updates."""
from __future__ import annotations

import click

from tracker.cli import tracker_cli
from tracker.core.unit_of_work import unit_of_work


@tracker_cli.command("demo")
def demo_command():
    """Tạo tài khoản mẫu, các kỳ báo cáo và báo cáo mẫu (Dữ liệu mẫu); chạy lại không tạo trùng."""
    from tracker.core.time import today_local
    from tracker.updates.demo import PASSWORD, DemoError, build_demo

    try:
        with unit_of_work():  # one commit, or one rollback on error
            result = build_demo(today_local())
    except DemoError as error:
        raise click.ClickException(str(error)) from error
    click.echo("Tài khoản mẫu (mật khẩu chung: %s):" % PASSWORD)
    for email, role, unit, created in result.accounts:
        click.echo(f"  {email:<32} {role:<16} {unit}{'' if created else '  (đã có)'}")
    if result.succession:
        click.echo(result.succession)
    if result.periods_created:
        click.echo(f"Đã tạo {len(result.periods_created)} kỳ báo cáo: {result.periods_created[0]} … {result.periods_created[-1]}.")
    else:
        click.echo("Các kỳ báo cáo đã có đủ.")
    if result.samples_created:
        click.echo(f"Đã tạo {result.samples_created} báo cáo mẫu (gắn nhãn \"Dữ liệu mẫu\").")
    elif result.samples_existing:
        click.echo(f"Đã có {result.samples_existing} báo cáo mẫu; không tạo thêm.")
    for note in result.notes:
        click.echo(note)
