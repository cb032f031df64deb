"""Issuing reuses the data the preview was rendered from when the report's inputs have not changed
since (tracker/reports/issuing.kept_snapshot); any change to them makes it gather afresh."""
from __future__ import annotations

import pytest

from tests.reports.test_routes import DRAFT
from tracker.core.time import today_local
from tracker.queue.services import run_jobs
from tracker.reports import issuing
from tracker.reports.models import IssuedReport
from tracker.reports.services import gather_report_data, get_draft, options_from_draft


def _url(scenario, suffix=""):
    return f"/bao-cao/{scenario.plan.id}/{scenario.q3.code}{suffix}"


def _preview(client, scenario):
    assert client.get(_url(scenario, "/xem-truoc")).status_code == 202
    assert [outcome for _, outcome in run_jobs()] == ["done"]


def _fresh(scenario, version=1) -> dict:
    """What gathering at the moment of issuing gives, as the issued snapshot stores it."""
    options = options_from_draft(get_draft(scenario.plan, scenario.q3))
    options.report_date = options.report_date or today_local()
    data = gather_report_data(scenario.plan, scenario.q3, options=options)
    data.header.is_draft, data.header.version = False, version
    return _without_moment(data.to_json())


def _without_moment(snapshot: dict) -> dict:
    return {key: value for key, value in snapshot.items() if key != "generated_at"}


@pytest.fixture
def gathered(monkeypatch):
    """Counts the gatherings done by issuing; `refuse()` makes them raise."""
    calls = []
    real = issuing.gather_report_data

    def counting(*args, **kwargs):
        calls.append(args)
        if calls.refused:
            raise AssertionError("issuing gathered again")
        return real(*args, **kwargs)

    calls = type("Calls", (list,), {"refused": False})()
    monkeypatch.setattr(issuing, "gather_report_data", counting)
    calls.refuse = lambda: setattr(calls, "refused", True)
    return calls


def test_an_unchanged_preview_is_issued_without_gathering(scenario, factory, client, login, db, gathered):
    login(factory.user("coordinator"))
    _preview(client, scenario)
    gathered.refuse()
    # The issue button posts the draft form: the number, date, signer and texts are new, the data not.
    response = client.post(_url(scenario, "/ban-hanh"), data=DRAFT)
    assert response.status_code == 302 and gathered == []
    report = db.session.query(IssuedReport).one()
    assert report.data["header"]["number_line"].startswith("Số: 125/")
    assert report.data["coordinator_summary"] == DRAFT["summary"]
    assert report.data["header"]["is_draft"] is False and report.data["header"]["version"] == 1
    assert _without_moment(report.data) == _fresh(scenario)

    # A second version, the draft changed again: still no gathering, still equal to a fresh one.
    draft = get_draft(scenario.plan, scenario.q3)
    changed = dict(DRAFT, number="126", proposals="Đề nghị khác.", lock_version=str(draft.lock_version))
    assert client.post(_url(scenario, "/ban-hanh"), data=changed).status_code == 302 and gathered == []
    second = db.session.query(IssuedReport).filter_by(version=2).one()
    assert second.data["coordinator_proposals"] == "Đề nghị khác."
    assert _without_moment(second.data) == _fresh(scenario, version=2)
    # The first version's snapshot is its own: applying the second draft did not touch it.
    db.session.expire_all()
    assert db.session.get(IssuedReport, report.id).data["coordinator_proposals"] == DRAFT["proposals"]


def test_an_update_after_the_preview_is_gathered_afresh(scenario, factory, client, login, db, updates, gathered):
    login(factory.user("coordinator"))
    _preview(client, scenario)
    item = scenario.items["p5"]
    before = next(row for row in _fresh(scenario)["items"] if row["id"] == item.id)
    updates.add(item, scenario.q3, scenario.units["yte"], "in_progress", 77, version=5, state="accepted")
    db.session.commit()
    assert client.post(_url(scenario, "/ban-hanh"), data=DRAFT).status_code == 302
    assert len(gathered) == 1
    report = db.session.query(IssuedReport).one()
    issued = next(row for row in report.data["items"] if row["id"] == item.id)
    assert before["progress"] != 77 and issued["progress"] == 77
    assert _without_moment(report.data) == _fresh(scenario)


def test_without_a_preview_issuing_gathers(scenario, factory, client, login, db, gathered):
    login(factory.user("coordinator"))
    assert client.post(_url(scenario, "/ban-hanh"), data=DRAFT).status_code == 302
    assert len(gathered) == 1
    assert _without_moment(db.session.query(IssuedReport).one().data) == _fresh(scenario)


def test_a_late_exception_granted_after_the_preview_is_gathered_afresh(scenario, factory, client, login, db,
                                                                       gathered):
    from datetime import timedelta

    from tracker.periods.models import LateException

    login(factory.user("coordinator"))
    _preview(client, scenario)
    db.session.add(LateException(period_id=scenario.q3.id, unit_id=scenario.units["yte"].id,
                                 until=scenario.q3.submission_deadline + timedelta(days=30), reason="Gia hạn"))
    db.session.commit()
    assert client.post(_url(scenario, "/ban-hanh"), data=DRAFT).status_code == 302
    assert len(gathered) == 1
