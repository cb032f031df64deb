"""`flask --app wsgi tracker worker`: the background worker, running the job table's work (report
files, the DTI form) in its own process, next to the web server and the scheduler.

Each worker runs one job at a time; a process manager may run several (claims are leased,
tracker/queue/lease.py), so that a minute-long render delays nothing else. The scheduler's own
poll (`queue.run`, tracker/scheduler.py) stays as a fallback where no worker runs.
"""
from __future__ import annotations

import os
import signal
import threading

import click
from flask import current_app

from tracker.cli import tracker_cli


@tracker_cli.command("worker")
@click.option("--poll", "poll_seconds", type=float, default=None,
              help="Số giây chờ giữa hai lần tìm việc khi hàng đợi trống (mặc định JOB_POLL_SECONDS, 2).")
@click.option("--once", is_flag=True, help="Chạy hết các việc đang đến hạn rồi dừng.")
@click.option("--max-jobs", type=click.IntRange(min=1), default=None, help="Dừng sau khi chạy chừng này việc.")
@click.option("--background-with-server", is_flag=True,
              help="Chạy kèm máy chủ phát triển (make run): dừng khi tiến trình cha kết thúc hoặc khi nhấn Ctrl-C.")
def worker_command(poll_seconds, once, max_jobs, background_with_server):
    """Chạy máy chủ nền: lấy và thực hiện các việc trong hàng đợi (xuất báo cáo, biểu mẫu DTI)."""
    from tracker.queue.services import work

    app = current_app._get_current_object()
    poll = poll_seconds if poll_seconds is not None else float(app.config.get("JOB_POLL_SECONDS", 2))
    stop = threading.Event()

    def on_signal(signum, frame):
        # The job under way finishes and is recorded; the loop ends before the next one.
        click.echo(f"Nhận tín hiệu {signal.Signals(signum).name}: dừng sau việc đang chạy.")
        stop.set()

    # SIGINT too when started with `&` by a non-interactive shell (make run), which ignores it.
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    parent = os.getppid()
    keep_going = (lambda: os.getppid() == parent) if background_with_server else None
    click.echo(f"Máy chủ nền đang chạy (tiến trình {os.getpid()}, tìm việc mỗi {poll:g} giây). Nhấn Ctrl-C để dừng.")
    try:
        count = work(app, poll_seconds=poll, stop=stop, max_jobs=max_jobs, until_idle=once, keep_going=keep_going)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(f"Máy chủ nền đã dừng ({count} việc đã chạy).")
