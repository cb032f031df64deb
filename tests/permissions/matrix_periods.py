"""Reporting periods: everyone signed in reads; the admin creates periods and overrides deadlines;
coordinators close, reopen and grant late-submission exceptions."""
from datetime import timedelta

from tests.permissions.base import Route, expect
from tracker.core.time import today_local, utcnow
from tracker.extensions import db


def later_deadlines(scenario):
    """Two days later than the period's (read here: objects are detached when `data` runs)."""
    period = scenario["objects"]["period"]
    return {"new_submission": (period.submission_deadline + timedelta(days=2)).isoformat(),
            "new_consolidated": (period.consolidated_deadline + timedelta(days=2)).isoformat()}


def deadlines(values):
    return {"submission_deadline": values["new_submission"], "consolidated_deadline": values["new_consolidated"],
            "lock_version": "1"}


def closed(scenario):
    scenario["objects"]["period"].closed_at = utcnow()
    db.session.flush()
    return {}


def exception(scenario):
    return {"unit_id": str(scenario["unit_own"]), "until": (today_local() + timedelta(days=7)).isoformat(),
            "reason": "Đơn vị đang kiện toàn bộ máy sau sáp nhập."}


ROUTES = [
    Route("periods.index", "GET", "/ky-bao-cao", expect(200)),
    Route("periods.show", "GET", "/ky-bao-cao/{period}", expect(200)),
    Route("periods.create", "POST", "/ky-bao-cao/tao", expect(403, admin=302), data={"year": "2031", "quarter": "1"}),
    Route("periods.deadlines", "POST", "/ky-bao-cao/{period}/han", expect(403, admin=302), data=deadlines,
          setup=later_deadlines),
    Route("periods.close", "POST", "/ky-bao-cao/{period}/khoa", expect(403, coordinator=302)),
    Route("periods.reopen", "POST", "/ky-bao-cao/{period}/mo-lai", expect(403, coordinator=302), setup=closed),
    Route("periods.grant_exception", "POST", "/ky-bao-cao/{period}/nop-muon", expect(403, coordinator=302),
          data=exception),
]
