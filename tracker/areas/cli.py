"""`flask --app wsgi tracker areas` and `merge-area`: the tenants, and a merger of provinces."""
from __future__ import annotations

from datetime import datetime

import click

from tracker.cli import tracker_cli
from tracker.core.unit_of_work import unit_of_work
from tracker.extensions import db


@tracker_cli.command("areas")
def areas_command():
    """Liệt kê các tỉnh, thành phố (địa bàn) và tên gọi theo thời gian."""
    from tracker.areas.services import tenants
    from tracker.units.models import TENANT_LEVELS, Area
    from sqlalchemy import select

    shown = {a.id for a in tenants()}
    for area in db.session.scalars(select(Area).where(Area.level.in_(TENANT_LEVELS)).order_by(Area.name)):
        line = f"{area.code:<20} {area.current_name}"
        if area.current_name != area.name:
            line += f" (trước đây: {area.name})"
        if area.id not in shown and area.successor is not None:
            line += f" — hợp nhất vào {area.successor.current_name} từ {area.merged_on:%d/%m/%Y}"
        click.echo(line)


@tracker_cli.command("merge-area")
@click.option("--from", "source_code", required=True, help="Mã địa bàn được hợp nhất (ví dụ ninh-thuan).")
@click.option("--into", "target_code", required=True, help="Mã địa bàn tiếp nhận (ví dụ khanh-hoa).")
@click.option("--date", "on", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Ngày hợp nhất có hiệu lực (YYYY-MM-DD).")
@click.option("--basis", required=True, help="Căn cứ (ví dụ Nghị quyết số 202/2025/QH15 ...).")
def merge_area_command(source_code, target_code, on: datetime, basis):
    """Ghi nhận một tỉnh hợp nhất vào tỉnh khác: kế hoạch, đơn vị, người dùng, kỳ báo cáo chuyển sang."""
    from tracker.areas.services import AreaError, find_area, merge_area

    source, target = find_area(source_code), find_area(target_code)
    for code, area in ((source_code, source), (target_code, target)):
        if area is None:
            raise click.ClickException(f"Không có địa bàn mã '{code}'.")
    try:
        with unit_of_work():  # one commit, or one rollback on error
            counts = merge_area(None, source, target, on.date(), basis=basis)
    except AreaError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{source.name} hợp nhất vào {target.name} từ ngày {on:%d/%m/%Y}: {counts.get('plan', 0)} kế hoạch, "
               f"{counts.get('unit', 0)} đơn vị, {counts.get('user', 0)} người dùng chuyển sang; "
               f"{counts.get('periods_joined', 0)} kỳ báo cáo gộp vào kỳ cùng quý, "
               f"{counts.get('periods_moved', 0)} kỳ chuyển sang.")
