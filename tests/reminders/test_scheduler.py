"""The scheduler: jobs registered in one place, run in an app context, never started on import."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import current_app, has_app_context

from tracker.scheduler import JOB_DEFAULTS, JOBS, build_scheduler, run_job

ROOT = Path(__file__).resolve().parents[2]
probe_calls: list[str] = []


def probe():
    """A job used by the test below."""
    probe_calls.append(current_app.name if has_app_context() else "no context")


def test_jobs_are_registered_with_catch_up_settings(app):
    scheduler = build_scheduler(app, BackgroundScheduler)
    assert scheduler.running is False  # building it starts nothing
    scheduler.start(paused=True)  # job defaults are applied when the scheduler starts
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {spec.id for spec in JOBS} >= {"reminders.daily", "reminders.deliver"}
        daily = jobs["reminders.daily"]
        assert isinstance(daily.trigger, CronTrigger)
        assert str(daily.trigger.timezone) == "Asia/Ho_Chi_Minh"
        hour = next(f for f in daily.trigger.fields if f.name == "hour")
        assert str(hour) == str(app.config["SCHEDULER_HOUR"])
        for job in jobs.values():
            assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time is None
        assert JOB_DEFAULTS["coalesce"] is True
    finally:
        scheduler.shutdown(wait=False)


def test_daily_job_runs_once_at_start_up_to_catch_up(app):
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        daily = scheduler.get_job("reminders.daily")
        deliver = scheduler.get_job("reminders.deliver")
        assert daily.next_run_time <= deliver.next_run_time  # due now, not at the next SCHEDULER_HOUR
    finally:
        scheduler.shutdown(wait=False)


def test_each_job_runs_inside_an_app_context(app):
    probe_calls.clear()
    assert not has_app_context()
    run_job(app, "tests.reminders.test_scheduler:probe")
    assert probe_calls == [app.name]


def test_importing_the_app_starts_no_scheduler():
    code = ("import sys, threading; from wsgi import app; "
            "print('apscheduler.schedulers' in ' '.join(sys.modules), threading.active_count())")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "TRACKER_ENV": "test"}, check=True).stdout.split()
    assert out == ["False", "1"]


def _read_lines(stream, lines: queue.Queue):
    for line in iter(stream.readline, ""):
        lines.put(line)
    lines.put(None)


def test_scheduler_command_beside_the_dev_server_stops_on_ctrl_c(tmp_path):
    """`make run` starts it with `&` from a shell (SIGINT ignored there): Ctrl-C must still stop it."""
    env = {**os.environ, "TRACKER_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'sched.sqlite3'}",
           "MAIL_SUPPRESS_SEND": "1", "PYTHONUNBUFFERED": "1"}
    flask = f"{sys.executable} -m flask --app wsgi tracker scheduler --background-with-server"
    shell = subprocess.Popen(["sh", "-c", f"{flask} & echo $!; wait"], cwd=ROOT, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(shell.stdout, lines), daemon=True).start()
    try:
        pid = int(lines.get(timeout=30))
        seen = []
        while not any("Bộ lập lịch đang chạy" in line for line in seen):
            line = lines.get(timeout=60)
            assert line is not None, "".join(seen)
            seen.append(line)
        assert any("Nhắc báo cáo hằng ngày" in line for line in seen)
        os.kill(pid, signal.SIGINT)
        assert shell.wait(timeout=60) == 0
        rest = []
        while (line := lines.get(timeout=10)) is not None:
            rest.append(line)
        assert any("Bộ lập lịch đã dừng." in line for line in rest), "".join(seen + rest)
    finally:
        if shell.poll() is None:
            shell.kill()
            shell.wait(timeout=10)
        shell.stdout.close()


def test_scheduler_help_mentions_the_flag(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tracker", "scheduler", "--help"])
    assert "--background-with-server" in result.output


@pytest.mark.parametrize("flag", ["--dry-run", "--json", "--at"])
def test_remind_help_mentions_the_options(app, flag):
    result = app.test_cli_runner().invoke(args=["tracker", "remind", "--help"])
    assert flag in result.output
