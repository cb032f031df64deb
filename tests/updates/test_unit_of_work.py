"""One commit point (tracker/core/unit_of_work.py): a failed request leaves no file behind and no
half-written rows; a kept one runs its after-commit hooks (a deleted evidence file goes with its row)."""
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.updates.world import edit_url, form
from tracker.audit.models import AuditEntry
from tracker.core import unit_of_work
from tracker.updates.models import Evidence, StatusUpdate

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def stored_files(app) -> set[str]:
    return {p.name for p in Path(app.config["UPLOAD_DIR"]).iterdir()} if Path(app.config["UPLOAD_DIR"]).exists() else set()


def counts(db) -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (StatusUpdate, Evidence, AuditEntry))


def test_a_failed_request_leaves_no_file_and_no_rows(app, client, db, world, as_user):
    as_user(world.reporter)
    before_files, before_rows = stored_files(app), counts(db)
    data = form(action="draft")
    # The first file is good and is stored; the second is refused: the whole request fails.
    data["evidence"] = [(io.BytesIO(PDF), "bien-ban.pdf"), (io.BytesIO(b"not a pdf at all"), "gia-mao.pdf")]
    response = client.post(edit_url(world.project, world.period), data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "không đúng định dạng .pdf" in response.get_data(as_text=True)
    db.session.expire_all()
    assert counts(db) == before_rows  # no draft, no evidence row, no audit entry
    assert stored_files(app) == before_files  # the good file, already written, was deleted


def test_a_kept_request_commits_once_and_deletes_the_file_after_commit(app, client, db, world, as_user):
    as_user(world.reporter)
    data = form(action="draft")
    data["evidence"] = (io.BytesIO(PDF), "bien-ban.pdf")
    assert client.post(edit_url(world.project, world.period), data=data,
                       content_type="multipart/form-data").status_code == 302
    evidence = db.session.scalars(select(Evidence)).one()
    path = Path(app.config["UPLOAD_DIR"]) / evidence.stored_name
    assert path.is_file()
    response = client.post(f"/minh-chung/{evidence.id}/xoa", data={})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Evidence)).all() == []
    assert not path.exists()


def test_jobs_and_commands_commit_or_roll_back_once(app, db, world, tmp_path):
    from tracker.plans.models import PlanItem

    db.session.commit()  # the world is stored; only the unit's own changes are undone
    marker = tmp_path / "written.txt"
    item_id = world.project.id
    with pytest.raises(RuntimeError):
        with unit_of_work.unit_of_work():
            db.session.get(PlanItem, item_id).note = "nửa chừng"
            marker.write_text("x")
            unit_of_work.after_rollback(lambda: marker.unlink())
            unit_of_work.after_commit(lambda: pytest.fail("not committed"))
            db.session.flush()
            raise RuntimeError("lỗi giữa chừng")
    assert not marker.exists()
    assert db.session.get(PlanItem, item_id).note != "nửa chừng"
    done = []
    with unit_of_work.unit_of_work():
        db.session.get(PlanItem, item_id).note = "xong"
        unit_of_work.after_commit(lambda: done.append("committed"))
    assert done == ["committed"]
    db.session.expire_all()
    assert db.session.get(PlanItem, item_id).note == "xong"
