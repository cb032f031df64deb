"""The job runner, run by the scheduler every few seconds (tracker/scheduler.py)."""
from __future__ import annotations

import logging

from tracker.queue.services import run_jobs

log = logging.getLogger(__name__)


def run_pending() -> None:
    ran = run_jobs()
    if ran:
        log.info("Việc nền: %s", ", ".join(f"{job_id} {outcome}" for job_id, outcome in ran))
