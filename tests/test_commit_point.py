"""One commit point (issue 14): no route, CLI command or job commits or rolls back by itself.

A request is committed once at its end by tracker/core/unit_of_work.py; a job or a command runs
`with unit_of_work():`. The early commits that correctness needs live in the seams only (the unit of
work's `commit_now`/`commit_step`, the outbox's deliveries, the job table's lease claims).
"""
from __future__ import annotations

import re
from pathlib import Path

TRACKER = Path(__file__).resolve().parents[1] / "tracker"
CALL = re.compile(r"\bsession\s*\.\s*(commit|rollback)\s*\(")


def _entry_modules():
    for path in sorted(TRACKER.rglob("*.py")):
        name = path.name
        if (name in ("routes.py", "cli.py", "jobs.py") or name.endswith("_routes.py")
                or "routes" in path.relative_to(TRACKER).parts[:-1]):
            yield path


def test_entry_modules_are_found():
    names = {p.relative_to(TRACKER).as_posix() for p in _entry_modules()}
    assert {"cli.py", "admin/routes.py", "api/routes.py", "reminders/jobs.py", "plans/import_routes.py"} <= names


def test_no_route_cli_or_job_commits_itself():
    offenders = []
    for path in _entry_modules():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if CALL.search(line.split("#", 1)[0]):
                offenders.append(f"{path.relative_to(TRACKER)}:{number}: {line.strip()}")
    assert offenders == [], "use tracker/core/unit_of_work.py instead:\n" + "\n".join(offenders)
