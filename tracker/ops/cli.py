"""`flask --app wsgi tracker backup OUT.tar.gz` and `tracker restore IN.tar.gz` (README: Sao lưu)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from tracker.cli import tracker_cli
from tracker.extensions import db


@tracker_cli.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(out: Path):
    """Sao lưu cơ sở dữ liệu, tệp minh chứng và báo cáo đã ban hành vào một tệp .tar.gz."""
    from tracker.core.time import utcnow
    from tracker.ops.archive import BackupError
    from tracker.ops.backup import create_backup, describe

    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    try:
        result = create_backup(out, engine=db.engine, upload_dir=upload_dir, now=utcnow())
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:  # a folder not writable, a full disk...
        raise click.ClickException(f"Không ghi được bản sao lưu: {error}") from error
    click.echo(f"Đã sao lưu vào {result.path}: {describe(result.manifest)}.")
    click.echo(f"SHA-256 của tệp sao lưu: {result.sha256}")
    if result.missing_evidence:
        click.echo(f"Cảnh báo: {len(result.missing_evidence)} tệp minh chứng có trong cơ sở dữ liệu nhưng không có "
                   f"trong {upload_dir} (ghi trong manifest.json): {', '.join(result.missing_evidence[:5])}", err=True)


@tracker_cli.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra bản sao lưu và nơi khôi phục, không thay đổi gì.")
def restore_command(archive: Path, dry_run: bool):
    """Khôi phục một bản sao lưu vào cơ sở dữ liệu trống (và thư mục tệp minh chứng trống)."""
    from tracker.ops.archive import BackupError
    from tracker.ops.backup import describe
    from tracker.ops.restore import restore_backup

    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    db.session.remove()  # the restore uses its own connections; nothing of this process may hold one
    try:
        result = restore_backup(archive, engine=db.engine, upload_dir=upload_dir,
                                migrations_dir=current_app.extensions["migrate"].directory, dry_run=dry_run)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    except OSError as error:
        raise click.ClickException(f"Không khôi phục được: {error}") from error
    manifest = result.manifest
    click.echo(f"Bản sao lưu hợp lệ (tạo lúc {manifest['created_at']}): {describe(manifest)}.")
    if not result.restored:
        click.echo("Bản sao lưu và nơi khôi phục đều đạt; chưa khôi phục gì (--dry-run).")
        return
    target = db.engine.url.render_as_string(hide_password=True)
    click.echo(f"Đã khôi phục vào {target}; tệp minh chứng vào {upload_dir}.")
    click.echo(f"Lược đồ phiên bản {manifest['database']['schema_revision']}: chạy `flask --app wsgi db upgrade` "
               "nếu mã nguồn mới hơn bản sao lưu.")
    missing = manifest["evidence"]["missing"]
    if missing:
        click.echo(f"Lưu ý: {len(missing)} tệp minh chứng đã thiếu ngay khi sao lưu (xem manifest.json).", err=True)
