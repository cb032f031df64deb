"""A unit co-owning an item (a unit group) writes only its own report on it, never another member's."""
import io

import pytest
from werkzeug.datastructures import FileStorage

from tracker.core.time import today_local
from tracker.updates import services
from tracker.updates.models import Evidence, StatusUpdate


def _finance_report(db, world, state="draft"):
    update = StatusUpdate(item=world.project_group, period=world.period, unit=world.finance, version=1, state=state,
                          status="in_progress", progress=40, done_text="Đã số hóa 40% hồ sơ.",
                          author=world.reporter_finance)
    db.session.add(update)
    db.session.flush()
    return update


def test_owns_update_follows_the_report_unit_not_the_item(db, world):
    update = _finance_report(db, world)
    today = today_local()
    assert services.owns_update(world.reporter_finance, update, today)
    assert not services.owns_update(world.reporter, update, today)  # Sở KH&CN co-owns the item, not the report
    assert not services.can_edit(world.reporter, update, today)
    assert services.can_edit(world.reporter_finance, update, today)


def test_another_member_cannot_submit_correct_or_touch_evidence(db, world, tmp_path):
    draft = _finance_report(db, world)
    evidence = Evidence(update=draft, original_name="a.pdf", stored_name="0" * 32, content_type="application/pdf",
                        size=4, uploaded_by=world.reporter_finance)
    db.session.add(evidence)
    db.session.flush()
    with pytest.raises(services.NotAllowed):
        services.submit(world.reporter, draft)
    with pytest.raises(services.NotAllowed):
        services.delete_evidence(world.reporter, evidence)
    upload = FileStorage(stream=io.BytesIO(b"%PDF-1.4 x"), filename="b.pdf")
    with pytest.raises(services.NotAllowed):
        services.attach_evidence(world.reporter, draft, upload, upload_dir=str(tmp_path))
    draft.state = "accepted"
    db.session.flush()
    with pytest.raises(services.NotAllowed):
        services.start_correction(world.reporter, draft, upload_dir=str(tmp_path))
    # its own unit still may
    correction = services.start_correction(world.reporter_finance, draft, upload_dir=str(tmp_path))
    assert correction.unit_id == world.finance.id and correction.version == 2
