"""The heartbeat job, registered in `tracker/scheduler.py`: the scheduler says it is alive."""
from __future__ import annotations

import os
import socket
from datetime import datetime

from tracker.core.time import utcnow
from tracker.core.unit_of_work import commit_step, unit_of_work
from tracker.extensions import db
from tracker.ops.models import SchedulerHeartbeat

SCHEDULER = "scheduler"
HEARTBEAT_JOB_NAME = "Ghi nhịp cho kiểm tra sức khỏe"


def record_heartbeat(now: datetime | None = None, *, name: str = SCHEDULER, host: str | None = None,
                     pid: int | None = None) -> SchedulerHeartbeat:
    """Write this process's beat (one commit). Runs in the scheduler's thread pool, so a long
    reminder run does not stop it: a missing beat means the process is gone or wedged."""
    now = now or utcnow()
    host = socket.gethostname() if host is None else host
    pid = os.getpid() if pid is None else pid

    def write() -> SchedulerHeartbeat:
        beat = db.session.get(SchedulerHeartbeat, name)
        if beat is None:
            beat = SchedulerHeartbeat(name=name, started_at=now)
            db.session.add(beat)
        elif (beat.host, beat.pid) != (host, pid):
            beat.started_at = now
        beat.beat_at, beat.host, beat.pid = now, host, pid
        return beat

    for _ in range(2):  # a conflict: another process wrote the first row at the same moment
        written, beat = commit_step(write)  # its own commit: the beat is seen at once
        if written:
            return beat
    raise RuntimeError("không ghi được nhịp của bộ lập lịch")


def heartbeat() -> None:
    with unit_of_work():
        record_heartbeat()
