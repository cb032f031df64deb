"""Quarterly updates: reporters write on items their unit owns, coordinating units add notes,
coordinators review; viewers and admins read but write nothing.

In the scenario `item_own` (owner A, coordinator B) and `item_other` (owner B) each have a submitted
update with an evidence file. reporter_other's unit coordinates item_own, so it may read that
item's update page and evidence and add a contribution note, but not write the update.
"""
from tests.permissions.base import Route, expect
from tracker.extensions import db


def fresh_item(scenario):
    """A project of A with no update yet, so that A's reporter can save a draft."""
    from tests.factories import Factory

    objects = scenario["objects"]
    item = Factory(db).item(objects["plan"], owner=objects["unit_own"], text="Xây dựng kho dữ liệu dùng chung")
    return {"fresh_item": item.id}


def update_own_accepted(scenario):
    scenario["objects"]["update_own"].state = "accepted"
    db.session.flush()
    return {}


def update_own_draft(scenario):
    scenario["objects"]["update_own"].state = "draft"
    db.session.flush()
    return {}


def group_item_report_of_other(state: str):
    """An item owned by the group of A and B, with a report of B (in `state`) carrying one evidence file:
    A co-owns the item but the report is B's, so A's reporter must not touch it."""

    def setup(scenario):
        import uuid
        from datetime import timedelta
        from pathlib import Path

        from flask import current_app

        from tests.factories import Factory
        from tracker.core.time import utcnow
        from tracker.updates.models import Evidence, StatusUpdate

        objects = scenario["objects"]
        item = Factory(db).item(objects["plan"], owner=objects["group"], text="Triển khai hệ thống họp trực tuyến")
        author = objects["users"]["reporter_other"]
        update = StatusUpdate(item=item, period=objects["period"], unit=objects["unit_other"], version=1,
                              state=state, status="in_progress", progress=40, done_text="Đã lắp đặt thiết bị.",
                              author_id=author.id)
        if state == "accepted":
            update.submitted_at = utcnow() - timedelta(hours=2)
            update.submitted_by_id = author.id
        db.session.add(update)
        db.session.flush()
        upload_dir = Path(current_app.config["UPLOAD_DIR"])
        upload_dir.mkdir(parents=True, exist_ok=True)
        stored = uuid.uuid4().hex
        (upload_dir / stored).write_bytes(b"%PDF-1.4 minh chung\n")
        evidence = Evidence(update=update, original_name="bien-ban.pdf", stored_name=stored,
                            content_type="application/pdf", size=20, uploaded_by_id=author.id)
        db.session.add(evidence)
        db.session.flush()
        return {"group_item": item.id, "group_update": update.id, "group_evidence": evidence.id,
                "group_lock": update.lock_version}

    return setup


DRAFT = {"status": "in_progress", "progress": "20", "done_text": "Đã khảo sát hiện trạng.", "difficulties": "",
         "proposals": "", "action": "draft"}
OWN_ONLY = expect(403, reporter_own=302)

ROUTES = [
    Route("updates.edit", "GET", "/cap-nhat/{item_own}/{period}", expect(200)),
    Route("updates.edit", "GET", "/cap-nhat/{item_other}/{period}", expect(200, reporter_own=403),
          note="another unit's item"),
    Route("updates.edit", "GET", "/cap-nhat/{item_draft}/{period}", expect(200),
          note="A's unsent draft: B coordinates and reads the page, not the draft"),
    Route("updates.edit", "GET", "/cap-nhat/{item_returned}/{period}", expect(200),
          note="B's returned report, edited again: A coordinates and reads the page, not the report"),
    Route("updates.evidence", "GET", "/minh-chung/{evidence_draft}", expect(403, reporter_own=200),
          note="a draft's evidence: its unit only"),
    Route("updates.evidence", "GET", "/minh-chung/{evidence_returned}", expect(403, reporter_other=200),
          note="a returned report's new evidence: its unit only"),
    Route("updates.edit", "POST", "/cap-nhat/{fresh_item}/{period}", OWN_ONLY, data=DRAFT, setup=fresh_item),
    Route("updates.edit", "POST", "/cap-nhat/{item_other}/{period}", expect(403, reporter_other=409), data=DRAFT,
          note="another unit's item, already submitted (409 for its owner)"),
    Route("updates.my_work", "GET", "/viec-cua-toi", expect(403, reporter_own=200, reporter_other=200)),
    Route("updates.my_work", "POST", "/viec-cua-toi", expect(403, reporter_own=302, reporter_other=302),
          data={"action": "draft"}),
    Route("updates.review_queue", "GET", "/cho-duyet", expect(403, coordinator=200)),
    Route("updates.review", "POST", "/cap-nhat/{update_own}/duyet", expect(403, coordinator=302),
          data={"decision": "return", "reason": "Thiếu biên bản nghiệm thu."}),
    Route("updates.review", "POST", "/cap-nhat/{update_other}/duyet", expect(403, coordinator=302),
          data={"decision": "accept", "comment": ""}, note="accept"),
    Route("updates.correct", "POST", "/cap-nhat/{update_own}/dinh-chinh", OWN_ONLY, setup=update_own_accepted),
    Route("updates.correct", "POST", "/cap-nhat/{group_update}/dinh-chinh", expect(403, reporter_other=302),
          setup=group_item_report_of_other("accepted"),
          note="group-owned item, accepted report of B: only B corrects it"),
    Route("updates.contribute", "POST", "/dong-gop/{item_own}/{period}", expect(403, reporter_other=302),
          data={"text": "Sở Tài chính đã bố trí kinh phí."}),
    Route("updates.contribute", "POST", "/dong-gop/{item_other}/{period}", expect(403),
          data={"text": "Không phối hợp."}, note="a unit that does not coordinate"),
    Route("updates.evidence", "GET", "/minh-chung/{evidence_own}", expect(200)),
    Route("updates.evidence", "GET", "/minh-chung/{evidence_other}", expect(200, reporter_own=403),
          note="another unit's evidence"),
    Route("updates.delete_evidence", "POST", "/minh-chung/{evidence_own}/xoa", OWN_ONLY, setup=update_own_draft),
    Route("updates.delete_evidence", "POST", "/minh-chung/{evidence_other}/xoa", expect(403),
          note="submitted: nobody deletes"),
    Route("updates.delete_evidence", "POST", "/minh-chung/{group_evidence}/xoa", expect(403, reporter_other=302),
          setup=group_item_report_of_other("draft"),
          note="group-owned item, draft report of B: only B deletes its evidence"),
    Route("updates.edit", "POST", "/cap-nhat/{group_item}/{period}", expect(403, reporter_own=409, reporter_other=302),
          data=lambda s: dict(DRAFT, update_id=str(s["group_update"]), lock_version=str(s["group_lock"])),
          setup=group_item_report_of_other("draft"),
          note="group-owned item: B's report sent by A is refused (A only writes its own report)"),
]
