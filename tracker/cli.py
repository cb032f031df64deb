"""The `flask --app wsgi tracker ...` command group: thin wrappers over services.

Each area keeps its commands in its own `cli.py`, imported at the bottom of this module.
"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.core.unit_of_work import unit_of_work

tracker_cli = AppGroup("tracker", help="Lệnh quản trị hệ thống theo dõi chuyển đổi số.")


@tracker_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(
    ["admin", "coordinator", "reporter", "viewer", "national_viewer", "superadmin"]))
@click.option("--unit", "unit_name", default=None, help="Tên hoặc tên viết tắt của đơn vị (bắt buộc với reporter).")
@click.option("--area", "area_code", default=None,
              help="Mã địa bàn (tỉnh, thành phố) của người dùng; bắt buộc với mọi vai trò trừ national_viewer, superadmin.")
@click.option("--name", "full_name", default="", help="Họ và tên.")
def create_user_command(email, password, role, unit_name, area_code, full_name):
    """Tạo người dùng."""
    from tracker.auth.services import UserError, create_user

    try:
        with unit_of_work():  # one commit, or one rollback on error
            user = create_user(
                email=email, password=password, role=role, unit_name=unit_name, full_name=full_name,
                area_code=area_code,
            )
    except UserError as error:
        raise click.ClickException(str(error)) from error
    unit = f", đơn vị {user.unit.name}" if user.unit else ""
    area = f"địa bàn {user.tenant.name}" if user.tenant else "mọi địa bàn"
    click.echo(f"Đã tạo người dùng {user.email} (vai trò {user.role}{unit}). Phạm vi: {area}.")


# Commands of the other areas register themselves on `tracker_cli` when imported.
from tracker.ops import cli as _ops_cli  # noqa: E402,F401
from tracker.plans import cli as _plans_cli  # noqa: E402,F401
from tracker.reports import cli as _reports_cli  # noqa: E402,F401
from tracker.reminders import cli as _reminders_cli  # noqa: E402,F401
from tracker.updates import cli as _updates_cli  # noqa: E402,F401
from tracker.indicators import cli as _indicators_cli  # noqa: E402,F401
from tracker.areas import cli as _areas_cli  # noqa: E402,F401
from tracker.api import cli as _api_cli  # noqa: E402,F401
from tracker.queue import cli as _queue_cli  # noqa: E402,F401
