"""Commands: `tracker remind` (one pass), `tracker deliver`, `tracker scheduler`."""
from __future__ import annotations

import json
import os
import signal
import threading
import time

import click
from flask import current_app

from tracker.cli import tracker_cli
from tracker.core.formatting import format_date
from tracker.core.time import today_local, utcnow
from tracker.core.unit_of_work import rollback_now, unit_of_work


def _print_dry_run(today, digests) -> None:
    click.echo(f"Chạy thử nhắc việc cho ngày {format_date(today)}: không gửi thư, không ghi dữ liệu.")
    if not digests:
        click.echo("Không có ai cần nhắc: không đơn vị nào còn nợ báo cáo đến hạn nhắc, "
                   "hoặc các thông báo đã được gửi.")
        return
    from tracker.reminders.services import shorten

    for digest in digests:
        user = digest.user
        unit = f" ({user.unit.name})" if user.unit is not None else f" ({user.role_label})"
        click.echo(f"\n• {user.email}{unit}: 1 thư gồm {len(digest.notices)} nội dung")
        for notice in digest.notices:
            click.echo(f"  - {notice.reason()}")
            if notice.units:
                for owing in notice.units:
                    click.echo(f"      · {owing.unit.name}: {owing.owed} hạng mục chưa nộp")
            for owed in notice.items:
                extra = f"\n        {owed.reason}" if owed.reason else f" ({owed.state_label})"
                click.echo(f"      · [{owed.label}] {shorten(owed.item.text, 90)}{extra}\n        {owed.url}")
    total = sum(len(d.notices) for d in digests)
    click.echo(f"\nTổng cộng: {len(digests)} thư cho {len(digests)} người ({total} thông báo).")


@tracker_cli.command("remind")
@click.option("--at", "at", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Chạy như thể hôm nay là ngày này (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Không gửi, không ghi gì: chỉ in ai sẽ nhận gì và vì sao.")
@click.option("--json", "as_json", is_flag=True, help="In danh sách thông báo dạng JSON.")
def remind_command(at, dry_run, as_json):
    """Chạy một lượt nhắc báo cáo (như lịch chạy hằng ngày)."""
    from tracker.reminders.jobs import ensure_reminder_periods
    from tracker.reminders.mail import mailer_from_config
    from tracker.reminders.outbox import claim_digests, deliver_pending
    from tracker.reminders.services import plan_digests

    today = at.date() if at else today_local()
    with unit_of_work():  # the periods and the claims commit as they go (tracker/reminders/outbox.py)
        if dry_run:
            # The periods a real pass would create take part, inside a transaction rolled back below.
            ensure_reminder_periods(today, commit=False)
            digests = plan_digests(today)
            if as_json:
                notices = [n.as_json() for d in digests for n in d.notices]
                click.echo(json.dumps(notices, ensure_ascii=False, indent=2))
            else:
                _print_dry_run(today, digests)
            rollback_now()  # nothing was written; make sure of it
            return

        ensure_reminder_periods(today)
        digests = plan_digests(today)
        planned = {n.key: n.as_json() for d in digests for n in d.notices}
        claimed = claim_digests(digests, now=utcnow())
        config = current_app.config
        with mailer_from_config(config) as mailer:
            delivery = deliver_pending(now=utcnow(), mailer=mailer, sender=config["MAIL_DEFAULT_SENDER"])
        if as_json:
            keys = [key for c in claimed for key in c.keys]
            click.echo(json.dumps([planned[k] for k in keys if k in planned], ensure_ascii=False, indent=2))
        else:
            click.echo(f"Nhắc việc ngày {format_date(today)}: {len(claimed)} thư mới "
                       f"({sum(len(c.keys) for c in claimed)} thông báo); đã gửi {len(delivery.sent)} thư.")
        if delivery.failed or delivery.given_up:
            click.echo(f"Gửi không thành công {len(delivery.failed)} thư (sẽ thử lại), "
                       f"bỏ hẳn {len(delivery.given_up)} thư.", err=True)


@tracker_cli.command("deliver")
def deliver_command():
    """Gửi các thư nhắc việc đang chờ (kể cả thư còn lại sau sự cố)."""
    from tracker.reminders.mail import mailer_from_config
    from tracker.reminders.outbox import deliver_pending

    config = current_app.config
    with unit_of_work(), mailer_from_config(config) as mailer:
        result = deliver_pending(now=utcnow(), mailer=mailer, sender=config["MAIL_DEFAULT_SENDER"])
    click.echo(f"Đã gửi {len(result.sent)} thư; lỗi {len(result.failed) + len(result.given_up)} thư.")


def _shutdown_once_started(scheduler) -> None:
    """Stop the scheduler; a signal may arrive while it is still starting, so try for a while."""
    from apscheduler.schedulers import SchedulerNotRunningError

    for _ in range(200):
        try:
            scheduler.shutdown(wait=False)
            return
        except SchedulerNotRunningError:
            time.sleep(0.05)


def _stop_with_parent(scheduler, parent_pid: int) -> None:
    """Beside `flask run` (make run): stop when the shell that started both goes away."""
    if os.getppid() != parent_pid:
        scheduler.shutdown(wait=False)


@tracker_cli.command("scheduler")
@click.option("--background-with-server", is_flag=True,
              help="Chạy kèm máy chủ phát triển (make run): dừng khi tiến trình cha kết thúc hoặc khi nhấn Ctrl-C.")
def scheduler_command(background_with_server):
    """Chạy bộ lập lịch (nhắc báo cáo hằng ngày, gửi thư đang chờ) trong tiến trình này."""
    from apscheduler.events import EVENT_SCHEDULER_STARTED
    from apscheduler.schedulers import SchedulerNotRunningError
    from apscheduler.triggers.interval import IntervalTrigger

    from tracker.scheduler import build_scheduler

    app = current_app._get_current_object()
    scheduler = build_scheduler(app)
    if background_with_server:
        scheduler.add_job(_stop_with_parent, IntervalTrigger(seconds=5), args=(scheduler, os.getppid()),
                          id="watch-parent", name="Theo dõi tiến trình cha")
    for job in scheduler.get_jobs():
        click.echo(f"Lịch: {job.name} — {job.trigger}")
    scheduler.add_listener(
        lambda event: click.echo(f"Bộ lập lịch đang chạy (múi giờ {app.config['TIMEZONE']}). Nhấn Ctrl-C để dừng."),
        EVENT_SCHEDULER_STARTED,
    )

    def stop(signum, frame):
        # Not a KeyboardInterrupt: APScheduler's loop would swallow one raised inside it.
        threading.Thread(target=_shutdown_once_started, args=(scheduler,), daemon=True).start()

    # SIGINT too when started with `&` by a non-interactive shell (make run), which ignores it.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        try:
            scheduler.shutdown(wait=False)
        except SchedulerNotRunningError:
            pass
    click.echo("Bộ lập lịch đã dừng.")
