"""`flask --app wsgi tracker api-token`: a new API token of an area, printed once."""
from __future__ import annotations

import click

from tracker.cli import tracker_cli
from tracker.core.unit_of_work import unit_of_work


@tracker_cli.command("api-token")
@click.option("--area", "area_code", required=True, help="Mã địa bàn (tỉnh, thành phố), ví dụ thua-thien-hue.")
@click.option("--name", required=True, help="Tên khóa: hệ thống sẽ dùng nó (ví dụ Hệ thống báo cáo tỉnh).")
def api_token_command(area_code, name):
    """Tạo khóa API đọc dữ liệu của một địa bàn; khóa chỉ hiện một lần."""
    from tracker.api.tokens import TokenError, create_token
    from tracker.areas.services import find_area
    from tracker.areas.tenancy import tenant_area

    area = find_area(area_code)
    tenant = tenant_area(area) if area is not None else None
    if tenant is None:
        raise click.ClickException(f"Không có địa bàn mã “{area_code}” (xem: flask --app wsgi tracker areas).")
    try:
        with unit_of_work():  # one commit, or one rollback on error
            token, secret = create_token(tenant, name, actor_label="CLI api-token")
    except TokenError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Đã tạo khóa API “{token.name}” của {tenant.current_name} (mã {token.prefix}…).", err=True)
    click.echo("Lưu khóa ngay: khóa chỉ hiện một lần.", err=True)
    click.echo(secret)
