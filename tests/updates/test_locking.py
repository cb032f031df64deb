"""Optimistic locking: a save based on a version someone else has changed is refused, never applied."""
import pytest
from sqlalchemy import select, update as sql_update
from sqlalchemy.orm.exc import StaleDataError

from tests.updates.world import edit_url, form, ids_of
from tracker.updates import services
from tracker.updates.models import StatusUpdate
from tracker.updates.validation import validate_update


def only_update(db, item):
    db.session.expire_all()
    return db.session.scalars(select(StatusUpdate).where(StatusUpdate.item_id == item.id)).one()


def test_second_editor_is_refused_and_sees_their_text(client, db, world, as_user):
    url = edit_url(world.project, world.period)
    as_user(world.reporter)
    client.post(url, data=form(done_text="Bản đầu tiên."))
    base = ids_of(only_update(db, world.project))  # both people open the page at this version

    response = client.post(url, data=form(done_text="Bản của anh An.", **base))
    assert response.status_code == 302

    as_user(world.reporter2)
    response = client.post(url, data=form(progress="55", done_text="Bản của chị Bình, gõ rất lâu.",
                                          difficulties="Khó khăn chị Bình nêu.", **base))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "vừa được người khác thay đổi (Nguyễn Văn An" in html
    assert "CHƯA được lưu" in html
    assert "Bản của chị Bình, gõ rất lâu." in html and "Khó khăn chị Bình nêu." in html
    assert 'value="55"' in html
    stored = only_update(db, world.project)
    assert stored.done_text == "Bản của anh An."  # nothing overwritten
    # The form now carries the current version: saving again, knowingly, goes through.
    assert f'name="lock_version" value="{stored.lock_version}"' in html
    response = client.post(url, data=form(done_text="Bản của chị Bình, gõ rất lâu.", **ids_of(stored)))
    assert response.status_code == 302
    assert only_update(db, world.project).done_text == "Bản của chị Bình, gõ rất lâu."


def test_two_people_creating_the_first_draft(client, db, world, as_user):
    url = edit_url(world.project, world.period)
    as_user(world.reporter)
    assert client.post(url, data=form(done_text="Anh An tạo trước.")).status_code == 302
    as_user(world.reporter2)
    response = client.post(url, data=form(done_text="Chị Bình cũng tạo."))  # form opened when no update existed
    assert response.status_code == 409
    assert "Chị Bình cũng tạo." in response.get_data(as_text=True)
    assert only_update(db, world.project).done_text == "Anh An tạo trước."


def test_row_changed_between_read_and_write_is_caught(db, world):
    """The explicit comparison passes (same version read), the database's versioned UPDATE does not."""
    values = validate_update(world.project, form(), budget=services.budget_of(world.project)).values
    update = services.save_draft(world.reporter, world.project, world.period, values, update_id=None,
                                 lock_version=None)
    db.session.flush()
    seen = update.lock_version
    # Another transaction saves meanwhile: the row's version moves on without our session knowing.
    db.session.execute(sql_update(StatusUpdate).where(StatusUpdate.id == update.id)
                       .values(lock_version=StatusUpdate.lock_version + 1, done_text="Người khác")
                       .execution_options(synchronize_session=False))
    assert update.lock_version == seen  # our session still holds the old version
    values.done_text = "Của tôi"
    with pytest.raises(services.StaleUpdate) as refused:
        services.save_draft(world.reporter, world.project, world.period, values, update_id=update.id,
                            lock_version=seen)
    assert isinstance(refused.value.__cause__, StaleDataError)
    db.session.rollback()


def test_stale_review_is_refused(db, world):
    values = validate_update(world.project, form(), budget=services.budget_of(world.project)).values
    update = services.save_draft(world.reporter, world.project, world.period, values, update_id=None, lock_version=None)
    services.submit(world.reporter, update)
    seen = update.lock_version - 1
    with pytest.raises(services.StaleUpdate):
        services.accept(world.coordinator, update, lock_version=seen)
